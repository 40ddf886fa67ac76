"""Electronic voting pages: the voter's phone page (no account), the cards page of the office,
committee and chair, and the public list of receipts and ballots after the close."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from tinnhiem.accounts.roles import CHAIR, COUNT, PREPARE, VIEW, permission_required, public
from tinnhiem.audit.chain import fingerprint
from tinnhiem.audit.log import minutes_point
from tinnhiem.ballotfile import write_ballot_csv
from tinnhiem.conferences.links import absolute
from tinnhiem.conferences.models import BallotForm, Conference
from tinnhiem.conferences.views import _conference, attempt
from tinnhiem.documents.cards import render_cards
from tinnhiem.once import new_submission
from tinnhiem.text import clean_line, small_int, typed_with_accents

from . import codes, ratelimit
from .models import NO_MARK, SEVERAL_MARKS, CodeCard, Receipt
from .usecases import counting, evote, repeat

E = BallotForm.EVote


def vote_url(conference: Conference, request=None) -> str:
    return absolute(reverse("voting:vote", args=[conference.pk]), request)


# --- office, committee, chair ---------------------------------------------------------------------


def _form_rows(conference: Conference) -> list[dict]:
    rows = []
    for form in conference.ballot_forms.all():
        states = {s: form.code_cards.filter(state=s).count() for s in CodeCard.State.values}
        rows.append({"form": form, "cards": states, "turnout": evote.turnout(form)})
    return rows


def _cards_refused(form: BallotForm) -> str:
    """Why no cards can be made for ``form`` now (the page says it instead of offering the button), or ""."""
    try:
        evote.check_cards_can_be_made(form)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


def _void(request, form: BallotForm) -> int:
    """Every unused card of ``form`` cancelled, once the box saying so is ticked: there is no undo,
    and while the vote is open it stops the voters who hold a card and have not voted yet."""
    if not request.POST.get("confirm"):
        raise ValidationError(_("Tick the box to confirm."))
    return evote.void_unused_cards(request.user, form)


@permission_required(VIEW, post=(PREPARE, COUNT, CHAIR))
def cards(request, conference_id: int):
    conference = _conference(conference_id)
    if request.method == "POST":
        form = get_object_or_404(BallotForm, pk=small_int(request.POST.get("form"), 0), conference=conference)
        action = request.POST.get("action")
        if action == "generate":
            ok, made = attempt(
                request,
                lambda: evote.generate_cards(
                    request.user,
                    form,
                    count=small_int(request.POST.get("count"), 0),
                    submission=request.POST.get("submission", ""),
                ),
            )
            if ok:
                pdf = render_cards(form, made, vote_url(conference, request))
                response = HttpResponse(pdf, content_type="application/pdf")
                response["Content-Disposition"] = f'attachment; filename="the-bo-phieu-{form.pk}-{len(made)}.pdf"'
                response["Cache-Control"] = "no-store"
                return response
        else:
            actions = {
                "issued": lambda: evote.record_cards_issued(
                    request.user, form, count=small_int(request.POST.get("count"), -1)
                ),
                "void": lambda: _void(request, form),
                "open": lambda: evote.open_evote(request.user, form),
                "close": lambda: evote.close_evote(request.user, form),
            }
            if action in actions:
                ok, done = attempt(request, actions[action])
                if ok and action == "void":
                    messages.success(
                        request,
                        ngettext("%(n)s unused card was cancelled.", "%(n)s unused cards were cancelled.", done)
                        % {"n": done},
                    )
                elif ok:
                    messages.success(request, _("Recorded."))
        return redirect("voting:cards", conference.pk)
    rows = [row | {"cards_refused": _cards_refused(row["form"])} for row in _form_rows(conference)]
    return render(
        request,
        "voting/cards.html",
        {
            "conference": conference,
            "rows": rows,
            "any_evote": any(row["form"].evote for row in rows),  # the turnout, once cards are made
            "vote_url": vote_url(conference, request),
            "member": counting.member_for_or_none(request.user, conference),
            "submission": new_submission(),  # the page's one-time id, for making cards
        },
    )


@permission_required(VIEW)
def turnout_fragment(request, conference_id: int):
    conference = _conference(conference_id)
    return HttpResponse(render_to_string("voting/_turnout.html", {"rows": _form_rows(conference)}, request=request))


# --- the voter's page (no account) --------------------------------------------------------------


def _ballot_rows(form: BallotForm, choices: dict[int, str]) -> list[dict]:
    rules = form.conference.rules
    rows = []
    for person in counting.people_of(form):
        key = choices.get(person.pk, NO_MARK)
        label = next((lv.label for lv in rules.levels if str(lv.digit) == key), "")
        rows.append({"person": person, "key": key, "label": label})
    return rows


def _tracking(request) -> str:
    """The receipt code chosen for this ballot: kept through review and change, new otherwise."""
    tracking = codes.normalize(request.POST.get("tracking", ""), codes.TRACKING_LENGTH)
    return codes.display(tracking or codes.new_tracking_code())


def _choices(request) -> dict[int, str]:
    """The rows of the ballot as posted: ``p<person id>`` → key (level digit, 0 blank, 9 invalid)."""
    out = {}
    for name, value in request.POST.items():
        person = small_int(name[1:]) if name.startswith("p") else None
        if person is not None:
            out[person] = value
    return out


@public
@never_cache
def vote(request, conference_id: int):
    conference = get_object_or_404(Conference.objects.select_related("campaign"), pk=conference_id)
    context = {"conference": conference, "levels": conference.rules.levels}
    if request.method != "POST":
        return render(request, "voting/vote.html", {**context, "step": "code"})
    if ratelimit.blocked("code", request):
        return render(
            request,
            "voting/vote.html",
            {
                **context,
                "step": "code",
                "error": _("Too many wrong codes from this device. Wait a few minutes, then try again."),
            },
            status=429,
        )
    step = request.POST.get("step", "code")
    code_text = request.POST.get("code", "")
    try:
        if step == "submit":
            receipt, _stored_now = evote.cast_ballot(
                conference,
                code_text=code_text,
                choices=_choices(request),
                tracking_code=request.POST.get("tracking", ""),
            )
            return render(
                request,
                "voting/vote.html",
                {**context, "step": "done", "tracking": codes.display(receipt.tracking_code)},
            )
        card = evote.find_card(conference, code_text)
    except evote.VoteRefused as refused:
        if refused.reason == "unknown":  # a guess; not a code of the wrong length, a keyboard's accents or a slip
            ratelimit.failure("code", request)
        return _code_refused(request, context, code_text, refused)
    form = card.form
    canonical = codes.normalize(code_text)
    if step == "review":
        choices = _choices(request)
        try:
            evote.check_choices(form, choices)
        except evote.VoteRefused as refused:
            return _code_refused(request, context, code_text, refused)
        rows = _ballot_rows(form, choices)
        return render(
            request,
            "voting/vote.html",
            {
                **context,
                "step": "review",
                "form": form,
                "code": codes.display(canonical),
                "rows": rows,
                "tracking": _tracking(request),
                "warnings": [r for r in rows if r["key"] in (NO_MARK, SEVERAL_MARKS)],
            },
        )
    previous = _choices(request)
    return render(
        request,
        "voting/vote.html",
        {
            **context,
            "step": "ballot",
            "form": form,
            "code": codes.display(canonical),
            "rows": _ballot_rows(form, previous),
            "tracking": _tracking(request),
        },
    )


def _code_refused(request, context: dict, code_text: str, refused: evote.VoteRefused):
    """The code's page again, with why, and with the code as typed: the voter told to check it sees
    what they typed beside the card, and need not type it all again."""
    typed = clean_line(code_text)[:24]
    return render(
        request,
        "voting/vote.html",
        {**context, "step": "code", "error": refused.messages[0], "typed": typed},
        status=400,
    )


@public
@never_cache
def vote_status(request, conference_id: int):
    conference = get_object_or_404(Conference, pk=conference_id)
    states = set(conference.ballot_forms.values_list("evote", flat=True))
    if E.OPEN in states:
        text, css = _("Voting is open"), "done"
    elif E.CLOSED in states and E.READY not in states:
        text, css = _("Voting is closed"), "missed"
    else:
        text, css = _("Voting has not opened yet"), "pending"
    return HttpResponse(f'<span class="badge {css}">{text}</span>')


@public
@never_cache
def receipt_check(request, conference_id: int):
    conference = get_object_or_404(Conference, pk=conference_id)
    result, typed = None, ""
    if request.method == "POST":
        if ratelimit.blocked("receipt", request):
            return render(request, "voting/receipt.html", {"conference": conference, "result": "blocked"}, status=429)
        typed = request.POST.get("tracking", "")
        result = evote.receipt_stored(conference, typed)
        if not result and typed_with_accents(typed):
            result = "accents"  # a Vietnamese keyboard changed it: not a guess
        elif not result and evote.receipt_guessed(conference, typed):
            ratelimit.failure("receipt", request)
    repeated = _repeated_forms(conference) if result is False else []
    return render(
        request,
        "voting/receipt.html",
        {
            "conference": conference,
            "result": result,
            "repeated": repeated,
            "typed": clean_line(typed)[:16],  # as typed: beside the paper it was copied on, found or not
        },
    )


def _repeated_forms(conference: Conference) -> list[str]:
    """The names of the forms whose vote was held again (voting.usecases.repeat): the earlier vote's
    receipts were discarded with it, and a voter who looks for one is told so."""
    return list(BallotForm.objects.filter(pk__in=repeat.repeats_by_form(conference)).values_list("name", flat=True))


# --- public verification after the close ------------------------------------------------------------


def _closed_forms(conference: Conference):
    return [f for f in conference.ballot_forms.all() if f.evote == E.CLOSED]


def _electronic_only(form: BallotForm) -> str:
    """Why the public file of a form's ballots holds only its electronic ones although paper
    ballots were collected too (a recount of it alone does not give the result), or ""."""
    if not form.collected:
        return ""
    if form.mode == BallotForm.Mode.TOTALS:
        return _(
            "“%(name)s”: its paper ballots were counted by totals, which the minutes give; the file holds "
            "only the electronic ballots."
        ) % {"name": form.name}
    if form.state != BallotForm.State.FINALISED:
        return _(
            "“%(name)s”: its paper ballots are added to the file once the counting committee finalises the count."
        ) % {"name": form.name}
    return ""


@public
def public_list(request, conference_id: int):
    conference = get_object_or_404(Conference, pk=conference_id)
    forms = _closed_forms(conference)
    if not forms:
        raise Http404
    receipts = sorted(
        codes.display(r) for r in Receipt.objects.filter(form__in=forms).values_list("tracking_code", flat=True)
    )
    seq, point = minutes_point(conference)
    return render(
        request,
        "voting/public.html",
        {
            "conference": conference,
            "forms": forms,
            "receipts": receipts,
            "repeated": _repeated_forms(conference),
            "electronic_only": [note for note in map(_electronic_only, forms) if note],
            # the minutes print the same (audit.chain.minutes_point)
            "fingerprint": fingerprint(point),
            "hash": point,
            "event": seq,
        },
    )


@public
def public_ballots(request, conference_id: int, form_id: int):
    """Every ballot of a closed form, anonymous, in the tinnhiem tally format: anyone can recount."""
    form = get_object_or_404(
        BallotForm.objects.select_related("conference__campaign"),
        pk=form_id,
        conference_id=conference_id,
        evote=E.CLOSED,
    )
    rules = form.conference.rules
    ballots = counting.anonymous_ballots(form) if form.state == BallotForm.State.FINALISED else None
    if ballots is None:  # the paper ballots not counted yet, or counted by totals: the electronic ones
        ballots = evote.electronic_ballots(form)
    # sorted by what they say: the paper ones come in the stack's order, which can follow the order
    # they were cast in (a box emptied from the top), and this file is for anyone
    ballots = sorted(ballots, key=lambda b: (b.invalid_reason or "", ["".join(sorted(row)) for row in b.rows]))
    text = write_ballot_csv(rules, [p.full_name for p in counting.people_of(form)], ballots)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="phieu-{form.pk}.csv"'
    return response
