"""Read-only queries for the pages: checklist of deadlines, opinion summary, roster warnings,
the places where a person is rated."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tinnhiem.accounts.usecases import full_name_of
from tinnhiem.audit.describe import actor_label
from tinnhiem.audit.models import Event
from tinnhiem.rules import Deadline, deadlines
from tinnhiem.text import matches, person_key

from .models import Conference, Dossier, Explanation, Opinion, RatedPerson
from .usecases.roster import unresolved_rated_matches


def voters_found(voters, query: str) -> list:
    """The voters of a list (check-in, the voter roll) that a search typed into it finds, by name
    or post, as ``tinnhiem.text.matches`` reads a search (the page's script does the same)."""
    return [voter for voter in voters if matches(query, f"{voter.full_name} {voter.post}")]


@dataclass(frozen=True)
class ChecklistItem:
    deadline: Deadline
    status: str  # done | late | missed | pending | not_needed
    done_on: date | None
    detail: str

    @property
    def label(self) -> str:
        return _(self.deadline.message)


def _dossiers_done(conference: Conference) -> tuple[date | None, str]:
    people = [p for p in conference.rated_persons.all() if p.on_ballot]
    if not people:
        return None, _("No rated person yet.")
    latest = None
    missing = []
    for person in people:
        sent = person.dossiers.filter(distributed_on__isnull=False).aggregate(m=Max("distributed_on"))["m"]
        if sent is None:
            missing.append(person.full_name)
        else:
            latest = max(latest, sent) if latest else sent
    if missing:
        return None, _("Not yet sent for: %(names)s") % {"names": ", ".join(missing)}
    return latest, ""


def checklist(conference: Conference, today: date | None = None) -> list[ChecklistItem]:
    """The legal deadlines (QĐ 96 Điều 9 bước 1: 15, 10 and 3 days before) and where each stands."""
    today = today or timezone.localdate()
    items = []
    requests = conference.opinions.filter(tag=Opinion.Tag.REQUESTS_EXPLANATION)
    for deadline in deadlines(conference.rules, conference.date):
        detail = ""
        if deadline.key == "dossiers":
            done_on, detail = _dossiers_done(conference)
            status = deadline.status(done_on, today)
        elif deadline.key == "questions":
            if not requests.exists():
                done_on, status = None, "not_needed"
                detail = _("No request for explanation.")
            else:
                pending = requests.filter(forwarded_on__isnull=True).count()
                done_on = None if pending else requests.aggregate(m=Max("forwarded_on"))["m"]
                status = deadline.status(done_on, today)
                if pending:
                    detail = _("%(n)s request(s) not yet forwarded.") % {"n": pending}
        else:
            forwarded = requests.filter(forwarded_on__isnull=False)
            if not forwarded.exists():
                done_on, status = None, "not_needed"
                detail = _("No request was forwarded.")
            else:
                unanswered = forwarded.filter(explanations__isnull=True).count()
                done_on = (
                    None
                    if unanswered
                    else Explanation.objects.filter(answers__in=forwarded).aggregate(m=Max("received_on"))["m"]
                )
                status = deadline.status(done_on, today)
                if unanswered:
                    detail = _("%(n)s request(s) without an explanation.") % {"n": unanswered}
        items.append(ChecklistItem(deadline, status, done_on, detail))
    return items


@dataclass(frozen=True)
class OpinionSummary:
    total: int
    requests: int
    forwarded: int
    answered: int
    unclassified: int

    def text(self) -> str:
        return _("%(total)s opinions, %(requests)s requests for explanation") % {
            "total": self.total,
            "requests": self.requests,
        }


def opinion_summary(conference: Conference) -> OpinionSummary:
    agg = conference.opinions.aggregate(
        total=Count("pk"),
        requests=Count("pk", filter=Q(tag=Opinion.Tag.REQUESTS_EXPLANATION)),
        forwarded=Count("pk", filter=Q(tag=Opinion.Tag.REQUESTS_EXPLANATION, forwarded_on__isnull=False)),
        unclassified=Count("pk", filter=Q(tag=Opinion.Tag.NEW)),
    )
    answered = (
        conference.opinions.filter(tag=Opinion.Tag.REQUESTS_EXPLANATION, explanations__isnull=False).distinct().count()
    )
    return OpinionSummary(agg["total"], agg["requests"], agg["forwarded"], answered, agg["unclassified"])


def conference_overview(conference: Conference) -> dict:
    return {
        "rated": conference.rated_persons.filter(decision="rated").count(),
        "excluded": conference.rated_persons.filter(decision="excluded").count(),
        "voters": conference.voters.count(),
        "dossiers": Dossier.objects.filter(rated_person__conference=conference).count(),
        # waiting to go to the voters: uploaded by the office, or sent by a rated person
        "dossiers_unsent": Dossier.objects.filter(rated_person__conference=conference, distributed_on=None).count(),
        "opinions": opinion_summary(conference),
        "rated_matches": unresolved_rated_matches(conference),
        "notices": conference.campaign.notices(conference.date),
    }


def rated_places(rating_year: int, procedure: str = "rating") -> dict[str, list[dict[str, Any]]]:
    """Every person on a ballot in a rating year, on this site, in any campaign of the same procedure,
    by full name (``text.person_key``: case and spaces folded, a rank or a degree before it left
    out), in date order. Two people may share a name: a match is to check. A confidence vote
    (procedure "vote") is not a place where one is rated: the person it follows a rating for is not
    counted twice, nor shown beside that rating as elsewhere."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    people = (
        RatedPerson.objects.filter(decision=RatedPerson.Decision.RATED, conference__campaign__rating_year=rating_year)
        .select_related("conference__campaign")
        .order_by("conference__date", "conference_id", "order", "id")
    )
    for p in people:
        c = p.conference
        if c.campaign.rules.procedure != procedure:
            continue
        found[person_key(p.full_name)].append(
            {
                "person": p.pk,
                "name": p.full_name,
                "post": p.post,
                "conference": c.pk,
                "title": c.title,
                "date": c.date.isoformat(),
                "campaign": c.campaign.name,
                "status": c.status,
                "status_label": str(c.get_status_display()),
            }
        )
    return found


def other_places(places: dict[str, list[dict[str, Any]]], name: str, conference_id: int) -> list[dict[str, Any]]:
    """The other conferences whose ballot carries ``name`` (from :func:`rated_places`)."""
    return [p for p in places.get(person_key(name), []) if p["conference"] != conference_id]


def namesakes(people) -> set[int]:
    """The ids of the rated persons who share their full name with another of ``people``: a page
    shows their post beside it, to tell them apart."""
    by_name: dict[str, list[int]] = defaultdict(list)
    for person in people:
        by_name[person_key(person.full_name)].append(person.pk)
    return {pk for ids in by_name.values() if len(ids) > 1 for pk in ids}


@dataclass(frozen=True)
class Removal:
    """An opinion, a dossier or an explanation the office removed as a mistake, before the voters
    got it, as the log keeps it (``opinion.removed``, ``dossier.removed``, ``explanation.removed``)."""

    action: str
    at: Any  # when it was removed (an aware datetime)
    by: str  # who removed it: their name, or their account's
    about: str  # the rated person's name; "" for a general opinion
    what: str  # the opinion's or the explanation's words, the dossier's title
    signed_by: str  # an opinion's signer as typed
    received_on: date | None  # an opinion's or an explanation's day received
    reason: str

    @property
    def kind(self) -> str:
        return self.action.partition(".")[0]

    @property
    def on(self) -> date:
        return timezone.localdate(self.at)


def removals(conference: Conference, actions: tuple[str, ...], *, sent_by: RatedPerson | None = None) -> list[Removal]:
    """What the office removed of ``conference`` as a mistake (``actions``; only what ``sent_by``
    sent through their own link, if given), from the log, oldest first: the pages list it where the
    opinions, dossiers and explanations are, and the rated person's own page says what they sent
    and was removed, rather than let it vanish without a word (what the office recorded for them by
    mistake, for another person maybe, is not theirs to read). A removal logged before its person
    and reason were recorded is listed without them, and not on the person's page."""
    found = Event.objects.filter(conference_id=conference.pk, action__in=actions).order_by("seq")
    if sent_by is not None:
        found = found.filter(data__person=sent_by.pk, data__from_person=True)
    events = list(found)
    users = get_user_model().objects.filter(username__in={e.actor for e in events})
    names = {u.get_username(): full_name_of(u) for u in users}
    listed = []
    for event in events:
        data = event.data or {}
        try:
            received_on = date.fromisoformat(str(data.get("received_on")))
        except ValueError:
            received_on = None
        listed.append(
            Removal(
                action=event.action,
                at=event.at,
                by=names.get(event.actor) or actor_label(event.actor),
                about=str(data.get("name") or ""),
                what=str(data.get("title") or data.get("text") or ""),
                signed_by=str(data.get("signed_by") or ""),
                received_on=received_on,
                reason=str(data.get("reason") or ""),
            )
        )
    return listed
