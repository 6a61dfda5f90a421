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
