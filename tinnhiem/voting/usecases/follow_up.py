"""After a rating under NQ 96/2023: the confidence vote (bỏ phiếu tín nhiệm) that Điều 12 khoản 1
calls for, for whoever had more than half and below two thirds "tín nhiệm thấp" and did not resign.

The rule set says which step leads to a vote (``leads_to_vote``) and under which rule set that
vote is held (``follow_up``). The staff office chooses the persons (leaving out whoever resigned)
and the day; tinnhiem prepares the vote as a new campaign and conference of the same body, with
those persons and the same voter roll, linked to the rating it follows.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tinnhiem.accounts.roles import PREPARE, require
from tinnhiem.audit.log import record
from tinnhiem.conferences.models import Conference, RatedPerson
from tinnhiem.conferences.usecases import campaigns, rated, roster
from tinnhiem.conferences.usecases.day import _locked  # the lock every conference use case takes
from tinnhiem.i18n import official_language
from tinnhiem.rules import builtin_rule_set
from tinnhiem.text import fold

from ..minutes import current_results, percent_text


def _short(text: str, limit: int = 255) -> str:
    """A name that fits its column (a title of 255 characters, prefixed, would not)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_RATING_WORDS = re.compile(r"lấy phiếu tín nhiệm", re.IGNORECASE)


def _vote_name(text: str) -> str:
    """The rating's name made the vote's: "lấy phiếu tín nhiệm" in it becomes "bỏ phiếu tín nhiệm"
    (in the same case); a name without those words is prefixed "Bỏ phiếu tín nhiệm — "."""

    def swap(found: re.Match) -> str:
        words = found.group(0)
        vote = "bỏ phiếu tín nhiệm"
        if words.isupper():
            return vote.upper()
        return vote[0].upper() + vote[1:] if words[0].isupper() else vote

    if _RATING_WORDS.search(text):
        return _short(_RATING_WORDS.sub(swap, text))
    return _short(_("Confidence vote — %(name)s") % {"name": text})


def candidates(conference: Conference) -> list[dict[str, Any]]:
    """The rated persons of a finished conference whose finalised result reached a step that leads
    to a confidence vote, in ballot order; ``prepared`` when a prepared vote already has them."""
    rules = conference.rules
    steps = {step.key: step for step in rules.outcomes if step.leads_to_vote}
    if conference.status != Conference.Status.FINISHED or not steps or not rules.follow_up:
        return []
    prepared = {
        fold(name)
        for name in RatedPerson.objects.filter(conference__follows=conference).values_list("full_name", flat=True)
    }
    out = []
    for result in sorted(current_results(conference).values(), key=lambda r: r.form_id):
        base = result.data["base"]["value"]
        for person in result.data["people"]:
            step = steps.get(person["outcome"])
            if step is None:
                continue
            out.append(
                {
                    "person": person["person"],
                    "name": person["name"],
                    "post": person["post"],
                    "adverse": person["counts"][step.level],
                    "level": rules.level(step.level).label,
                    "percent": percent_text(person["counts"][step.level], base),
                    "citation": step.citation.text,
                    "prepared": fold(person["name"]) in prepared,
                }
            )
    return out


@transaction.atomic
def prepare_confidence_vote(
    actor: Any, conference: Conference, *, people: list[int], day: date, today: date | None = None
) -> Conference:
    """A new campaign and conference for the confidence vote of ``people`` (rated persons of
    ``conference`` among its candidates), on ``day``, with the same voter roll. Nothing is saved
    on a refusal."""
    require(actor, PREPARE)
    conference = _locked(conference)
    found = {c["person"]: c for c in candidates(conference)}
    if not found:
        raise ValidationError(_("No result of this conference calls for a confidence vote."))
    if not people:
        raise ValidationError(_("Choose at least one person (leave out whoever resigned)."))
    if any(p not in found for p in people):
        raise ValidationError(_("Only a person whose result calls for a confidence vote can be put to one."))
    again = [found[p]["name"] for p in people if found[p]["prepared"]]
    if again:
        raise ValidationError(_("A confidence vote is already prepared for: %(names)s.") % {"names": ", ".join(again)})
    old = conference.campaign
    rules = conference.rules
    vote_rules = builtin_rule_set(rules.follow_up)
    steps = sorted({found[p]["citation"] for p in people})
    with official_language():  # stored, and printed on official documents
        name, title = _vote_name(old.name), _vote_name(conference.title)
        legal_basis = _("%(rules)s; %(articles)s; the counting minutes of %(conference)s on %(date)s.") % {
            "rules": vote_rules.short_name,
            "articles": "; ".join(steps),
            "conference": conference.title,
            "date": conference.date.strftime("%d/%m/%Y"),
        }
    campaign = campaigns.create_campaign(
        actor,
        body=old.body,
        name=name,
        legal_basis=legal_basis,
        term=old.term,
        rule_set=vote_rules.id,
        rating_year=old.rating_year,
    )
    vote = campaigns.create_conference(
        actor,
        campaign=campaign,
        title=title,
        date=day,
        place=conference.place,
        convening_body=conference.convening_body,
        chair_name=conference.chair_name,
        today=today,
    )
    vote.follows = conference
    vote.save(update_fields=["follows"])
    # the same body's documents, signed as the rating's were
    vote = campaigns.set_signer(
        actor, vote, name=conference.signer_name, post=conference.signer_post, signing_for=conference.signer_for
    )
    vote = campaigns.set_signer(
        actor,
        vote,
        name=conference.invitation_signer_name,
        post=conference.invitation_signer_post,
        signing_for=conference.invitation_signer_for,
        invitations=True,
    )
    order = {c["person"]: n for n, c in enumerate(found.values())}
    chosen = RatedPerson.objects.filter(pk__in=people, conference=conference)
    # Điều 12 khoản 1: a person rated at the same time for several posts faces one vote for all of them
    same: dict[str, list[RatedPerson]] = {}
    for person in sorted(chosen, key=lambda p: order[p.pk]):
        same.setdefault(fold(person.full_name), []).append(person)
    for posts in same.values():
        post = _short("; ".join(dict.fromkeys(p.post for p in posts)))
        rated.add_rated_person(actor, vote, full_name=posts[0].full_name, post=post)
    voters = roster.copy_roll(actor, conference, vote)
    record(
        actor,
        "conference.follow_up",
        conference=conference,
        data={
            "vote_conference": vote.pk,
            "people": [posts[0].full_name for posts in same.values()],
            "rows": voters,
        },
    )
    return vote


def state(conference: Conference) -> dict[str, Any] | None:
    """What the results page shows of the confidence vote, when the rule set has one."""
    rules = conference.rules
    if not rules.follow_up:
        return None
    return {
        "rule_set": builtin_rule_set(rules.follow_up).short_name,
        "candidates": candidates(conference),
        "conferences": list(conference.follow_ups.select_related("campaign").order_by("date", "id")),
    }
