"""The results of a campaign in one place (tổng hợp kết quả lấy phiếu tín nhiệm): what the staff
office reports to the managing authority (QĐ 96 Điều 1 khoản 4: "kết quả lấy phiếu tín nhiệm phải
báo cáo cấp có thẩm quyền quản lý cán bộ").

Numbers come only from each conference's finalised results, through ``minutes_data``; nothing is
recomputed or added up. A person whose name is also on the ballot of another conference of the same
rating year is shown with the other places: under QĐ 96 the managing authority weighs each place's
result as a whole (Điều 11 khoản 4), and a cadre is rated in at most 2 places (Điều 1 khoản 3).
Names are matched as written (NFC, case and spaces folded): two different people may share a name,
so a match is something to check, never a conclusion.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from tinnhiem.audit.received import how_held
from tinnhiem.conferences.models import Campaign, Conference
from tinnhiem.conferences.queries import other_places, rated_places
from tinnhiem.conferences.usecases.rated import not_rated
from tinnhiem.i18n import rule_words
from tinnhiem.rules.model import consequence_alone
from tinnhiem.rules.report import rule_set_summary

from .minutes import minutes_data


def campaign_summary(campaign: Campaign) -> dict[str, Any]:
    """The campaign's results as plain data (JSON-serialisable), for the page, the exports and the report."""
    campaign = Campaign.objects.select_related("body__parent").get(pk=campaign.pk)
    rules = campaign.rules
    places = rated_places(campaign.rating_year, rules.procedure)
    conferences, pending, cancelled, rows = [], [], [], []
    for conference in campaign.conferences.order_by("date", "id"):
        entry = {
            "id": conference.pk,
            "title": conference.title,
            "date": conference.date.isoformat(),
            "date_text": conference.date.strftime("%d/%m/%Y"),
            "status": conference.status,
            "status_label": str(conference.get_status_display()),
        }
        if conference.status == Conference.Status.CANCELLED:  # not held: nothing to wait for
            cancelled.append(entry | {"reason": conference.cancel_reason})
            continue
        if conference.status != Conference.Status.FINISHED:
            pending.append(entry)
            continue
        m = minutes_data(conference)
        entry |= {
            "published": m["conference"]["published"],
            "convened": m["attendance"]["convened"],
            "present": m["attendance"]["present"],
            "forms": [],
            "not_rated": not_rated(conference),
            # what its minutes print (docs/audit.md): the summary's reader finds them, and its record, by it
            "fingerprint": m["audit"]["fingerprint"],
            # as the authority's page of received records says it (audit.received.how_held)
            **how_held(m["attendance"], m["adjournments"], m["forms"]),
        }
        for form in m["forms"]:
            entry["forms"].append(
                {
                    "name": form["name"],
                    "issued": form["issued"],
                    "collected": form["collected"],
                    "valid": form["ballots"]["valid"],
                    "invalid": form["ballots"]["invalid"],
                    "base": form["base"]["value"],
                    "base_citation": form["base"]["citation"],
                }
            )
            for person in form["people"]:
                others = other_places(places, person["name"], conference.pk)
                too_many = rules.places is not None and rules.places.exceeded(1 + len(others))
                rows.append(
                    {
                        "conference": conference.pk,
                        "conference_title": conference.title,
                        "date": entry["date"],
                        "date_text": entry["date_text"],
                        "form": form["name"],
                        "base": form["base"]["value"],
                        "no": person["no"],
                        "person": person["person"],
                        "name": person["name"],
                        "post": person["post"],
                        "levels": person["levels"],
                        "valid": person["valid"],
                        "invalid": person["invalid"],
                        "outcome": person["outcome"],
                        "consequence": consequence_alone(person["consequence"], person["citation"]),
                        "citation": person["citation"],
                        "other_places": others,
                        "too_many_places": too_many,
                    }
                )
        conferences.append(entry)
    outcomes = []
    for step in rules.outcomes:
        reached = [r for r in rows if r["outcome"] == step.key]
        outcomes.append(
            {
                "key": step.key,
                "consequence": step.consequence,
                "citation": step.citation.text,
                "count": len(reached),
                "names": [r["name"] for r in reached],
            }
        )
    body = campaign.body
    return {
        "campaign": {
            "id": campaign.pk,
            "name": campaign.name,
            "body": body.name,
            "body_level": body.level,
            "system": body.system,
            "parent": body.parent.name if body.parent else "",
            "locality": body.locality,
            "legal_basis": campaign.legal_basis,
            "term": campaign.term,
            "rating_year": campaign.rating_year,
        },
        "rules": rule_set_summary(rules),
        "conferences": conferences,
        "pending": pending,
        "cancelled": cancelled,
        "rows": rows,
        "rated": len(rows),
        "no_consequence": sum(1 for r in rows if r["outcome"] == "none"),
        "outcomes": outcomes,
        "several_places": sum(1 for r in rows if r["other_places"]),
        "complete": not pending and bool(conferences),
    }


def summary_table(summary: dict[str, Any]) -> list[list[Any]]:
    """The rows of the spreadsheet export: a header, then one row per person and conference."""
    header = [
        _("Conference"),
        _("Date"),
        _("Ballot form"),
        _("No."),
        _("Full name"),
        _("Post"),
        _("Percentage base"),
    ]
    for lv in summary["rules"]["levels"]:
        header += [rule_words(lv["label"]), rule_words(lv["label"]) + " (%)"]
    header += [_("Valid"), _("Invalid"), _("Conclusion"), _("Article"), _("Also rated at (same full name)")]
    table = [header]
    for r in summary["rows"]:
        row = [r["conference_title"], r["date_text"], r["form"], r["no"], r["name"], r["post"], r["base"]]
        for lv in r["levels"]:
            row += [lv["count"], Decimal(lv["percent_dot"])]
        others = "; ".join(
            f"{p['title']} ({', '.join(x for x in (p['post'], p['status_label']) if x)})" for p in r["other_places"]
        )
        row += [r["valid"], r["invalid"], rule_words(r["consequence"]), r["citation"], others]
        table.append(row)
    return table
