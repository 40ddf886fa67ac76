"""The conference day: attendance and quorum, agenda, counting committee, ballot forms, opening
and closing the vote, publishing the results (QĐ 96-QĐ/TW Điều 9 bước 2)."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tinnhiem.accounts.roles import CHAIR, COUNT, PREPARE, require
from tinnhiem.audit.log import changed, record, values_of
from tinnhiem.audit.models import Event
from tinnhiem.i18n import official_language, rule_words
from tinnhiem.once import AlreadyDone, submission_key
from tinnhiem.rules import QuorumCheck, TallyError, check_committee_approval, check_quorum
from tinnhiem.text import clean_block, clean_line, fold, person_key

from ..models import Adjournment, BallotForm, CommitteeMember, Conference, RatedPerson, Voter
from .campaigns import check_new_date, check_not_cancelled

S = Conference.Status


def require_any(user: Any, *perms: str) -> None:
    if not any(getattr(user, "is_authenticated", False) and user.has_perm(p) for p in perms):
        raise PermissionDenied(" | ".join(perms))


def _locked(conference: Conference) -> Conference:
    return Conference.objects.select_for_update().select_related("campaign__body").get(pk=conference.pk)


def quorum(conference: Conference) -> QuorumCheck:
    """Present against convened under the rule set (QĐ 96: at least 2/3)."""
    convened = conference.voters.count()
    if convened == 0:
        rule = conference.rules.quorum
        return QuorumCheck(False, 0, 0, 0, rule.citation if rule else None)
    present = conference.voters.filter(attendance=Voter.Attendance.PRESENT).count()
    return check_quorum(conference.rules, present, convened)


# --- attendance -----------------------------------------------------------------------------


def attendance_open(conference: Conference) -> bool:
    """Attendance changes until voting closes (a late arrival may still vote), and not at a
    cancelled conference."""
    return conference.status not in (S.COUNTING, S.FINISHED, S.CANCELLED)


def _check_attendance_open(conference: Conference) -> None:
    check_not_cancelled(conference)
    if not attendance_open(conference):
        raise ValidationError(_("Voting is closed; attendance can no longer change."))


@transaction.atomic
def check_in(actor: Any, conference: Conference, voters: list[Voter]) -> int:
    """Mark voters present (one or many at once). A voter arriving after the vote opened is marked late."""
    require_any(actor, PREPARE, CHAIR)
    conference = _locked(conference)
    _check_attendance_open(conference)
    ids = [v.pk for v in voters]
    targets = conference.voters.filter(pk__in=ids).exclude(attendance=Voter.Attendance.PRESENT)
    if len(set(ids)) != conference.voters.filter(pk__in=ids).count():
        raise ValidationError(_("A voter is not on the roll of this conference."))
    arrived = list(targets.values_list("pk", flat=True))
    targets.update(attendance=Voter.Attendance.PRESENT, absence_reason="", arrived_late=conference.status == S.VOTING)
    if arrived:
        record(
            actor,
            "attendance.checked_in",
            conference=conference,
            data={"voters": arrived, "late": conference.status == S.VOTING},
        )
    return len(arrived)


@transaction.atomic
def mark_absent(actor: Any, voter: Voter, *, reason: str) -> Voter:
    require_any(actor, PREPARE, CHAIR)
    conference = _locked(voter.conference)
    _check_attendance_open(conference)
    voter = Voter.objects.select_for_update().get(pk=voter.pk)
    if conference.status == S.VOTING and voter.attendance == Voter.Attendance.PRESENT:
        raise ValidationError(_("The vote is open; a voter checked in cannot be marked absent now."))
    if conference.committee.filter(voter=voter).exists():
        raise ValidationError(_("This voter is on the counting committee."))
    reason = clean_line(reason)  # one line, in the minutes' list of the absent
    if len(reason) > (most := Voter._meta.get_field("absence_reason").max_length):
        raise ValidationError(
            _("The reason for absence is at most %(max)s characters (this one has %(n)s): shorten it.")
            % {"max": most, "n": len(reason)}
        )
    voter.attendance, voter.absence_reason, voter.arrived_late = Voter.Attendance.ABSENT, reason, False
    voter.save(update_fields=["attendance", "absence_reason", "arrived_late"])
    record(actor, "attendance.absent", conference=conference, data={"voter": voter.pk, "reason": voter.absence_reason})
    return voter


@transaction.atomic
def undo_attendance(actor: Any, voter: Voter) -> Voter:
    """A mistaken check-in or absence, corrected before the vote opens."""
    require_any(actor, PREPARE, CHAIR)
    conference = _locked(voter.conference)
    if conference.status not in (S.PREPARING, S.IN_SESSION):
        raise ValidationError(_("The vote has opened; attendance can only be added, not undone."))
    if conference.committee.filter(voter=voter).exists():
        raise ValidationError(_("This voter is on the counting committee."))
    voter = Voter.objects.select_for_update().get(pk=voter.pk)
    voter.attendance, voter.absence_reason, voter.arrived_late = "", "", False
    voter.save(update_fields=["attendance", "absence_reason", "arrived_late"])
    record(actor, "attendance.undone", conference=conference, data={"voter": voter.pk})
    return voter


# --- chair: opening, agenda, quorum override -------------------------------------------------


def _single_form_name() -> str:
    """The name of the one form with every rated person: made at opening, or beforehand. Stored,
    and printed: in Vietnamese."""
    with official_language():
        return _("Confidence ballot")


def _default_form(conference: Conference) -> None:
    if not conference.ballot_forms.exists():
        form = BallotForm.objects.create(conference=conference, order=1, name=_single_form_name())
        conference.rated_persons.filter(decision=RatedPerson.Decision.RATED).update(ballot_form=form)


def opening_needs(conference: Conference) -> list[str]:
    """What the conference still lacks to be opened, in words; [] when it can be. The chair's page
    lists it under the button, and ``open_conference`` refuses with it."""
    needs = []
    people = conference.rated_persons.filter(decision=RatedPerson.Decision.RATED)
    if not people.exists():
        needs.append(_("There is no rated person on the ballot."))
    elif conference.ballot_forms.exists() and people.filter(ballot_form__isnull=True).exists():
        needs.append(_("Every rated person must be on a ballot form."))
    if not conference.voters.exists():
        needs.append(_("The voter roll is empty."))
    from tinnhiem.documents.ballots import people_unfit

    unfit = people_unfit(conference.rules, list(people.values_list("full_name", "post")))
    if unfit:  # the list no longer changes once open: the ballots could never be printed
        needs.append(" ".join([*unfit, _("Shorten it on the Rated persons page: its ballots could not be printed.")]))
    return needs


def voting_needs(conference: Conference, check: QuorumCheck | None = None) -> list[str]:
    """What the session still lacks for the vote to open, in words; [] when it can: a quorum
    (QĐ 96: at least 2/3 present) or the chair's recorded override, and a counting committee
    approved by the conference. The chair's page lists it under the button (the quorum live)."""
    check = check or quorum(conference)
    needs = []
    if not check.quorate and not conference.quorum_override_reason:
        needs.append(
            _(
                "No quorum: %(present)s present of %(convened)s convened; at least %(required)s are needed (%(citation)s)."
            )
            % {
                "present": check.present,
                "convened": check.convened,
                "required": check.required,
                "citation": rule_words(check.citation.text) if check.citation else "",
            }
        )
    if not conference.committee_approved:
        needs.append(_("The counting committee has not been approved by the conference."))
    return needs


def held_on_another_day(conference: Conference, today: date | None = None) -> bool:
    """Whether the conference would be opened on a day that is not its date: the meeting was moved
    and its date not changed, or the wrong conference is about to be opened."""
    return conference.date != (today or timezone.localdate())


@transaction.atomic
def open_conference(
    actor: Any, conference: Conference, *, held_today: bool = False, today: date | None = None
) -> Conference:
    """The chair opens the session. On a day that is not the conference's date, only with
    ``held_today`` (the chair confirms it is held today): its date becomes today, logged, since the
    minutes print the day it was held; otherwise refused, and nothing changes."""
    require(actor, CHAIR)
    conference = _locked(conference)
    check_not_cancelled(conference)
    if conference.status != S.PREPARING:
        raise AlreadyDone(_("The conference is already open."))
    needs = opening_needs(conference)
    if needs:
        raise ValidationError(needs)
    today = today or timezone.localdate()
    if held_on_another_day(conference, today):
        if not held_today:
            raise ValidationError(
                _(
                    "This conference is set for %(date)s, not today (%(today)s by the server's clock). If it "
                    "is held today, tick “Held today” and open it again: its date becomes today, as the "
                    "minutes print it. If not, this is another conference's day: open that one; if the "
                    "clock is wrong, have it set right first."
                )
                % {"date": f"{conference.date:%d/%m/%Y}", "today": f"{today:%d/%m/%Y}"}
            )
        check_new_date(conference, today, today)
        conference.date = today
        conference.save(update_fields=["date"])
        record(actor, "conference.updated", conference=conference, data={"date": today.isoformat()})
    _default_form(conference)
    conference.status, conference.agenda_step = S.IN_SESSION, 0
    conference.save(update_fields=["status", "agenda_step"])
    record(actor, "conference.opened", conference=conference, data={"convened": conference.voters.count()})
    return conference


@transaction.atomic
def advance_agenda(actor: Any, conference: Conference, *, step: int) -> Conference:
    require(actor, CHAIR)
    conference = _locked(conference)
    if conference.status == S.PREPARING:
        raise ValidationError(_("Open the conference first."))
    if not 0 <= step < len(Conference.AGENDA):
        raise ValidationError(_("Unknown agenda item."))
    conference.agenda_step = step
    conference.save(update_fields=["agenda_step"])
    record(actor, "agenda.advanced", conference=conference, data={"step": Conference.AGENDA[step][0]})
    return conference


@transaction.atomic
def override_quorum(actor: Any, conference: Conference, *, reason: str) -> Conference:
    """The chair records why the vote may open without the 2/3 quorum; it goes into the minutes."""
    require(actor, CHAIR)
    conference = _locked(conference)
    if not reason.strip():
        raise ValidationError(_("Give the reason for opening the vote without a quorum."))
    if conference.status not in (S.IN_SESSION,):
        raise ValidationError(_("The quorum override is recorded during the session, before the vote opens."))
    check = quorum(conference)
    conference.quorum_override_reason = reason
    conference.save(update_fields=["quorum_override_reason"])
    record(
        actor,
        "quorum.overridden",
        conference=conference,
        data={
            "present": check.present,
            "convened": check.convened,
            "required": check.required,
            "reason": conference.quorum_override_reason,
        },
    )
    return conference


@transaction.atomic
def adjourn_conference(
    actor: Any,
    conference: Conference,
    *,
    reason: str,
    new_date: date | None,
    start_time: time | None = None,
    today: date | None = None,
) -> Adjournment:
    """The chair adjourns the session before the vote opens, most often for want of a quorum (QĐ 96:
    "chỉ được tiến hành khi có ít nhất 2/3 số người được triệu tập có mặt"), to a later day. The
    conference goes back to preparation with the new date: its lists, ballot forms, code cards,
    dossiers and opinions stay; the session's attendance, agenda, quorum override and counting
    committee are cleared, as the next session takes them again. The audit log keeps all of it.
    Sending the same adjournment twice (a double click) records it once."""
    from tinnhiem.voting.models import CodeCard  # voting builds on conferences

    require(actor, CHAIR)
    conference = _locked(conference)
    today = today or timezone.localdate()
    reason = clean_block(reason)
    last = conference.adjournments.last()
    if (
        conference.status == S.PREPARING
        and last is not None
        and (last.session_date, last.new_date, last.reason) == (today, new_date, reason)
    ):
        return last
    if conference.status == S.PREPARING:
        raise ValidationError(_("The conference has not been opened; change its date on the conference's page."))
    if conference.status != S.IN_SESSION:
        raise ValidationError(_("The vote has opened; the conference can no longer be adjourned."))
    if not reason:
        raise ValidationError(_("Give the reason for adjourning the conference."))
    if new_date is None:
        raise ValidationError(_("Give the day the conference will be held again."))
    if new_date <= today:
        raise ValidationError(
            _("The conference is adjourned to a later day than today (%(today)s).") % {"today": f"{today:%d/%m/%Y}"}
        )
    check_new_date(conference, new_date, today)
    check = quorum(conference)
    members = list(conference.committee.select_related("voter"))
    adjournment = Adjournment.objects.create(
        conference=conference,
        session_date=today,
        new_date=new_date,
        reason=reason,
        present=check.present,
        convened=check.convened,
        required=check.required,
    )
    conference.committee.all().delete()
    # code cards handed out at the session left the hall with the voters: they stop working, and
    # the next session hands out a new print run
    handed_out = {}
    for form in conference.ballot_forms.filter(cards_issued__gt=0):
        handed_out[form.name] = form.code_cards.filter(state=CodeCard.State.UNUSED).update(state=CodeCard.State.VOID)
        form.cards_issued = 0
        form.save(update_fields=["cards_issued"])
    conference.voters.update(attendance=Voter.Attendance.UNKNOWN, absence_reason="", arrived_late=False)
    old = conference.date
    conference.status, conference.agenda_step, conference.date = S.PREPARING, 0, new_date
    if start_time is not None:
        conference.start_time = start_time
    conference.quorum_override_reason = ""
    conference.committee_approved = False
    conference.committee_votes_for = conference.committee_votes_against = None
    conference.committee_votes_abstaining = None
    conference.save()
    record(
        actor,
        "conference.adjourned",
        conference=conference,
        data={
            "reason": reason,
            "from": old.isoformat(),
            "to": new_date.isoformat(),
            "start_time": conference.start_time.isoformat() if conference.start_time else None,
            "present": check.present,
            "convened": check.convened,
            "required": check.required,
            "committee": [f"{m.voter.full_name} ({m.get_role_display()})" for m in members],
            "voided": handed_out or None,
        },
    )
    return adjournment


# --- counting committee -------------------------------------------------------------------


def _rated_names(conference: Conference) -> set[str]:
    return {person_key(p.full_name) for p in conference.rated_persons.all()}


@transaction.atomic
def propose_member(actor: Any, conference: Conference, *, voter: Voter, role: str, user: Any | None) -> CommitteeMember:
    """The office proposes a member from the voters present; members are never rated persons."""
    require(actor, PREPARE)
    conference = _locked(conference)
    if conference.status not in (S.PREPARING, S.IN_SESSION) or conference.committee_approved:
        raise ValidationError(_("The counting committee has been approved; its list can no longer change."))
    voter = Voter.objects.filter(pk=voter.pk, conference=conference).first()  # current state, not the caller's copy
    if voter is None:
        raise ValidationError(_("A voter is not on the roll of this conference."))
    if voter.attendance != Voter.Attendance.PRESENT:
        raise ValidationError(_("%(name)s is not checked in as present.") % {"name": voter.full_name})
    if voter.rated_person_id is not None or person_key(voter.full_name) in _rated_names(conference):
        raise ValidationError(
            _("%(name)s is a rated person and cannot be on the counting committee.") % {"name": voter.full_name}
        )
    if role not in CommitteeMember.Role.values:
        raise ValidationError(_("Unknown role."))
    if (
        role in (CommitteeMember.Role.HEAD, CommitteeMember.Role.SECRETARY)
        and conference.committee.filter(role=role).exists()
    ):
        raise ValidationError(_("The committee already has a %(role)s.") % {"role": CommitteeMember.Role(role).label})
    if user is not None:
        if not user.has_perm(COUNT):
            raise ValidationError(
                _("The account %(user)s does not have the counting committee role.") % {"user": user.get_username()}
            )
        if conference.committee.filter(user=user).exists():
            raise ValidationError(
                _("The account %(user)s is already used by another member.") % {"user": user.get_username()}
            )
    if conference.committee.filter(voter=voter).exists():
        raise ValidationError(_("%(name)s is already on the committee.") % {"name": voter.full_name})
    member = CommitteeMember.objects.create(conference=conference, voter=voter, role=role, user=user)
    record(
        actor,
        "committee.proposed",
        conference=conference,
        data={"member": member.pk, "voter": voter.pk, "role": role, "user": user.get_username() if user else None},
    )
    return member


@transaction.atomic
def remove_member(actor: Any, member: CommitteeMember) -> None:
    require(actor, PREPARE)
    conference = _locked(member.conference)
    if conference.committee_approved:
        raise ValidationError(_("The counting committee has been approved; its list can no longer change."))
    data = {"member": member.pk, "voter": member.voter_id}
    member.delete()
    record(actor, "committee.removed", conference=conference, data=data)


@transaction.atomic
def record_committee_approval(
    actor: Any, conference: Conference, *, votes_for: int, against: int, abstaining: int, submission: str = ""
) -> bool:
    """The conference approves the list by show of hands: more than half of those present by default.
    A show of hands that fails may be held again, and may give the same figures; ``submission``,
    the page's one-time id, tells that apart from the same page sent twice (a double click, the
    browser's Back): the log holds the key of the page that recorded a vote."""
    require(actor, CHAIR)
    conference = _locked(conference)
    key = submission_key(
        submission,
        "committee.vote",
        {"conference": conference.pk, "for": votes_for, "against": against, "abstaining": abstaining},
    )
    if key and Event.objects.filter(action="committee.vote", data__submission=key).exists():
        raise AlreadyDone(_("This show of hands has already been recorded."))
    if conference.committee_approved and (
        conference.committee_votes_for,
        conference.committee_votes_against,
        conference.committee_votes_abstaining,
    ) == (votes_for, against, abstaining):  # the same show of hands sent twice
        raise AlreadyDone(_("The counting committee has already been approved."))
    if conference.status != S.IN_SESSION:
        raise ValidationError(_("The committee is approved during the session, before the vote opens."))
    if conference.committee_approved:
        raise ValidationError(_("The counting committee has already been approved."))
    members = list(conference.committee.all())
    minimum = conference.rules.committee.minimum_for(conference.campaign.body.level)
    if len(members) < minimum:
        raise ValidationError(
            _("The counting committee needs at least %(min)s members under %(rules)s (%(citation)s).")
            % {
                "min": minimum,
                "rules": conference.rules.short_name,
                "citation": rule_words(conference.rules.committee.citation.text),
            }
        )
    if sum(1 for m in members if m.role == CommitteeMember.Role.HEAD) != 1:
        raise ValidationError(_("The counting committee needs exactly one head (Trưởng ban)."))
    present = quorum(conference).present
    try:
        check = check_committee_approval(conference.rules, votes_for, against, abstaining, present)
    except TallyError as exc:
        raise ValidationError(exc.translated(_)) from exc
    conference.committee_votes_for, conference.committee_votes_against, conference.committee_votes_abstaining = (
        votes_for,
        against,
        abstaining,
    )
    conference.committee_approved = check.approved
    conference.save(
        update_fields=[
            "committee_votes_for",
            "committee_votes_against",
            "committee_votes_abstaining",
            "committee_approved",
        ]
    )
    record(
        actor,
        "committee.vote",
        conference=conference,
        data={
            "for": votes_for,
            "against": against,
            "abstaining": abstaining,
            "present": present,
            "required": check.required,
            "approved": check.approved,
        }
        | ({"submission": key} if key else {}),
    )
    return check.approved


# --- ballot forms -------------------------------------------------------------------------


def _check_forms_open(conference: Conference) -> None:
    if conference.status != S.PREPARING:
        raise ValidationError(_("Ballot forms are set before the conference opens."))


_COLOUR = re.compile(r"#?([0-9a-f]{3}|[0-9a-f]{6})")


def paper_colour(text: str) -> str:
    """The colour of the paper a form is printed on, as the ballot's band prints it: #rrggbb (or
    #rgb; the # may be left out), or empty for white paper. A colour named in words ("vàng") is
    refused here: the ballot could not be printed with it."""
    text = text.strip().lower()
    if not text:
        return ""
    if (found := _COLOUR.fullmatch(text)) is None:
        raise ValidationError(
            _("Write the paper colour as a colour code, e.g. #ffe9a8 (light yellow); leave it empty for white paper.")
        )
    return "#" + found.group(1)


@transaction.atomic
def create_ballot_form(
    actor: Any,
    conference: Conference,
    *,
    name: str,
    people: list[RatedPerson],
    color: str = "",
    mode: str = BallotForm.Mode.DOUBLE_ENTRY,
) -> BallotForm:
    """Several forms, each a group of rated persons (the National Assembly prints one colour per group)."""
    require(actor, PREPARE)
    conference = _locked(conference)
    _check_forms_open(conference)
    color = paper_colour(color)
    if not people:
        raise ValidationError(_("Choose the rated persons of this form."))
    if any(p.conference_id != conference.pk for p in people):
        raise ValidationError(_("This person is not rated at this conference."))
    order = (conference.ballot_forms.aggregate(m=Max("order"))["m"] or 0) + 1
    form = BallotForm(conference=conference, order=order, name=name, color=color, mode=mode)
    form.full_clean(exclude=["conference"])
    form.save()
    RatedPerson.objects.filter(pk__in=[p.pk for p in people]).update(ballot_form=form)
    BallotForm.objects.filter(conference=conference).exclude(pk=form.pk).filter(people__isnull=True).delete()
    record(
        actor,
        "ballot_form.created",
        conference=conference,
        data={"form": form.pk, "name": form.name, "people": [p.pk for p in people]},
    )
    return form


@transaction.atomic
def update_ballot_form(actor: Any, form: BallotForm, *, name: str, color: str) -> BallotForm:
    """A form's name and paper colour, before the conference opens (a form made per group is named
    after its group and has no colour yet). Its persons change by making a new form with them."""
    require(actor, PREPARE)
    conference = _locked(form.conference)
    form = BallotForm.objects.select_for_update().get(pk=form.pk, conference=conference)
    _check_forms_open(conference)
    before = values_of(form, ["name", "color"])
    form.name, form.color = clean_line(name), paper_colour(color)
    form.full_clean(exclude=["conference"])
    if not changed(form, before):
        return form
    form.save(update_fields=["name", "color"])
    record(
        actor,
        "ballot_form.updated",
        conference=conference,
        data={"form": form.pk, "name": form.name, "color": form.color},
    )
    return form


@transaction.atomic
def remove_ballot_form(actor: Any, form: BallotForm) -> list[str]:
    """Remove a form made by mistake, before the conference opens; its persons are then on no form,
    to be put on another (or on the one form opening the conference makes, when no form is left).
    Returns their names. Ballots or code cards printed for it no longer count: a scan of them is
    refused as of a removed form ("removed_form"), and its codes go with it."""
    require(actor, PREPARE)
    conference = _locked(form.conference)
    form = BallotForm.objects.select_for_update().filter(pk=form.pk, conference=conference).first()
    if form is None:  # removed already (a double click, a page sent again)
        return []
    _check_forms_open(conference)
    people = list(form.people.order_by("order", "id").values_list("pk", "full_name"))
    data = {"form": form.pk, "name": form.name, "people": [pk for pk, _name in people]}
    form.delete()
    record(actor, "ballot_form.removed", conference=conference, data=data)
    return [name for _pk, name in people]


@transaction.atomic
def create_single_form(actor: Any, conference: Conference) -> BallotForm:
    """One ballot form with every rated person, as opening the conference would make it, so that
    its paper ballots and code cards can be printed beforehand. Sent twice (a double click), the
    second call returns the form the first made."""
    require(actor, PREPARE)
    conference = _locked(conference)
    existing = conference.ballot_forms.first()
    if existing is not None:
        return existing
    people = list(conference.rated_persons.filter(decision=RatedPerson.Decision.RATED))
    if not people:
        raise ValidationError(_("There is no rated person on the ballot."))
    return create_ballot_form(actor, conference, name=_single_form_name(), people=people)


def ballot_groups(conference: Conference) -> dict[str, list[RatedPerson]]:
    """The ballot groups of the persons on the ballot not yet on a form, in the order of the list
    (a group comes where its first person does), each with its persons. Two spellings of one group
    (case, spaces) are one group, under its first spelling."""
    groups: dict[str, list[RatedPerson]] = {}
    names: dict[str, str] = {}
    people = conference.rated_persons.filter(decision=RatedPerson.Decision.RATED, ballot_form__isnull=True)
    for person in people.order_by("order", "id"):
        key = fold(person.group)
        if key:
            groups.setdefault(names.setdefault(key, clean_line(person.group)), []).append(person)
    return groups


@transaction.atomic
def create_group_forms(actor: Any, conference: Conference) -> list[BallotForm]:
    """One ballot form per ballot group of the list of rated persons (the group column of its
    Excel file), named after the group, with its persons: what the office would otherwise do form
    by form, ticking each person. Every person on the ballot not yet on a form must have a group;
    those who have none are named. Sent twice (a double click), the second call makes nothing."""
    require(actor, PREPARE)
    conference = _locked(conference)
    _check_forms_open(conference)
    waiting = conference.rated_persons.filter(decision=RatedPerson.Decision.RATED, ballot_form__isnull=True)
    if not waiting.exists():
        return []
    if without := [p.full_name for p in waiting.order_by("order", "id") if not fold(p.group)]:
        raise ValidationError(
            _(
                "No ballot group for: %(names)s. Give each a group (Edit, on the list of rated persons), "
                "or put them on a form by hand below."
            )
            % {"names": ", ".join(without)}
        )
    taken = {fold(f.name) for f in conference.ballot_forms.all()}
    groups = ballot_groups(conference)
    if clash := [name for name in groups if fold(name) in taken]:
        raise ValidationError(
            _("A ballot form is already named %(name)s: add its persons to a form by hand below.") % {"name": clash[0]}
        )
    return [create_ballot_form(actor, conference, name=name, people=people) for name, people in groups.items()]


@transaction.atomic
def set_counting_mode(actor: Any, form: BallotForm, *, mode: str) -> BallotForm:
    require_any(actor, PREPARE, COUNT)
    form = BallotForm.objects.select_for_update().get(pk=form.pk)
    started = (
        form.state != BallotForm.State.OPEN
        or form.entry_sessions.exists()
        or form.hand_totals.exists()
        or form.scanned_pages.exists()  # the scanned ballots would drop out of the count
        or form.scanned_ballots.exists()  # as would those the committee read on paper
    )
    if started:
        raise ValidationError(_("Counting has started; the counting mode can no longer change."))
    if mode not in BallotForm.Mode.values:
        raise ValidationError(_("Unknown counting mode."))
    form.mode = mode
    form.save(update_fields=["mode"])
    record(actor, "ballot_form.mode", conference=form.conference_id, data={"form": form.pk, "mode": mode})
    return form


# --- opening and closing the vote, publishing -----------------------------------------------


@transaction.atomic
def open_voting(actor: Any, conference: Conference) -> Conference:
    """Only with a quorum (QĐ 96: at least 2/3 present) or the chair's recorded override, and an
    approved counting committee."""
    require(actor, CHAIR)
    conference = _locked(conference)
    if conference.status in (S.VOTING, S.COUNTING, S.FINISHED):
        raise AlreadyDone(_("The vote has already been opened."))
    if conference.status != S.IN_SESSION:
        raise ValidationError(_("The vote can only be opened during the session."))
    check = quorum(conference)
    needs = voting_needs(conference, check)
    if needs:
        raise ValidationError(needs)
    conference.status = S.VOTING
    conference.agenda_step = max(conference.agenda_step, 5)
    conference.save(update_fields=["status", "agenda_step"])
    record(
        actor,
        "voting.opened",
        conference=conference,
        data={"present": check.present, "convened": check.convened, "quorate": check.quorate},
    )
    return conference


@transaction.atomic
def close_voting(actor: Any, conference: Conference) -> Conference:
    require(actor, CHAIR)
    conference = _locked(conference)
    if conference.status in (S.COUNTING, S.FINISHED):
        raise AlreadyDone(_("The vote has already been closed."))
    if conference.status != S.VOTING:
        raise ValidationError(_("The vote is not open."))
    from tinnhiem.voting.usecases.evote import ensure_closed  # the phones' vote closes with the hall's

    ensure_closed(actor, conference)
    conference.status = S.COUNTING
    conference.agenda_step = len(Conference.AGENDA) - 1
    conference.save(update_fields=["status", "agenda_step"])
    record(actor, "voting.closed", conference=conference)
    return conference


@transaction.atomic
def publish_results(actor: Any, conference: Conference) -> Conference:
    require(actor, CHAIR)
    conference = _locked(conference)
    if conference.results_published:
        raise AlreadyDone(_("The results have already been published."))
    if conference.status != S.FINISHED:
        raise ValidationError(_("The results can be published once every ballot form is finalised."))
    conference.results_published = True
    conference.save(update_fields=["results_published"])
    record(actor, "results.published", conference=conference)
    return conference
