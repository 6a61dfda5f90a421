from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from closedstacks.notices import services
from closedstacks.notices.models import Notice


def inbox(request):
    notices = Notice.objects.for_reader(request.user)[:200]
    return render(request, "notices/inbox.html", {"notices": notices})


@require_POST
def mark_read(request):
    services.mark_all_read(request.user)
    return redirect("notices:inbox")
