from ninja import Router, Schema

from closedstacks.access.api import Scope
from closedstacks.access.scopes import SIGNED_IN
from closedstacks.accounts import services
from closedstacks.accounts.models import User

self_router = Router(tags=["account"])
router = Router(tags=["accounts"])


class Me(Schema):
    username: str
    full_name: str
    roles: list[str]
    scopes: list[str]


class Account(Schema):
    id: int
    username: str
    full_name: str
    roles: list[str]
    active: bool
    locked: bool


@self_router.get("/me", response=Me, auth=Scope(SIGNED_IN))
def me(request):
    user = request.user
    return Me(username=user.username, full_name=user.full_name, roles=sorted(user.roles), scopes=sorted(user.scopes))


@router.get("", response=list[Account], auth=Scope("account:manage"))
def accounts(request):
    locked = services.locked_usernames()
    return [
        Account(id=a.pk, username=a.username, full_name=a.full_name, roles=sorted(a.roles), active=a.is_active,
                locked=a.username in locked)
        for a in User.objects.visible_to(request.user).prefetch_related("role_grants")
    ]
