from django.conf import settings

from closedstacks.web.navigation import groups_for, links_for, own_links_for


def layout(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated and getattr(request, "signed_in_fully", False))
    links = links_for(user) if signed_in else []
    return {
        "demo": settings.DEMO,
        "library_time_zone": settings.TIME_ZONE,
        "nav_links": links,
        "nav_can": {name for name, _label in links},  # the navigation's pages this person may open
        "nav_groups": groups_for(user) if signed_in else [],
        "nav_own": own_links_for(user) if signed_in else [],
        "signed_in": signed_in,
    }
