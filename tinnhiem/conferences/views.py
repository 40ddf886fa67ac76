"""Thin views: read a form, call one use case, show the result. Permissions are checked twice:
by the decorator (for the page) and by the use case (for the action)."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tinnhiem.accounts.roles import BACKUP, PREPARE, VIEW, permission_required, public
from tinnhiem.once import AlreadyDone
from tinnhiem.rules.deadlines import deadlines
from tinnhiem.text import matches, may_be_addressed, small_int, vietnamese_order

from . import forms, links, opinion_file, queries
from .models import Body, Campaign, Conference, Dossier, Explanation, Opinion, RatedPerson, Voter
from .roster_file import write_rated_xlsx, write_roster_xlsx, write_sheets_xlsx
from .usecases import campaigns, dossiers, opinions, rated, roster


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def attempt(request, action: Callable[[], Any], *, form=None) -> tuple[bool, Any]:
    """Run a use case; a ValidationError becomes a message on the form or the page, and an
    AlreadyDone (the same action sent twice) a message that says so, as information."""
    try:
        return True, action()
    except AlreadyDone as exc:
        for message in _errors(exc):
            messages.info(request, message)
        return False, None
    except ValidationError as exc:
        for message in _errors(exc):
            if form is not None:
                form.add_error(None, message)
            else:
                messages.error(request, message)
        return False, None


def form_errors(request, form) -> None:
    """A form's errors as messages, each after its field's label, for a page that redirects."""
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for e in errs:
            messages.error(request, f"{label}: {e}" if label else e)


def _conference(conference_id: int) -> Conference:
    return get_object_or_404(Conference.objects.select_related("campaign__body"), pk=conference_id)


# --- home, campaigns, conferences -------------------------------------------------------------


@permission_required(VIEW)
def home(request):
    from tinnhiem.voting.usecases import retention

    campaigns_list = list(Campaign.objects.select_related("body").prefetch_related("conferences"))
    today = timezone.localdate()
    for campaign in campaigns_list:  # what the office must act on after the count: the sealed ballots
        for conference in campaign.conferences.all():
            conference.ballots_due = retention.may_destroy(conference, today)
    backup_due = None
    if request.user.has_perm(BACKUP):  # the administrator: a conference counted, or a week of changes, unsaved
        from tinnhiem.site import backups

        backup_due = backups.backup_due()
    return render(request, "conferences/home.html", {"campaigns": campaigns_list, "backup_due": backup_due})


CAMPAIGN_FIELDS = ("name", "legal_basis", "term", "rule_set", "rating_year")


def _new_body(d: dict) -> dict | None:
    """The new body described on the campaign form, when no body is chosen."""
    if d["body"]:
        return None
    return {
        "name": d["new_body_name"],
        "level": d["new_body_level"],
        "locality": d["new_body_locality"],
        "system": d["new_body_system"] or Body.System.STATE,
        "symbol": d["body_symbol"],
        "governing_body": d["new_body_governing_body"],
        "reports_to": d["new_body_reports_to"],
    }


def _authority_added(request, name: str, before: bool) -> None:
    """Say that the managing authority typed was not found and was added as a new body: a name
    typed otherwise than the one known (without its accents, say) makes a second authority."""
    if name and not before:
        messages.info(
            request,
            _(
                "“%(name)s” was not among the bodies known: it was added as a new body, the managing authority. "
                "If you meant one already known, choose its name from the list on the body's page, then remove "
                "this one on the page “Bodies”."
            )
            % {"name": name},
        )


def _body_symbol(request, body: Body, d: dict) -> None:
    """The symbol typed for a body chosen on the campaign form (a new body is made with it); left
    empty, the body's stays."""
    if d["body_symbol"] and d["body_symbol"] != body.symbol:
        campaigns.set_body_symbol(request.user, body, d["body_symbol"])


@permission_required(PREPARE)
def campaign_create(request):
    form = forms.CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        known = bool(d["body"]) or bool(campaigns.bodies_named(d["new_body_reports_to"]))

        def create():
            with transaction.atomic():
                campaign = campaigns.create_campaign(
                    request.user,
                    body=d["body"],
                    new_body=_new_body(d),
                    submission=d["submission"],
                    **{f: d[f] for f in CAMPAIGN_FIELDS},
                )
                _body_symbol(request, campaign.body, d)
                return campaign

        ok, campaign = attempt(request, create, form=form)
        if ok:
            messages.success(request, _("The campaign was created."))
            _authority_added(request, d["new_body_reports_to"], known)
            return redirect("conferences:campaign", campaign.pk)
    return render(request, "conferences/form.html", {"form": form, "title": _("New campaign")})


@permission_required(VIEW)
def campaign_detail(request, campaign_id: int):
    campaign = get_object_or_404(Campaign.objects.select_related("body"), pk=campaign_id)
    # A new conference is never in the past: with none yet, today is the earliest it can be.
    last = campaign.conferences.aggregate(last=Max("date"))["last"] or timezone.localdate()
    return render(
        request,
        "conferences/campaign.html",
        {
            "campaign": campaign,
            "rules": campaign.rules,
            "notices": campaign.notices(last),
        },
    )


@permission_required(PREPARE)
def campaign_edit(request, campaign_id: int):
    found = Campaign.objects.filter(pk=campaign_id)
    if "remove" in request.POST and (gone := _removed_already(request, found, "conferences:home")):
        return gone
    campaign = get_object_or_404(found)
    initial = {f: getattr(campaign, f) for f in CAMPAIGN_FIELDS}
    initial["body"], initial["body_symbol"] = campaign.body, campaign.body.symbol
    form = forms.CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and "remove" in request.POST:
        return _remove_confirmed(
            request,
            lambda: campaigns.remove_campaign(request.user, campaign),
            back=("conferences:campaign_edit", campaign.pk),
            done=("conferences:home",),
            message=_("The campaign “%(name)s” was removed."),
        )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        known = bool(d["body"]) or bool(campaigns.bodies_named(d["new_body_reports_to"]))

        def save():
            with transaction.atomic():  # "— a new body —" on this form makes it, as on the new campaign's
                new_body = _new_body(d)
                body = new_body and campaigns.create_body(request.user, **new_body, submission=d["submission"])
                updated = campaigns.update_campaign(
                    request.user, campaign, body=body or d["body"], **{f: d[f] for f in CAMPAIGN_FIELDS}
                )
                _body_symbol(request, updated.body, d)
                return updated

        before = _campaign_grounds(campaign)
        ok, _c = attempt(request, save, form=form)
        if ok:
            messages.success(request, _("Saved."))
            _authority_added(request, d["new_body_reports_to"], known)
            _warn_grounds_changed(
                request,
                before,
                _campaign_grounds(campaign),
                _(
                    "With this rule set, its grounds for not rating change for: %(names)s. "
                    "Review their decisions on the list of rated persons."
                ),
            )
            return redirect("conferences:campaign", campaign.pk)
    held = campaign.conferences.count()
    removal = {
        "heading": _("Remove this campaign"),
        "refused": ngettext(
            "It can no longer be removed: it has %(n)s conference. Remove that first, if it too was made by mistake.",
            "It can no longer be removed: it has %(n)s conferences. Remove those first, if they too were made by "
            "mistake.",
            held,
        )
        % {"n": held}
        if held
        else "",
        "explain": _(
            "A campaign made by mistake can be removed while it has no conference. The system log keeps the removal."
        ),
        "confirm": _("Remove this campaign"),
        "button": _("Remove the campaign"),
    }
    return render(request, "conferences/form.html", {"form": form, "title": _("Edit the campaign"), "removal": removal})


@permission_required(PREPARE)
def body_list(request):
    """The bodies known: those that run campaigns and the managing authorities their reports go up
    to, made from a name typed on a form; each to be mended, or removed if known by mistake.
    ``q``: a search by the name, the governing body or the authority's name (``text.matches``, as
    the page's script filters the rows while it is typed)."""
    bodies = sorted(
        Body.objects.select_related("parent").prefetch_related("campaigns"), key=lambda b: vietnamese_order(b.name)
    )
    below: dict[int, list[str]] = {}
    for body in bodies:
        if body.parent_id:
            below.setdefault(body.parent_id, []).append(body.name)
    for body in bodies:
        body.reported_by = below.get(body.pk, [])
        body.search = " ".join(filter(None, [body.name, body.governing_body, body.parent.name if body.parent else ""]))
    query = request.GET.get("q", "").strip()
    shown = [body for body in bodies if matches(query, body.search)] if query else bodies
    return render(request, "conferences/bodies.html", {"bodies": shown, "query": query, "known": len(bodies)})


# what the papers printed before the conference carry of the body: its name and header (the
# invitations, the ballots, the lists), the place and date line, the number's symbol, the “Lưu” line
PRINTED_DETAILS = ("name", "governing_body", "system", "locality", "symbol", "drafting_unit")


def _reprint_warning(request, body: Body) -> None:
    """Say that the papers of the body's conferences being prepared, printed before its details
    changed, carry the former ones: the invitations, ballots and lists to print again."""
    titles = list(
        Conference.objects.filter(campaign__body=body, status=Conference.Status.PREPARING)
        .order_by("date", "pk")
        .values_list("title", flat=True)
    )
    if titles:
        messages.warning(
            request,
            _(
                "The invitations, ballots and lists of %(conferences)s printed before this change carry the "
                "body's former details: print again those already printed."
            )
            % {"conferences": ", ".join(f"“{t}”" for t in titles)},
        )


@permission_required(PREPARE)
def body_edit(request, body_id: int):
    """The body's details, mended (campaigns.update_body), or the body removed (campaigns.remove_body);
    back to the campaign it was opened from, else to the list of bodies."""
    found = Body.objects.filter(pk=body_id)
    if "remove" in request.POST and (gone := _removed_already(request, found, "conferences:bodies")):
        return gone
    body = get_object_or_404(found.select_related("parent"))
    dot = request.GET.get("dot", "")
    campaign = Campaign.objects.filter(pk=int(dot), body=body).first() if dot.isascii() and dot.isdigit() else None
    back = ("conferences:campaign", campaign.pk) if campaign else ("conferences:bodies",)
    if request.method == "POST" and "remove" in request.POST:
        return _remove_confirmed(
            request,
            lambda: campaigns.remove_body(request.user, body),
            back=("conferences:body_edit", body.pk),
            done=("conferences:bodies",),
            message=_("The body “%(name)s” was removed."),
        )
    details = ("name", "governing_body", "level", "system", "locality", "symbol", "drafting_unit")
    initial = {f: getattr(body, f) for f in details}
    initial["reports_to"] = body.parent.name if body.parent else ""
    form = forms.BodyForm(request.POST or None, initial=initial)
    form.fields["reports_to"].widget.besides = body.pk
    held = campaigns.held_under_its_name(body)
    if held is not None:  # shown, not sent: the use case would refuse a change
        for name in ("name", "governing_body", "level", "system", "locality"):
            form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        typed = form.cleaned_data["reports_to"]
        known = bool(campaigns.bodies_named(typed, besides=body))
        printed = [getattr(body, f) for f in PRINTED_DETAILS]
        ok, saved = attempt(request, lambda: campaigns.update_body(request.user, body, **form.cleaned_data), form=form)
        if ok:
            messages.success(request, _("Saved."))
            _authority_added(request, typed, known)
            if printed != [getattr(saved, f) for f in PRINTED_DETAILS]:
                _reprint_warning(request, saved)
            return redirect(*back)
    removal = {
        "heading": _("Remove this body"),
        "refused": campaigns.body_removal_refused(body),
        "explain": _(
            "A body known by mistake (a managing authority made from a name typed wrongly, say) can be removed "
            "while it has no campaign and no body reports to it. The system log keeps the removal."
        ),
        "confirm": _("Remove this body"),
        "button": _("Remove the body"),
    }
    return render(
        request,
        "conferences/form.html",
        {
            "form": form,
            "title": _("Edit the body"),
            "campaign": campaign,
            "bodies_crumb": campaign is None,
            "removal": removal,
            "intro": _(
                "“%(conference)s” was held under this name, level, kind and header: they stay as its minutes and "
                "record carry them. The symbol, the drafting unit and the managing authority can still change."
            )
            % {"conference": held.title}
            if held
            else "",
        },
    )


def _remove_confirmed(request, remove: Callable[[], str], *, back, done, message: str):
    """An edit page's removal form: ``remove()`` (which returns the removed thing's name, or "" if
    it was gone already) once the box saying so is ticked; then to ``done``, saying ``message``
    with that name; refused, or not ticked, back to ``back``. ``back`` and ``done``: redirects' arguments."""
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm the removal."))
        return redirect(*back)
    ok, name = attempt(request, remove)
    if not ok:
        return redirect(*back)
    if name:
        messages.success(request, message % {"name": name})
    return redirect(*done)


@permission_required(PREPARE)
def conference_create(request, campaign_id: int):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    form = forms.NewConferenceForm(request.POST or None, initial={"convening_body": campaign.body.name})
    if request.method == "POST" and form.is_valid():
        ok, conference = attempt(
            request,
            lambda: campaigns.create_conference(request.user, campaign=campaign, **form.cleaned_data),
            form=form,
        )
        if ok:
            messages.success(request, _("The conference was created."))
            return redirect("conferences:conference", conference.pk)
    return render(request, "conferences/form.html", {"form": form, "title": _("New conference"), "campaign": campaign})


@permission_required(VIEW)
def conference_detail(request, conference_id: int):
    conference = _conference(conference_id)
    return render(
        request,
        "conferences/conference.html",
        {
            "conference": conference,
            "checklist": queries.checklist(conference),
            "overview": queries.conference_overview(conference),
            "rules": conference.rules,
            "adjournments": conference.adjournments.all(),
        },
    )


@permission_required(PREPARE)
def conference_edit(request, conference_id: int):
    found = Conference.objects.filter(pk=conference_id)
    if "remove" in request.POST and (gone := _removed_already(request, found, "conferences:home")):
        return gone  # its campaign is not known any more: the campaigns' list
    conference = _conference(conference_id)
    if closed := _closed(request, lambda: campaigns.check_editable(conference), "conferences:conference", conference):
        return closed  # nothing on the page can be done any more (remove and cancel need it being prepared)
    fields = ("title", "date", "start_time", "place", "convening_body", "chair_name")
    if request.method == "POST" and "remove" in request.POST:
        return _remove_confirmed(
            request,
            lambda: campaigns.remove_conference(request.user, conference),
            back=("conferences:conference_edit", conference.pk),
            done=("conferences:campaign", conference.campaign_id),
            message=_("The conference “%(name)s” was removed."),
        )
    if request.method == "POST" and "cancel" in request.POST:
        return _cancel(request, conference)
    form = forms.ConferenceForm(request.POST or None, initial={f: getattr(conference, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        before = _grounds_by_person(conference)
        ok, saved = attempt(
            request, lambda: campaigns.update_conference(request.user, conference, **form.cleaned_data), form=form
        )
        if ok:
            messages.success(request, _("Saved."))
            # the rule set's grounds count from the conference's date (appointed in its year)
            _warn_grounds_changed(
                request,
                before,
                _grounds_by_person(saved),
                _(
                    "With this date, the rule set's grounds for not rating change for: %(names)s. "
                    "Review their decisions on the list of rated persons."
                ),
            )
            return redirect("conferences:conference", conference.pk)
    removal = None
    if conference.status == Conference.Status.PREPARING:
        blockers = campaigns.removal_blockers(conference)
        removal = {
            "heading": _("Remove this conference"),
            "refused": _("It can no longer be removed: it already has %(what)s, which would be lost.")
            % {"what": ", ".join(blockers)}
            if blockers
            else "",
            "explain": _(
                "A conference made by mistake can be removed while it is being prepared and nothing has gone out "
                "to the voters or the rated persons: its list of rated persons, its voter roll and its ballot "
                "forms go with it. The system log keeps the removal."
            ),
            "confirm": _("Remove this conference and its lists"),
            "button": _("Remove the conference"),
        }
    return render(
        request,
        "conferences/form.html",
        {
            "form": form,
            "title": _("Edit the conference"),
            "conference": conference,
            "removal": removal,
            "cancellable": conference.status == Conference.Status.PREPARING,
        },
    )


def _cancel(request, conference: Conference):
    """The edit page's cancellation: campaigns.cancel_conference once the box is ticked."""
    if not request.POST.get("confirm_cancel"):
        messages.error(request, _("Tick the box to confirm."))
        return redirect("conferences:conference_edit", conference.pk)
    ok, _c = attempt(
        request, lambda: campaigns.cancel_conference(request.user, conference, reason=request.POST.get("reason", ""))
    )
    if not ok:
        return redirect("conferences:conference_edit", conference.pk)
    messages.success(request, _("The conference was cancelled. Its records are kept; its links no longer open."))
    return redirect("conferences:conference", conference.pk)


@permission_required(PREPARE)
@require_POST
def conference_restore(request, conference_id: int):
    """The overview's restoring of a cancelled conference: campaigns.restore_conference once the
    box is ticked."""
    conference = _conference(conference_id)
    if not request.POST.get("confirm_restore"):
        messages.error(request, _("Tick the box to confirm."))
    else:
        ok, _c = attempt(
            request,
            lambda: campaigns.restore_conference(request.user, conference, reason=request.POST.get("reason", "")),
        )
        if ok:
            messages.success(
                request,
                _(
                    "The conference is being prepared again and its links open again. Check its date, and make "
                    "new code cards if it had some: those of before the cancellation stay void."
                ),
            )
    return redirect("conferences:conference", conference.pk)


# --- rated persons ------------------------------------------------------------------------------


def _grounds_by_person(conference: Conference) -> dict[int, tuple[str, list[str]]]:
    """Each rated person's name and the keys of the rule set's grounds for not rating them."""
    return {
        p.pk: (p.full_name, [g.key for g in rated.grounds_of(p, conference)]) for p in conference.rated_persons.all()
    }


def _refusal(check) -> str:
    """Why ``check`` refuses (its messages), or "" when it does not."""
    try:
        check()
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


def _closed(request, check, back: str, conference: Conference):
    """A page whose form the conference's state no longer allows (``check`` raises) is not offered:
    back to ``back``, saying why, instead of a form whose saving would be refused."""
    if refused := _refusal(check):
        messages.warning(request, refused)
        return redirect(back, conference.pk)
    return None


def _campaign_grounds(campaign: Campaign) -> dict[int, tuple[str, list[str]]]:
    """``_grounds_by_person`` over the campaign's conferences still being prepared (the rule set
    can change only while every conference is)."""
    campaign = Campaign.objects.get(pk=campaign.pk)  # its rule set as saved
    grounds = {}
    for conference in campaign.conferences.filter(status=Conference.Status.PREPARING):
        conference.campaign = campaign
        grounds |= _grounds_by_person(conference)
    return grounds


def _warn_grounds_changed(
    request, before: dict[int, tuple[str, list[str]]], after: dict[int, tuple[str, list[str]]], message: str
) -> None:
    """Names, with ``message``, the persons whose grounds for not rating differ between the two."""
    if changed := [name for pk, (name, keys) in after.items() if pk in before and keys != before[pk][1]]:
        messages.warning(request, message % {"names": ", ".join(changed)})


def _rated_person_args(d: dict) -> dict:
    return {k: d[k] for k in ("full_name", "post", "group", "retirement_notified", "took_office_on", "note")}


@permission_required(VIEW, post=PREPARE)
def rated_list(request, conference_id: int):
    conference = _conference(conference_id)
    form = forms.RatedPersonForm(request.POST or None, vote=conference.is_confidence_vote)
    grounds = None
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                rated.add_rated_person(
                    request.user,
                    conference,
                    **_rated_person_args(d),
                    decision=d["decision"] or None,
                    decision_note=d["decision_note"],
                )
            except rated.DecisionNeeded as exc:
                grounds = exc.grounds
                form.add_error("decision", str(exc.messages[0]))
            except ValidationError as exc:
                for m in _errors(exc):
                    form.add_error(None, m)
            else:
                messages.success(request, _("Added."))
                _ask_about_address(request, d["full_name"])
                return redirect("conferences:rated", conference.pk)
    people = conference.rated_persons.all()
    warnings = {p.pk: rated.state_grounds(g) for p in people if (g := rated.grounds_of(p, conference))}
    # the same name on the ballot of other conferences this rating year (QĐ 96: at most 2 places)
    places = queries.rated_places(conference.campaign.rating_year, conference.rules.procedure)
    limit = conference.rules.places
    elsewhere = {}
    for p in people:
        if p.on_ballot and (others := queries.other_places(places, p.full_name, conference.pk)):
            elsewhere[p.pk] = {"places": others, "too_many": limit is not None and limit.exceeded(1 + len(others))}
    return render(
        request,
        "conferences/rated.html",
        {
            "conference": conference,
            "people": people,
            "form": form,
            "grounds": grounds,
            "warnings": warnings,
            "elsewhere": elsewhere,
            "places_rule": limit,
            "import_form": forms.RatedImportForm(),
        },
    )


def _unused_info(request, unused: list[str]) -> None:
    """Columns of an imported list left out: particulars the vote does not need, neither read nor kept."""
    if unused:
        messages.info(
            request,
            _("Columns the vote does not need were left out, neither read nor kept: %(columns)s.")
            % {"columns": ", ".join(unused)},
        )


def _rows_named(rows: list[tuple[int, str]]) -> str:
    """Rows of an imported list named in a message: the first ten (row, text), then "…"."""
    shown = "; ".join(_("row %(row)s “%(text)s”") % {"row": number, "text": text[:60]} for number, text in rows[:10])
    return shown + ("…" if len(rows) > 10 else "")


def _headings_info(request, headings: list[tuple[int, str]]) -> None:
    """Rows of an imported list read as headings of a group or a total: the office sees them, as
    what was not read as a person."""
    if headings:
        messages.info(
            request,
            ngettext(
                "%(n)s row was read as the heading of a group, or a total, not as a person: %(rows)s.",
                "%(n)s rows were read as headings of a group, or totals, not as persons: %(rows)s.",
                len(headings),
            )
            % {"n": len(headings), "rows": _rows_named(headings)},
        )


def _converted_warning(request, converted: int) -> None:
    """An imported list typed in an old font was converted: the office reads the names once more."""
    if converted:
        messages.warning(
            request,
            ngettext(
                "%(n)s row of the file was typed in an old font (TCVN3 .VnTime, or VNI) and was converted to Unicode: "
                "check the names and posts against the paper list.",
                "%(n)s rows of the file were typed in an old font (TCVN3 .VnTime, or VNI) and were converted to Unicode: "
                "check the names and posts against the paper list.",
                converted,
            )
            % {"n": converted},
        )


def _address_info(request, addressed: int, unclear: list[tuple[int, str]]) -> None:
    """Names of an imported list written after a form of address: "Đ/c" and "Đồng chí" taken out
    (said), Ông and Bà, which may be a family name, left for the office to edit (warned)."""
    if addressed:
        messages.info(
            request,
            ngettext(
                "%(n)s name was written after “Đ/c” or “Đồng chí”, which was taken out: the invitations and "
                "letters write “đồng chí” before a name themselves.",
                "%(n)s names were written after “Đ/c” or “Đồng chí”, which was taken out: the invitations and "
                "letters write “đồng chí” before a name themselves.",
                addressed,
            )
            % {"n": addressed},
        )
    if unclear:
        messages.warning(
            request,
            ngettext(
                "%(n)s name begins with “Ông”, “Bà” or “Đồng chí”: %(rows)s. If it is a form of address and "
                "not part of the name, edit the name (the invitations write “đồng chí” before it).",
                "%(n)s names begin with “Ông”, “Bà” or “Đồng chí”: %(rows)s. If it is a form of address and "
                "not part of the name, edit the names (the invitations write “đồng chí” before each).",
                len(unclear),
            )
            % {"n": len(unclear), "rows": _rows_named(unclear)},
        )


def _ask_about_address(request, name: str) -> None:
    """A name typed beginning with Ông, Bà or ĐỒNG CHÍ is saved as typed (it may be the family
    name: Ông Ích Khiêm), and the office is asked about it, as on import (``_address_info``)."""
    if may_be_addressed(name):
        messages.warning(
            request,
            _(
                "“%(name)s” begins with “Ông”, “Bà” or “Đồng chí”. If it is a form of address and not part of "
                "the name, edit the name (the invitations write “đồng chí” before it)."
            )
            % {"name": name},
        )


def _removed_already(request, found, *back):
    """A removal sent twice (a second click on a slow Wi-Fi): the first removed it, and the second
    goes back to the list (``back``: a redirect's arguments) with that said, not to a "page not
    found". None when ``found`` (a queryset) still holds it. ``request`` is a removal: an edit
    page's removal sends ``delete`` or ``remove``."""
    if found.exists():
        return None
    messages.info(request, _("It is no longer on the list: it was removed already."))
    return redirect(*back)


@permission_required(PREPARE)
def rated_edit(request, conference_id: int, person_id: int):
    conference = _conference(conference_id)
    found = RatedPerson.objects.filter(pk=person_id, conference=conference)
    if "delete" in request.POST and (gone := _removed_already(request, found, "conferences:rated", conference.pk)):
        return gone
    person = get_object_or_404(RatedPerson, pk=person_id, conference=conference)
    if closed := _closed(request, lambda: rated.check_preparing(conference), "conferences:rated", conference):
        return closed
    initial = _rated_person_args(person.__dict__) | {"decision": person.decision, "decision_note": person.decision_note}
    form = forms.RatedPersonForm(request.POST or None, initial=initial, vote=conference.is_confidence_vote)
    if request.method == "POST":
        if "delete" in request.POST:
            ok, _r = attempt(request, lambda: rated.remove_rated_person(request.user, person))
            if ok:
                messages.success(request, _("Removed."))
            return redirect("conferences:rated", conference.pk)
        if form.is_valid():
            d = form.cleaned_data
            ok, _r = attempt(
                request,
                lambda: rated.update_rated_person(
                    request.user,
                    person,
                    **_rated_person_args(d),
                    decision=d["decision"] or None,  # "according to the rule set"
                    decision_note=d["decision_note"],
                ),
                form=form,
            )
            if ok:
                messages.success(request, _("Saved."))
                _ask_about_address(request, d["full_name"])
                return redirect("conferences:rated", conference.pk)
    return render(
        request,
        "conferences/form.html",
        {
            "form": form,
            "title": _("Edit: %(name)s") % {"name": person.full_name},
            "conference": conference,
            "can_delete": True,
        },
    )


# --- voter roll ---------------------------------------------------------------------------------


@permission_required(VIEW)
def roster_view(request, conference_id: int):
    conference = _conference(conference_id)
    query = request.GET.get("q", "").strip()
    voters = conference.voters.select_related("rated_person")
    if query:
        voters = queries.voters_found(voters, query)
    return render(
        request,
        "conferences/roster.html",
        {
            "conference": conference,
            "voters": voters,
            "query": query,
            "form": forms.VoterForm(),
            "import_form": forms.RosterImportForm(),
            "matches": roster.unresolved_rated_matches(conference),
        },
    )


@permission_required(PREPARE)
@require_POST
def voter_add(request, conference_id: int):
    conference = _conference(conference_id)
    form = forms.VoterForm(request.POST)
    if form.is_valid():
        ok, voter = attempt(request, lambda: roster.add_voter(request.user, conference, **form.cleaned_data))
        if ok:
            messages.success(request, _("%(name)s was added to the voter roll.") % {"name": voter.full_name})
            _ask_about_address(request, voter.full_name)
    else:
        form_errors(request, form)
    return redirect("conferences:roster", conference.pk)


@permission_required(PREPARE)
def voter_edit(request, conference_id: int, voter_id: int):
    conference = _conference(conference_id)
    found = Voter.objects.filter(pk=voter_id, conference=conference)
    if "delete" in request.POST and (gone := _removed_already(request, found, "conferences:roster", conference.pk)):
        return gone
    voter = get_object_or_404(Voter, pk=voter_id, conference=conference)
    if closed := _closed(request, lambda: roster.check_preparing(conference), "conferences:roster", conference):
        return closed
    fields = ("full_name", "post", "unit", "phone", "email", "note")
    form = forms.VoterForm(request.POST or None, initial={f: getattr(voter, f) for f in fields})
    if request.method == "POST":
        if "delete" in request.POST:
            ok, _r = attempt(request, lambda: roster.remove_voter(request.user, voter))
            if ok:
                messages.success(request, _("Removed."))
            return redirect("conferences:roster", conference.pk)
        if form.is_valid():
            ok, _r = attempt(request, lambda: roster.update_voter(request.user, voter, **form.cleaned_data), form=form)
            if ok:
                messages.success(request, _("Saved."))
                _ask_about_address(request, form.cleaned_data["full_name"])
                return redirect("conferences:roster", conference.pk)
    return render(
        request,
        "conferences/form.html",
        {
            "form": form,
            "title": _("Edit: %(name)s") % {"name": voter.full_name},
            "conference": conference,
            "can_delete": True,
        },
    )


@permission_required(PREPARE)
@require_POST
def voter_match(request, conference_id: int, voter_id: int):
    conference = _conference(conference_id)
    voter = get_object_or_404(Voter, pk=voter_id, conference=conference)
    ok, _r = attempt(
        request, lambda: roster.resolve_rated_match(request.user, voter, same_person=request.POST.get("same") == "1")
    )
    if ok:
        messages.success(request, _("Recorded."))
    return redirect("conferences:roster", conference.pk)


def _list_file(request, form) -> tuple[str, bytes] | None:
    """The file sent with an import form (the voter roll, the rated persons), read up to the size
    limit; None, said on the page, when no file was chosen."""
    if not form.is_valid():
        messages.error(request, _("Choose a file to import."))
        return None
    upload = form.cleaned_data["file"]
    return upload.name, upload.read(settings.TINNHIEM_MAX_ROSTER_BYTES + 1)


@permission_required(PREPARE)
@require_POST
def roster_import(request, conference_id: int):
    conference = _conference(conference_id)
    form = forms.RosterImportForm(request.POST, request.FILES)
    if (got := _list_file(request, form)) is None:
        return redirect("conferences:roster", conference.pk)
    name, data = got
    ok, report = attempt(
        request,
        lambda: roster.import_roster(
            request.user, conference, filename=name, data=data, replace=form.cleaned_data["replace"]
        ),
    )
    if ok:
        messages.success(request, _("%(n)s voters were imported.") % {"n": report.created})
        _converted_warning(request, report.converted)
        _address_info(request, report.addressed, report.unclear)
        _headings_info(request, report.headings)
        _unused_info(request, report.unused)
        for match in report.rated_matches:
            messages.warning(
                request, _("A rated person appears in the voter roll: %(match)s. Confirm below.") % {"match": match}
            )
    return redirect("conferences:roster", conference.pk)


@permission_required(PREPARE)
@require_POST
def rated_import(request, conference_id: int):
    """The list of rated persons from an Excel or CSV file (a council or the National Assembly
    rates dozens), added after those already listed."""
    conference = _conference(conference_id)
    if (got := _list_file(request, forms.RatedImportForm(request.POST, request.FILES))) is None:
        return redirect("conferences:rated", conference.pk)
    name, data = got
    ok, people = attempt(
        request, lambda: rated.import_rated_persons(request.user, conference, filename=name, data=data)
    )
    if ok:
        messages.success(
            request, ngettext("%(n)s person was added.", "%(n)s persons were added.", len(people)) % {"n": len(people)}
        )
        _converted_warning(request, people.converted)
        _address_info(request, people.addressed, people.unclear)
        _headings_info(request, people.headings)
        if people.heading_groups:
            messages.info(
                request,
                _(
                    "The persons without a ballot group of their own are in the group of the heading above them: %(groups)s."
                )
                % {"groups": "; ".join(f"{name} ({n})" for name, n in people.heading_groups.items())},
            )
        _unused_info(request, people.unused)
        if excluded := [p.full_name for p in people if not p.on_ballot]:
            messages.warning(
                request,
                _(
                    "By the rule set, %(n)s of them are not rated: %(names)s (the reason is under each name). "
                    "To rate one anyway, edit that person and give the reason."
                )
                % {"n": len(excluded), "names": ", ".join(excluded)},
            )
    return redirect("conferences:rated", conference.pk)


@permission_required(VIEW)
def roster_template(request):
    data = write_roster_xlsx([], title=_("Voter roll"))
    return _xlsx(data, "mau-danh-sach-nguoi-ghi-phieu.xlsx")


@permission_required(VIEW)
def roster_export(request, conference_id: int):
    conference = _conference(conference_id)
    rows = [
        {
            "order": v.order,
            "full_name": v.full_name,
            "post": v.post,
            "unit": v.unit,
            "phone": v.phone,
            "email": v.email,
            "note": v.note,
        }
        for v in conference.voters.all()
    ]
    return _xlsx(write_roster_xlsx(rows, title=conference.title), f"danh-sach-nguoi-ghi-phieu-{conference.pk}.xlsx")


@permission_required(VIEW)
def rated_export(request, conference_id: int):
    """The rated persons as Excel, in the columns the import reads; empty, it is the template."""
    conference = _conference(conference_id)
    people = [
        (p.order, p.full_name, p.post, p.group, p.took_office_on, p.retirement_notified, p.note)
        for p in conference.rated_persons.order_by("order")
    ]
    data = write_rated_xlsx(people, str(conference.rated_words["many"]))
    return _xlsx(data, f"nguoi-duoc-lay-phieu-{conference.pk}.xlsx")


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- dossiers -----------------------------------------------------------------------------------


@permission_required(VIEW, post=PREPARE)
def dossier_list(request, conference_id: int):
    conference = _conference(conference_id)
    form = forms.DossierForm(request.POST or None, request.FILES or None, conference=conference)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            files = forms.read_documents(d["file"], settings.TINNHIEM_MAX_DOSSIER_BYTES)
            ok, _d = attempt(
                request,
                lambda: dossiers.upload_dossier(
                    request.user, d["rated_person"], kind=d["kind"], title=d["title"], files=files
                ),
                form=form,
            )
            if ok:
                messages.success(request, _("The dossier was uploaded."))
                return redirect("conferences:dossiers", conference.pk)
    items = list(Dossier.objects.filter(rated_person__conference=conference).select_related("rated_person"))
    unsent = sum(1 for d in items if d.distributed_on is None)
    return render(
        request,
        "conferences/dossiers.html",
        {
            "conference": conference,
            "dossiers": items,
            "form": form,
            "unsent": unsent,
            "removed": queries.removals(conference, ("dossier.removed",)),
        },
    )


@permission_required(PREPARE)
@require_POST
def dossiers_distribute(request, conference_id: int):
    conference = _conference(conference_id)
    ok, n = attempt(request, lambda: dossiers.distribute_dossiers(request.user, conference))
    if ok:
        messages.success(request, _("%(n)s dossiers were sent to the voters.") % {"n": n})
    return redirect("conferences:dossiers", conference.pk)


@permission_required(PREPARE)
def dossier_remove(request, conference_id: int, dossier_id: int):
    """The list's "Delete…": the dossier shown, with a field for the reason; removed when that is
    sent (dossiers.remove_dossier)."""
    return _document_remove(request, conference_id, Dossier.objects.filter(pk=dossier_id), dossiers.remove_dossier)


def _document_remove(request, conference_id: int, found, remove: Callable[..., Any]):
    """A dossier's or an explanation's removal (``found``: a queryset of it; ``remove``: its use
    case): its page on GET; on POST removed, back to its list, or the page again with what stopped
    it. Removed already (a second click on a slow Wi-Fi): back to the list, saying so."""
    conference = _conference(conference_id)
    found = found.filter(rated_person__conference=conference)
    tab = "dossiers" if found.model is Dossier else "explanations"
    if gone := _removed_already(request, found, f"conferences:{tab}", conference.pk):
        return gone
    document = found.select_related("rated_person").get()
    back = reverse(f"conferences:{tab}", args=[conference.pk])
    form = forms.RemoveDocumentForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        ok, _r = attempt(request, lambda: remove(request.user, document, reason=reason), form=form)
        if ok:
            messages.success(request, _("Removed."))
            return redirect(back)
    return render(
        request,
        "conferences/document_remove.html",
        {"conference": conference, "document": document, "tab": tab, "form": form, "back": back},
    )


def _pdf_response(file_field, download_name: str) -> FileResponse:
    try:
        handle = file_field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, content_type="application/pdf", as_attachment=False, filename=download_name)


@permission_required(VIEW)
def dossier_download(request, conference_id: int, dossier_id: int):
    dossier = get_object_or_404(Dossier, pk=dossier_id, rated_person__conference_id=conference_id)
    return _pdf_response(dossier.file, f"ho-so-{dossier.pk}.pdf")


# --- opinions and explanations ------------------------------------------------------------------


def _day(iso: Any) -> date | None:
    try:
        return date.fromisoformat(iso)
    except (TypeError, ValueError):
        return None


OPINION_ENTRY_KEY = "opinion_entry"  # in the office's session: the person and day of the last paper opinion
OPINION_SAVED_KEY = "opinion_saved"


def _opinion_filters(data) -> dict[str, str]:
    """The list's filters from a query or a form: a known classification, and a person's id or
    "general" (opinions about no one in particular); anything else is no filter."""
    tag = data.get("tag", "")
    person = data.get("person", "")
    pk = small_int(person)
    return {
        "tag": tag if tag in Opinion.Tag.values else "",
        "person": "general" if person == "general" else "" if pk is None else str(pk),
    }


def _opinions_url(conference: Conference, shown: dict[str, str]) -> str:
    url = reverse("conferences:opinions", args=[conference.pk])
    query = urlencode({k: v for k, v in shown.items() if v})
    return f"{url}?{query}" if query else url


def _filters_sent(request) -> dict[str, str]:
    """The list's filters as they were when a form of its rows was sent (its hidden fields)."""
    return _opinion_filters({"tag": request.POST.get("filter", ""), "person": request.POST.get("person_filter", "")})


def _back_to_row(request, conference: Conference, opinion: Opinion):
    """Back to the opinion's row of the list, filtered as it was when its form was sent."""
    return redirect(_opinions_url(conference, _filters_sent(request)) + f"#y-kien-{opinion.pk}")


@permission_required(VIEW, post=PREPARE)
def opinion_list(request, conference_id: int):
    """The opinions received, filtered by classification and by person; the office types in the
    paper ones below. After each one the form comes back empty, keeping the person and the day of
    the last one (a pile of letters is usually about one person, received the same day)."""
    conference = _conference(conference_id)
    last = request.session.get(OPINION_ENTRY_KEY, {})
    form = forms.PaperOpinionForm(
        request.POST or None,
        conference=conference,
        initial={
            "received_on": _day(last.get("received_on")) or timezone.localdate(),
            "rated_person": last.get("rated_person") if last.get("conference") == conference.pk else None,
        },
    )
    shown = _opinion_filters(request.GET)
    if request.method == "POST":
        if form.is_valid():
            ok, _o = attempt(
                request, lambda: opinions.enter_paper_opinion(request.user, conference, **form.cleaned_data), form=form
            )
            if ok:
                person = form.cleaned_data["rated_person"]
                request.session[OPINION_ENTRY_KEY] = {
                    "conference": conference.pk,
                    "rated_person": person.pk if person else None,
                    "received_on": form.cleaned_data["received_on"].isoformat(),
                }
                request.session[OPINION_SAVED_KEY] = True  # said beside the form, where the page opens
                return redirect(_opinions_url(conference, shown) + "#nhap-y-kien")
    just_saved = request.method == "GET" and request.session.pop(OPINION_SAVED_KEY, False)
    closed = _refusal(lambda: opinions.check_open(conference))
    if just_saved:
        form.fields["text"].widget.attrs["autofocus"] = True  # the next letter
    items = conference.opinions.select_related("rated_person")
    if shown["tag"]:
        items = items.filter(tag=shown["tag"])
    people = list(conference.rated_persons.filter(decision=RatedPerson.Decision.RATED))
    if shown["person"] == "general":
        items = items.filter(rated_person__isnull=True)
    elif shown["person"]:
        items = items.filter(rated_person_id=small_int(shown["person"]))
    return render(
        request,
        "conferences/opinions.html",
        {
            "conference": conference,
            "opinions": items,
            "form": form,
            "summary": queries.opinion_summary(conference),
            "removed": queries.removals(conference, ("opinion.removed",)),
            "tags": Opinion.Tag.choices,
            "tag": shown["tag"],
            "person": shown["person"],
            "people": people,
            "namesakes": queries.namesakes(people),
            "filtered": bool(shown["tag"] or shown["person"]),
            "this_list": _opinions_url(conference, shown),
            "just_saved": just_saved,
            "closed": closed,
            "may_change": request.user.has_perm(PREPARE) and not closed,
            "import_form": forms.OpinionsImportForm(),
        },
    )


@permission_required(VIEW)
def opinions_xlsx(request, conference_id: int):
    """Every opinion as Excel, person by person in the order of the list (general ones last), to
    compile them for the conference (QĐ 96 Điều 9 bước 1), and a second sheet of how many each
    person has by classification. An unsigned opinion names no one here either, and nothing in the
    file tells when in the day one came or who sent it."""
    conference = _conference(conference_id)
    listed = list(conference.rated_persons.order_by("order", "id"))
    people = {p.pk: p.order for p in listed}
    items = sorted(
        conference.opinions.select_related("rated_person"),
        key=lambda o: (o.rated_person_id is None, people.get(o.rated_person_id, 0), o.received_on, o.text),
    )
    header = [
        _("No."),
        _("About"),
        _("Post"),
        _("Opinion"),
        _("Signed by"),
        _("Received on"),
        _("Received through"),
        _("Classification"),
        _("Forwarded on"),
    ]
    rows = [
        [
            number,
            o.rated_person.full_name if o.rated_person else _("— general —"),
            o.rated_person.post if o.rated_person else "",
            o.text,
            o.signed_by or _("unsigned"),
            o.received_on,
            o.get_source_display(),
            o.get_tag_display(),
            o.forwarded_on,
        ]
        for number, o in enumerate(items, start=1)
    ]
    tags = [Opinion.Tag.AGREES, Opinion.Tag.REQUESTS_EXPLANATION, Opinion.Tag.OTHER, Opinion.Tag.NEW]
    tally_header = [_("No."), _("About"), _("Post"), _("Opinions"), *(str(t.label) for t in tags), _("Forwarded")]

    def tally(about: list[Opinion]) -> list[int]:
        return [
            len(about),
            *(sum(o.tag == t for o in about) for t in tags),
            sum(o.forwarded_on is not None for o in about),
        ]

    by_person = [(p, about) for p in listed if (about := [o for o in items if o.rated_person_id == p.pk])]
    general = [o for o in items if o.rated_person_id is None]
    tallies = [
        *([n, p.full_name, p.post, *tally(about)] for n, (p, about) in enumerate(by_person, start=1)),
        *([["", _("— general —"), "", *tally(general)]] if general else []),
        ["", _("Total"), "", *tally(items)],
    ]
    data = write_sheets_xlsx([(_("Opinions"), [header, *rows]), (_("Summary"), [tally_header, *tallies])])
    return _xlsx(data, f"y-kien-{conference.pk}.xlsx")


@permission_required(PREPARE)
@require_POST
def opinion_classify(request, conference_id: int, opinion_id):
    conference = _conference(conference_id)
    opinion = get_object_or_404(Opinion, pk=opinion_id, conference=conference)
    form = forms.ClassifyForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: opinions.classify_opinion(request.user, opinion, tag=form.cleaned_data["tag"]))
    return _back_to_row(request, conference, opinion)


@permission_required(PREPARE)
@require_POST
def opinions_classify(request, conference_id: int):
    """The opinions ticked on the list, classified at once; back to the list as it was filtered."""
    conference = _conference(conference_id)
    form = forms.ClassifyManyForm(request.POST, conference=conference)
    if form.is_valid():
        tag = form.cleaned_data["tag"]
        ok, n = attempt(
            request,
            lambda: opinions.classify_opinions(request.user, conference, list(form.cleaned_data["opinions"]), tag=tag),
        )
        if ok and n:
            messages.success(
                request,
                ngettext("%(n)s opinion classified as “%(tag)s”.", "%(n)s opinions classified as “%(tag)s”.", n)
                % {"n": n, "tag": Opinion.Tag(tag).label},
            )
        elif ok:
            messages.info(request, _("The opinions ticked were classified so already."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(_opinions_url(conference, _filters_sent(request)) + "#opinions")


@permission_required(PREPARE)
@require_POST
def opinions_remove(request, conference_id: int):
    """The opinions ticked on the list, removed as recorded by mistake (opinions.remove_opinions):
    the bar's button shows them first, with a field for the reason; removed when that is sent."""
    conference = _conference(conference_id)
    form = forms.RemoveOpinionsForm(request.POST, conference=conference)
    shown = _filters_sent(request)
    back = _opinions_url(conference, shown) + "#opinions"
    if not form.is_valid():
        if request.POST.get("confirm") and opinions.removed_already(conference, request.POST.getlist("opinions")):
            # the confirmation sent twice (a double tap, an answer lost on the hall's Wi-Fi): done once
            messages.info(request, _("The opinions ticked were removed already."))
        else:
            form_errors(request, form)
        return redirect(back)
    ticked = list(form.cleaned_data["opinions"].select_related("rated_person"))  # in the list's order
    if request.POST.get("confirm"):
        reason = form.cleaned_data["reason"]
        ok, n = attempt(
            request, lambda: opinions.remove_opinions(request.user, conference, ticked, reason=reason), form=form
        )
        if ok:
            messages.success(
                request, ngettext("%(n)s opinion was removed.", "%(n)s opinions were removed.", n) % {"n": n}
            )
            return redirect(back)
    return render(
        request,
        "conferences/opinions_remove.html",
        {"conference": conference, "form": form, "opinions": ticked, "shown": shown, "back": back},
    )


def _imported_each(conference: Conference, made: list[Opinion]) -> str:
    """How many of the opinions imported are about each person, in the ballot's order, then how
    many about no one: "Trần Minh Đức: 70; Lê Thị Hồng Nhung: 60; chung: 12". The office sees at
    once whom the rows were taken to name (by a post after the name, by the sheet's name)."""
    people = list(conference.rated_persons.order_by("order", "id"))
    namesakes = queries.namesakes(people)
    counted = Counter(o.rated_person_id for o in made)
    each = [
        _("%(name)s: %(n)s")
        % {"name": f"{p.full_name} - {p.post}" if p.pk in namesakes else p.full_name, "n": counted[p.pk]}
        for p in people
        if counted[p.pk]
    ]
    if counted[None]:
        each.append(_("general: %(n)s") % {"n": counted[None]})
    return "; ".join(each)


@permission_required(PREPARE)
@require_POST
def opinions_import(request, conference_id: int):
    """The opinions of a table the office compiled (opinions.import_opinions), all or none; back
    to those not yet classified, if the table left some so, with what was done said above them."""
    conference = _conference(conference_id)
    form = forms.OpinionsImportForm(request.POST, request.FILES)
    if (got := _list_file(request, form)) is not None:
        name, data = got
        repeats = form.cleaned_data["repeats"]
        ok, made = attempt(
            request,
            lambda: opinions.import_opinions(request.user, conference, filename=name, data=data, repeats=repeats),
        )
        if ok:
            n, waiting = len(made), sum(o.tag == Opinion.Tag.NEW for o in made)
            done = ngettext("%(n)s opinion was imported", "%(n)s opinions were imported", n) % {"n": n}
            done = _("%(done)s (%(each)s)") % {"done": done, "each": _imported_each(conference, made)}
            if waiting == n:
                said = _("%(done)s, not yet classified.") % {"done": done}
            elif waiting:
                said = ngettext(
                    "%(done)s, classified as the table says; %(k)s is not yet classified.",
                    "%(done)s, classified as the table says; %(k)s are not yet classified.",
                    waiting,
                ) % {"done": done, "k": waiting}
            else:
                said = _("%(done)s, classified as the table says.") % {"done": done}
            messages.success(request, said)
            return redirect(_opinions_url(conference, {"tag": Opinion.Tag.NEW if waiting else "", "person": ""}))
    return redirect(reverse("conferences:opinions", args=[conference.pk]))


@permission_required(VIEW)
def opinions_template(request):
    """An empty table of opinions to fill in and import (opinion_file reads these headers)."""
    return _xlsx(opinion_file.template_xlsx(), "mau-bang-y-kien.xlsx")


@permission_required(PREPARE)
@require_POST
def opinion_address(request, conference_id: int, opinion_id):
    conference = _conference(conference_id)
    opinion = get_object_or_404(Opinion, pk=opinion_id, conference=conference)
    form = forms.AddressForm(request.POST, conference=conference)
    if form.is_valid():
        attempt(request, lambda: opinions.address_request(request.user, opinion, **form.cleaned_data))
    else:
        for error in form.errors.get("rated_person", []):
            messages.error(request, error)
    return _back_to_row(request, conference, opinion)


@permission_required(PREPARE)
@require_POST
def requests_forward(request, conference_id: int):
    conference = _conference(conference_id)
    ok, n = attempt(request, lambda: opinions.forward_requests(request.user, conference))
    if ok:
        messages.success(request, _("%(n)s requests were forwarded to the rated persons.") % {"n": n})
    return redirect("conferences:opinions", conference.pk)


def _answers(path: str = "opinions__explanations") -> Prefetch:
    """The explanations answering each request, oldest first (``_answered.html``)."""
    return Prefetch(path, queryset=Explanation.objects.order_by("received_on", "pk"))


@permission_required(VIEW)
def explanation_list(request, conference_id: int):
    conference = _conference(conference_id)
    people = conference.rated_persons.filter(decision=RatedPerson.Decision.RATED).prefetch_related(
        "explanations", "opinions", _answers()
    )
    rows = [
        {
            "person": p,
            "requests": [o for o in p.opinions.all() if o.forwarded_on],
            "explanations": list(p.explanations.all()),
            "link": links.explanation_url(p, request) if request.user.has_perm(PREPARE) else "",
        }
        for p in people
    ]
    unsent = sum(1 for row in rows for e in row["explanations"] if not e.distributed_on)
    closed = _refusal(lambda: opinions.check_open(conference))
    return render(
        request,
        "conferences/explanations.html",
        {
            "conference": conference,
            "rows": rows,
            "unsent": unsent,
            "closed": closed,
            "removed": queries.removals(conference, ("explanation.removed",)),
        },
    )


def _explanation_form_view(request, person: RatedPerson, *, actor, template: str, extra: dict, bound: bool = True):
    """``bound`` False: the page's other form was sent, this one is shown empty."""
    form = forms.ExplanationForm(
        (request.POST or None) if bound else None, (request.FILES or None) if bound else None, person=person
    )
    if bound and request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        files = forms.read_documents(d["file"], settings.TINNHIEM_MAX_DOSSIER_BYTES)
        ok, _e = attempt(
            request,
            lambda: opinions.record_explanation(
                actor, person, text=d["text"], answers=list(d.get("answers", [])), files=files
            ),
            form=form,
        )
        if ok:
            messages.success(request, _("The explanation was recorded."))
            return None
    return render(request, template, {"form": form, "person": person, **extra})


@permission_required(PREPARE)
def explanation_record(request, conference_id: int, person_id: int):
    conference = _conference(conference_id)
    person = get_object_or_404(RatedPerson, pk=person_id, conference=conference)
    if closed := _closed(request, lambda: opinions.check_open(conference), "conferences:explanations", conference):
        return closed
    response = _explanation_form_view(
        request,
        person,
        actor=request.user,
        template="conferences/explanation_form.html",
        extra={"conference": conference},
    )
    return response or redirect("conferences:explanations", conference.pk)


@permission_required(PREPARE)
@require_POST
def explanations_distribute(request, conference_id: int):
    conference = _conference(conference_id)
    ok, n = attempt(request, lambda: opinions.distribute_explanations(request.user, conference))
    if ok:
        messages.success(request, _("%(n)s explanations were sent to the voters.") % {"n": n})
    return redirect("conferences:explanations", conference.pk)


@permission_required(PREPARE)
def explanation_remove(request, conference_id: int, explanation_id: int):
    """The explanation shown, with a field for the reason; removed when that is sent (the use case
    reads it again under the person's lock: removed meanwhile, said so)."""
    found = Explanation.objects.filter(pk=explanation_id)
    return _document_remove(request, conference_id, found, opinions.remove_explanation)


@permission_required(VIEW)
def explanation_download(request, conference_id: int, explanation_id: int):
    explanation = get_object_or_404(Explanation, pk=explanation_id, rated_person__conference_id=conference_id)
    if not explanation.file:
        raise Http404
    return _pdf_response(explanation.file, f"giai-trinh-{explanation.pk}.pdf")


# --- invitations --------------------------------------------------------------------------------


@permission_required(PREPARE)
def invitation_list(request, conference_id: int):
    conference = _conference(conference_id)
    voters = [(v, links.invitation_url(v, request)) for v in conference.voters.all()] if conference.links_open else []
    return render(request, "conferences/invitations.html", {"conference": conference, "voters": voters})


@permission_required(PREPARE)
def invitation_qr(request, conference_id: int, voter_id: int):
    import segno

    voter = get_object_or_404(Voter, pk=voter_id, conference_id=conference_id)
    qr = segno.make(links.invitation_url(voter, request), error="m")
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=4, dark="#000")  # a file of its own: with its XML namespace, or no browser draws it
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"  # it carries a personal link
    return response


@permission_required(PREPARE)
@require_POST
def invitation_revoke(request, conference_id: int, voter_id: int):
    conference = _conference(conference_id)
    voter = get_object_or_404(Voter, pk=voter_id, conference=conference)
    ok, _r = attempt(request, lambda: roster.revoke_invitation(request.user, voter))
    if ok:
        messages.success(
            request, _("The old link of %(name)s no longer works; print the new one.") % {"name": voter.full_name}
        )
    return redirect("conferences:invitations", conference.pk)


# --- the voter's and the rated person's personal pages (no account) -----------------------------


def _link_refused(request, reason: str, status: int = 404):
    return render(request, "conferences/link_refused.html", {"reason": reason}, status=status)


@public
def invitation(request, voter_id: int, mac: str):
    from tinnhiem.voting import ratelimit

    if ratelimit.blocked("link", request):
        return _link_refused(
            request, _("Too many attempts from this device. Wait a few minutes, then try again."), status=429
        )
    voter = links.check_invitation(voter_id, mac)
    if voter is None:
        ratelimit.failure("link", request)
        return _link_refused(
            request, _("This invitation link is not valid. Check that it was copied in full, or ask the office.")
        )
    conference = voter.conference
    if conference.status == Conference.Status.CANCELLED:
        return _link_refused(request, _("The conference was cancelled; this link can no longer be used."), status=410)
    if not conference.links_open:
        if conference.date_passed_unopened:
            refused = _(
                "The conference's date on the invitation has passed; this link can no longer be used. "
                "If the conference was moved to another day, ask the office."
            )
        else:
            refused = _("The conference is over; this invitation link can no longer be used.")
        return _link_refused(request, refused, status=410)
    form = forms.VoterOpinionForm(request.POST or None, conference=conference)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, _o = attempt(
            request,
            lambda: opinions.submit_opinion(
                voter, rated_person=d["rated_person"], text=d["text"], sign=d["sign"], submission=d["submission"]
            ),
            form=form,
        )
        if ok:
            messages.success(request, _("Thank you. Your opinion was sent to the office."))
            return redirect(request.path)
    people = conference.rated_persons.filter(decision=RatedPerson.Decision.RATED)
    shared = Dossier.objects.filter(rated_person__conference=conference, distributed_on__isnull=False).select_related(
        "rated_person"
    )
    explanations = Explanation.objects.filter(
        rated_person__conference=conference, distributed_on__isnull=False
    ).select_related("rated_person")
    response = render(
        request,
        "conferences/invitation.html",
        {
            "voter": voter,
            "conference": conference,
            "people": people,
            "dossiers": shared,
            "explanations": explanations,
            "form": form,
            "mac": mac,
        },
    )
    response["Cache-Control"] = "no-store"  # Referrer-Policy same-origin (site-wide) keeps the link off other sites
    return response


@public
def invitation_document(request, voter_id: int, mac: str, kind: str, doc_id: int):
    voter = links.check_invitation(voter_id, mac)
    if voter is None or not voter.conference.links_open:
        raise Http404
    if kind == "ho-so":
        doc = get_object_or_404(
            Dossier, pk=doc_id, rated_person__conference=voter.conference, distributed_on__isnull=False
        )
    else:
        doc = get_object_or_404(
            Explanation, pk=doc_id, rated_person__conference=voter.conference, distributed_on__isnull=False
        )
        if not doc.file:
            raise Http404
    return _pdf_response(doc.file, f"{kind}-{doc.pk}.pdf")


@public
def explanation_link_document(request, person_id: int, mac: str, kind: str, doc_id: int):
    """One of the rated person's own documents, through their link: what the office holds, sent
    to the voters or not (another person's, never)."""
    person = links.check_explanation_link(person_id, mac)
    if person is None or person.conference.is_closed:
        raise Http404
    owned = person.dossiers if kind == "ho-so" else person.explanations if kind == "giai-trinh" else None
    if owned is None:
        raise Http404
    doc = get_object_or_404(owned, pk=doc_id)
    if not doc.file:
        raise Http404
    response = _pdf_response(doc.file, f"{kind}-{doc.pk}.pdf")
    response["Cache-Control"] = "no-store"
    return response


@public
def explanation_link(request, person_id: int, mac: str):
    person = links.check_explanation_link(person_id, mac)
    if person is None:
        return _link_refused(request, _("This link is not valid. Ask the office for your link."))
    if person.conference.status == Conference.Status.CANCELLED:
        return _link_refused(request, _("The conference was cancelled; this link can no longer be used."), status=410)
    if person.conference.is_closed:
        return _link_refused(request, _("The conference is over; this link can no longer be used."), status=410)
    conference = person.conference
    sending_dossier = request.method == "POST" and request.POST.get("what") == "dossier"
    dossier_form = forms.OwnDossierForm(
        request.POST if sending_dossier else None, request.FILES if sending_dossier else None
    )
    if sending_dossier and dossier_form.is_valid():
        d = dossier_form.cleaned_data
        files = forms.read_documents(d["file"], settings.TINNHIEM_MAX_DOSSIER_BYTES)
        ok, _d = attempt(
            request,
            lambda: dossiers.upload_dossier(None, person, kind=d["kind"], title=d["title"], files=files),
            form=dossier_form,
        )
        if ok:
            messages.success(request, _("Received. The office will look at it, then send it to the voters."))
            return redirect(request.path)
    response = _explanation_form_view(
        request,
        person,
        actor=None,
        template="conferences/explanation_link.html",
        bound=not sending_dossier,
        extra={
            "mac": mac,
            "dossier_form": dossier_form,
            "conference": conference,
            "requests": person.opinions.filter(forwarded_on__isnull=False).prefetch_related(_answers("explanations")),
            # when the voters get the reports, and when the explanations are due (the rule set's days)
            "due": {d.key: d for d in deadlines(conference.rules, conference.date)},
            # what the office holds of this person, and whether it went to the voters
            "dossiers": person.dossiers.order_by("uploaded_at"),
            "explanations": person.explanations.order_by("received_on", "pk"),
            # what they sent and the office removed: said, not vanished without a word
            "removed": queries.removals(conference, ("dossier.removed", "explanation.removed"), sent_by=person),
        },
    )
    if response is None:
        return redirect(request.path)
    response["Cache-Control"] = "no-store"  # Referrer-Policy same-origin (site-wide) keeps the link off other sites
    return response
