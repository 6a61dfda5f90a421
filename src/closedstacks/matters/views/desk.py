"""At the desk: log an inquiry in under a minute, then the referral script; an inquiry reported to the officer,
and a report that becomes an inquiry."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from closedstacks.access.objects import get_visible_or_404
from closedstacks.documents.uploads import UploadRefused
from closedstacks.incidents import services as reports
from closedstacks.incidents.errors import ReportError, StaleReport
from closedstacks.incidents.forms import ConfirmForm
from closedstacks.incidents.models import Incident, IncidentKind
from closedstacks.incidents.views import detail_page
from closedstacks.library.contacts import contact_list
from closedstacks.library.models import LibraryProfile
from closedstacks.matters import reading
from closedstacks.matters.errors import ProcedureError
from closedstacks.matters.forms import InquiryForm
from closedstacks.matters.models import Matter
from closedstacks.matters.steps.intake import log_inquiry, open_from_report


def log(request):
    form = InquiryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            matter = log_inquiry(by=request.user, document=request.FILES.get("document"),
                                 **{k: v for k, v in form.cleaned_data.items() if k != "document"})
        except (ProcedureError, UploadRefused) as exc:
            form.add_error("document" if isinstance(exc, UploadRefused) else None, str(exc))
        else:
            return redirect("matters:receipt", reference=matter.reference)
    return render(request, "matters/log.html", {"form": form}, status=400 if form.errors else 200)


def _logged_or_visible(request, reference: str) -> Matter:
    """An inquiry its logger may see the receipt of (unless it is sealed from them since), or a matter the
    person may open; else 404."""
    visible = Q(pk__in=Matter.objects.logged_by(request.user).values("pk")) | Q(
        pk__in=Matter.objects.visible_to(request.user).values("pk"))
    matter = Matter.objects.filter(visible, reference=reference).select_related("officer").first()
    if matter is None:
        raise Http404
    return matter


def receipt(request, reference: str):
    """The person who logged it sees this, and nothing more of the matter."""
    matter = _logged_or_visible(request, reference)
    reading.looked(request.user, matter, "receipt")
    return render(request, "matters/receipt.html", {"matter": matter, "profile": LibraryProfile.current(),
                                                    "contacts": contact_list()})


@require_POST
def report_it(request, reference: str):
    """One action on a desk receipt (or a matter): the inquiry becomes a linked report."""
    matter = _logged_or_visible(request, reference)
    try:
        incident = reports.report_from_matter(matter, by=request.user,
                                              kind=request.POST.get("kind", IncidentKind.UNAUTHORIZED_DEMAND))
    except ReportError as exc:
        messages.error(request, str(exc))
        return redirect("matters:receipt", reference=reference)
    messages.success(request, _("%(label)s is filed from inquiry %(ref)s and linked to it.")
                     % {"label": incident.label, "ref": reference})
    return redirect("incidents:detail", pk=incident.pk)


@require_POST
def from_report(request, pk: int):
    """The officer opens a matter from a report (say, the person came back with a subpoena)."""
    incident = get_visible_or_404(Incident, request.user, pk=pk)
    form = ConfirmForm(request.POST)
    problem = ""
    if form.is_valid():
        try:
            matter = open_from_report(incident, by=request.user, version=form.cleaned_data["version"])
        except StaleReport as exc:
            incident.refresh_from_db()
            return detail_page(request, incident, problem=str(exc), status=409)
        except (ReportError, ProcedureError) as exc:
            problem = str(exc)
        else:
            messages.success(request, _("Matter %(ref)s is open on the procedure, linked to this report.")
                             % {"ref": matter.reference})
            return redirect("incidents:detail", pk=pk)
    return detail_page(request, incident, bound={"open-matter": form}, problem=problem, status=400)

