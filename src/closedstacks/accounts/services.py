"""Managing accounts: every change here is audited in its own transaction.

Views, the API and ``closedstacks user …`` call these functions and do
nothing else. ``by`` is the account acting, or a command-line label from
:func:`closedstacks.audit.trail.cli_actor`.

Creating an account with a privileged role, granting one, and resetting the
password or second factor of a privileged account need a second person: people
ask through :mod:`closedstacks.accounts.approvals`, and the functions here that
make those changes refuse unless given the approved change (``approval``).
"""

from __future__ import annotations

import secrets

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django_otp import devices_for_user

from closedstacks.access.roles import MFA_EXEMPT_ROLES, Role
from closedstacks.accounts import links
from closedstacks.accounts.models import ChangeKind, ChangeOutcome, LinkPurpose, PendingAccountChange, RoleGrant, User
from closedstacks.audit.trail import record


class AccountError(Exception):
    """A change to an account that cannot be made; the message says why."""


def _acting_user(by) -> User | None:
    return by if isinstance(by, User) else None


NOT_YOUR_OWN_ROLES = gettext_noop("You cannot change the roles of your own account; ask another administrator.")
NEEDS_APPROVAL = gettext_noop("This change needs a second person's approval: another administrator, the director "
                              "or the officer approves it on the page of account changes.")
NO_EMAIL = gettext_noop("An account without an e-mail address cannot hold a privileged role: its owner is told of "
                        "every change to it, and receives their one-time links, by e-mail.")

# Every role but plain desk staff reaches confidential matters or the system itself (the roles that need a second
# factor): creating an account with one, granting one, or resetting the password or second factor of an account
# that holds one, hands someone that reach, and so needs a second person.
TWO_PERSON_ROLES = frozenset(role for role in Role if role not in MFA_EXEMPT_ROLES)
# The approval given while a library is being set up from the command line (approvals.setting_up).
SETUP = "setup"


def needs_second_person(roles) -> bool:
    return bool(TWO_PERSON_ROLES & set(roles))


def is_privileged(user: User) -> bool:
    return needs_second_person(user.roles)


def require_email(email: str) -> None:
    if not (email or "").strip():
        raise AccountError(gettext(NO_EMAIL))


def _require_approval(approval, kind: str, account: User | None = None) -> None:
    """Refuse a two-person change unless ``approval`` is its change, approved (as stored) by someone other than
    the person who asked; or the set-up's."""
    approved = approval == SETUP or (
        isinstance(approval, PendingAccountChange) and approval.kind == kind
        and (account is None or approval.account_id == account.pk)
        and PendingAccountChange.objects.filter(pk=approval.pk, outcome=ChangeOutcome.APPROVED)
        .exclude(decided_by=None).exclude(decided_by=F("requested_by")).exists())
    if not approved:
        raise AccountError(gettext(NEEDS_APPROVAL))


def _approval_details(approval) -> dict:
    if approval == SETUP:
        return {"setup": True}
    return {"change": approval.pk} if isinstance(approval, PendingAccountChange) else {}


def _change(approval) -> PendingAccountChange | None:
    return approval if isinstance(approval, PendingAccountChange) else None


def _not_self(user: User, by, message: str) -> None:
    if _acting_user(by) is not None and by.pk == user.pk:
        raise AccountError(message)


def check_roles(roles) -> list[str]:
    valid = {role.value for role in Role}
    unknown = sorted(set(roles) - valid)
    if unknown:
        raise AccountError(gettext("Unknown role %(unknown)s; roles are %(roles)s.")
                           % {"unknown": ", ".join(unknown), "roles": ", ".join(r.value for r in Role)})
    return sorted(set(roles), key=[r.value for r in Role].index)


def _validated_password(password: str, user: User) -> str:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages)) from None
    return password


def temporary_password() -> str:
    return secrets.token_urlsafe(12)


def find_account(username: str) -> User:
    try:
        return User.objects.get(username__iexact=username.strip())
    except User.DoesNotExist:
        raise AccountError(gettext("There is no account named %(name)r.") % {"name": username}) from None


def _active_admins_besides(user: User) -> int:
    return (
        User.objects.filter(is_active=True, role_grants__role=Role.ADMIN)
        .exclude(pk=user.pk)
        .distinct()
        .count()
    )


def check_new_username(username: str) -> str:
    username = username.strip()
    if not username:
        raise AccountError(gettext("A username is required."))
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages)) from None
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(gettext("An account named %(name)r already exists.") % {"name": username})
    return username


def create_account(*, username: str, by, email: str = "", full_name: str = "", roles=(),
                   password: str | None = None, branch: str | None = None, link: bool = False,
                   approval=None) -> tuple[User, str | None]:
    """Create an account. Without a password, return a temporary one to be changed at first sign-in; with
    ``link``, none: the owner sets theirs through a one-time link (the caller issues it).

    A person (``by`` an account) creates one with a privileged role only with its approved change
    (closedstacks.accounts.approvals). Code run on the server (``by`` a label) may create any: the demo, the
    benchmarks, the tests, and the set-up from the command line.
    """
    username = check_new_username(username)
    roles = check_roles(roles)
    if isinstance(by, User) and needs_second_person(roles):
        _require_approval(approval, ChangeKind.CREATE)
    user = User(username=username, email=email.strip(), full_name=full_name.strip(), branch=branch_named(branch))
    temporary = _first_password(user, password, link=link)
    with transaction.atomic():
        user.save()
        RoleGrant.objects.bulk_create(
            [RoleGrant(user=user, role=role, granted_by=_acting_user(by)) for role in roles]
        )
        record("account.created", actor=by, obj=user,
               details={"roles": roles, **({"branch": user.branch_id} if user.branch_id else {}),
                        **_approval_details(approval)})
    user.forget_roles()
    return user, temporary


def _first_password(user: User, password: str | None, *, link: bool) -> str | None:
    """Set a new account's password; return the temporary one made, if one was."""
    if link:
        user.set_unusable_password()
        return None
    if password is not None:
        user.set_password(_validated_password(password, user))
        return None
    temporary = temporary_password()
    user.set_password(temporary)
    user.must_change_password = True
    return temporary


def branch_named(name_or_branch):
    """A branch given by name (the command line) or as itself (a form); None for none."""
    from closedstacks.library.models import Branch

    if name_or_branch in (None, "") or isinstance(name_or_branch, Branch):
        return name_or_branch or None
    found = Branch.objects.filter(name__iexact=str(name_or_branch).strip()).first()
    if found is None:
        names = ", ".join(Branch.objects.values_list("name", flat=True)) or gettext("none yet")
        raise AccountError(gettext("There is no branch named %(name)r (branches: %(names)s).")
                           % {"name": name_or_branch, "names": names})
    return found


def set_branch(user: User, branch, *, by) -> None:
    """Which branch a person works at (training compliance is counted per branch)."""
    branch = branch_named(branch)
    with transaction.atomic():
        if user.branch_id != (branch.pk if branch else None):
            user.branch = branch
            user.save(update_fields=["branch"])
            record("account.branch_changed", actor=by, obj=user, details={"branch": branch.pk if branch else None})


def grant_role(user: User, role: str, *, by, approval=None) -> bool:
    """Grant one role; a privileged one only with its approved change (approvals.request_roles asks for it)."""
    (role,) = check_roles([role])
    _not_self(user, by, gettext(NOT_YOUR_OWN_ROLES))
    if role in TWO_PERSON_ROLES:
        _require_approval(approval, ChangeKind.GRANT, user)
        require_email(user.email)
    with transaction.atomic():
        _, created = RoleGrant.objects.get_or_create(user=user, role=role,
                                                     defaults={"granted_by": _acting_user(by)})
        if created:
            record("account.role_granted", actor=by, obj=user, details={"role": role, **_approval_details(approval)})
    user.forget_roles()
    return created


def revoke_role(user: User, role: str, *, by) -> bool:
    (role,) = check_roles([role])
    _not_self(user, by, gettext(NOT_YOUR_OWN_ROLES))
    with transaction.atomic():
        if role == Role.ADMIN and user.is_active and _active_admins_besides(user) == 0:
            raise AccountError(gettext("This is the last active administrator; grant the role to someone else first."))
        deleted, _ = RoleGrant.objects.filter(user=user, role=role).delete()
        if deleted:
            record("account.role_revoked", actor=by, obj=user, details={"role": role})
    user.forget_roles()
    return bool(deleted)


def set_roles(user: User, roles, *, by) -> tuple[list[str], list[str]]:
    """Make ``user`` hold exactly ``roles``; return (granted, revoked). A privileged role to grant is refused:
    approvals.request_roles grants the others and asks for those."""
    wanted = set(check_roles(roles))
    current = set(user.roles)
    granted, revoked = sorted(wanted - current), sorted(current - wanted)
    if granted or revoked:
        _not_self(user, by, gettext(NOT_YOUR_OWN_ROLES))
    with transaction.atomic():
        for role in granted:
            grant_role(user, role, by=by)
        for role in revoked:
            revoke_role(user, role, by=by)
    return granted, revoked


def disable_account(user: User, *, by) -> None:
    _not_self(user, by, gettext("You cannot disable your own account; ask another administrator."))
    if not user.is_active:
        raise AccountError(gettext("The account %(name)r is already disabled.") % {"name": user.username})
    with transaction.atomic():
        if Role.ADMIN in user.roles and _active_admins_besides(user) == 0:
            raise AccountError(gettext("This is the last active administrator and cannot be disabled."))
        user.is_active = False
        user.save(update_fields=["is_active"])
        record("account.disabled", actor=by, obj=user)


def enable_account(user: User, *, by) -> None:
    if user.is_active:
        raise AccountError(gettext("The account %(name)r is already enabled.") % {"name": user.username})
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        record("account.enabled", actor=by, obj=user)


def _lock_window():
    cooloff = settings.AXES_COOLOFF_TIME
    if cooloff is None:
        return AccessAttempt.objects.all()
    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - timezone.timedelta(hours=cooloff))


def locked_usernames() -> set[str]:
    return set(
        _lock_window()
        .filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )


def is_locked(user: User) -> bool:
    return (
        _lock_window()
        .filter(username=user.username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
        .exists()
    )


def unlock_account(user: User, *, by) -> int:
    with transaction.atomic():
        was_locked = is_locked(user)
        cleared = axes_reset(username=user.username)
        record("account.unlocked", actor=by, obj=user, details={"was_locked": was_locked, "attempts_cleared": cleared})
    return cleared


def reset_password(user: User, *, by, approval=None) -> tuple[str | None, links.Letter | None]:
    """Let ``user`` choose a new password: through a one-time link e-mailed to them (the letter, for
    :func:`links.deliver` after commit), or, for desk staff without an e-mail address, a temporary password they
    must change when they next sign in. A privileged account's needs its approved change."""
    if is_privileged(user):
        _require_approval(approval, ChangeKind.RESET_PASSWORD, user)
        require_email(user.email)
    with transaction.atomic():
        if user.email:
            letter = links.issue(user, LinkPurpose.SET_PASSWORD, change=_change(approval), by=by)
            record("account.password_reset", actor=by, obj=user, details={"by_link": True,
                                                                          **_approval_details(approval)})
            return None, letter
        temporary = temporary_password()
        user.set_password(temporary)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        record("account.password_reset", actor=by, obj=user, details={"by_link": False})
    return temporary, None


def change_own_password(user: User, new_password: str) -> None:
    _validated_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        record("account.password_changed", actor=user, obj=user)


NOT_YOUR_OWN_FACTOR = gettext_noop("You cannot reset the second factor of your own account; ask another "
                                   "administrator.")


def reset_mfa(user: User, *, by, approval=None) -> tuple[int, links.Letter | None]:
    """Remove every second-factor device, so the user enrols again. A privileged account's needs its approved
    change, and then its owner enrols only after opening the one-time link e-mailed to them (the letter)."""
    _not_self(user, by, gettext(NOT_YOUR_OWN_FACTOR))
    privileged = is_privileged(user)
    if privileged:
        _require_approval(approval, ChangeKind.RESET_MFA, user)
        require_email(user.email)
    with transaction.atomic():
        removed = 0
        for device in devices_for_user(user, confirmed=None):
            device.delete()
            removed += 1
        letter = None
        if privileged:
            user.second_factor_by_link = True
            user.save(update_fields=["second_factor_by_link"])
            letter = links.issue(user, LinkPurpose.ENROL, change=_change(approval), by=by)
        record("account.mfa_reset", actor=by, obj=user,
               details={"devices_removed": removed, "by_link": privileged, **_approval_details(approval)})
    return removed, letter
