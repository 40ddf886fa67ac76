"""The official documents of a conference: counting minutes (PDF and Word), the report to the
managing authority, the draft resolution confirming the results (People's Council / National
Assembly), invitation letters, the attendance sheet and the voter roll.

Every number comes from ``minutes_data`` (the finalised results of the counting core); nothing is
recomputed or retyped here.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from tinnhiem.audit.log import head, head_fingerprint
from tinnhiem.audit.received import adjourned_sentence
from tinnhiem.conferences.links import invitation_url
from tinnhiem.conferences.models import Body, Campaign, Conference, Explanation
from tinnhiem.conferences.usecases.campaigns import is_deputy
from tinnhiem.conferences.usecases.rated import not_rated
from tinnhiem.i18n import official_language
from tinnhiem.text import clean_line, full_stop, nfc, within_sentence
from tinnhiem.voting.minutes import minutes_data
from tinnhiem.voting.summary import campaign_summary

from .dates import place_date, short_date
from .marks import qr_svg
from .render import render_pdf


def _nfc(value: Any) -> Any:
    """All text handed to a template is NFC."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items()}
    return value


def short_citation(text: str) -> str:
    """``Quy định 96-QĐ/TW, Điều 11 khoản 2 (…)`` → ``Quy định 96-QĐ/TW, Điều 11 khoản 2``."""
    return text.split(" (", 1)[0]


# The kinds of document as their numbers abbreviate them (Nghị định 30/2020/NĐ-CP, Phụ lục III;
# the Party's Hướng dẫn 36-HD/VPTW alike). The counting minutes are the committee's, not the
# body's: they have no number, nor have the lists, which go with a letter.
INVITATION, REPORT, RESOLUTION, NOTICE = "GM", "BC", "NQ", "TB"
# where the clerk writes the number in, when the signed document is registered (it is not known
# before): spaces that neither collapse nor break
NUMBER_GAP = "\u00a0" * 10


# a document number as the clerk gives it when registering the document
NUMBER = re.compile(r"[0-9]{1,6}")


def check_letter_number(number: str) -> str:
    """The registered number of a letter, as typed around it; "" for none. Digits only: anything
    else is refused in words, before anything is printed."""
    number = number.strip()
    if number and not NUMBER.fullmatch(number):
        raise ValidationError(
            _("“%(number)s” is not the number of a letter: write its digits only, as 125 in “Số: 125/GM-…”.")
            % {"number": clean_line(number)[:20]}
        )
    return number


def document_number(body: Body, kind: str, number: str = "") -> str:
    """“Số: …/BC-UBND” for a State body, “Số …-BC/TU” for a Party body, the number left blank
    unless given (invitations printed by the hundred, once the letter is registered); "" while the
    body has no symbol. Printed in Vietnamese, as the motto is, whoever prints it."""
    if not body.symbol:
        return ""
    filled = f" {number}" if number else NUMBER_GAP
    if body.system == Body.System.PARTY:
        return f"Số{filled}-{kind}/{body.symbol}"
    return f"Số:{filled}/{kind}-{body.symbol}"


def _recipients(body: Body) -> list[str]:
    """“Nơi nhận” of a document addressed in its “Kính gửi” line (Nghị định 30/2020/NĐ-CP, Phụ lục
    I): those it is addressed to, and the body's own copy with its records office (“VT”) and the
    unit that drafted it, when the body names one (“Lưu: VT, NV.”). Called in ``official_language``."""
    if body.drafting_unit:
        return [_("As above;"), _("Filed: VT, %(unit)s.") % {"unit": body.drafting_unit}]
    return [_("As above;"), _("Filed: VT.")]


def _on_behalf_of(body: Body, name: str) -> str:
    """“TM. ỦY BAN NHÂN DÂN …” (Nghị định 30/2020/NĐ-CP, Điều 13); a Party body's “T/M …”
    (Hướng dẫn 36-HD/VPTW, 1.7.1). Called in ``official_language``."""
    if body.system == Body.System.PARTY:
        return pgettext("Party document", "On behalf of %(body)s") % {"body": name}
    return _("On behalf of %(body)s") % {"body": name}


def body_signer(conference: Conference, on_behalf_of: str = "") -> dict[str, str]:
    """The signature of the body's report and notices, and of its invitations unless they have
    their own (``invitation_signer``), each part on its line (Nghị định 30/2020/NĐ-CP, Điều 13): on
    behalf of the convening body (“TM.”; ``on_behalf_of``: another name of the body), then, when a
    deputy signs for the head, “KT.” and the head's post; or, when the head of one of its offices
    signs by the head's order (a Chánh Văn phòng), “TL.” and the head's post alone; then the
    signer's post; the name set on the documents page, or the chair's (``campaigns.set_signer``).
    Called in ``official_language``."""
    return _signature(conference, conference.signer_name, conference.signer_post, conference.signer_for, on_behalf_of)


def invitation_signer(conference: Conference) -> dict[str, str]:
    """The invitations' signature: their own signer, when one is set (``campaigns.set_signer`` with
    ``invitations``), else the body's documents' (``body_signer``). Called in ``official_language``."""
    own = (conference.invitation_signer_name, conference.invitation_signer_post, conference.invitation_signer_for)
    return _signature(conference, *own) if any(own) else body_signer(conference)


def _signature(conference: Conference, name: str, post: str, head: str, on_behalf_of: str = "") -> dict[str, str]:
    """One signature of the conference's documents, from a signer's ``name``, ``post`` and the
    ``head``'s post signed for (``body_signer``)."""
    if head and not is_deputy(post):
        lines = [_("By order of the %(head)s") % {"head": head}]
    else:
        lines = [_on_behalf_of(conference.campaign.body, on_behalf_of or conference.convening_body)]
        if head:
            lines.append(_("For the %(head)s") % {"head": head})
    if post:
        lines.append(post)
    return {"role": "\n".join(lines), "name": name or conference.chair_person}


def summary_signer(campaign: Campaign, summed_up: list[int]) -> dict[str, str]:
    """The signature of the campaign's summary: as the documents of the conferences it sums up
    (``summed_up``, their ids) are signed, when they are all signed alike, on behalf of the body by
    its name (``body_signer``); otherwise on behalf of the body alone, the signer's post and name
    left to be written by hand. Called in ``official_language``."""
    held = Conference.objects.filter(campaign=campaign, pk__in=summed_up).select_related("campaign__body")
    alike = {tuple(body_signer(conference, campaign.body.name).items()) for conference in held}
    if len(alike) == 1:
        return dict(alike.pop())
    return {"role": _on_behalf_of(campaign.body, campaign.body.name), "name": ""}


def _header(conference: Conference, day: date | None = None, kind: str = "", number: str = "") -> dict[str, str]:
    return _body_header(conference.campaign.body, day or conference.date, kind, number)


def _body_header(body: Body, day: date, kind: str = "", number: str = "") -> dict[str, str]:
    """The issuing body and the document's number at the left, the motto and the place and date at
    the right."""
    return {
        "parent": body.governing_body,  # Nghị định 30/2020/NĐ-CP: the governing body, if any
        "body": body.name,
        "system": body.system,
        # under the name of a Party body, a star (Hướng dẫn 36-HD/VPTW); Word prints it on its line
        "mark": "*" if body.system == Body.System.PARTY else "",
        "number": document_number(body, kind, number) if kind else "",
        "place_date": place_date(body.locality or body.name, day),
    }


def _form_rows(form: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for p in form["people"]:
        levels_text = "\n".join(f"{lv['label']}: {lv['count']} ({lv['percent']})" for lv in p["levels"])
        rows.append(
            {
                "no": p["no"],
                "name": p["name"],
                "post": p["post"],
                "cells": [{"count": lv["count"], "percent": lv["percent"]} for lv in p["levels"]],
                "invalid": p["invalid"],
                "consequence": p["consequence"] or _("no consequence under the rule set"),
                "outcome": p["outcome"],
                "levels_text": levels_text,
            }
        )
    return rows


def _people_list(members: list[dict[str, str]]) -> str:
    return "; ".join(f"{m['name']} ({m['role_label']})" for m in members)


def minutes_context(conference: Conference, m: dict[str, Any] | None = None) -> dict[str, Any]:
    """The minutes as document data (shared by the PDF and the Word template); ``m``: the
    conference's ``minutes_data``, when the caller has it already."""
    m = m or minutes_data(conference)
    c, a, rules = m["conference"], m["attendance"], m["rules"]
    with official_language():
        # marked absent, each with its reason; then, in one group, those never checked in (in a
        # large hall, seventy names each followed by "không điểm danh" hid the reasons given)
        listed = [x for x in a["absent_list"] if not x.get("unmarked")]
        absent_parts = [f"{x['name']} ({x['reason']})" if x["reason"] else x["name"] for x in listed]
        unmarked = [x["name"] for x in a["absent_list"] if x.get("unmarked")]
        if unmarked:
            absent_parts.append(
                _("not checked in (%(n)s): %(names)s") % {"n": len(unmarked), "names": ", ".join(unmarked)}
            )
        absent = "; ".join(absent_parts)
        intro = [
            _("Legal basis: %(basis)s.") % {"basis": c["legal_basis"].replace("\n", " ").rstrip(" .;")},
            _("Convened: %(convened)s; present: %(present)s; absent: %(absent)s%(list)s.")
            % {
                "convened": a["convened"],
                "present": a["present"],
                "absent": a["absent"],
                "list": f" — {absent}" if absent else "",
            },
        ]
        if a["quorum_required"]:
            quorate = a["present"] >= a["quorum_required"]
            intro.append(
                (
                    _("The number present meets the required %(required)s (%(citation)s).")
                    if quorate
                    else _("The number present is below the required %(required)s (%(citation)s).")
                )
                % {"required": a["quorum_required"], "citation": short_citation(a["quorum_citation"])}
            )
        if a["quorum_override"]:
            intro.append(full_stop(_("The chair decided to proceed: %(reason)s") % {"reason": a["quorum_override"]}))
        # the sessions before this one, as the authority's page says them
        intro.extend(full_stop(adjourned_sentence(adjourned)) for adjourned in m["adjournments"])
        votes = m["committee"]["votes"]
        intro.append(
            _(
                "The counting committee: %(members)s; approved by the conference (%(for)s for, %(against)s against, %(abstaining)s abstaining)."
            )
            % {
                "members": _people_list(m["committee"]["members"]),
                "for": votes["for"],
                "against": votes["against"],
                "abstaining": votes["abstaining"],
            }
        )
        forms = []
        for f in m["forms"]:
            if not f["finalised"]:
                continue
            b = f["ballots"]
            sentence = _(
                "Ballots issued: %(issued)s; collected: %(collected)s; valid: %(valid)s; invalid: %(invalid)s."
            ) % {
                "issued": f["issued"],
                "collected": f["collected"],
                "valid": b["valid"],
                "invalid": b["invalid"],
            }
            if f["cards_issued"] or f["electronic"]:
                sentence += " " + _(
                    "Of which by electronic voting: %(cards)s code cards issued, %(ballots)s electronic ballots."
                ) % {
                    "cards": f["cards_issued"],
                    "ballots": f["electronic"],
                }
            if f["spoilt"]:
                sentence += " " + _("Spoilt ballots exchanged: %(n)s.") % {"n": f["spoilt"]}
            if f["reconciliation_note"]:
                sentence += " " + full_stop(f["reconciliation_note"])
            base_name = (
                _("ballots collected") if f["base"]["kind"] == "collected" else _("members (total number of deputies)")
            )
            forms.append(
                {
                    "name": f["name"],
                    "ballots_sentence": sentence,
                    "base_sentence": _("Percentages over the %(base_name)s (%(base)s) — %(citation)s.")
                    % {
                        "base_name": base_name,
                        "base": f["base"]["value"],
                        "citation": short_citation(f["base"]["citation"]),
                    },
                    "levels": [lv["label"] for lv in rules["levels"]],
                    "rows": _form_rows(f),
                    "rulings": [
                        _("The vote on this ballot form was held again, the earlier vote not counted: %(reason)s")
                        % {"reason": x["reason"]}
                        for x in f["repeated"]
                    ]
                    + [r["text"] for r in f["rulings"]]
                    + [
                        _("Correction of version %(v)s: %(reason)s") % {"v": x["version"], "reason": x["reason"]}
                        for x in f["corrections"]
                    ],
                    "rulings_legend": f["rulings_legend"],
                }
            )
        time_text = _(", at %(time)s") % {"time": c["start_time"]} if c["start_time"] else ""
        data = {
            "header": _header(conference),
            "title": _("COUNTING MINUTES"),
            "subtitle": c["title"],
            "opening": _("On %(date)s%(time)s, at %(place)s, %(body)s held the %(title)s under %(rules)s.")
            % {
                "date": date.fromisoformat(c["date"]).strftime("%d/%m/%Y"),
                "time": time_text,
                "place": c["place"],
                "body": c["convening_body"],
                "title": within_sentence(c["title"]),
                "rules": rules["name"],
            },
            "intro": intro,
            "forms": forms,
            "invalid_word": _("Invalid"),
            "conclusions_word": _("Conclusions:"),
            "rulings_word": _("Rulings and complaints:"),
            "closing": [
                _(
                    "The ballots were sealed by the counting committee and handed over for safekeeping for %(months)s months."
                )
                % {"months": conference.rules.retention_months},
                _("These minutes were read to the counting committee, which agreed and signed them."),
            ],
            "fingerprint_sentence": _(
                "Fingerprint of the audit log up to event %(seq)s, the last that these minutes record: %(fp)s "
                "(SHA-256 of that event: %(hash)s)."
            )
            % {"seq": m["audit"]["event"], "fp": m["audit"]["fingerprint"], "hash": m["audit"]["hash"]},
            "signers": [{"role": x["role_label"], "name": x["name"]} for x in m["committee"]["members"]],
            "fingerprint": m["audit"]["fingerprint"],
        }
    return _nfc(data)


def render_minutes_pdf(conference: Conference, m: dict | None = None) -> bytes:
    return render_pdf("minutes", minutes_context(conference, m))


def report_context(conference: Conference, *, resolution: bool = False) -> dict[str, Any]:
    m = minutes_data(conference)
    minutes = minutes_context(conference, m)
    c = m["conference"]
    with official_language():
        managing = (
            conference.campaign.body.parent.name if conference.campaign.body.parent else _("the managing authority")
        )
        vote = conference.rules.procedure == "vote"  # bỏ phiếu tín nhiệm, not lấy phiếu tín nhiệm
        identifiers = minutes["fingerprint_sentence"]
        recipients = _recipients(conference.campaign.body)
        if resolution:
            title, recipient = _("RESOLUTION"), ""
            subtitle = (
                _("Confirming the results of the confidence vote — %(title)s")
                if vote
                else _("Confirming the results of the confidence rating — %(title)s")
            ) % {"title": c["title"]}
            body = [
                _("Pursuant to %(rules)s;") % {"rules": m["rules"]["name"]},
                _("Pursuant to the counting minutes of %(date)s;")
                % {"date": date.fromisoformat(c["date"]).strftime("%d/%m/%Y")},
                _("RESOLVES:"),
                _("Article 1. To confirm the results of the confidence vote on the persons below:")
                if vote
                else _("Article 1. To confirm the results of the confidence rating of the persons below:"),
            ]
            closing = [
                _(
                    "Article 2. This resolution takes effect on the day it is adopted. (Draft to be completed by the secretariat.)"
                )
            ]
            # signed by the Chairman of the National Assembly, as its resolutions are; a council's,
            # by its chair on its behalf (Nghị định 30/2020/NĐ-CP, Phụ lục I)
            role = (
                _("the Chairman of the National Assembly")
                if conference.campaign.body.level == Body.Level.CENTRAL
                else _("On behalf of the council") + "\n" + _("the chair")
            )
            signers = [{"role": role, "name": ""}]
        else:
            title = _("REPORT")
            subtitle = (
                _("Results of the confidence vote — %(title)s")
                if vote
                else _("Results of the confidence rating — %(title)s")
            ) % {"title": c["title"]}
            recipient = _("To: %(authority)s.") % {"authority": managing}
            body = [
                minutes["opening"],
                *([] if vote else [_opinions_line(conference)]),  # a confidence vote asks for no opinions
                *minutes["intro"][1:],
                *(f["ballots_sentence"] for f in minutes["forms"]),
                _("The results:"),
            ]
            from tinnhiem.audit.record import public_key_b64, public_key_fingerprint

            key = public_key_b64()
            closing = [
                *_not_rated_lines(conference, vote=vote),
                _("The counting minutes, signed by the counting committee, are attached."),
            ]
            # on paper, by the official channel: the authority checks the electronic record against it
            identifiers += " " + _(
                "Public key signing the electronic record: %(key)s (fingerprint %(fingerprint)s)."
            ) % {
                "key": key,
                "fingerprint": public_key_fingerprint(key),
            }
            signers = [body_signer(conference)]
    return _nfc(
        {
            "header": _header(
                conference,
                day=date.today() if not resolution else conference.date,
                kind=RESOLUTION if resolution else REPORT,
            ),
            "title": title,
            "subtitle": subtitle,
            "recipient": recipient,
            "body": body,
            "forms": minutes["forms"],
            "closing": closing,
            "fingerprint_sentence": identifiers,
            "signers": signers,
            "to": [] if resolution else recipients,  # a draft resolution: the secretariat completes it
        }
    )


def _opinions_line(conference: Conference) -> str:
    """What the secretariat received before the conference (QĐ 96 Điều 9 bước 1): the opinions,
    the requests for explanation forwarded, the explanations sent to the voters. Counted from the
    conference's records, which no longer change once it is finished."""
    n = conference.opinions.count()
    if not n:
        return _("Before the conference, the secretariat received no opinion on the rated persons.")
    forwarded = conference.opinions.filter(forwarded_on__isnull=False).count()
    if not forwarded:
        return ngettext(
            "Before the conference, the secretariat received %(n)s opinion on the rated persons; none asked for an "
            "explanation.",
            "Before the conference, the secretariat received %(n)s opinions on the rated persons; none asked for an "
            "explanation.",
            n,
        ) % {"n": n}
    sent = Explanation.objects.filter(rated_person__conference=conference, distributed_on__isnull=False).count()
    return ngettext(
        "Before the conference, the secretariat received %(n)s opinion on the rated persons, of which %(k)s asking "
        "for an explanation were forwarded to the persons concerned; %(e)s explanations were sent to the voters.",
        "Before the conference, the secretariat received %(n)s opinions on the rated persons, of which %(k)s asking "
        "for an explanation were forwarded to the persons concerned; %(e)s explanations were sent to the voters.",
        n,
    ) % {"n": n, "k": forwarded, "e": sent}


def _not_rated_lines(conference: Conference, *, vote: bool) -> list[str]:
    """The persons of the list left off the ballot, with the reason, so that the managing
    authority knows why a person it manages has no result (the grounds come from the rule set)."""
    people = not_rated(conference)
    if not people:
        return []
    heading = _("The persons below were not put to the vote:") if vote else _("The persons below were not rated:")
    return [heading] + [_("– %(name)s, %(post)s: %(reason)s.") % p for p in people]


def notices_context(conference: Conference) -> dict[str, Any]:
    """One notice of the result to each rated person (thông báo kết quả): the results are disclosed
    to the person rated, as to the voters and the managing authority (QĐ 96: "công khai … cá nhân
    người được lấy phiếu tín nhiệm"). Each gives the conference, the ballots of the person's form,
    the person's own row as the minutes have it, the base of the percentages and the consequence
    with its article; one page each, signed on behalf of the body, as the report is."""
    m = minutes_data(conference)
    minutes = minutes_context(conference, m)
    vote = conference.rules.procedure == "vote"
    notices = []
    with official_language():
        subtitle = _("Results of the confidence vote") if vote else _("Results of the confidence rating")
        signers = [body_signer(conference)]
        for f, printed in zip((f for f in m["forms"] if f["finalised"]), minutes["forms"], strict=True):
            for person, row in zip(f["people"], printed["rows"], strict=True):
                # the consequence carries its article, as in the report; "none" is said under the rule set's name
                conclusion = _("Conclusion: %(consequence)s") % {
                    "consequence": person["consequence"]
                    or _("under %(rules)s, this result calls for no consequence.")
                    % {"rules": conference.rules.short_name}
                }
                notices.append(
                    {
                        "header": _header(conference, day=date.today(), kind=NOTICE),
                        "title": _("NOTICE"),
                        "subtitle": subtitle,
                        "recipient": _("To: %(name)s, %(post)s.") % {"name": person["name"], "post": person["post"]},
                        "body": [
                            minutes["opening"],
                            printed["ballots_sentence"],
                            (_("The result of the vote on %(name)s:") if vote else _("The rating of %(name)s:"))
                            % {"name": person["name"]},
                        ],
                        "form": {"levels": printed["levels"], "rows": [row | {"no": 1}]},
                        "invalid_word": minutes["invalid_word"],  # the person's invalid ballots, as in the minutes
                        "after": [printed["base_sentence"], conclusion],
                        "signers": signers,
                        "to": _recipients(conference.campaign.body),
                    }
                )
    return _nfc({"notices": notices})


def render_notices_pdf(conference: Conference) -> bytes:
    return render_pdf("notices", notices_context(conference))


def render_report_pdf(conference: Conference) -> bytes:
    return render_pdf("report", report_context(conference))


def render_resolution_pdf(conference: Conference) -> bytes:
    return render_pdf("report", report_context(conference, resolution=True))


def summary_context(campaign: Campaign, day: date | None = None) -> dict[str, Any]:
    """The report summing up a campaign's results for the managing authority (tổng hợp kết quả)."""
    with official_language():  # an official document is in Vietnamese whatever the page's language
        s = campaign_summary(campaign)
        c, rules = s["campaign"], s["rules"]
        levels = [lv["label"] for lv in rules["levels"]]
        body = [_("Legal basis: %(basis)s.") % {"basis": c["legal_basis"].replace("\n", " ").rstrip(" .;")}]
        body.append(
            (
                _(
                    "%(body)s held %(n)s confidence vote(s) of the campaign under %(rules)s; %(rated)s person(s) have finalised results."
                )
                if campaign.rules.procedure == "vote"
                else _(
                    "%(body)s held %(n)s conference(s) of the campaign under %(rules)s; %(rated)s rated person(s) have finalised results."
                )
            )
            % {"body": c["body"], "n": len(s["conferences"]), "rules": rules["name"], "rated": s["rated"]}
        )
        if s["pending"]:
            body.append(
                _("Not yet finished, so not in this report: %(list)s.")
                % {
                    "list": "; ".join(
                        f"{p['title']} ({short_date(p['date'])}, {p['status_label']})" for p in s["pending"]
                    )
                }
            )
        if s["cancelled"]:
            body.append(
                _("Cancelled, not held: %(list)s.")
                % {"list": "; ".join(f"{p['title']} ({short_date(p['date'])}: {p['reason']})" for p in s["cancelled"])}
            )
        vote = campaign.rules.procedure == "vote"
        sections = []
        for n, conf in enumerate(s["conferences"], start=1):
            rows = [r for r in s["rows"] if r["conference"] == conf["id"]]
            lines = [
                _("Convened: %(convened)s; present: %(present)s.")
                % {"convened": conf["convened"], "present": conf["present"]},
                *(full_stop(note) for note in conf["notes"]),  # how it was held, as the authority's page says it
            ]
            for f in conf["forms"]:
                lines.append(
                    (f"{f['name']}: " if len(conf["forms"]) > 1 else "")
                    + _("Ballots issued: %(issued)s; collected: %(collected)s; valid: %(valid)s; invalid: %(invalid)s.")
                    % f
                )
            if conf["not_rated"]:
                lines.append(
                    (_("Not put to the vote: %(list)s.") if vote else _("Not rated: %(list)s."))
                    % {"list": "; ".join(f"{p['name']}, {p['post']} ({p['reason']})" for p in conf["not_rated"])}
                )
            if not conf["published"]:
                lines.append(_("The chair has not yet published these results."))
            lines.append(_("Counting minutes: audit log fingerprint %(fp)s.") % {"fp": conf["fingerprint"]})
            sections.append(
                {
                    "heading": _("%(n)s. %(title)s — on %(date)s")
                    % {"n": n, "title": conf["title"], "date": short_date(conf["date"])},
                    "lines": lines,
                    "table": {
                        "levels": levels,
                        "rows": [
                            {
                                "no": r["no"],
                                "name": r["name"],
                                "post": r["post"],
                                "cells": [{"count": lv["count"], "percent": lv["percent"]} for lv in r["levels"]],
                                "levels_text": "\n".join(
                                    f"{lv['label']}: {lv['count']} ({lv['percent']})" for lv in r["levels"]
                                ),
                                "invalid": r["invalid"],
                            }
                            for r in rows
                        ],
                    },
                }
            )
        conclusions = []
        for o in s["outcomes"]:
            conclusions.append(
                _("%(consequence)s (%(citation)s): %(count)s person(s)%(names)s.")
                % {
                    "consequence": o["consequence"],
                    "citation": short_citation(o["citation"]),
                    "count": o["count"],
                    "names": f" — {', '.join(o['names'])}" if o["names"] else "",
                }
            )
        conclusions.append(
            _("No consequence under the rule set: %(count)s person(s).") % {"count": s["no_consequence"]}
        )
        places = []
        for r in s["rows"]:
            if not r["other_places"]:
                continue
            where = "; ".join(f"“{p['title']}” ({p['post']}; {p['status_label'].lower()})" for p in r["other_places"])
            line = _("%(name)s (%(post)s) is also on the ballot of: %(where)s.") % {
                "name": r["name"],
                "post": r["post"],
                "where": where,
            }
            if r["too_many_places"]:
                line += " " + _("More than %(max)s places (%(citation)s): check.") % {
                    "max": rules["places_max"],
                    "citation": short_citation(rules["places_citation"]),
                }
            places.append(line)
        places_note = ""
        if places:
            places_note = _(
                "Matched by full name only: check that it is the same person. The results of each place are not added up."
            )
            if rules["overall_citation"]:
                places_note += " " + _(
                    "The managing authority considers each place's result as a whole (%(citation)s)."
                ) % {"citation": short_citation(rules["overall_citation"])}
        _seq, head_hash = head()
        data = {
            "header": _body_header(campaign.body, day or date.today(), REPORT),
            "title": _("REPORT"),
            "subtitle": (
                _("Summary of the results of the confidence vote — %(name)s")
                if campaign.rules.procedure == "vote"
                else _("Summary of the results of the confidence rating — %(name)s")
            )
            % {"name": c["name"]},
            "recipient": _("To: %(authority)s.") % {"authority": c["parent"] or _("the managing authority")},
            "body": body,
            "sections": sections,
            "invalid_word": _("Invalid"),
            "conclusions_word": _("Conclusions:"),
            "conclusions": conclusions,
            "places_word": _("Persons rated in more than one place:"),
            "places": places,
            "places_note": places_note,
            "closing": [_("The counting minutes of each conference, signed by its counting committee, are attached.")],
            "fingerprint_sentence": _("Fingerprint of the audit log: %(fp)s (SHA-256 of the chain head: %(head)s).")
            % {"fp": head_fingerprint(), "head": head_hash},
            "signers": [summary_signer(campaign, [conf["id"] for conf in s["conferences"]])],
            "to": _recipients(campaign.body),
        }
    return _nfc(data)


def render_summary_pdf(campaign: Campaign) -> bytes:
    return render_pdf("summary", summary_context(campaign))


class NoPublicAddress(ValueError):
    """Invitation QR codes need the address phones use to reach this server."""


def letters_context(
    conference: Conference, kind: str, request=None, base_url: str = "", number: str = ""
) -> dict[str, Any]:
    """The invitation letters (``number``: the letter's registered number, printed on every copy,
    or "" to leave it blank; ``check_letter_number``), the attendance sheet or the voter roll."""
    number = check_letter_number(number)
    voters = list(conference.voters.order_by("order", "id"))

    def link(voter) -> str:
        url = invitation_url(voter, request)
        if base_url and url.startswith("/"):
            url = base_url.rstrip("/") + url
        if url.startswith("/"):
            raise NoPublicAddress(
                _("Set TINNHIEM_PUBLIC_URL (or --base-url) to the address phones use to reach this server.")
            )
        return url

    with official_language():
        header = _header(conference, day=date.today(), kind=INVITATION if kind == "invitations" else "", number=number)
        if kind == "invitations":
            return _nfc(
                {
                    "kind": kind,
                    "header": header,
                    "title": _("INVITATION"),
                    "greeting": _("Dear comrade {name}"),
                    "body": [
                        _("%(body)s invites you to the %(title)s.")
                        % {
                            "body": conference.convening_body,
                            "title": within_sentence(conference.title),
                        },
                        _("Time: %(time)s, %(date)s.")
                        % {
                            "time": conference.start_time.strftime("%H:%M") if conference.start_time else "…",
                            "date": place_date("", conference.date),
                        },
                        _("Place: %(place)s.") % {"place": conference.place},
                    ],
                    "link_text": [
                        _(
                            "Before the conference, scan the QR code (or open the address below) to read the reports and dossiers of the persons put to the vote and to send your opinions, signed or not. The link is personal: do not share it."
                        )
                        if conference.is_confidence_vote
                        else _(
                            "Before the conference, scan the QR code (or open the address below) to read the reports and dossiers of the rated persons and to send your opinions, signed or not. The link is personal: do not share it."
                        ),
                    ],
                    "voters": [
                        {"name": v.full_name, "post": v.post, "url": (u := link(v)), "qr": qr_svg(u)} for v in voters
                    ],
                    "signer": invitation_signer(conference),
                    "to": _recipients(conference.campaign.body),
                }
            )
        if kind == "attendance":
            columns, title, footer = [_("No."), _("Full name"), _("Post"), _("Signature")], _("ATTENDANCE SHEET"), ""
            rows = [{"no": v.order, "name": v.full_name, "post": v.post, "last": ""} for v in voters]
        else:
            vote = conference.rules.procedure == "vote"
            title = _("VOTER ROLL OF THE CONFIDENCE VOTE") if vote else _("VOTER ROLL")
            columns = [_("No."), _("Full name"), _("Post"), _("Unit")]
            footer = _("Total: %(n)s persons convened.") % {"n": len(voters)}
            rows = [{"no": v.order, "name": v.full_name, "post": v.post, "last": v.unit} for v in voters]
        return _nfc(
            {
                "kind": kind,
                "header": header,
                "title": title,
                "subtitle": conference.title,
                "columns": columns,
                "voters": rows,
                "footer": footer,
            }
        )


def render_letters_pdf(conference: Conference, kind: str, request=None, base_url: str = "", number: str = "") -> bytes:
    if kind not in ("invitations", "attendance", "roster"):
        raise ValueError(kind)
    return render_pdf("letters", letters_context(conference, kind, request, base_url, number))
