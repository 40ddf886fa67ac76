"""The day of a conference as a state machine (hypothesis): the office, the chair, the committee
and voters with code cards press any button in any order, with any numbers, as on a busy day. Each
use case either does its work or refuses with a ValidationError or PermissionDenied, which the
pages show as a message; anything else would be a server error. After every step the conference
must still be coherent:

- it is finished exactly when every ballot form is finalised, and results are published only then;
- the vote never opened without an approved committee, whose members are present and not rated;
- no form has more ballots issued than voters present, or more collected than issued, and no
  ballot is typed beyond the ballots collected;
- every electronic ballot is one card used, with one receipt, and no electronic vote is still
  open or ready once the vote is closed (on the code before 2f792cd this fails: cards made for a
  vote by phone that never opened left the count unfinishable);
- a finalised form has exactly one current result, and recounting its stored ballots or totals
  gives that result again: nothing changed what the committee finalised.

Counting by totals: the whole ballots invalid in a result are the number the committee saved.

At the end of each run the day must still be finishable by the normal steps. When more ballots
came back than voters were present, finalising must refuse, and the chair has the vote on the form
held again. Run on the code before f2a5d98, this fails: a correction after the last ballot left the
count stuck."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tinnhiem.conferences.models import BallotForm, Conference, Voter
from tinnhiem.conferences.usecases import campaigns, day, rated, roster
from tinnhiem.voting import codes
from tinnhiem.voting.models import CodeCard, EntryRow
from tinnhiem.voting.usecases import counting, evote, repeat

S = Conference.Status
N_VOTERS = 7
ROLES = ("head", "secretary", "member")
reading = st.one_of(
    st.text(alphabet="01239", min_size=2, max_size=2).map(lambda k: (k, "")),
    st.just(("", "Phiếu gạch xoá họ tên người được in trên phiếu")),
)


# The runs are drawn from a seed, not from this class's source (hypothesis's default with
# derandomize), so that rewording a line here does not change which runs are made: the states the
# test asserts its runs reach are reached by the first 10 runs of seed 2 (the PostgreSQL pass; the
# first 8 reach them too) and by its 25, not by those of seed 1 or 3. Another seed
# (TINNHIEM_DAY_SEED) and more runs (TINNHIEM_DAY_EXAMPLES) explore further.
@seed(int(os.environ.get("TINNHIEM_DAY_SEED", "2")))
class ConferenceDay(RuleBasedStateMachine):
    office = chair = None
    counters: list = []
    reached: dict = {}  # how many steps ended in each state: the runs must get to the end

    def __init__(self):
        super().__init__()
        body = campaigns.create_body(self.office, name="UBND xã", level="district")
        campaign = campaigns.create_campaign(
            self.office,
            body=body,
            name="Đợt",
            legal_basis="KH",
            term="2021–2026",
            rule_set="qd96-2023",
            rating_year=2026,
        )
        self.conference = campaigns.create_conference(
            self.office,
            campaign=campaign,
            title="HN",
            date=date.today(),  # held today; adjourned, it is held again on a later day, moved back by the chair
            place="p",
            convening_body="c",
        )
        self.people = [
            rated.add_rated_person(self.office, self.conference, full_name=f"Người được lấy phiếu {i}", post="PCT")
            for i in range(2)
        ]
        self.saved_whole_invalid = None
        self.card_codes: list[str] = []  # as printed on the cards
        self.receipts: dict[str, str] = {}  # card code -> the receipt code its phone sent
        self.stored = 0  # electronic ballots the model expects
        self.phones = ""  # how this hall uses phones, set at its first normal step
        self.adjourns_once: bool | None = None  # whether its first session is adjourned, set likewise
        self.voters = [
            roster.add_voter(self.office, self.conference, full_name=f"Đại biểu {i}", post="Trưởng phòng")
            for i in range(N_VOTERS)
        ]

    # --- helpers -------------------------------------------------------------------------------

    def attempt(self, action, *args, **kwargs) -> bool:
        try:
            action(*args, **kwargs)
        except (ValidationError, PermissionDenied):
            return False  # refused, with the message the page shows
        return True

    def current(self) -> Conference:
        return Conference.objects.get(pk=self.conference.pk)

    def form(self) -> BallotForm | None:
        return BallotForm.objects.filter(conference=self.conference).first()

    # --- a normal day, step by step: without it, a random walk rarely reaches the count ------------

    @rule(
        steps=st.integers(1, 15),
        mode=st.sampled_from(["totals", "double_entry"]),
        phones=st.sampled_from(["used", "no Wi-Fi", "none"]),  # cards made and used, made but unused, none
        data=st.data(),
    )
    def go_on_with_the_day(self, steps, mode, phones, data):
        """The next steps of a normal day from wherever the conference is, between the random presses
        of the other rules: so the runs reach the vote, the count, finalising and publishing, and
        some an adjournment (a rule the random presses seldom reach in the short session)."""
        if self.adjourns_once is None:
            self.adjourns_once = data.draw(st.booleans())
        for _ in range(steps):
            if not self.next_step(mode, self.phones or phones, data):
                break

    def next_step(self, mode, phones, data) -> bool:
        self.phones = phones  # one hall, one plan for phones: the first step's
        conference, form = self.current(), self.form()
        if conference.status == S.PREPARING:
            return self.attempt(lambda: day.open_conference(self.chair, self.conference, held_today=True))
        if conference.status == S.IN_SESSION:
            if self.adjourns_once and not conference.adjournments.exists():  # no quorum the first day
                self.adjourn(1)
                return self.current().status == S.PREPARING
            if conference.voters.exclude(attendance=Voter.Attendance.PRESENT).exists():
                return self.attempt(lambda: day.check_in(self.office, self.conference, self.voters))
            if conference.committee.count() < len(ROLES):
                before = conference.committee.count()
                self.propose_the_usual_committee()
                return conference.committee.count() > before
            if not conference.committee_approved:
                return self.attempt(lambda: self.approve_by_all_present())
            if form.mode != mode and not self.attempt(lambda: day.set_counting_mode(self.office, form, mode=mode)):
                mode = form.mode
            if not form.evote and phones != "none":  # cards printed for voting by phone
                self.make_cards(3)
            return self.attempt(lambda: day.open_voting(self.chair, self.conference))
        if conference.status == S.VOTING:
            head = conference.committee.get(role="head").user
            if form.evote == BallotForm.EVote.READY and phones == "used":  # else the hall votes on paper
                return self.attempt(evote.open_evote, self.chair, form)
            if form.evote == BallotForm.EVote.OPEN and not form.cards_issued:
                return self.attempt(evote.record_cards_issued, head, form, count=2)
            unused = [code for code in self.card_codes if code not in self.receipts]
            if form.evote == BallotForm.EVote.OPEN and unused and self.stored < form.cards_issued:
                keys = data.draw(st.text(alphabet="01239", min_size=2, max_size=2))
                self.vote_by_phone(self.card_codes.index(unused[0]), keys, again=False)
                return True
            if form.collected is None:
                short = data.draw(st.integers(0, 2))
                present = conference.voters.filter(attendance=Voter.Attendance.PRESENT).count()
                issued = max(present - form.cards_issued, 0)
                return self.attempt(
                    counting.record_ballot_counts,
                    head,
                    form,
                    issued=issued,
                    collected=max(issued - short, 0),
                    note="Đã giải trình",
                )
            return self.attempt(lambda: day.close_voting(self.chair, self.conference))
        if conference.status == S.COUNTING and form.state != BallotForm.State.FINALISED:
            if form.mode == BallotForm.Mode.DOUBLE_ENTRY and form.collected:
                sessions = list(form.entry_sessions.all())
                if len(sessions) < 2:
                    return self.attempt(
                        lambda: [counting.start_entry(self.counters[j], form, device_key=f"own-{j}") for j in (0, 1)]
                    )
                if not all(s.completed for s in sessions):
                    self.type_the_whole_stack(data)
                    return all(s.completed for s in form.entry_sessions.all())
                if counting.open_differences(form):
                    self.resolve_every_difference_as_pass_a_read_it()
                    return not counting.open_differences(form)
            if form.mode == BallotForm.Mode.TOTALS and (
                not form.hand_totals.exists() or counting.hand_totals_problem(form)
            ):
                self.hand_totals(0, data.draw(st.integers(0, 1)), data)
                return form.hand_totals.exists() and not counting.hand_totals_problem(form)
            return self.attempt(lambda: counting.finalise_form(self.counters[0], form))
        if conference.status == S.FINISHED and not conference.results_published:
            return self.attempt(lambda: day.publish_results(self.chair, self.conference))
        return False

    # --- the office and the chair ----------------------------------------------------------------

    @rule()
    def open_conference(self):
        self.attempt(lambda: day.open_conference(self.chair, self.conference, held_today=True))

    @rule(i=st.integers(0, N_VOTERS - 1))
    def check_in(self, i):
        self.attempt(lambda: day.check_in(self.office, self.conference, [self.voters[i]]))

    @rule()
    def check_in_everyone(self):  # the usual morning, in one step, so that the machine gets further
        self.attempt(lambda: day.check_in(self.office, self.conference, self.voters))

    @rule()
    def propose_the_usual_committee(self):
        for voter, role, user in zip(self.voters, ROLES, self.counters, strict=False):
            self.attempt(day.propose_member, self.office, self.conference, voter=voter, role=role, user=user)

    @rule(i=st.integers(0, N_VOTERS - 1))
    def mark_absent(self, i):
        self.attempt(lambda: day.mark_absent(self.office, self.voters[i], reason="Đi công tác"))

    @rule(i=st.integers(0, N_VOTERS - 1))
    def undo_attendance(self, i):
        self.attempt(lambda: day.undo_attendance(self.office, self.voters[i]))

    @rule(i=st.integers(0, N_VOTERS - 1), role=st.sampled_from(ROLES), j=st.integers(0, 3))
    def propose_member(self, i, role, j):
        self.attempt(
            lambda: day.propose_member(
                self.office, self.conference, voter=self.voters[i], role=role, user=self.counters[j]
            )
        )

    @rule(k=st.integers(0, 3))
    def remove_member(self, k):
        members = list(self.conference.committee.all())
        if k < len(members):
            self.attempt(lambda: day.remove_member(self.office, members[k]))

    @rule(votes_for=st.integers(0, N_VOTERS + 1), against=st.integers(0, 3), abstaining=st.integers(0, 3))
    def approve_committee(self, votes_for, against, abstaining):
        self.attempt(
            lambda: day.record_committee_approval(
                self.chair, self.conference, votes_for=votes_for, against=against, abstaining=abstaining
            )
        )

    @rule()
    def approve_by_all_present(self):
        present = self.conference.voters.filter(attendance=Voter.Attendance.PRESENT).count()
        self.attempt(
            lambda: day.record_committee_approval(
                self.chair, self.conference, votes_for=present, against=0, abstaining=0
            )
        )

    @rule()
    def override_quorum(self):
        self.attempt(lambda: day.override_quorum(self.chair, self.conference, reason="Theo ý kiến của hội nghị"))

    @precondition(lambda self: self.current().status == S.IN_SESSION)
    @rule(days=st.integers(0, 2))
    def adjourn(self, days):
        """The chair adjourns the session to a later day (``days`` 0: today, which is refused); the
        next steps, or the teardown, hold the next session to the end."""
        later = date.today() + timedelta(days=days)
        if self.attempt(lambda: day.adjourn_conference(self.chair, self.conference, reason="Không đủ", new_date=later)):
            ConferenceDay.reached["adjourned"] = ConferenceDay.reached.get("adjourned", 0) + 1

    @rule(mode=st.sampled_from(["double_entry", "totals"]))
    def set_mode(self, mode):
        form = self.form()
        if form is not None:
            self.attempt(lambda: day.set_counting_mode(self.office, form, mode=mode))

    @rule()
    def open_voting(self):
        self.attempt(lambda: day.open_voting(self.chair, self.conference))

    @rule()
    def close_voting(self):
        self.attempt(lambda: day.close_voting(self.chair, self.conference))

    @rule()
    def publish(self):
        self.attempt(lambda: day.publish_results(self.chair, self.conference))

    # --- the counting committee ------------------------------------------------------------------

    @precondition(lambda self: self.form() is not None)
    @rule(j=st.integers(0, 3), issued=st.integers(0, N_VOTERS), collected=st.integers(0, N_VOTERS), note=st.booleans())
    def record_counts(self, j, issued, collected, note):
        self.attempt(
            lambda: counting.record_ballot_counts(
                self.counters[j], self.form(), issued=issued, collected=collected, note="Đã giải trình" if note else ""
            )
        )

    @precondition(lambda self: self.form() is not None)
    @rule(short=st.integers(0, 2))
    def record_counts_of_those_present(self, short):  # the usual count: a ballot each, a few not returned
        present = self.conference.voters.filter(attendance=Voter.Attendance.PRESENT).count()
        self.attempt(
            lambda: counting.record_ballot_counts(
                self.counters[0], self.form(), issued=present, collected=max(present - short, 0), note="Đã giải trình"
            )
        )

    @precondition(lambda self: self.form() is not None)
    @rule()
    def resolve_every_difference_as_pass_a_read_it(self):
        for d in counting.open_differences(self.form()):
            marks, reason = d["a"] or d["b"] or ("00", "")
            self.attempt(
                counting.resolve_difference,
                self.counters[2],
                self.form(),
                position=d["position"],
                marks=marks,
                invalid_reason=reason,
                reason="Đối chiếu",
            )

    @precondition(lambda self: self.form() is not None)
    @rule(j=st.integers(0, 3), other_device=st.booleans(), take_over=st.booleans())
    def start_entry(self, j, other_device, take_over):
        device = f"other-{j}" if other_device else f"own-{j}"
        self.attempt(
            lambda: counting.start_entry(self.counters[j], self.form(), device_key=device, take_over=take_over)
        )

    @precondition(lambda self: self.form() is not None and self.form().entry_sessions.exists())
    @rule(
        k=st.integers(0, 1),
        j=st.integers(0, 3),
        own_device=st.booleans(),
        position=st.integers(0, N_VOTERS + 1),
        read=reading,
    )
    def enter_ballot(self, k, j, own_device, position, read):
        device = f"own-{j}" if own_device else f"other-{j}"
        sessions = list(self.form().entry_sessions.order_by("pass_label"))
        session = sessions[min(k, len(sessions) - 1)]
        marks, reason = read
        self.attempt(
            lambda: counting.enter_ballot(
                self.counters[j], session, device_key=device, position=position, marks=marks, invalid_reason=reason
            )
        )

    @precondition(lambda self: self.form() is not None and self.form().entry_sessions.exists())
    @rule(data=st.data())
    def type_the_whole_stack(self, data):
        """Each member with a pass types every ballot collected, in one step: the same stack, with
        a slip now and then, and once in a while on a device the pass is not open on."""
        form = self.form()
        stack = [data.draw(reading) for _ in range(form.collected or 0)]
        for session in form.entry_sessions.select_related("member").order_by("pass_label"):  # PostgreSQL: heap order
            user = session.member.user
            j = self.counters.index(user)
            device = data.draw(st.sampled_from([f"own-{j}"] * 4 + [f"other-{j}"]))
            for position, true in enumerate(stack, start=1):
                marks, reason = data.draw(st.one_of(*[st.just(true)] * 5, reading))
                self.attempt(
                    counting.enter_ballot,
                    user,
                    session,
                    device_key=device,
                    position=position,
                    marks=marks,
                    invalid_reason=reason,
                )

    @precondition(lambda self: self.form() is not None)
    @rule(j=st.integers(0, 3), position=st.integers(1, N_VOTERS), read=reading)
    def resolve(self, j, position, read):
        marks, reason = read
        self.attempt(
            lambda: counting.resolve_difference(
                self.counters[j], self.form(), position=position, marks=marks, invalid_reason=reason, reason="Đối chiếu"
            )
        )

    @precondition(lambda self: self.form() is not None)
    @rule(j=st.integers(0, 3), whole_invalid=st.integers(0, 2), data=st.data())
    def hand_totals(self, j, whole_invalid, data):
        form = self.form()
        valid = max((form.collected or 0) - whole_invalid, 0) + data.draw(st.sampled_from([0, 0, 0, 1]))
        totals = {}
        for person in self.people:  # mostly totals that add up, sometimes one too many
            high = data.draw(st.integers(0, valid))
            low = data.draw(st.integers(0, valid - high))
            totals[person.pk] = {"high": high, "low": low, "confidence": valid - high - low, "invalid": 0}
        if self.attempt(
            counting.record_hand_totals, self.counters[j], form, totals=totals, whole_invalid=whole_invalid
        ):
            self.saved_whole_invalid = whole_invalid  # the model: what the committee saved

    @precondition(lambda self: self.form() is not None)
    @rule(j=st.integers(0, 3))
    def finalise(self, j):
        self.attempt(lambda: counting.finalise_form(self.counters[j], self.form()))

    @precondition(lambda self: self.form() is not None)
    @rule(j=st.integers(0, 3))
    def reopen(self, j):
        self.attempt(lambda: counting.reopen_form(self.counters[j], self.form(), reason="Khiếu nại, kiểm tra lại"))

    # --- code cards and phones ------------------------------------------------------------------

    @precondition(lambda self: self.form() is not None)
    @rule(n=st.integers(1, 3))
    def make_cards(self, n):
        try:
            self.card_codes += evote.generate_cards(self.office, self.form(), count=n)
        except ValidationError:
            pass

    @precondition(lambda self: self.form() is not None)
    @rule()
    def void_unused_cards(self):
        self.attempt(evote.void_unused_cards, self.office, self.form())

    @precondition(lambda self: self.form() is not None)
    @rule(j=st.integers(0, 3), count=st.integers(0, 4))
    def record_cards_issued(self, j, count):
        self.attempt(evote.record_cards_issued, self.counters[j], self.form(), count=count)

    @precondition(lambda self: self.form() is not None)
    @rule()
    def open_evote(self):
        self.attempt(evote.open_evote, self.chair, self.form())

    @precondition(lambda self: self.form() is not None)
    @rule()
    def close_evote(self):
        self.attempt(evote.close_evote, self.chair, self.form())

    @precondition(lambda self: self.card_codes)
    @rule(k=st.integers(0, 30), keys=st.text(alphabet="01239", min_size=2, max_size=2), again=st.booleans())
    def vote_by_phone(self, k, keys, again):
        """A voter sends a ballot with a card; ``again``: the same phone sends it a second time."""
        code = self.card_codes[k % len(self.card_codes)]
        tracking = self.receipts[code] if again and code in self.receipts else codes.new_tracking_code()
        choices = {person.pk: key for person, key in zip(self.people, keys, strict=True)}
        try:
            _receipt, stored = evote.cast_ballot(
                self.conference, code_text=code, choices=choices, tracking_code=tracking
            )
        except ValidationError:
            return
        self.receipts[code] = tracking
        self.stored += stored

    # --- and at the end of every run: the day can still be finished ----------------------------------

    def teardown(self):
        """Whatever was pressed, the office, the chair and the committee can still finish the day
        by the normal steps: nothing leaves the conference stuck (a correction after the last
        ballot once did). Only the deterministic steps below are used."""
        for _ in range(40):
            conference, form = self.current(), self.form()
            if conference.status == S.FINISHED:
                break
            self.finish_step(conference, form)
        assert self.current().status == S.FINISHED, self.current().status
        self.a_conference_is_held_on_its_date()  # held again after an adjournment: on the day it was

    def finish_step(self, conference, form) -> None:
        if conference.status == S.PREPARING:
            day.open_conference(self.chair, self.conference, held_today=True)
        elif conference.status == S.IN_SESSION:
            day.check_in(self.office, self.conference, self.voters)
            if not conference.committee_approved:
                for member in list(conference.committee.all()):
                    day.remove_member(self.office, member)
                for voter, role, user in zip(self.voters, ROLES, self.counters, strict=False):
                    day.propose_member(self.office, self.conference, voter=voter, role=role, user=user)
                present = conference.voters.count()
                day.record_committee_approval(self.chair, self.conference, votes_for=present, against=0, abstaining=0)
            day.open_voting(self.chair, self.conference)
        elif conference.status == S.VOTING:
            day.close_voting(self.chair, self.conference)
        else:
            # the counts made to add up: paper issued and collected, cards issued = cards used
            head = conference.committee.get(role="head").user
            present = conference.voters.filter(attendance=Voter.Attendance.PRESENT).count()
            used = form.electronic_ballots.count()
            highest = EntryRow.objects.filter(session__form=form).order_by("-position").first()
            typed = highest.position if highest else 0
            if typed + used > present:
                # more ballots than voters present (cards used beyond those recorded as handed out,
                # on top of the paper ballots): finalising must refuse it, and does; the chair has
                # the vote on the form held again, and the day goes on from the vote
                with pytest.raises(ValidationError):
                    counting.finalise_form(head, form)
                repeat.repeat_form_vote(self.chair, form, reason="Nhiều phiếu hơn số người có mặt")
                ConferenceDay.reached["voted again"] = ConferenceDay.reached.get("voted again", 0) + 1
                return
            counting.record_ballot_counts(head, form, issued=typed, collected=typed, note="Đã giải trình")
            if form.evote:
                evote.record_cards_issued(head, form, count=used)
            paper = present - used
            counting.record_ballot_counts(head, form, issued=paper, collected=paper, note="Đã giải trình")
            self.finish_count(conference, BallotForm.objects.get(pk=form.pk), head)

    def finish_count(self, conference, form, head) -> None:
        if form.mode == BallotForm.Mode.TOTALS:
            valid = form.collected or 0
            totals = {p.pk: {"high": valid, "confidence": 0, "low": 0, "invalid": 0} for p in self.people}
            counting.record_hand_totals(head, form, totals=totals, whole_invalid=0)
            self.saved_whole_invalid = 0
            counting.finalise_form(head, form)
        else:
            users = [m.user for m in conference.committee.all()]
            passes = form.entry_sessions.select_related("member").order_by("pass_label")
            with_pass = [session.member.user for session in passes]
            for user in (with_pass + [u for u in users if u not in with_pass])[:2]:  # moved here, or opened
                counting.start_entry(user, form, device_key="end", take_over=True)
            for session in passes.all():  # every ballot typed alike (read again: the passes opened just now)
                for position in range(1, (form.collected or 0) + 1):
                    counting.enter_ballot(session.member.user, session, device_key="end", position=position, marks="11")
            counting.finalise_form(head, form)

    # --- what must hold after every step -----------------------------------------------------------

    @invariant()
    def a_conference_is_held_on_its_date(self):
        """Opened, it is held today: the date the minutes print (a session adjourned is prepared
        again for its new day, and moved back to today only when the chair confirms it)."""
        conference = self.current()
        if conference.status != S.PREPARING:
            assert conference.date == date.today()

    @invariant()
    def finished_exactly_when_every_form_is_finalised(self):
        conference = self.current()
        forms = list(conference.ballot_forms.all())
        every = bool(forms) and all(f.state == BallotForm.State.FINALISED for f in forms)
        ConferenceDay.reached[conference.status] = ConferenceDay.reached.get(conference.status, 0) + 1
        for form in forms:
            ConferenceDay.reached[f"{form.mode} {form.state}"] = (
                ConferenceDay.reached.get(f"{form.mode} {form.state}", 0) + 1
            )
        assert (conference.status == S.FINISHED) == every
        assert not conference.results_published or conference.status == S.FINISHED

    @invariant()
    def the_vote_opened_only_with_an_approved_committee_of_present_voters(self):
        conference = self.current()
        if conference.status in (S.VOTING, S.COUNTING, S.FINISHED):
            assert conference.committee_approved
            members = list(conference.committee.select_related("voter"))
            assert len(members) >= 3 and sum(m.role == "head" for m in members) == 1
            assert all(m.voter.attendance == Voter.Attendance.PRESENT for m in members)

    @invariant()
    def the_numbers_of_ballots_hold(self):
        conference = self.current()
        present = conference.voters.filter(attendance=Voter.Attendance.PRESENT).count()
        for form in conference.ballot_forms.all():
            if form.issued is not None:
                assert form.issued + form.cards_issued <= present
                assert form.collected <= form.issued
            highest = EntryRow.objects.filter(session__form=form).order_by("-position").first()
            assert highest is None or highest.position <= (form.collected or 0)

    @invariant()
    def every_electronic_ballot_is_one_card_used_with_one_receipt(self):
        conference = self.current()
        for form in conference.ballot_forms.all():
            used = form.code_cards.filter(state=CodeCard.State.USED).count()
            assert form.electronic_ballots.count() == used == form.receipts.count()
            if conference.status in (S.COUNTING, S.FINISHED):
                assert form.evote in (BallotForm.EVote.NOT_USED, BallotForm.EVote.CLOSED)
        assert sum(f.electronic_ballots.count() for f in conference.ballot_forms.all()) == self.stored

    @invariant()
    def a_finalised_result_is_what_its_ballots_say(self):
        for form in BallotForm.objects.filter(conference=self.conference):
            current = list(form.results.filter(superseded=False))
            if form.state != BallotForm.State.FINALISED:
                assert current == []
                continue
            assert len(current) == 1
            if form.electronic_ballots.exists():
                ConferenceDay.reached["finalised with electronic ballots"] = (
                    ConferenceDay.reached.get("finalised with electronic ballots", 0) + 1
                )
            result, whole_invalid = counting.compute_form_result(form)
            assert counting.result_data(form, result) == current[0].data
            assert whole_invalid == current[0].whole_invalid
            if form.mode == BallotForm.Mode.TOTALS and form.collected:
                assert current[0].whole_invalid == self.saved_whole_invalid  # the committee's number


@pytest.fixture
def without_local_constants(monkeypatch):
    """Hypothesis now and then draws a constant found in the modules loaded so far (its "local
    constants", from ``sys.modules``): which modules the tests run before this one on its worker
    loaded may change the derandomised runs, and the states they reach. Two CI runs on PostgreSQL
    reached no double entry finalised, or no adjournment, where every run here did; without these
    constants, and with the passes read in their order, the runs do not depend on the tests before
    them. (A private name of Hypothesis: should it go, this fails at once; the versions are pinned.)"""
    from hypothesis.internal.conjecture import providers

    monkeypatch.setattr(providers, "_get_local_constants", providers.Constants)
    providers.CONSTANTS_CACHE.cache.clear()  # the allowed constants another test's runs cached
    yield
    providers.CONSTANTS_CACHE.cache.clear()


@pytest.mark.heavy
def test_any_order_of_actions_keeps_the_conference_coherent(office, make_user, without_local_constants):
    ConferenceDay.office = office
    ConferenceDay.chair = make_user("chair", "chair")
    ConferenceDay.counters = [make_user("committee", f"kp{i}") for i in range(1, 5)]
    ConferenceDay.reached = {}
    run_state_machine_as_test(
        ConferenceDay,
        settings=settings(
            max_examples=int(os.environ.get("TINNHIEM_DAY_EXAMPLES", "25")),
            stateful_step_count=60,
            derandomize=True,  # the same runs each time: the suite does not flicker, and the end is reached
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
    reached = ConferenceDay.reached
    assert reached.get("double_entry finalised") and reached.get("totals finalised"), reached  # the runs got there
    assert reached.get("finalised with electronic ballots"), reached
    assert reached.get("adjourned"), reached  # and some were adjourned, then held to the end
