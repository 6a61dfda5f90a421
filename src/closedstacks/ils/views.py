"""Connections to the library system, for an administrator. Rules in services.py."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from closedstacks.ils import services
from closedstacks.ils.forms import ConnectionForm
from closedstacks.ils.models import Connection


def connections(request):
    return render(request, "ils/connections.html", {"connections": Connection.objects.all()})


def connection(request, pk: int | None = None):
    instance = get_object_or_404(Connection, pk=pk) if pk else Connection()
    form = ConnectionForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_connection(form.save(commit=False), by=request.user, changed=form.changed_data,
                                             **form.passwords())
        except services.ConnectionError_ as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved. Test the connection to see what it finds."))
            return redirect("ils:connection", pk=saved.pk)
    return render(request, "ils/connection.html", {"form": form, "connection": instance},
                  status=400 if form.errors else 200)


@require_POST
def test(request, pk: int):
    found = get_object_or_404(Connection, pk=pk)
    report = services.test_connection(found, by=request.user)
    if report.ok:
        messages.success(request, _("The connection works."))
    else:
        messages.error(request, _("The connection does not work: %(problems)s") % {"problems": "; ".join(
            report.problems)})
    return redirect("ils:connection", pk=pk)


@require_POST
def remove(request, pk: int):
    services.remove_connection(get_object_or_404(Connection, pk=pk), by=request.user)
    messages.success(request, _("Removed."))
    return redirect("ils:connections")
