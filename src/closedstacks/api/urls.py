"""The JSON API under /api/v1/, with its OpenAPI document at /api/v1/openapi.json."""

from django.urls import path
from ninja import NinjaAPI
from ninja.errors import Throttled

from closedstacks.access.api import DENY
from closedstacks.access.scopes import API, SIGNED_IN, scope
from closedstacks.access.throttle import api_refusal, api_throttles
from closedstacks.accounts.api import router as accounts_router
from closedstacks.accounts.api import self_router
from closedstacks.audit.api import router as audit_router
from closedstacks.incidents.api import router as incidents_router
from closedstacks.matters.api import router as matters_router
from closedstacks.matters.api_productions import router as productions_router

api = NinjaAPI(
    title="Closed Stacks API",
    version="1",
    description="Every operation names the scope it needs; outsiders to an object get 404.",
    auth=DENY,
    urls_namespace="api",
    docs_url="/docs",
    # Changes (POST, PUT, PATCH, DELETE) per account and per client address; reads are not counted.
    throttle=api_throttles(),
)
api.add_router("/", self_router)
api.add_router("/accounts", accounts_router)
api.add_router("/audit", audit_router)
api.add_router("/", matters_router)
api.add_router("/", incidents_router)
api.add_router("/", productions_router)


@api.exception_handler(Throttled)
def too_many(request, exc: Throttled):
    """429 with a message saying when to try again; ninja adds Retry-After."""
    return api.create_response(request, api_refusal(exc.wait), status=429)

# The OpenAPI document and its viewer need a signed-in person; every other
# route is an operation that checks its own scope (see closedstacks.access.api).
_DOCUMENTS = {"openapi-json", "openapi-view", "api-root"}


def declared_patterns():
    patterns, app_name, namespace = api.urls
    declared = [
        path(str(p.pattern), scope(SIGNED_IN if p.name in _DOCUMENTS else API, p.callback), name=p.name)
        for p in patterns
    ]
    return declared, app_name, namespace


def operation_scopes() -> dict[str, tuple[list[str], str | None]]:
    """URL name -> (HTTP methods, declared scope) for every API operation; None where none is declared."""
    from closedstacks.access.api import Scope

    found = {}
    for _, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                name = getattr(operation, "url_name", "") or api.get_operation_url_name(operation, router=router)
                scopes = [cb.required for cb in operation.auth_callbacks if isinstance(cb, Scope)]
                found[name] = (list(operation.methods), scopes[0] if len(scopes) == 1 else None)
    return found
