"""Connections to the library's system (ILS), as an administrator configured them.

Passwords are encrypted at rest (closedstacks.conf.crypto) and never shown
again once saved: forms and the command line can replace them, not read
them. The read-only credentials serve every search, count and extraction;
the optional write credentials are used by retention runs only.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedstacks.conf import crypto
from closedstacks.ils.connectors import PACKAGES
from closedstacks.ils.connectors.db import DRIVERS, ConnectionSettings


class Connection(models.Model):
    audit_type = "connection"

    name = models.SlugField(_("name"), max_length=60, unique=True,
                            help_text=_("A short name, such as koha or main-ils."))
    connector = models.CharField(_("library system"), max_length=30,
                                 choices=[(name, name.title()) for name in PACKAGES])
    driver = models.CharField(_("database"), max_length=20, choices=[(d, d) for d in DRIVERS])
    host = models.CharField(_("host"), max_length=200, blank=True, default="127.0.0.1")
    port = models.PositiveIntegerField(_("port"), null=True, blank=True)
    database = models.CharField(_("database name (or file, for SQLite)"), max_length=500)
    read_user = models.CharField(_("read-only user"), max_length=120, blank=True)
    read_password_encrypted = models.TextField(blank=True, editable=False)
    write_user = models.CharField(_("write user (retention only)"), max_length=120, blank=True)
    write_password_encrypted = models.TextField(blank=True, editable=False)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_tested_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(null=True)
    last_test = models.JSONField(default=dict, blank=True)  # tables and problems; never a password

    class Meta:
        ordering = ["name"]
        db_table = "records_connection"  # made by the records app before the library-system layer had its own

    def __str__(self) -> str:
        return self.name

    @property
    def tested_tables(self) -> list[tuple[str, int | None]]:
        """The last test's tables and their rows (None: missing), as pairs: a template reading the dict's
        ``.items`` would find Koha's table called ``items`` instead."""
        return sorted((self.last_test or {}).get("tables", {}).items())

    def set_password(self, which: str, password: str) -> None:
        setattr(self, f"{which}_password_encrypted", crypto.encrypt(password))

    def settings(self, *, write: bool = False) -> ConnectionSettings:
        """How to connect: read-only unless ``write`` (retention), with the password decrypted here only."""
        which = "write" if write else "read"
        return ConnectionSettings(driver=self.driver, database=self.database, host=self.host or "127.0.0.1",
                                  port=self.port, user=getattr(self, f"{which}_user"),
                                  password=crypto.decrypt(getattr(self, f"{which}_password_encrypted")))

    def open(self, *, write: bool = False):
        from closedstacks.ils.connectors import get

        return get(self.connector)(self.settings(write=write))
