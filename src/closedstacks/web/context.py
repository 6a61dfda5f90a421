from django.conf import settings

from closedstacks.web.navigation import groups_for, links_for, own_links_for


def layout(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated and getattr(request, "signed_in_fully", False))
    return {
        "demo": settings.DEMO,
        "library_time_zone": settings.TIME_ZONE,
        "nav_links": links_for(user) if signed_in else [],
        "nav_groups": groups_for(user) if signed_in else [],
        "nav_own": own_links_for(user) if signed_in else [],
        "signed_in": signed_in,
    }
