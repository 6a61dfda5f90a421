"""The count of unread notices, for the layout's navigation bar."""

from closedstacks.notices.services import unread_count


def unread(request) -> dict:
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and getattr(request, "signed_in_fully", False)):
        return {"unread_notices": 0}
    return {"unread_notices": unread_count(user)}
