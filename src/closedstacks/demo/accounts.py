"""The demo's accounts: one per role, and more where a library has several (three at the desk, two
counsel). Their passwords are public: demo mode only."""

from __future__ import annotations

from dataclasses import dataclass

from closedstacks.access.roles import Role


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    full_name: str

    @property
    def password(self) -> str:
        return f"demo-{self.username}-pass"

    @property
    def role_label(self) -> str:
        return Role(self.role).label


DEMO_ACCOUNTS = (
    DemoAccount("desk", Role.STAFF, "Dana Desk"),
    DemoAccount("desk2", Role.STAFF, "Devon Dunn"),
    DemoAccount("desk3", Role.STAFF, "Priya Desai"),
    DemoAccount("officer", Role.OFFICER, "Oscar Officer"),
    DemoAccount("director", Role.DIRECTOR, "Dolores Director"),
    DemoAccount("counsel", Role.COUNSEL, "Carmen Counsel"),
    DemoAccount("counsel2", Role.COUNSEL, "Colin Cho"),
    DemoAccount("custodian", Role.CUSTODIAN, "Curtis Custodian"),
    DemoAccount("auditor", Role.AUDITOR, "Ada Auditor"),
    DemoAccount("admin", Role.ADMIN, "Alex Admin"),
)


def ensure_demo_accounts(by: str, progress=None) -> list[DemoAccount]:
    """Create the demo accounts that are missing, and reset their passwords; return them all. ``progress``, if
    given, is told what is being made (a short line)."""
    from django.db import transaction

    from closedstacks.accounts import services
    from closedstacks.accounts.models import User

    if progress:
        progress(f"accounts: {len(DEMO_ACCOUNTS)}")
    for demo in DEMO_ACCOUNTS:
        with transaction.atomic():
            user = User.objects.filter(username=demo.username).first()
            if user is None:
                user, _ = services.create_account(username=demo.username, full_name=demo.full_name,
                                                  email=f"{demo.username}@demo.invalid", roles=[demo.role],
                                                  by=by)
            # Demo passwords are public and skip the password rules on purpose.
            user.set_password(demo.password)
            user.is_demo = True
            user.must_change_password = False
            user.save(update_fields=["password", "is_demo", "must_change_password"])
    _demo_library()
    return list(DEMO_ACCOUNTS)


DEMO_CONTACTS = [
    ("officer", "Oscar Officer", "Responsible officer", "555-0100", "555-0199", "privacy@demo.invalid"),
    ("alternate_officer", "Dolores Director", "Director (alternate officer)", "555-0101", "555-0198", ""),
    ("director", "Dolores Director", "Library director", "555-0101", "555-0198", "director@demo.invalid"),
    ("alternate_director", "Ada Assistant", "Assistant director", "555-0102", "", ""),
    ("counsel", "Carmen Counsel", "Counsel, Example & Partners LLP", "555-0150", "555-0151", "counsel@demo.invalid"),
    ("counsel", "Colin Cho", "Counsel, Example & Partners LLP", "555-0152", "555-0151", "cho@demo.invalid"),
]


def _demo_library() -> None:
    """Give the demo library an officer to refer to, once (a later run changes nothing an admin set)."""
    from closedstacks.accounts.models import User
    from closedstacks.library.models import Branch, Contact, LibraryProfile, ServicePoint

    profile = LibraryProfile.current()
    if profile.responsible_officer_id is None:
        profile.name = "Example Public Library (demo)"
        profile.jurisdiction = "Illinois"
        profile.statute = "75 ILCS 70/1"
        profile.responsible_officer = User.objects.get(username="officer")
        profile.alternate_officer = User.objects.get(username="director")
        profile.emergency_disclosure_allowed = True
        profile.save()
        for kind, name, title, office, after_hours, email in DEMO_CONTACTS:
            Contact.objects.create(kind=kind, name=name, title=title, office_phone=office,
                                   after_hours_phone=after_hours, email=email)
        branch = Branch.objects.create(name="Main Library")
        for point in ("Circulation desk", "Reference desk", "Children's desk"):
            ServicePoint.objects.create(branch=branch, name=point)
        ServicePoint.objects.create(branch=Branch.objects.create(name="Eastside Branch"), name="Front desk")
        User.objects.filter(is_demo=True).update(branch=branch)
