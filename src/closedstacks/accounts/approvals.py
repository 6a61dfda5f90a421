"""The two-person rule: changes that could hand someone a privileged account wait for a second person.

Creating an account with a privileged role (every role but Staff: ``services.TWO_PERSON_ROLES``), granting one
to an account, and resetting a privileged account's password or second factor are *requested* here. The request
is a :class:`PendingAccountChange`; a second person approves or refuses it before it expires
(``ACCOUNT_APPROVAL_HOURS``). Who may decide: anyone holding the ``account:approve`` scope (an administrator,
the director, the officer) — never the person who asked, and never the owner of the account concerned. Each
change is decided once, under a row lock. Changes to desk staff's accounts are made at once, as before.

The owner is told in the app and by e-mail when a change to their account is asked for and when it is applied,
and a new password or a second factor to enrol again reaches them only as a one-time link by e-mail
(:mod:`closedstacks.accounts.links`), never on anyone else's screen. Every request, approval, refusal and expiry
is on the audit trail, naming accounts by id.

From the command line (``by`` a label such as ``cli:root``) the administrator asking is named (``requester``) and
so is the person approving. While the library has fewer than two people who could approve, the command line
makes these changes at once (:func:`setting_up`), audited ``setup``: someone has to create the first accounts.
Whoever can run commands on the server is outside this protection altogether.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from closedstacks.access.roles import ROLE_SCOPES
from closedstacks.accounts import links, services
from closedstacks.accounts.models import ChangeKind, ChangeOutcome, LinkPurpose, PendingAccountChange, User
from closedstacks.accounts.services import AccountError
from closedstacks.audit.trail import record

APPROVE_SCOPE = "account:approve"
APPROVER_ROLES = frozenset(role for role, scopes in ROLE_SCOPES.items() if APPROVE_SCOPE in scopes)


class RequesterRequired(AccountError):
    """A change from the command line that needs a second person must say which administrator asks for it."""


@dataclass
class Result:
    """What became of a request: waiting (``change``), or made at once (``account``, and how they learn of it)."""

    change: PendingAccountChange | None = None
    account: User | None = None
    temporary: str | None = None  # desk staff without an e-mail address only
    emailed: bool | None = None  # whether the one-time link went out; None when none was due

    @property
    def pending(self) -> bool:
        return self.change is not None and self.change.is_pending


# --- who asks, who decides ----------------------------------------------------------------------------------


def setting_up() -> bool:
    """Whether fewer than two active accounts could approve: then the command line changes at once."""
    return User.objects.filter(is_active=True, role_grants__role__in=APPROVER_ROLES).distinct().count() < 2


def _person(by, named: User | None) -> User | None:
    return by if isinstance(by, User) else named


def _requester(by, requester: User | None) -> User | None:
    """The administrator asking, or None while setting up from the command line."""
    person = _person(by, requester)
    if person is None:
        if isinstance(by, str) and setting_up():
            return None
        raise RequesterRequired(gettext("This change needs a second person's approval: say which administrator "
                                        "asks for it."))
    if not person.is_active or "account:manage" not in person.scopes:
        raise AccountError(gettext("%(name)s is not an active administrator and cannot ask for account changes.")
                           % {"name": person.username})
    return person


def _decider(by, named: User | None) -> User:
    person = _person(by, named)
    if person is None:
        raise AccountError(gettext("Say who decides."))
    if not person.is_active or APPROVE_SCOPE not in person.scopes:
        raise AccountError(gettext("%(name)s cannot approve account changes: only an administrator, the director "
                                   "or the officer can.") % {"name": person.username})
    return person


def why_not_approve(change: PendingAccountChange, person: User) -> str | None:
    """Why ``person`` may not approve ``change``, or None if they may."""
    if person.pk == change.requested_by_id:
        return gettext("Nobody approves their own request: another administrator, the director or the officer "
                       "must.")
    if change.account_id is not None and person.pk == change.account_id:
        return gettext("Nobody approves a change to their own account.")
    return None


def _not_own_account(account: User, person: User | None, message: str) -> None:
    if person is not None and person.pk == account.pk:
        raise AccountError(message)


# --- asking ---------------------------------------------------------------------------------------------------


def request_account(*, username: str, by, requester: User | None = None, email: str = "", full_name: str = "",
                    roles=(), branch=None, password: str | None = None) -> Result:
    """Create an account: at once for desk staff, else a change waiting for a second person."""
    username = services.check_new_username(username)
    roles = services.check_roles(roles)
    fields = {"username": username, "email": email.strip(), "full_name": full_name.strip()}
    if not services.needs_second_person(roles):
        return _create_at_once(**fields, roles=roles, branch=branch, password=password, by=by)
    services.require_email(email)
    person = _requester(by, requester)
    if person is None:
        account, temporary = services.create_account(**fields, roles=roles, branch=branch, password=password,
                                                     by=by, approval=services.SETUP)
        return Result(account=account, temporary=temporary)
    if password is not None:
        raise AccountError(gettext("The owner of a privileged account sets their own password through a one-time "
                                   "link; it cannot be given here."))
    if PendingAccountChange.objects.pending().filter(kind=ChangeKind.CREATE, username__iexact=username).exists():
        raise AccountError(gettext("An account named %(name)r is already waiting for approval.") % {"name": username})
    return Result(change=_open(ChangeKind.CREATE, person, by=by, roles=roles, branch=services.branch_named(branch),
                               **fields))


def _create_at_once(*, by, password, **fields) -> Result:
    by_link = bool(fields["email"]) and password is None
    with transaction.atomic():
        account, temporary = services.create_account(**fields, password=password, link=by_link, by=by)
        letters = [links.issue(account, LinkPurpose.SET_PASSWORD, by=by)] if by_link else []
    return Result(account=account, temporary=temporary, emailed=_deliver(letters))


def request_roles(account: User, roles, *, by, requester: User | None = None):
    """Make ``account`` hold ``roles``: revocations and desk roles at once, privileged grants asked for.
    Return (granted, revoked, the Result of asking or None)."""
    wanted = set(services.check_roles(roles))
    asked = (wanted - set(account.roles)) & services.TWO_PERSON_ROLES
    if asked:  # refuse before anything is changed
        _may_ask_grant(account, by=by, requester=requester)
    with transaction.atomic():
        granted, revoked = services.set_roles(account, wanted - asked, by=by)
        result = request_grant(account, asked, by=by, requester=requester) if asked else None
    return granted, revoked, result


def _may_ask_grant(account: User, *, by, requester: User | None) -> User | None:
    services.require_email(account.email)
    person = _requester(by, requester)
    _not_own_account(account, person, gettext(services.NOT_YOUR_OWN_ROLES))
    return person


def request_grant(account: User, roles, *, by, requester: User | None = None) -> Result:
    """Grant roles; privileged ones wait for a second person."""
    roles = [role for role in services.check_roles(roles) if role not in account.roles]
    if not services.needs_second_person(roles):
        for role in roles:
            services.grant_role(account, role, by=by)
        return Result(account=account)
    person = _may_ask_grant(account, by=by, requester=requester)
    if person is None:
        with transaction.atomic():
            for role in roles:
                services.grant_role(account, role, by=by, approval=services.SETUP)
        return Result(account=account)
    return Result(change=_open(ChangeKind.GRANT, person, by=by, account=account, roles=roles))


def request_password_reset(account: User, *, by, requester: User | None = None) -> Result:
    """A new password for ``account``: for desk staff at once, for a privileged account once approved."""
    if not services.is_privileged(account):
        with transaction.atomic():
            temporary, letter = services.reset_password(account, by=by)
        return Result(account=account, temporary=temporary, emailed=_deliver([letter] if letter else []))
    return _request_reset(ChangeKind.RESET_PASSWORD, account, by=by, requester=requester)


def request_mfa_reset(account: User, *, by, requester: User | None = None) -> Result:
    """Remove ``account``'s second factor: for desk staff at once, for a privileged account once approved."""
    _not_own_account(account, _person(by, requester), gettext(services.NOT_YOUR_OWN_FACTOR))
    if not services.is_privileged(account):
        services.reset_mfa(account, by=by)
        return Result(account=account)
    return _request_reset(ChangeKind.RESET_MFA, account, by=by, requester=requester)


def _request_reset(kind: str, account: User, *, by, requester: User | None) -> Result:
    services.require_email(account.email)
    person = _requester(by, requester)
    if person is None:
        with transaction.atomic():
            letters = _reset(kind, account, by=by, approval=services.SETUP)
        return Result(account=account, emailed=_deliver(letters))
    return Result(change=_open(kind, person, by=by, account=account))


def _open(kind: str, requester: User, *, by, account: User | None = None, roles=(), **proposal):
    now = timezone.now()
    with transaction.atomic():
        _expire_due(now)
        if account is not None and account.changes.pending().filter(kind=kind).exists():
            raise AccountError(gettext("The same change to this account is already waiting for approval."))
        change = PendingAccountChange.objects.create(
            kind=kind, account=account, roles=list(roles), requested_by=requester, requested_at=now,
            expires_at=now + timezone.timedelta(hours=settings.ACCOUNT_APPROVAL_HOURS), **proposal)
        record("account.change_requested", actor=by, obj=account or change, details=_details(change))
        _tell_of_request(change)
        letters = [] if account else [_new_account_letter(change)]
    _deliver(letters)
    return change


def _details(change: PendingAccountChange, **more) -> dict:
    return {"change": change.pk, "kind": change.kind, "roles": change.roles, "requested_by": change.requested_by_id,
            **more}


# --- deciding ---------------------------------------------------------------------------------------------


def approve(change_id: int, *, by, approver: User | None = None) -> Result:
    """A second person approves: the change is made, and its owner told (and sent their link)."""
    person = _decider(by, approver)
    letters, refusal = [], None
    with transaction.atomic():
        change = _locked(change_id, person)
        if not _expire_if_due(change):
            refusal = why_not_approve(change, person)
            if refusal:  # the attempt is kept on the trail, and nothing changes
                record("account.change_approval_refused", actor=by, obj=change.account or change,
                       details=_details(change, approver=person.pk))
            else:
                letters = _apply(change, person, by=by)
    _raise_if_undone(change, refusal)
    return Result(change=change, account=change.account, emailed=_deliver(letters))


def refuse(change_id: int, *, by, decider: User | None = None) -> PendingAccountChange:
    """A person who may approve refuses instead (the one who asked may withdraw their request this way)."""
    person = _decider(by, decider)
    with transaction.atomic():
        change = _locked(change_id, person)
        if not _expire_if_due(change):
            _decide(change, ChangeOutcome.REFUSED, person)
            record("account.change_refused", actor=by, obj=change.account or change,
                   details=_details(change, refused_by=person.pk))
            _tell_of_decision(change)
    _raise_if_undone(change, None)
    return change


def _locked(change_id, person: User) -> PendingAccountChange:
    change = (PendingAccountChange.objects.visible_to(person).select_for_update().filter(pk=change_id).first()
              if str(change_id).isdigit() else None)
    if change is None:
        raise AccountError(gettext("There is no account change #%(id)s.") % {"id": change_id})
    if not change.is_pending:
        raise AccountError(gettext("Account change #%(id)s was decided already: %(outcome)s.")
                           % {"id": change.pk, "outcome": change.get_outcome_display()})
    return change


def _raise_if_undone(change: PendingAccountChange, refusal: str | None) -> None:
    """After the transaction committed what it should (an expiry, a refused attempt), say what went wrong."""
    if change.outcome == ChangeOutcome.EXPIRED:
        raise AccountError(gettext("Account change #%(id)s expired before it was approved; ask again.")
                           % {"id": change.pk})
    if refusal:
        raise AccountError(refusal)


def _decide(change: PendingAccountChange, outcome: str, person: User | None) -> None:
    change.outcome, change.decided_by, change.decided_at = outcome, person, timezone.now()
    change.save(update_fields=["outcome", "decided_by", "decided_at"])


def _apply(change: PendingAccountChange, person: User, *, by) -> list:
    _decide(change, ChangeOutcome.APPROVED, person)
    if change.kind == ChangeKind.CREATE:
        _create_approved(change, by=by)  # so that the approval below is on the new account's record
    record("account.change_approved", actor=by, obj=change.account, details=_details(change, approved_by=person.pk))
    if change.kind == ChangeKind.CREATE:
        letters = [links.issue(change.account, LinkPurpose.SET_PASSWORD, change=change, by=by)]
    elif change.kind == ChangeKind.GRANT:
        for role in change.roles:
            services.grant_role(change.account, role, by=by, approval=change)
        letters = []
    else:
        letters = _reset(change.kind, change.account, by=by, approval=change)
    _tell_of_decision(change)
    return letters


def _create_approved(change: PendingAccountChange, *, by) -> None:
    account, _ = services.create_account(username=change.username, email=change.email, full_name=change.full_name,
                                         roles=change.roles, branch=change.branch, link=True, by=by,
                                         approval=change)
    change.account = account
    change.save(update_fields=["account"])


def _reset(kind: str, account: User, *, by, approval) -> list:
    if kind == ChangeKind.RESET_PASSWORD:
        _, letter = services.reset_password(account, by=by, approval=approval)
    else:
        _, letter = services.reset_mfa(account, by=by, approval=approval)
    return [letter] if letter else []


# --- expiry -------------------------------------------------------------------------------------------------


def expire_overdue() -> int:
    """Expire every change whose time ran out; return how many. Called wherever changes are listed or decided."""
    with transaction.atomic():
        return _expire_due(timezone.now())


def _expire_due(now) -> int:
    due = list(PendingAccountChange.objects.pending().filter(expires_at__lte=now).select_for_update())
    for change in due:
        _expire(change)
    return len(due)


def _expire_if_due(change: PendingAccountChange) -> bool:
    if change.expires_at > timezone.now():
        return False
    _expire(change)
    return True


def _expire(change: PendingAccountChange) -> None:
    _decide(change, ChangeOutcome.EXPIRED, None)
    record("account.change_expired", obj=change.account or change, details=_details(change))
    _tell_of_decision(change)


# --- listing --------------------------------------------------------------------------------------------------


def changes_for(person: User | None, *, decided: int = 50) -> tuple[list, list]:
    """(waiting, recently decided) changes ``person`` may see: none unless they may approve. ``person`` None is
    the command line, which sees them all."""
    expire_overdue()
    everything = PendingAccountChange.objects.all()
    visible = (everything if person is None else everything.visible_to(person)).select_related(
        "account", "requested_by", "decided_by", "branch")
    waiting = list(visible.pending().order_by("expires_at", "pk"))
    done = list(visible.exclude(outcome=ChangeOutcome.PENDING).order_by("-decided_at", "-pk")[:decided])
    return waiting, done


def waiting_for(person: User) -> int:
    """How many changes ``person`` could approve now."""
    if APPROVE_SCOPE not in person.scopes:
        return 0
    waiting = PendingAccountChange.objects.pending().filter(expires_at__gt=timezone.now())
    return waiting.exclude(requested_by=person).exclude(account=person).count()


# --- telling people -------------------------------------------------------------------------------------------


def _notify(recipients, template: str, change: PendingAccountChange, url: str = "") -> None:
    notify = import_string(settings.ACCOUNT_NOTIFY)  # notices.services.notify (see conf/settings.py)
    notify(recipients, template=template, context={"change": change}, url=url)


def _approvers_besides(change: PendingAccountChange):
    people = User.objects.filter(is_active=True, role_grants__role__in=APPROVER_ROLES).distinct()
    return people.exclude(pk=change.requested_by_id).exclude(pk=change.account_id or 0)


def _tell_of_request(change: PendingAccountChange) -> None:
    if change.account is not None:
        _notify([change.account], "account_change_requested", change)
    _notify(_approvers_besides(change), "account_change_waiting", change, url=reverse("accounts:changes"))


def _tell_of_decision(change: PendingAccountChange) -> None:
    """The owner (when there is an account) and the person who asked, unless they decided it themselves."""
    if change.account is not None:
        _notify([change.account], "account_change_decided", change)
    if change.decided_by_id != change.requested_by_id:
        _notify([change.requested_by], "account_change_decided", change, url=reverse("accounts:changes"))


def _new_account_letter(change: PendingAccountChange) -> links.Letter:
    return links.letter(change.email, "account_requested", {"change": change})


def _deliver(letters) -> bool | None:
    return links.deliver(letters) if letters else None
