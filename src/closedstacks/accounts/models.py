"""Staff accounts and the roles they hold."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from closedstacks.access.roles import Role, requires_mfa, scopes_for


class AccountManager(UserManager):
    def visible_to(self, user):
        """Accounts ``user`` may open: all of them for an administrator, else their own."""
        if "account:manage" in user.scopes:
            return self.all()
        return self.filter(pk=user.pk)


class User(AbstractUser):
    audit_type = "account"

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    must_change_password = models.BooleanField(
        default=False, help_text=_("Set when an administrator gave a temporary password.")
    )
    is_demo = models.BooleanField(default=False, editable=False)
    second_factor_by_link = models.BooleanField(
        default=False, help_text=_("Set when a reset of the second factor was applied: the owner enrols again only "
                                   "after opening the one-time link e-mailed to them."))
    branch = models.ForeignKey("library.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="staff",
                               verbose_name=_("branch"))

    objects = AccountManager()

    class Meta:
        ordering = ["username"]

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(grant.role for grant in self.role_grants.all())  # uses a prefetch when there is one

    @cached_property
    def scopes(self) -> frozenset[str]:
        return scopes_for(self.roles)

    @property
    def needs_mfa(self) -> bool:
        return requires_mfa(self.roles)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in sorted(self.roles, key=list(Role).index)]

    def forget_roles(self) -> None:
        """Drop cached roles and scopes after they change."""
        self.__dict__.pop("roles", None)
        self.__dict__.pop("scopes", None)


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="one_grant_per_role")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


class ChangeKind(models.TextChoices):
    CREATE = "create", _("Create a privileged account")
    GRANT = "grant", _("Grant privileged roles")
    RESET_PASSWORD = "reset_password", _("Reset the password")
    RESET_MFA = "reset_mfa", _("Reset the second factor")


class ChangeOutcome(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    APPROVED = "approved", _("approved and applied")
    REFUSED = "refused", _("refused")
    EXPIRED = "expired", _("expired")


class PendingAccountChangeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Those who may approve (scope ``account:approve``) see every change; nobody else sees any."""
        return self.all() if "account:approve" in user.scopes else self.none()

    def pending(self):
        return self.filter(outcome=ChangeOutcome.PENDING)


class PendingAccountChange(models.Model):
    """A change that could hand someone a privileged account, waiting for a second person (accounts.approvals).

    For ``create`` the account does not exist yet: ``username``, ``full_name``, ``email`` and ``branch`` say what
    it will be, and ``account`` is the account made once approved. No password and no token is ever kept here.
    """

    audit_type = "account_change"

    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    account = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="changes")
    username = models.CharField(max_length=150, blank=True)
    full_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    branch = models.ForeignKey("library.Branch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    roles = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=ChangeOutcome.choices, default=ChangeOutcome.PENDING)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = PendingAccountChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "kind"], condition=models.Q(outcome="pending"),
                                    name="one_pending_change_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.pk}:{self.kind}:{self.outcome}"

    @property
    def is_pending(self) -> bool:
        return self.outcome == ChangeOutcome.PENDING

    @property
    def account_name(self) -> str:
        return self.account.username if self.account_id else self.username

    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in self.roles]

    @property
    def gives_link(self) -> bool:
        """Whether, once applied, the owner receives a one-time link by e-mail."""
        return self.kind != ChangeKind.GRANT


class LinkPurpose(models.TextChoices):
    SET_PASSWORD = "set_password", _("set a password")
    ENROL = "enrol", _("set up the second factor again")


class AccountLink(models.Model):
    """A one-time link e-mailed to an account's owner. Only the SHA-256 of its token is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="links")
    purpose = models.CharField(max_length=20, choices=LinkPurpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    change = models.ForeignKey(PendingAccountChange, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="links")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.purpose}"
