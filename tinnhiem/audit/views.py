from django.core.paginator import Paginator
from django.shortcuts import render

from tinnhiem.accounts.roles import AUDIT, permission_required
from tinnhiem.text import small_int

from . import log
from .chain import fingerprint
from .describe import describe, people
from .models import Event


@permission_required(AUDIT)
def event_list(request):
    from tinnhiem.conferences.models import Conference

    conferences = list(Conference.objects.order_by("-date", "-id").values_list("pk", "title"))
    events = Event.objects.order_by("-seq")
    chosen = request.GET.get("conference", "")
    levels = []
    if small_int(chosen) is not None:
        events = events.filter(conference_id=small_int(chosen))
        conference = Conference.objects.select_related("campaign").filter(pk=small_int(chosen)).first()
        levels = conference.rules.levels if conference else []  # the digits of marks read or entered
    else:
        chosen = ""
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    titles = dict(conferences)
    names_of = people(page)
    on_page = {e.conference_id for e in page if e.conference_id}
    votes = {c.pk for c in Conference.objects.filter(pk__in=on_page).select_related("campaign") if c.is_confidence_vote}
    rows = [(e, describe(e, names_of, vote=e.conference_id in votes), titles.get(e.conference_id)) for e in page]
    seq, head = log.head()
    problems = log.verify() if request.GET.get("verify") else None
    return render(
        request,
        "audit/events.html",
        {
            "page": page,
            "rows": rows,
            "conferences": conferences,
            "chosen": chosen,
            "levels": levels,
            "head_seq": seq,
            "fingerprint": fingerprint(head),
            "head": head,
            "problems": problems,
        },
    )
