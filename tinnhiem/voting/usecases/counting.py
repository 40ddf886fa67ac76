"""Counting paper ballots: issued and collected, double entry, differences and their resolution,
hand-counted totals, rulings, finalising and corrections. The counting core does all arithmetic."""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tinnhiem.accounts.roles import COUNT, require
from tinnhiem.audit.chain import result_sha256
from tinnhiem.audit.log import actor_name, record
from tinnhiem.conferences.models import BallotForm, CommitteeMember, Conference, RatedPerson, Voter
from tinnhiem.i18n import official_language
from tinnhiem.once import AlreadyDone, short_key
from tinnhiem.rules import (
    Ballot,
    BallotCounts,
    PersonTotals,
    RulesError,
    RuleSet,
    TallyResult,
    compute_result,
    sum_ballots,
    tally_ballots,
)
from tinnhiem.rules.report import result_to_json
from tinnhiem.text import clean_line

from ..models import (
    NO_MARK,
    SEVERAL_MARKS,
    EntryRow,
    EntrySession,
    FormResult,
    HandTotal,
    Resolution,
    Ruling,
)

F = BallotForm.State


class DeviceConflict(ValidationError):
    """The entry session is open on another device."""


def device_hash(device_key: str) -> str:
    return hashlib.sha256(device_key.encode()).hexdigest()


def member_for(actor: Any, conference: Conference) -> CommitteeMember:
    """The approved committee member behind this login, or PermissionDenied."""
    require(actor, COUNT)
    member = conference.committee.filter(user=actor).select_related("voter").first()
    if member is None or not conference.committee_approved:
        raise PermissionDenied("not an approved member of this conference's counting committee")
    return member


def member_for_or_none(actor: Any, conference: Conference) -> CommitteeMember | None:
    try:
        return member_for(actor, conference)
    except PermissionDenied:
        return None


def _form(form: BallotForm) -> BallotForm:
    return BallotForm.objects.select_for_update().select_related("conference__campaign__body").get(pk=form.pk)


def _rules(form: BallotForm) -> RuleSet:
    return form.conference.rules


def people_of(form: BallotForm) -> list[RatedPerson]:
    return list(form.people_on_ballot())


def refuse_if_finalised(form: BallotForm) -> None:
    """A finalised form's numbers are its result and minutes: changed only by a correction."""
    if form.state == F.FINALISED:
        raise ValidationError(
            _("This ballot form is finalised; a change needs a correction approved by the committee.")
        )


def _check_counting_open(form: BallotForm) -> None:
    refuse_if_finalised(form)
    if form.conference.status not in (Conference.Status.VOTING, Conference.Status.COUNTING):
        raise ValidationError(_("Counting starts when the vote has been opened."))


# --- issued and collected -------------------------------------------------------------------


def present_count(conference: Conference) -> int:
    return conference.voters.filter(attendance=Voter.Attendance.PRESENT).count()


def totals_issued_collected(form: BallotForm) -> tuple[int | None, int | None]:
    """Paper and electronic together: issued = ballots + cards issued; collected = ballots
    collected + electronic ballots stored. None while the paper counts are not recorded."""
    electronic = form.evote != BallotForm.EVote.NOT_USED
    issued = form.issued if form.issued is not None else (0 if electronic else None)
    collected = form.collected if form.collected is not None else (0 if electronic else None)
    if issued is None or collected is None:
        return None, None
    return issued + form.cards_issued, collected + form.electronic_ballots.count()


def reconciliation_problems(form: BallotForm) -> list[str]:
    """What must be explained in writing before counting can finish (collected ≤ issued ≤ present)."""
    problems = []
    present = present_count(form.conference)
    issued, collected = totals_issued_collected(form)
    if issued is not None and issued < present:
        problems.append(_("%(n)s present voters did not receive a ballot.") % {"n": present - issued})
    if issued is not None and collected is not None and collected < issued:
        problems.append(_("%(n)s issued ballots were not collected.") % {"n": issued - collected})
    return problems


@transaction.atomic
def record_ballot_counts(
    actor: Any, form: BallotForm, *, issued: int, collected: int, spoilt: int = 0, note: str = ""
) -> BallotForm:
    form = _form(form)
    member = member_for(actor, form.conference)
    _check_counting_open(form)
    present = present_count(form.conference)
    if min(issued, collected, spoilt) < 0:
        raise ValidationError(_("Counts cannot be negative."))
    if issued + form.cards_issued > present:  # paper ballots and code cards together
        raise ValidationError(
            _("Ballots issued (%(issued)s) cannot exceed the voters present (%(present)s).")
            % {"issued": issued + form.cards_issued, "present": present}
        )
    if collected > issued:
        raise ValidationError(
            _(
                "Ballots collected (%(collected)s) cannot exceed ballots issued (%(issued)s). Count both again; "
                "if the ballot box still holds more ballots than were issued, tell the chair, who may have the vote "
                "on this ballot form held again. Nothing was saved."
            )
            % {"collected": collected, "issued": issued}
        )
    highest = EntryRow.objects.filter(session__form=form).aggregate(m=Max("position"))["m"] or 0
    if collected < highest:
        raise ValidationError(_("Ballots up to position %(n)s have already been entered.") % {"n": highest})
    form.issued, form.collected, form.spoilt, form.reconciliation_note = issued, collected, spoilt, note
    form.save(update_fields=["issued", "collected", "spoilt", "reconciliation_note"])
    record(
        actor,
        "ballots.counted",
        conference=form.conference,
        data={
            "form": form.pk,
            "issued": issued,
            "collected": collected,
            "spoilt": spoilt,
            "present": present,
            "note": form.reconciliation_note,
            "member": member.pk,
        },
    )
    return form


# --- double entry -----------------------------------------------------------------------------


@transaction.atomic
def start_entry(actor: Any, form: BallotForm, *, device_key: str, take_over: bool = False) -> EntrySession:
    """Open (or reopen) this member's pass over the stack. Two passes, by two members, per form."""
    form = _form(form)
    member = member_for(actor, form.conference)
    _check_counting_open(form)
    if form.mode != BallotForm.Mode.DOUBLE_ENTRY:
        raise ValidationError(_("This ballot form is counted by totals, not ballot by ballot."))
    if form.collected is None:
        raise ValidationError(_("Record the ballots issued and collected first."))
    session = form.entry_sessions.filter(member=member).first()
    if session is not None:
        if session.device_key_hash != device_hash(device_key):
            if not take_over:
                raise DeviceConflict(
                    _("Your entry session is open on another device. Continue there, or move it to this device.")
                )
            session.device_key_hash = device_hash(device_key)
            session.save(update_fields=["device_key_hash"])
            record(
                actor,
                "entry.moved_device",
                conference=form.conference,
                data={"form": form.pk, "pass": session.pass_label},
            )
        return session
    taken = set(form.entry_sessions.values_list("pass_label", flat=True))
    free = [label for label in ("A", "B") if label not in taken]
    if not free:
        raise ValidationError(_("Two members are already entering this form."))
    session = EntrySession.objects.create(
        form=form, member=member, pass_label=free[0], device_key_hash=device_hash(device_key)
    )
    if form.state == F.OPEN:
        form.state = F.COUNTING
        form.save(update_fields=["state"])
    record(
        actor,
        "entry.started",
        conference=form.conference,
        data={"form": form.pk, "pass": session.pass_label, "member": member.pk},
    )
    return session


INVALID_REASON_MAX = 255  # the column of the reason a whole ballot is invalid


def clean_invalid_reason(text: str) -> str:
    """The reason a whole ballot is invalid, as it goes into the minutes: one line, not too long."""
    text = clean_line(text)
    if len(text) > INVALID_REASON_MAX:
        raise ValidationError(
            _("The reason a ballot is invalid is at most %(max)s characters; this one has %(n)s.")
            % {"max": INVALID_REASON_MAX, "n": len(text)}
        )
    return text


def parse_marks(rules: RuleSet, n_people: int, keys: str) -> str:
    """Validate the keys typed for one ballot: one per person, a level digit, 0 or 9."""
    keys = "".join(keys.split())
    allowed = {str(level.digit) for level in rules.levels} | {NO_MARK, SEVERAL_MARKS}
    if len(keys) != n_people or any(k not in allowed for k in keys):
        raise ValidationError(
            _("Type one key per rated person (%(n)s): %(digits)s, 0 for no mark, 9 for several marks.")
            % {"n": n_people, "digits": ", ".join(f"{lv.digit} {lv.label.lower()}" for lv in rules.levels)}
        )
    return keys


def _check_position(form: BallotForm, position: int) -> None:
    """A ballot's number in the stack: from 1 to the ballots collected."""
    if not 1 <= position <= (form.collected or 0):
        raise ValidationError(
            _("A ballot's number runs from 1 to %(collected)s, the ballots collected: %(position)s is not one.")
            % {"position": position, "collected": form.collected or 0}
        )


@transaction.atomic
def enter_ballot(
    actor: Any, session: EntrySession, *, device_key: str, position: int, marks: str = "", invalid_reason: str = ""
) -> EntryRow:
    """Store one ballot of the pass. The same entry sent twice (double click, retry) counts once;
    typing a position again with other keys corrects it."""
    session = EntrySession.objects.select_related("form__conference__campaign", "member").get(pk=session.pk)
    form = _form(session.form)
    member = member_for(actor, form.conference)
    if session.member_id != member.pk:
        raise PermissionDenied("another member's entry session")
    if session.device_key_hash != device_hash(device_key):
        raise DeviceConflict(
            _("Your entry session is open on another device. Continue there, or move it to this device.")
        )
    _check_counting_open(form)
    _check_position(form, position)
    invalid_reason = clean_invalid_reason(invalid_reason)
    if invalid_reason:
        marks = ""
    else:
        marks = parse_marks(_rules(form), len(people_of(form)), marks)
    existing = session.rows.filter(position=position).first()
    if existing is not None:
        if existing.reading == (marks, invalid_reason):
            return existing  # a repeated submission: nothing new
        old = existing.reading
        existing.marks, existing.invalid_reason = marks, invalid_reason
        existing.save(update_fields=["marks", "invalid_reason"])
        record(
            actor,
            "entry.corrected",
            conference=form.conference,
            data={
                "form": form.pk,
                "pass": session.pass_label,
                "position": position,
                "from": list(old),
                "to": [marks, invalid_reason],
            },
        )
        return existing
    try:
        with transaction.atomic():
            row = EntryRow.objects.create(
                session=session, position=position, marks=marks, invalid_reason=invalid_reason
            )
    except IntegrityError:  # a concurrent duplicate of the same submission
        return session.rows.get(position=position)
    record(
        actor,
        "entry.ballot",
        conference=form.conference,
        data={
            "form": form.pk,
            "pass": session.pass_label,
            "position": position,
            "marks": marks,
            "invalid": invalid_reason,
        },
    )
    return row


def differences(form: BallotForm) -> list[dict[str, Any]]:
    """Positions where the two passes disagree (or one is missing), with any resolution."""
    form = BallotForm.objects.get(pk=form.pk)
    sessions = {s.pass_label: s for s in form.entry_sessions.all()}
    if set(sessions) != {"A", "B"}:
        return []
    a = {r.position: r.reading for r in sessions["A"].rows.all()}
    b = {r.position: r.reading for r in sessions["B"].rows.all()}
    resolved = {r.position: r for r in form.resolutions.all()}
    out = []
    for position in range(1, (form.collected or 0) + 1):
        if position in a and position in b and a[position] == b[position]:
            continue
        if position not in a or position not in b:
            if not (sessions["A"].completed and sessions["B"].completed):
                continue  # still being typed
        out.append(
            {"position": position, "a": a.get(position), "b": b.get(position), "resolution": resolved.get(position)}
        )
    return out


def open_differences(form: BallotForm) -> list[dict[str, Any]]:
    return [d for d in differences(form) if d["resolution"] is None]


def describe_reading(reading: tuple[str, str] | None) -> str:
    if reading is None:
        return _("not entered")
    marks, reason = reading
    return _("whole ballot invalid: %(reason)s") % {"reason": reason} if reason else marks


@transaction.atomic
def resolve_difference(
    actor: Any, form: BallotForm, *, position: int, marks: str = "", invalid_reason: str = "", reason: str
) -> Resolution:
    """The committee looks at the ballot at that position and records its reading and reason (a ruling)."""
    form = _form(form)
    member = member_for(actor, form.conference)
    _check_counting_open(form)
    diff = next((d for d in differences(form) if d["position"] == position), None)
    if diff is None:
        raise ValidationError(_("There is no difference to resolve at position %(position)s.") % {"position": position})
    if not reason.strip():
        raise ValidationError(_("Give the reason for the committee's reading."))
    invalid_reason = clean_invalid_reason(invalid_reason)
    marks = "" if invalid_reason else parse_marks(_rules(form), len(people_of(form)), marks)
    done = diff["resolution"]
    if done is not None:
        if (done.decided_by_id, done.marks, done.invalid_reason, done.reason.strip()) == (
            member.pk,
            marks,
            invalid_reason,
            unicodedata.normalize("NFC", reason).strip(),
        ):
            return done  # the same page sent twice (a second click): resolved once, one ruling
        raise ValidationError(
            _("The difference at position %(position)s is already resolved by %(member)s: %(decision)s.")
            % {
                "position": position,
                "member": done.decided_by.voter.full_name,
                "decision": describe_reading((done.marks, done.invalid_reason)),
            }
        )
    resolution = Resolution.objects.create(
        form=form, position=position, marks=marks, invalid_reason=invalid_reason, reason=reason, decided_by=member
    )
    with official_language():  # in the minutes
        subject = _("The two entries differ (A: %(a)s; B: %(b)s).") % {
            "a": describe_reading(diff["a"]),
            "b": describe_reading(diff["b"]),
        }
        decision = _("Read as %(reading)s — %(reason)s") % {
            "reading": describe_reading((marks, invalid_reason)),
            "reason": resolution.reason,
        }
    Ruling.objects.create(form=form, position=position, subject=subject, decision=decision, decided_by=member)
    record(
        actor,
        "entry.resolved",
        conference=form.conference,
        data={
            "form": form.pk,
            "position": position,
            "marks": marks,
            "invalid": invalid_reason,
            "reason": resolution.reason,
        },
    )
    return resolution


def to_ballot(rules: RuleSet, marks: str, invalid_reason: str) -> Ballot:
    if invalid_reason:
        return Ballot.invalid(invalid_reason)
    rows = []
    for key in marks:
        if key == NO_MARK:
            rows.append(frozenset())
        elif key == SEVERAL_MARKS:
            rows.append(frozenset(rules.level_keys))
        else:
            rows.append(frozenset({rules.level_by_digit(int(key)).key}))
    return Ballot(tuple(rows))


def final_ballots(form: BallotForm) -> list[Ballot]:
    """The agreed reading of every ballot, in stack order: where A = B, that; otherwise the resolution."""
    form = BallotForm.objects.select_related("conference__campaign").get(pk=form.pk)
    rules = _rules(form)
    sessions = {s.pass_label: s for s in form.entry_sessions.all()}
    a = {r.position: r.reading for r in sessions["A"].rows.all()}
    resolved = {r.position: (r.marks, r.invalid_reason) for r in form.resolutions.all()}
    return [to_ballot(rules, *resolved.get(p, a.get(p, ("", "")))) for p in range(1, (form.collected or 0) + 1)]


def anonymous_ballots(form: BallotForm) -> list[Ballot] | None:
    """Every ballot the form's result counts, without anything of who cast it: the paper ones as
    read (scanned and ruled, or their agreed reading in the stack's order), then the electronic ones
    (shuffled at the close). ``None`` when the paper ballots were counted by totals: none of them is
    stored. The result, the signed record and the public file of ballots are all made from this."""
    from .evote import electronic_ballots

    if form.mode == BallotForm.Mode.TOTALS:
        return None
    if form.mode == BallotForm.Mode.SCAN:
        from tinnhiem.scanning.usecases import scanned_ballots

        paper = scanned_ballots(form)
    else:
        paper = final_ballots(form) if form.collected else []
    return paper + electronic_ballots(form)


# --- totals counted by hand ---------------------------------------------------------------------


@transaction.atomic
def record_hand_totals(
    actor: Any, form: BallotForm, *, totals: dict[int, dict[str, int]], whole_invalid: int
) -> TallyResult:
    """Per person: each level and ``invalid`` (row-invalid). Refused unless everything reconciles."""
    form = _form(form)
    member = member_for(actor, form.conference)
    _check_counting_open(form)
    if form.mode != BallotForm.Mode.TOTALS:
        raise ValidationError(_("This ballot form is counted ballot by ballot, not by totals."))
    if form.collected is None or form.issued is None:
        raise ValidationError(_("Record the ballots issued and collected first."))
    people = people_of(form)
    rules = _rules(form)
    person_totals = []
    for person in people:
        given = dict(totals.get(person.pk, {}))
        row_invalid = int(given.pop("invalid", 0))
        person_totals.append(PersonTotals({k: int(given.get(k, 0)) for k in rules.level_keys}, row_invalid))
        unknown = set(given) - set(rules.level_keys)
        if unknown:
            raise ValidationError(_("Unknown level."))
    try:
        result = compute_result(
            rules,
            [p.full_name for p in people],
            person_totals,
            BallotCounts(form.issued, form.collected, whole_invalid),
        )
    except RulesError as exc:
        raise ValidationError(exc.translated(_)) from exc
    form.hand_totals.all().delete()
    for person, pt in zip(people, person_totals, strict=True):
        HandTotal.objects.create(form=form, person=person, counts=dict(pt.counts), row_invalid=pt.row_invalid)
    form.state, form.whole_invalid_by_hand = F.COUNTING, whole_invalid
    form.save(update_fields=["state", "whole_invalid_by_hand"])
    record(
        actor,
        "totals.recorded",
        conference=form.conference,
        data={
            "form": form.pk,
            "whole_invalid": whole_invalid,
            "member": member.pk,
            "totals": {
                str(p.pk): {**dict(t.counts), "invalid": t.row_invalid}
                for p, t in zip(people, person_totals, strict=True)
            },
        },
    )
    return result


# --- rulings, finalising, corrections ------------------------------------------------------------


@transaction.atomic
def record_ruling(
    actor: Any,
    form: BallotForm,
    *,
    subject: str,
    decision: str,
    position: int | None = None,
    is_complaint: bool = False,
    submission: str = "",
) -> Ruling:
    """A ruling of the committee, printed in the minutes. ``submission``: the page's one-time id;
    the same form sent twice (a double click, a page sent again) records one ruling. The page
    brought back and changed (the browser's Back) records its new content: a ruling in the minutes
    is not rewritten, and the committee's second text must not be dropped as a repeat."""
    form = _form(form)
    member = member_for(actor, form.conference)
    _check_counting_open(form)  # a ruling is in the minutes: after the result, only by a correction
    content = {"subject": subject, "decision": decision, "position": position, "complaint": is_complaint}
    submission = short_key(submission, "ruling", content)
    if submission:  # the form row is locked (and SQLite transactions are IMMEDIATE): no race
        already = form.rulings.filter(submission=submission).first()
        if already is not None:
            return already
    if not subject.strip() or not decision.strip():
        raise ValidationError(_("Write what was disputed and the committee's ruling."))
    if position is not None:
        _check_position(form, position)
    ruling = Ruling.objects.create(
        form=form,
        position=position,
        subject=subject,
        decision=decision,
        is_complaint=is_complaint,
        decided_by=member,
        submission=submission,
    )
    record(
        actor,
        "ruling.recorded",
        conference=form.conference,
        # what the minutes print of it, kept in the chain: a ruling edited in the database later
        # differs from what the log (and the signed record's copy of it) says was recorded
        data={
            "form": form.pk,
            "ruling": ruling.pk,
            "position": position,
            "complaint": is_complaint,
            "subject": subject,
            "conclusion": decision,
        },
    )
    return ruling


def compute_form_result(form: BallotForm) -> tuple[TallyResult, int]:
    """Recompute the form's result from its stored entries or totals and its electronic ballots,
    with the counting core. Returns the result and the number of whole-ballot invalid ballots."""
    from .evote import electronic_ballots

    rules = _rules(form)
    people = people_of(form)
    labels = [p.full_name for p in people]
    issued, _collected = totals_issued_collected(form)
    ballots = anonymous_ballots(form)
    if ballots is not None:
        return tally_ballots(rules, labels, ballots, issued=issued), sum(1 for b in ballots if b.whole_invalid)
    electronic = electronic_ballots(form)
    by_person = {t.person_id: t for t in form.hand_totals.all()}
    if (form.collected or 0) and set(by_person) != {p.pk for p in people}:
        raise ValidationError(_("The totals of every rated person are needed."))
    e_totals, e_collected, _e_invalid = sum_ballots(rules, len(people), electronic)
    totals = []
    for person, e in zip(people, e_totals, strict=True):
        paper = by_person.get(person.pk)
        counts = {k: (paper.counts.get(k, 0) if paper else 0) + e.counts[k] for k in rules.level_keys}
        totals.append(PersonTotals(counts, (paper.row_invalid if paper else 0) + e.row_invalid))
    whole_invalid = form.whole_invalid_by_hand or 0  # none saved: no paper ballot (checked above)
    counts = BallotCounts(issued, (form.collected or 0) + e_collected, whole_invalid)
    return compute_result(rules, labels, totals, counts), whole_invalid


def _paper_valid(total: HandTotal | None) -> int:
    """The paper ballots a person's hand totals cover (each level, and the row left invalid)."""
    return sum(total.counts.values()) + total.row_invalid if total else 0


def hand_totals_problem(form: BallotForm) -> str:
    """Counted by totals: the totals saved no longer add up to the ballots collected (the number
    collected was changed after they were saved). The committee counts and saves them again."""
    form = BallotForm.objects.get(pk=form.pk)  # the current counts, not the caller's copy
    if form.mode != BallotForm.Mode.TOTALS or form.whole_invalid_by_hand is None:
        return ""
    first = form.hand_totals.first()  # every person's totals cover the same ballots
    counted = _paper_valid(first) + form.whole_invalid_by_hand
    if counted == (form.collected or 0):
        return ""
    return _(
        "The totals counted by hand were saved for %(counted)s ballots collected; %(collected)s are now "
        "recorded as collected. Count and save the totals again."
    ) % {"counted": counted, "collected": form.collected or 0}


def result_data(form: BallotForm, result: TallyResult) -> dict[str, Any]:
    """The stored result: the counting core's JSON contract plus who each row is and the citations."""
    data = result_to_json(result)
    for entry, person, pr in zip(data["people"], people_of(form), result.people, strict=True):
        entry.update(
            person=person.pk,
            name=person.full_name,
            post=person.post,
            invalid_total=pr.invalid_total,
            rated=pr.rated,
            citation=pr.outcome.citation.text if pr.outcome else "",
        )
    data["base"]["citation"] = result.base.citation.text
    data["rule_set_name"] = result.rules.name
    return data


@transaction.atomic
def finalise_form(actor: Any, form: BallotForm) -> FormResult:
    """Freeze the result. Refused while any number does not reconcile or any difference is open."""
    form = _form(form)
    member = member_for(actor, form.conference)
    if form.state == F.FINALISED:
        raise AlreadyDone(_("This ballot form is already finalised."))
    if form.conference.status != Conference.Status.COUNTING:
        raise ValidationError(_("Close the vote before finalising the count."))
    if form.evote == BallotForm.EVote.OPEN:
        raise ValidationError(_("Close electronic voting before finalising the count."))
    if form.evote == BallotForm.EVote.READY:
        # cards made, but the electronic vote never opened, and the vote is closed now, so it
        # never will: closed here (a vote closed before ensure_closed covered this case)
        from .evote import close_form_evote

        close_form_evote(actor, form)
    if totals_issued_collected(form) == (None, None):
        raise ValidationError(_("Record the ballots issued and collected first."))
    if form.mode == BallotForm.Mode.SCAN:
        from tinnhiem.scanning.usecases import scan_problems

        if scan_problems(form):
            raise ValidationError(" ".join(scan_problems(form)))
    if form.mode == BallotForm.Mode.DOUBLE_ENTRY and form.collected:
        sessions = list(form.entry_sessions.all())
        if len(sessions) != 2 or not all(s.completed for s in sessions):
            raise ValidationError(_("Both members must enter every collected ballot before finishing."))
        still_open = open_differences(form)
        if still_open:
            raise ValidationError(
                _("%(n)s differences between the two entries are not resolved (positions %(positions)s).")
                % {"n": len(still_open), "positions": ", ".join(str(d["position"]) for d in still_open)}
            )
    stale = hand_totals_problem(form)
    if stale:
        raise ValidationError(stale)
    problems = reconciliation_problems(form)
    if problems and not form.reconciliation_note.strip():
        raise ValidationError(_("Explain in writing before finishing: %(problems)s") % {"problems": " ".join(problems)})
    try:
        result, whole_invalid = compute_form_result(form)
    except RulesError as exc:
        raise ValidationError(exc.translated(_)) from exc
    version = (form.results.aggregate(m=Max("version"))["m"] or 0) + 1
    data = result_data(form, result)
    stored = FormResult.objects.create(
        form=form,
        version=version,
        data=data,
        whole_invalid=whole_invalid,
        finalised_by=actor_name(actor),
    )
    form.state = F.FINALISED
    form.save(update_fields=["state"])
    if form.evote == BallotForm.EVote.CLOSED:
        from .evote import erase_after_commit

        erase_after_commit()
    conference = Conference.objects.select_for_update().get(pk=form.conference_id)
    if not conference.ballot_forms.exclude(state=F.FINALISED).exists():
        conference.status = Conference.Status.FINISHED
        conference.save(update_fields=["status"])
    digest = result_sha256(data)
    record(
        actor,
        "count.finalised",
        conference=conference,
        data={"form": form.pk, "version": version, "result_sha256": digest, "member": member.pk},
    )
    return stored


@transaction.atomic
def reopen_form(actor: Any, form: BallotForm, *, reason: str) -> BallotForm:
    """A correction after finalising: only the head of the committee, with a reason; the old
    result is kept (superseded), and the new one must be finalised and published again. The same
    correction sent twice (a double click) reopens once."""
    form = _form(form)
    member = member_for(actor, form.conference)
    if member.role != CommitteeMember.Role.HEAD:
        raise PermissionDenied("only the head of the counting committee approves a correction")
    last = form.results.order_by("-version").first()
    if (
        form.state == F.COUNTING
        and last is not None
        and last.superseded
        and reason.strip()
        and last.correction_reason == reason
    ):
        raise AlreadyDone(_("The count of this ballot form has already been reopened for this correction."))
    if form.state != F.FINALISED:
        raise ValidationError(_("Only a finalised ballot form can be corrected."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the correction."))
    current = form.results.get(superseded=False)
    current.superseded = True
    current.correction_reason = reason
    current.save(update_fields=["superseded", "correction_reason"])
    form.state = F.COUNTING
    form.save(update_fields=["state"])
    Conference.objects.filter(pk=form.conference_id).update(status=Conference.Status.COUNTING, results_published=False)
    record(
        actor,
        "count.reopened",
        conference=form.conference,
        data={"form": form.pk, "version": current.version, "reason": reason, "member": member.pk},
    )
    return form
