"""What Closed Stacks knows about the library itself.

The library's profile (who the responsible officer is and how to reach
them, what the library's jurisdiction allows), its confidentiality policy in
versions that are never changed once written, and counsel's review checklist
per instrument type, kept as data.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedstacks.library.choices import InstrumentType, default_verification_methods


def validate_lead_days(value: str) -> None:
    try:
        days = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise ValidationError(_("Give whole numbers of days separated by commas, such as 7,2,1.")) from None
    if not days or any(day < 0 or day > 365 for day in days):
        raise ValidationError(_("Each lead time must be between 0 and 365 days."))


class GuardianRule(models.TextChoices):
    NONE = "none", _("Never: a parent or guardian is treated like anyone else")
    MINOR = "minor", _("A custodial parent or guardian of a minor under the age below")
    CARD_HOLDER = "card_holder", _("Only a parent or guardian using the minor's own card")


DANGER_NOW = _("If you or anyone else is in danger now, call emergency services (911) first, then the responsible "
               "officer. Do not wait for a reply to this report.")


class LibraryProfile(models.Model):
    """The one row describing this library (pk=1)."""

    audit_type = "library"

    name = models.CharField(_("library name"), max_length=200, default="The Library")
    postal_address = models.TextField(
        _("postal address"), blank=True,
        help_text=_("As it should appear at the head of every letter, one line per line."))
    logo = models.ForeignKey("documents.StoredFile", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("logo"))
    signature_title = models.CharField(
        _("title under the signature"), max_length=120, blank=True,
        help_text=_("How the responsible officer signs the library's letters, e.g. Privacy Officer. Leave empty "
                    "for “Responsible officer”."))
    letter_language = models.CharField(
        _("language of letters"), max_length=10, choices=settings.LANGUAGES, default="en",
        help_text=_("The language the library's letters are written in, unless a matter sets its requester's."))
    danger_now_text = models.TextField(
        _("if someone is in danger now"), blank=True,
        help_text=_("What the receipt of a threat tells the person who reported it. Leave empty for the "
                    "standard words."))
    jurisdiction = models.CharField(_("jurisdiction"), max_length=60, blank=True,
                                    help_text=_("The state or district whose law applies, e.g. New York."))
    statute = models.CharField(_("confidentiality statute"), max_length=200, blank=True,
                               help_text=_("e.g. N.Y. CPLR 4509. Closed Stacks records counsel's advice; "
                                           "it gives none."))
    responsible_officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+",
                                            verbose_name=_("responsible officer"))
    alternate_officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+",
                                          verbose_name=_("alternate"))
    emergency_disclosure_allowed = models.BooleanField(
        _("emergency disclosure allowed"), default=False,
        help_text=_("Whether the library's state allows a narrow disclosure (identity only) on an officer's "
                    "signed statement of imminent danger, as Illinois 75 ILCS 70/1 does."))
    guardian_rule = models.CharField(_("parents and guardians"), max_length=20, choices=GuardianRule.choices,
                                     default=GuardianRule.NONE)
    guardian_age_limit = models.PositiveSmallIntegerField(_("age limit for guardian access"), default=16)
    consent_honoured = models.BooleanField(_("honour a user's written consent"), default=True)
    reminder_lead_days = models.CharField(_("deadline reminders (days before)"), max_length=40, default="7,2,1",
                                          validators=[validate_lead_days])
    training_required = models.BooleanField(
        _("require current training to act on a matter"), default=False,
        help_text=_("When on, the officer, director, counsel and custodians must have completed the training "
                    "assigned to them, and not let it lapse, before they can act on a matter. Anyone can still "
                    "log an inquiry or report a problem."))
    training_valid_days = models.PositiveSmallIntegerField(
        _("training stays current for (days)"), default=365,
        validators=[MinValueValidator(30), MaxValueValidator(1095)])
    training_reminder_days = models.CharField(_("training reminders (days before expiry)"), max_length=40,
                                              default="30,7", validators=[validate_lead_days])
    # {instrument type or "emergency": [verification methods]}: which verifications of the requester suffice
    # before a scope is approved or an emergency disclosure decided (a kind not set: choices.py's defaults).
    verification_methods = models.JSONField(_("verifications that suffice"), default=dict, blank=True)

    def __str__(self) -> str:
        return self.name

    def accepted_verifications(self, kind: str) -> list[str]:
        """The methods of verifying a requester that suffice for ``kind`` (an instrument type, or "emergency")."""
        chosen = (self.verification_methods or {}).get(kind)
        return list(chosen) if chosen else default_verification_methods(kind)

    def danger_now(self) -> str:
        """The words a threat's receipt gives the reporter: the library's own, else the standard ones."""
        return self.danger_now_text.strip() or str(DANGER_NOW)

    @classmethod
    def current(cls) -> LibraryProfile:
        profile, _ = cls.objects.get_or_create(pk=1)
        return profile

    @property
    def lead_days(self) -> list[int]:
        return sorted({int(part) for part in self.reminder_lead_days.split(",") if part.strip()}, reverse=True)

    @property
    def training_lead_days(self) -> list[int]:
        return sorted({int(part) for part in self.training_reminder_days.split(",") if part.strip()}, reverse=True)

    def officers(self) -> list:
        return [user for user in (self.responsible_officer, self.alternate_officer) if user and user.is_active]


class PolicyVersion(models.Model):
    """One version of the confidentiality policy. A change is a new version."""

    audit_type = "policy"

    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    text = models.TextField(help_text=_("Markdown."))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number})"

    @classmethod
    def current(cls) -> PolicyVersion | None:
        return cls.objects.order_by("-number").first()

    @classmethod
    def in_force_at(cls, when) -> PolicyVersion | None:
        """The version in force at ``when``: the newest written at or before it (None before the first)."""
        return cls.objects.filter(created_at__lte=when).order_by("-number").first()


class ChecklistItem(models.Model):
    """One thing counsel checks for an instrument of a given type."""

    audit_type = "checklist_item"

    instrument_type = models.CharField(max_length=30, choices=InstrumentType.choices)
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    guidance = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["instrument_type", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class Branch(models.Model):
    """A building or department of the library; staff belong to one, service points are in one."""

    audit_type = "branch"

    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "branches"

    def __str__(self) -> str:
        return self.name


class ServicePoint(models.Model):
    """A desk where staff meet the public; each gets its own printed desk card."""

    audit_type = "service_point"

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="service_points",
                               verbose_name=_("branch"))
    name = models.CharField(_("name"), max_length=120, help_text=_("e.g. Circulation desk, Children's desk."))
    phone = models.CharField(_("desk phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["branch__name", "name"]
        constraints = [models.UniqueConstraint(fields=["branch", "name"], name="one_service_point_name_per_branch")]

    def __str__(self) -> str:
        return f"{self.branch.name}: {self.name}"


class ContactKind(models.TextChoices):
    OFFICER = "officer", _("Responsible officer")
    ALTERNATE_OFFICER = "alternate_officer", _("Alternate officer")
    DIRECTOR = "director", _("Director")
    ALTERNATE_DIRECTOR = "alternate_director", _("Alternate to the director")
    COUNSEL = "counsel", _("Counsel")


class Contact(models.Model):
    """One line of the contact list shown in the referral script and on the desk card."""

    audit_type = "contact"

    kind = models.CharField(_("who"), max_length=30, choices=ContactKind.choices)
    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("title or firm"), max_length=150, blank=True)
    office_phone = models.CharField(_("office phone"), max_length=40, blank=True)
    after_hours_phone = models.CharField(_("after-hours phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class AuthorityKind(models.TextChoices):
    AGENCY = "agency", _("Law enforcement or government agency")
    COURT = "court", _("Court")
    OTHER = "other", _("Other (a law firm, a regulator)")


class Authority(models.Model):
    """An agency or a court in the officer's directory: how to reach it, found independently of any request (its
    own website, a state directory, the court's published list), never copied from a request's letterhead. A
    requester is verified against it: a call back to this number, the clerk confirming a case, the sender's
    e-mail domain among these."""

    audit_type = "authority"

    kind = models.CharField(_("kind"), max_length=20, choices=AuthorityKind.choices, default=AuthorityKind.AGENCY)
    name = models.CharField(_("name"), max_length=200, unique=True)
    phone = models.CharField(_("official telephone"), max_length=40,
                             help_text=_("The number a call back goes to: never the one printed on a request."))
    postal_address = models.TextField(_("postal address"), blank=True)
    email_domains = models.JSONField(_("known e-mail domains"), default=list, blank=True)
    clerk_contacts = models.TextField(_("clerk's office"), blank=True,
                                      help_text=_("For a court: whom to call to confirm a case number."))
    source = models.CharField(_("where the telephone and address were found"), max_length=300,
                              help_text=_("An independent source: the agency's own website, a state or court "
                                          "directory. Not a request."))
    active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"

    def __str__(self) -> str:
        return self.name

    def knows_domain(self, address: str) -> bool:
        """Whether the e-mail ``address`` is from one of this authority's known domains, exactly (a subdomain is
        known only if listed: anyone may name a host under a domain they do not run)."""
        return email_domain(address) in self.email_domains


def email_domain(address: str) -> str:
    """The domain of an e-mail address, as the directory keeps domains: lower case, without a final dot."""
    return address.rpartition("@")[2].strip().lower().rstrip(".")
