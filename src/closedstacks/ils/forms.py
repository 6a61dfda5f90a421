from django import forms
from django.utils.translation import gettext_lazy as _

from closedstacks.ils.models import Connection

KEEP = _("Leave empty to keep the stored password (it is never shown again).")


class ConnectionForm(forms.ModelForm):
    read_password = forms.CharField(label=_("Read-only password"), required=False, strip=False,
                                    widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                                    help_text=KEEP)
    write_password = forms.CharField(label=_("Write password (retention only)"), required=False, strip=False,
                                     widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                                     help_text=KEEP)
    forget_write = forms.BooleanField(label=_("Remove the write credentials"), required=False)

    class Meta:
        model = Connection
        fields = ["name", "connector", "driver", "host", "port", "database", "read_user", "write_user", "active"]

    def passwords(self) -> dict:
        data = self.cleaned_data
        write = "" if data.get("forget_write") else (data.get("write_password") or None)
        return {"read_password": data.get("read_password") or None, "write_password": write}
