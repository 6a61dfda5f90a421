"""At the desk: log an inquiry in under a minute, then the referral script."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render

from closedstacks.documents.uploads import UploadRefused
from closedstacks.library.contacts import contact_list
from closedstacks.library.models import LibraryProfile
from closedstacks.matters.errors import ProcedureError
from closedstacks.matters.forms import InquiryForm
from closedstacks.matters.models import Matter
from closedstacks.matters.steps.intake import log_inquiry


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


def receipt(request, reference: str):
    """The person who logged it sees this, and nothing more of the matter."""
    visible = Q(logged_by=request.user) | Q(pk__in=Matter.objects.visible_to(request.user).values("pk"))
    matter = Matter.objects.filter(visible, reference=reference).select_related("officer").first()
    if matter is None:
        raise Http404
    return render(request, "matters/receipt.html", {"matter": matter, "profile": LibraryProfile.current(),
                                                    "contacts": contact_list()})
