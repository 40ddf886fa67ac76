from django.core.paginator import Paginator
from django.shortcuts import render

from tinnhiem.accounts.roles import AUDIT, permission_required

from . import log
from .chain import fingerprint
from .models import Event


@permission_required(AUDIT)
def event_list(request):
    page = Paginator(Event.objects.order_by("-seq"), 100).get_page(request.GET.get("page"))
    seq, head = log.head()
    problems = log.verify() if request.GET.get("verify") else None
    return render(
        request,
        "audit/events.html",
        {"page": page, "head_seq": seq, "fingerprint": fingerprint(head), "head": head, "problems": problems},
    )
