"""Pages of the conference day: attendance, the chair's controls, the counting committee, ballot forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tinnhiem.accounts.roles import CHAIR, COUNT, PREPARE, VIEW, permission_required
from tinnhiem.once import new_submission
from tinnhiem.text import person_key, small_int

from . import queries
from .forms import AdjournForm
from .models import BallotForm, CommitteeMember, Conference, RatedPerson, Voter
from .usecases import day
from .views import _conference, attempt, form_errors


@permission_required(VIEW, post=(PREPARE, CHAIR))
def attendance(request, conference_id: int):
    conference = _conference(conference_id)
    if request.method == "POST":
        action = request.POST.get("action")
        ids = [small_int(v, 0) for v in request.POST.getlist("voter")]
        voters = list(conference.voters.filter(pk__in=ids))
        if action == "present" and voters:
            ok, n = attempt(request, lambda: day.check_in(request.user, conference, voters))
            if ok and n:
                messages.success(request, ngettext("%(n)s voter checked in.", "%(n)s voters checked in.", n) % {"n": n})
            elif ok:  # the press sent twice, or a list another device had checked in
                messages.info(request, _("The voters chosen were already checked in."))
        elif action == "absent" and len(voters) == 1:
            ok, _v = attempt(
                request, lambda: day.mark_absent(request.user, voters[0], reason=request.POST.get("reason", ""))
            )
            if ok:
                messages.success(request, _("Recorded."))
        elif action == "undo" and len(voters) == 1:
            attempt(request, lambda: day.undo_attendance(request.user, voters[0]))
        else:
            messages.error(request, _("Choose at least one voter."))
        query = request.POST.get("q", "")
        return redirect(request.path + (f"?{urlencode({'q': query})}" if query else ""))
    query = request.GET.get("q", "").strip()
    voters = conference.voters.all()
    if query:
        voters = queries.voters_found(voters, query)
    return render(
        request,
        "conferences/attendance.html",
        {
            "conference": conference,
            "voters": voters,
            "query": query,
            "quorum": day.quorum(conference),
            "open": day.attendance_open(conference),
        },
    )


@permission_required(VIEW)
def attendance_count(request, conference_id: int):
    """The live count, polled by the attendance page and the chair's panel."""
    conference = _conference(conference_id)
    context = _quorum_context(conference, chair=request.GET.get("for") == "chair")
    return HttpResponse(render_to_string("conferences/_quorum.html", context, request))


def _quorum_context(conference: Conference, *, chair: bool) -> dict:
    """The quorum, and on the chair's page during the session what the vote still needs (live)."""
    check = day.quorum(conference)
    needs = day.voting_needs(conference, check) if chair and conference.status == "in_session" else []
    return {"quorum": check, "conference": conference, "voting_needs": needs}


@permission_required(VIEW, post=CHAIR)
def chair_panel(request, conference_id: int):
    conference = _conference(conference_id)
    if request.method == "POST":
        action = request.POST.get("action")
        actions = {
            "open_conference": lambda: day.open_conference(
                request.user, conference, held_today=request.POST.get("held_today") == "1"
            ),
            "agenda": lambda: day.advance_agenda(
                request.user, conference, step=small_int(request.POST.get("step"), -1)
            ),
            "override": lambda: day.override_quorum(request.user, conference, reason=request.POST.get("reason", "")),
            "committee_vote": lambda: day.record_committee_approval(
                request.user,
                conference,
                votes_for=small_int(request.POST.get("votes_for"), -1),
                against=small_int(request.POST.get("against"), -1),
                abstaining=small_int(request.POST.get("abstaining"), -1),
                submission=request.POST.get("submission", ""),
            ),
            "open_voting": lambda: day.open_voting(request.user, conference),
            "close_voting": lambda: day.close_voting(request.user, conference),
            "publish": lambda: day.publish_results(request.user, conference),
        }
        if action == "adjourn":
            return _adjourn(request, conference)
        if action == "repeat_vote":
            return _repeat_vote(request, conference)
        if action in actions:
            ok, value = attempt(request, actions[action])
            if ok:
                if action == "committee_vote" and value is False:
                    messages.warning(
                        request,
                        _("The conference did not approve the counting committee: fewer than required voted for it."),
                    )
                else:
                    messages.success(request, _("Recorded."))
        return redirect("conferences:chair", conference.pk)
    today = timezone.localdate()
    return render(
        request,
        "conferences/chair.html",
        {
            "conference": conference,
            "adjourn_form": AdjournForm(),
            "open_forms": conference.ballot_forms.exclude(state=BallotForm.State.FINALISED)
            if conference.status in ("voting", "counting")
            else [],
            "adjournments": conference.adjournments.all(),
            **_quorum_context(conference, chair=True),
            "opening_needs": day.opening_needs(conference) if conference.status == "preparing" else [],
            # opened on another day than its date: said, and the chair confirms it is held today
            "another_day": conference.status == "preparing" and day.held_on_another_day(conference, today),
            "today": today,
            "submission": new_submission(),  # the one-time id of the page's forms (tinnhiem.once)
            "agenda": list(enumerate(label for _key, label in conference.agenda)),
            "committee": conference.committee.select_related("voter", "user"),
            "committee_minimum": conference.rules.committee.minimum_for(conference.campaign.body.level),
        },
    )


def _adjourn(request, conference):
    form = AdjournForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("conferences:chair", conference.pk)
    data = form.cleaned_data
    ok, adjournment = attempt(
        request,
        lambda: day.adjourn_conference(
            request.user,
            conference,
            reason=data["reason"],
            new_date=data["new_date"],
            start_time=data["start_time"],
        ),
    )
    if ok:
        messages.success(
            request,
            _(
                "The conference is adjourned to %(day)s and is being prepared again. Check in the voters and "
                "approve the counting committee at the next session; print the invitations again with the new day."
            )
            % {"day": f"{adjournment.new_date:%d/%m/%Y}"},
        )
    return redirect("conferences:chair", conference.pk)


def _repeat_vote(request, conference):
    """The chair's decision to hold the vote on one ballot form again (voting.usecases.repeat)."""
    from tinnhiem.voting.usecases import repeat

    form = conference.ballot_forms.filter(pk=small_int(request.POST.get("form"), 0)).first()
    if form is None:
        messages.error(request, _("Choose a ballot form."))
    elif not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm."))
    else:
        ok, _discarded = attempt(
            request,
            lambda: repeat.repeat_form_vote(
                request.user, form, reason=request.POST.get("reason", ""), submission=request.POST.get("submission", "")
            ),
        )
        if ok:
            messages.success(
                request,
                _(
                    "The vote on %(form)s is held again: nothing of the earlier vote is counted. Set its ballots "
                    "aside and seal them apart; hand out new ballots, or new code cards, and record them again."
                )
                % {"form": form.name},
            )
    return redirect("conferences:chair", conference.pk)


@permission_required(VIEW, post=PREPARE)
def committee(request, conference_id: int):
    conference = _conference(conference_id)
    users = get_user_model().objects.filter(groups__name="committee").order_by("username")
    if request.method == "POST":
        if request.POST.get("remove"):
            member = get_object_or_404(
                CommitteeMember, pk=small_int(request.POST.get("remove"), 0), conference=conference
            )
            attempt(request, lambda: day.remove_member(request.user, member))
        else:
            voter = conference.voters.filter(pk=small_int(request.POST.get("voter"), 0)).first()
            user = users.filter(pk=small_int(request.POST.get("user"), 0)).first() if request.POST.get("user") else None
            if voter is None:
                messages.error(request, _("Choose a voter present."))
            else:
                ok, _m = attempt(
                    request,
                    lambda: day.propose_member(
                        request.user, conference, voter=voter, role=request.POST.get("role", ""), user=user
                    ),
                )
                if ok:
                    messages.success(request, _("Added."))
        return redirect("conferences:committee", conference.pk)
    rated_names = {person_key(p.full_name) for p in conference.rated_persons.all()}
    taken = set(conference.committee.values_list("voter_id", flat=True))
    candidates = [
        v
        for v in conference.voters.filter(attendance=Voter.Attendance.PRESENT, rated_person__isnull=True)
        if v.pk not in taken and person_key(v.full_name) not in rated_names
    ]
    return render(
        request,
        "conferences/committee.html",
        {
            "conference": conference,
            "members": conference.committee.select_related("voter", "user"),
            "candidates": candidates,
            "users": users,
            "roles": CommitteeMember.Role.choices,
            "minimum": conference.rules.committee.minimum_for(conference.campaign.body.level),
            "citation": conference.rules.committee.citation.text,
            # only where the rule set has a minimum of its own for the district level (NQ 96/2023)
            "level_notice": conference.rules.committee.min_members_by_level.get(conference.campaign.body.level)
            and conference.campaign.body.level_notice(conference.date),
        },
    )


@permission_required(VIEW, post=(PREPARE, COUNT))
def ballot_forms(request, conference_id: int):
    conference = _conference(conference_id)
    if request.method == "POST":
        if request.POST.get("mode_form"):
            form = get_object_or_404(BallotForm, pk=small_int(request.POST.get("mode_form"), 0), conference=conference)
            attempt(request, lambda: day.set_counting_mode(request.user, form, mode=request.POST.get("mode", "")))
        elif request.POST.get("action") == "single":
            ok, _f = attempt(request, lambda: day.create_single_form(request.user, conference))
            if ok:
                messages.success(request, _("Added."))
        elif request.POST.get("edit_form"):
            form = get_object_or_404(BallotForm, pk=small_int(request.POST.get("edit_form"), 0), conference=conference)
            name, color = request.POST.get("name", ""), request.POST.get("color", "")
            ok, _f = attempt(request, lambda: day.update_ballot_form(request.user, form, name=name, color=color))
            if ok:
                messages.success(request, _("Saved."))
        elif request.POST.get("remove_form"):
            form = BallotForm.objects.filter(pk=small_int(request.POST.get("remove_form"), 0), conference=conference)
            form = form.first()  # None: removed already (a double click), nothing to do
            ok, names = attempt(request, lambda: day.remove_ballot_form(request.user, form)) if form else (False, [])
            if ok:
                if conference.ballot_forms.exists():
                    then = _("Put its persons on a form again: %(names)s.") % {"names": ", ".join(names)}
                else:
                    then = _("With no form left, opening the conference makes one form with every person.")
                messages.success(
                    request, _("The ballot form “%(name)s” was removed.") % {"name": form.name} + " " + then
                )
        elif request.POST.get("action") == "groups":
            ok, made = attempt(request, lambda: day.create_group_forms(request.user, conference))
            if ok and made:
                messages.success(
                    request,
                    ngettext("%(n)s ballot form was made.", "%(n)s ballot forms were made.", len(made))
                    % {"n": len(made)},
                )
        else:
            ids = [small_int(v, 0) for v in request.POST.getlist("people")]
            people = list(conference.rated_persons.filter(pk__in=ids, decision=RatedPerson.Decision.RATED))
            ok, _f = attempt(
                request,
                lambda: day.create_ballot_form(
                    request.user,
                    conference,
                    name=request.POST.get("name", ""),
                    people=people,
                    color=request.POST.get("color", ""),
                ),
            )
            if ok:
                messages.success(request, _("Added."))
        return redirect("conferences:ballot_forms", conference.pk)
    people = conference.rated_persons.filter(decision=RatedPerson.Decision.RATED).select_related("ballot_form")
    return render(
        request,
        "conferences/ballot_forms.html",
        {
            "conference": conference,
            "forms": conference.ballot_forms.all(),
            "people": people,
            "groups": list(day.ballot_groups(conference).items()),
            "modes": BallotForm.Mode.choices,
        },
    )
