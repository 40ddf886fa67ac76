"""Everything the counting minutes (biên bản kiểm phiếu) need, in one structure (domain §4):
the documents issue renders it as PDF and Word; the results page, exports and projector read it.

Numbers come only from finalised results (the counting core's output); nothing is recomputed here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext as _

from tinnhiem.audit.chain import fingerprint
from tinnhiem.audit.log import minutes_point
from tinnhiem.conferences.models import CommitteeMember, Conference, Voter
from tinnhiem.i18n import DEFAULT_LANGUAGE, official_language, rule_words
from tinnhiem.rules import format_percent

from .models import FormResult, Ruling
from .usecases.counting import totals_issued_collected
from .usecases.repeat import repeats_by_form


def readings_legend(rules, *, scanned: bool) -> str:
    """How a ruling writes a ballot's reading: one digit per person (the key pad's digits).
    ``scanned``: the form was read by the scanner, whose readings may hold a “?”."""
    levels = ", ".join(f"{lv.digit} = {rule_words(lv.label)}" for lv in rules.levels)
    if scanned:
        return _(
            "Readings are written one digit per person, in the order of the ballot: %(levels)s, "
            "0 = no mark, 9 = several marks; “?” = not decided by the scanner."
        ) % {"levels": levels}
    return _(
        "Readings are written one digit per person, in the order of the ballot: %(levels)s, "
        "0 = no mark, 9 = several marks."
    ) % {"levels": levels}


def in_page_language(data: dict[str, Any], conference: Conference) -> dict[str, Any]:
    """``minutes_data`` as a page shows it: the words the minutes put around the committee's
    rulings, and the legend of their readings, in the page's language (the minutes keep the
    Vietnamese; what the committee wrote is shown as written). ``data`` is changed and returned."""
    if (translation.get_language() or DEFAULT_LANGUAGE).startswith(DEFAULT_LANGUAGE):
        return data
    scanned = set(
        conference.ballot_forms.filter(scanned_ballots__by_hand=False).values_list("pk", flat=True).distinct()
    )
    for form in data["forms"]:
        for ruling in form["rulings"]:
            ruling["text"] = ruling_text(ruling)
        if form["rulings_legend"]:
            form["rulings_legend"] = readings_legend(conference.rules, scanned=form["id"] in scanned)
    return data


def ruling_text(ruling: dict[str, Any]) -> str:
    """One ruling as the minutes and the results page write it: its ballot, what, what was decided."""
    return (
        (_("Ballot %(n)s: ") % {"n": ruling["position"]} if ruling["position"] else "")
        + f"{ruling['subject']} → {ruling['decision']}"
        + (" " + _("(complaint)") if ruling["complaint"] else "")
    )


def current_results(conference: Conference) -> dict[int, FormResult]:
    return {r.form_id: r for r in FormResult.objects.filter(form__conference=conference, superseded=False)}


def percent_text(count: int, base: int, decimal: str = ",") -> str:
    return format_percent(count, base, decimal) + "%"


def form_table(result: FormResult, rules) -> list[dict[str, Any]]:
    """Per person rows with counts and percentages (decimal comma) on the stated base."""
    data = result.data
    base = data["base"]["value"]
    rows = []
    for n, person in enumerate(data["people"], start=1):
        rows.append(
            {
                "no": n,
                "person": person.get("person"),
                "name": person.get("name", person["label"]),
                "post": person.get("post", ""),
                "levels": [
                    {
                        "key": key,
                        "label": rules.level(key).label,
                        "count": person["counts"][key],
                        "percent": percent_text(person["counts"][key], base),
                        "percent_dot": person["percent"][key],
                        "bar": round(person["counts"][key] * 100 / base, 2) if base else 0,
                    }
                    for key in rules.level_keys
                ],
                "valid": person.get("rated", sum(person["counts"][k] for k in rules.level_keys)),
                "invalid": person.get("invalid_total", person["counts"]["invalid"] + data["ballots"]["invalid"]),
                "row_invalid": person["counts"]["invalid"],
                "outcome": person["outcome"],
                "consequence": person["consequence"],
                "citation": person.get("citation", ""),
            }
        )
    return rows


def minutes_data(conference: Conference) -> dict[str, Any]:
    """The minutes of a conference as plain data (JSON-serialisable), in Vietnamese whatever the
    language of the page that asks: the minutes printed, the signed record and its JSON say the
    same words (a committee's roles, "not checked in") whoever prints or exports them."""
    with official_language():
        return _minutes_data(conference)


def _minutes_data(conference: Conference) -> dict[str, Any]:
    # the point of the audit log before what it prints is read: should a change commit in between,
    # the minutes then claim less than they show (a fingerprint no later copy has), never more
    seq, point = minutes_point(conference)
    conference = Conference.objects.select_related("campaign__body").get(pk=conference.pk)
    rules = conference.rules
    voters = conference.voters.all()
    counts = voters.aggregate(
        convened=Count("pk"),
        present=Count("pk", filter=Q(attendance=Voter.Attendance.PRESENT)),
        late=Count("pk", filter=Q(attendance=Voter.Attendance.PRESENT, arrived_late=True)),
    )
    absent = [
        {
            "name": v.full_name,
            "post": v.post,
            "reason": v.absence_reason or ("" if v.attendance == "absent" else _("not checked in")),
            "unmarked": v.attendance != Voter.Attendance.ABSENT,  # neither checked in nor marked absent
        }
        for v in voters.exclude(attendance=Voter.Attendance.PRESENT)
    ]
    committee = [
        {"name": m.voter.full_name, "post": m.voter.post, "role": m.role, "role_label": str(m.get_role_display())}
        for m in conference.committee.select_related("voter").order_by("role", "id")
    ]
    role_order = {CommitteeMember.Role.HEAD: 0, CommitteeMember.Role.SECRETARY: 1, CommitteeMember.Role.MEMBER: 2}
    committee.sort(key=lambda m: role_order[m["role"]])
    results = current_results(conference)
    repeats = repeats_by_form(conference)
    forms = []
    for form in conference.ballot_forms.all():
        result = results.get(form.pk)
        rulings = [
            {
                "position": r.position,
                "subject": r.subject,
                "decision": r.decision,
                "complaint": r.is_complaint,
                "by": r.decided_by.voter.full_name,
            }
            for r in Ruling.objects.filter(form=form).select_related("decided_by__voter")
        ]
        for r in rulings:
            r["text"] = ruling_text(r)
        totals = totals_issued_collected(form)
        forms.append(
            {
                "id": form.pk,
                "name": form.name,
                "color": form.color,
                "state": form.state,
                "issued": totals[0],
                "collected": totals[1],
                "paper_issued": form.issued,
                "paper_collected": form.collected,
                "cards_issued": form.cards_issued,
                "electronic": form.electronic_ballots.count(),
                "spoilt": form.spoilt,
                "reconciliation_note": form.reconciliation_note,
                "finalised": result is not None,
                "version": result.version if result else None,
                "ballots": result.data["ballots"] if result else None,
                "base": result.data["base"] if result else None,
                "people": form_table(result, rules) if result else [],
                "rulings": rulings,
                # a ruling on one ballot (double entry, scanning) writes its reading in digits
                "rulings_legend": readings_legend(rules, scanned=form.scanned_ballots.filter(by_hand=False).exists())
                if any(r["position"] and not r["complaint"] for r in rulings)
                else "",
                "corrections": [
                    {"version": old.version, "reason": old.correction_reason}
                    for old in form.results.filter(superseded=True).order_by("version")
                ],
                "repeated": repeats.get(form.pk, []),
            }
        )
    return {
        "conference": {
            "id": conference.pk,
            "campaign_id": conference.campaign_id,
            "title": conference.title,
            "date": conference.date.isoformat(),
            "start_time": conference.start_time.strftime("%H:%M") if conference.start_time else "",
            "place": conference.place,
            "convening_body": conference.convening_body,
            "chair": conference.chair_name,
            "body": conference.campaign.body.name,
            "body_level": conference.campaign.body.level,
            "campaign": conference.campaign.name,
            "legal_basis": conference.campaign.legal_basis,
            "term": conference.campaign.term,
            "status": conference.status,
            "published": conference.results_published,
        },
        "rules": {
            "id": rules.id,
            "name": rules.name,
            "short_name": rules.short_name,
            "system": rules.system,
            "procedure": rules.procedure,
            "base_kind": rules.base_kind,
            "base_citation": rules.base_citation.text,
            "levels": [{"key": lv.key, "label": lv.label} for lv in rules.levels],
        },
        "attendance": {
            "convened": counts["convened"],
            "present": counts["present"],
            "absent": counts["convened"] - counts["present"],
            "late": counts["late"],
            "absent_list": absent,
            "quorum_required": rules.quorum.threshold.minimum_count(counts["convened"])
            if rules.quorum and counts["convened"]
            else 0,
            "quorum_citation": rules.quorum.citation.text if rules.quorum else "",
            "quorum_override": conference.quorum_override_reason,
        },
        # sessions adjourned before the one that held the vote: when, to when, why, how many were there
        "adjournments": [
            {
                "session_date": a.session_date.isoformat(),
                "new_date": a.new_date.isoformat(),
                "reason": a.reason,
                "present": a.present,
                "convened": a.convened,
                "quorum_required": a.required,
            }
            for a in conference.adjournments.all()
        ],
        "committee": {
            "members": committee,
            "votes": {
                "for": conference.committee_votes_for,
                "against": conference.committee_votes_against,
                "abstaining": conference.committee_votes_abstaining,
            },
            "approved": conference.committee_approved,
        },
        "forms": forms,
        # the audit chain after the last event these minutes record (audit.chain.minutes_point): the
        # same on every copy printed since, and in the exported record, until what they say changes
        "audit": {"event": seq, "hash": point, "fingerprint": fingerprint(point)},
    }
