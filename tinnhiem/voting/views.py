"""Counting pages (committee), results, exports and the projector."""

from __future__ import annotations

import csv
import io
import json
import secrets
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tinnhiem.accounts.roles import COUNT, PREPARE, VIEW, permission_required
from tinnhiem.conferences.models import BallotForm, Campaign, Conference
from tinnhiem.conferences.roster_file import excel_safe, write_table_xlsx
from tinnhiem.conferences.usecases import day
from tinnhiem.conferences.views import _conference, attempt
from tinnhiem.i18n import rule_words
from tinnhiem.once import new_submission
from tinnhiem.text import parse_day, small_int

from .minutes import in_page_language, minutes_data
from .models import NO_MARK, SEVERAL_MARKS
from .summary import campaign_summary, summary_table
from .usecases import counting, follow_up, retention

DEVICE_COOKIE = "tinnhiem_device"


def _form(conference_id: int, form_id: int) -> BallotForm:
    return get_object_or_404(
        BallotForm.objects.select_related("conference__campaign__body"), pk=form_id, conference_id=conference_id
    )


def _device_key(request) -> str:
    return request.COOKIES.get(DEVICE_COOKIE) or ""


def _with_device(request, response):
    """Each browser gets its own device key, so that one entry session lives on one device."""
    if not request.COOKIES.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE, secrets.token_urlsafe(24), max_age=7 * 24 * 3600, httponly=True, samesite="Strict"
        )
    return response


def _member(request, conference):
    return counting.member_for_or_none(request.user, conference)


@permission_required(VIEW)
def counting_overview(request, conference_id: int):
    conference = _conference(conference_id)
    forms = [
        {
            "form": f,
            "problems": counting.reconciliation_problems(f),
            "differences": len(counting.open_differences(f)),
            "sessions": list(f.entry_sessions.select_related("member__voter").order_by("pass_label")),  # A, then B
        }
        for f in conference.ballot_forms.all()
    ]
    return render(
        request,
        "voting/overview.html",
        {
            "conference": conference,
            "forms": forms,
            "member": _member(request, conference),
            "present": counting.present_count(conference),
        },
    )


@permission_required(VIEW, post=COUNT)
def form_counting(request, conference_id: int, form_id: int):
    form = _form(conference_id, form_id)
    conference = form.conference
    ruling_draft = None
    if request.method == "POST":
        action = request.POST.get("action")
        post = request.POST
        actions = {
            "counts": lambda: counting.record_ballot_counts(
                request.user,
                form,
                issued=small_int(post.get("issued"), -1),
                collected=small_int(post.get("collected"), -1),
                spoilt=small_int(post.get("spoilt"), 0) or 0,
                note=post.get("note", ""),
            ),
            "resolve": lambda: counting.resolve_difference(
                request.user,
                form,
                position=small_int(post.get("position"), 0),
                marks=post.get("marks", ""),
                invalid_reason=post.get("invalid_reason", ""),
                reason=post.get("reason", ""),
            ),
            "ruling": lambda: counting.record_ruling(
                request.user,
                form,
                subject=post.get("subject", ""),
                decision=post.get("decision", ""),
                position=small_int(post.get("position")),
                is_complaint=bool(post.get("complaint")),
                submission=post.get("submission", ""),
            ),
            "totals": lambda: counting.record_hand_totals(
                request.user,
                form,
                totals={
                    p.pk: {
                        **{k: small_int(post.get(f"p{p.pk}_{k}"), 0) for k in conference.rules.level_keys},
                        "invalid": small_int(post.get(f"p{p.pk}_invalid"), 0),
                    }
                    for p in counting.people_of(form)
                },
                whole_invalid=small_int(post.get("whole_invalid"), 0),
            ),
            "finalise": lambda: counting.finalise_form(request.user, form),
            "reopen": lambda: counting.reopen_form(request.user, form, reason=post.get("reason", "")),
        }
        if action in actions:
            ok, _v = attempt(request, actions[action])
            if ok:
                messages.success(request, _("Recorded."))
            elif action == "ruling":  # refused: the page again, with what was typed
                ruling_draft = {
                    k: post.get(k, "") for k in ("position", "subject", "decision", "complaint", "submission")
                }
        if ruling_draft is None:
            return redirect("voting:form", conference.pk, form.pk)
    form.refresh_from_db()
    rules = conference.rules
    return render(
        request,
        "voting/form.html",
        {
            "conference": conference,
            "form": form,
            "rules": rules,
            "people": counting.people_of(form),
            "member": _member(request, conference),
            "present": counting.present_count(conference),
            "problems": counting.reconciliation_problems(form),
            "sessions": list(form.entry_sessions.select_related("member__voter").order_by("pass_label")),
            "differences": [
                {**d, "a_text": counting.describe_reading(d["a"]), "b_text": counting.describe_reading(d["b"])}
                for d in counting.differences(form)
            ],
            "rulings": form.rulings.select_related("decided_by__voter"),
            # a new one-time id for each ruling form shown; the one typed in again when refused
            "ruling_draft": ruling_draft or {"submission": new_submission()},
            "totals_rows": _totals_rows(form, rules),
            "totals_problem": counting.hand_totals_problem(form),
            "result": form.results.filter(superseded=False).first(),
            "keys_help": ", ".join(f"{lv.digit} = {rule_words(lv.label)}" for lv in rules.levels)
            + f", {NO_MARK} = "
            + _("no mark")
            + f", {SEVERAL_MARKS} = "
            + _("several marks"),
        },
    )


def _totals_rows(form: BallotForm, rules) -> list[dict]:
    """Counted by totals: each person's row as saved (empty before), so that the committee sees
    what it saved and corrects one number without typing the others again."""
    if form.mode != BallotForm.Mode.TOTALS:
        return []
    saved = {t.person_id: t for t in form.hand_totals.all()}
    rows = []
    for person in counting.people_of(form):
        total = saved.get(person.pk)
        rows.append(
            {
                "person": person,
                "cells": [(lv, total.counts.get(lv.key, 0) if total else "") for lv in rules.levels],
                "invalid": total.row_invalid if total else 0,
            }
        )
    return rows


@permission_required(COUNT)
def entry(request, conference_id: int, form_id: int):
    """The keyboard-first entry page of one member's pass: one key per person, Enter to store."""
    form = _form(conference_id, form_id)
    conference = form.conference
    member = _member(request, conference)
    if member is None:
        raise PermissionDenied("not on the committee")
    device = _device_key(request)
    if not device:
        return _with_device(request, redirect(request.path))
    session = form.entry_sessions.filter(member=member).first()
    if request.method == "POST":
        post = request.POST
        if post.get("action") in ("start", "take_over"):
            try:
                counting.start_entry(request.user, form, device_key=device, take_over=post.get("action") == "take_over")
            except counting.DeviceConflict:
                pass  # the pass is open on another device: the page, shown again, offers to take it over
            except ValidationError as exc:
                for m in exc.messages:
                    messages.error(request, m)
            return redirect(request.path)
        if session is not None:
            position = small_int(post.get("position"), 0)
            ok, _row = attempt(
                request,
                lambda: counting.enter_ballot(
                    request.user,
                    session,
                    device_key=device,
                    position=position,
                    marks=post.get("marks", ""),
                    invalid_reason=post.get("invalid_reason", ""),
                ),
            )
            return redirect(request.path + ("" if ok else f"?position={position}"))
    conflict = session is not None and session.device_key_hash != counting.device_hash(device)
    rows = list(session.rows.all()) if session else []
    entered = {r.position for r in rows}
    next_position = next((p for p in range(1, (form.collected or 0) + 1) if p not in entered), None)
    position = small_int(request.GET.get("position")) or next_position
    if position is not None and not 1 <= position <= (form.collected or 0):
        position = next_position  # a number typed in the box below that is not a ballot of the stack
    typed = next((r for r in rows if r.position == position), None)  # what this pass has there
    return render(
        request,
        "voting/entry.html",
        {
            "conference": conference,
            "form": form,
            "session": session,
            "conflict": conflict,
            "rows": rows[-12:][::-1],
            "count": len(rows),
            "position": position,
            "typed": typed,
            "people": counting.people_of(form),
            "rules": conference.rules,
        },
    )


# --- results, exports, minutes data, projector ------------------------------------------------------


def _results_visible(conference: Conference) -> bool:
    return conference.status == Conference.Status.FINISHED


@permission_required(VIEW)
def results(request, conference_id: int):
    conference = _conference(conference_id)
    data = in_page_language(minutes_data(conference), conference)
    visible = _results_visible(conference)
    return render(
        request,
        "voting/results.html",
        {
            "conference": conference,
            "m": data,
            "visible": visible,
            "retention": retention.state(conference) if visible else None,
            "follow_up": follow_up.state(conference) if visible else None,
            "today": timezone.localdate(),
        },
    )


@permission_required(PREPARE)
@require_POST
def ballots_retention(request, conference_id: int):
    """The sealed ballots after the count: a complaint holds them; their destruction is recorded."""
    conference = _conference(conference_id)
    action = request.POST.get("action")
    if action == "hold":
        ok, _c = attempt(
            request, lambda: retention.hold_ballots(request.user, conference, reason=request.POST.get("reason", ""))
        )
    elif action == "release":
        ok, _c = attempt(
            request,
            lambda: retention.release_ballots(request.user, conference, outcome=request.POST.get("outcome", "")),
        )
    elif action == "destroy":
        on = parse_day(request.POST.get("on", ""))
        if on is None:
            messages.error(request, _("Give the date of the destruction (day/month/year)."))
            return redirect("voting:results", conference.pk)
        ok, _c = attempt(
            request,
            lambda: retention.destroy_ballots(
                request.user, conference, decision=request.POST.get("decision", ""), on=on
            ),
        )
    elif action == "remove_images":
        ok, left = attempt(request, lambda: retention.remove_images(conference))
        if ok and left:
            messages.error(request, _("%(n)s scan images could not be removed: try again.") % {"n": left})
            ok = False
    else:
        raise Http404
    if ok:
        messages.success(request, _("Recorded."))
    return redirect("voting:results", conference.pk)


@permission_required(PREPARE)
@require_POST
def prepare_follow_up(request, conference_id: int):
    """The staff office prepares the confidence vote the results call for (NQ 96/2023 Điều 12 k1)."""
    conference = _conference(conference_id)
    vote_day = parse_day(request.POST.get("date", ""))
    if vote_day is None:
        messages.error(request, _("Give the day of the confidence vote (day/month/year)."))
        return redirect(reverse("voting:results", args=[conference.pk]) + "#bo-phieu")
    people = [n for n in map(small_int, request.POST.getlist("person")) if n is not None]
    ok, vote = attempt(
        request, lambda: follow_up.prepare_confidence_vote(request.user, conference, people=people, day=vote_day)
    )
    if not ok:
        return redirect(reverse("voting:results", args=[conference.pk]) + "#bo-phieu")
    messages.success(
        request,
        _(
            "The confidence vote is prepared: %(n)s person(s) put to the vote, and the voter roll of the rating (%(voters)s). "
            "Check both, then prepare the ballots."
        )
        % {"n": vote.rated_persons.count(), "voters": vote.voters.count()},
    )
    return redirect("conferences:conference", vote.pk)


@permission_required(VIEW)
def campaign_results(request, campaign_id: int):
    """The campaign's results in one table, for the report to the managing authority."""
    campaign = get_object_or_404(Campaign.objects.select_related("body"), pk=campaign_id)
    return render(request, "voting/campaign_results.html", {"campaign": campaign, "s": campaign_summary(campaign)})


def _xlsx_response(rows: list[list], title: str, filename: str) -> HttpResponse:
    response = HttpResponse(
        write_table_xlsx(rows, title), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@permission_required(VIEW)
def campaign_results_xlsx(request, campaign_id: int):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    rows = summary_table(campaign_summary(campaign))
    return _xlsx_response(rows, str(_("Summary")), f"tong-hop-ket-qua-dot-{campaign.pk}.xlsx")


def _rows_for_export(conference: Conference) -> list[list]:
    data = minutes_data(conference)
    levels = data["rules"]["levels"]
    header = [
        _("Ballot form"),
        _("No."),
        _("Full name"),
        _("Post"),
        _("Ballots issued"),
        _("Ballots collected"),
        _("Percentage base"),
    ]
    for lv in levels:
        header += [rule_words(lv["label"]), rule_words(lv["label"]) + " (%)"]
    header += [_("Valid"), _("Invalid"), _("Conclusion")]
    rows = [header]
    for form in data["forms"]:
        for person in form["people"]:
            row = [
                form["name"],
                person["no"],
                person["name"],
                person["post"],
                form["issued"],
                form["collected"],
                form["base"]["value"],
            ]
            for level in person["levels"]:
                row += [level["count"], Decimal(level["percent_dot"])]
            row += [person["valid"], person["invalid"], rule_words(person["consequence"])]
            rows.append(row)
    return rows


@permission_required(VIEW)
def results_csv(request, conference_id: int):
    conference = _conference(conference_id)
    if not _results_visible(conference):
        raise Http404
    out = io.StringIO()
    writer = csv.writer(out)
    for row in _rows_for_export(conference):
        writer.writerow([excel_safe(v) for v in row])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ket-qua-{conference.pk}.csv"'
    return response


@permission_required(VIEW)
def results_xlsx(request, conference_id: int):
    conference = _conference(conference_id)
    if not _results_visible(conference):
        raise Http404
    return _xlsx_response(_rows_for_export(conference), str(_("Results")), f"ket-qua-{conference.pk}.xlsx")


@permission_required(VIEW)
def minutes_json(request, conference_id: int):
    conference = _conference(conference_id)
    if not _results_visible(conference):
        raise Http404
    response = HttpResponse(
        json.dumps(minutes_data(conference), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="bien-ban-{conference.pk}.json"'
    return response


def _projector_context(conference: Conference) -> dict:
    context = {"conference": conference, "quorum": day.quorum(conference)}
    if conference.results_published:
        context["m"] = minutes_data(conference)
    return context


@permission_required(VIEW)
def projector(request, conference_id: int):
    conference = _conference(conference_id)
    return render(request, "voting/projector.html", _projector_context(conference))


@permission_required(VIEW)
def projector_content(request, conference_id: int):
    conference = _conference(conference_id)
    return HttpResponse(
        render_to_string("voting/_projector_content.html", _projector_context(conference), request=request)
    )
