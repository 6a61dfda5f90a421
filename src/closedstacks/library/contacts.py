"""The contact list: who staff call, in the order they call them.

It is what the referral script, the report receipt, the desk cards and the
letters' letterhead show. The responsible officer's account (for notices in
the app) is on the library profile; phone numbers and e-mail live here.
"""

from __future__ import annotations

from closedstacks.library.models import Contact, ContactKind

ORDER = {kind: index for index, kind in enumerate(ContactKind.values)}


def contact_list() -> list[Contact]:
    return sorted(Contact.objects.all(), key=lambda c: (ORDER.get(c.kind, 99), c.position, c.pk))


def officer_contact(contacts: list[Contact] | None = None) -> Contact | None:
    """The first responsible officer on the list (for a letterhead), if there is one."""
    for contact in contacts if contacts is not None else contact_list():
        if contact.kind == ContactKind.OFFICER:
            return contact
    return None
