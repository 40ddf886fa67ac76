"""The whole paper conference through the use cases: attendance → quorum → committee approval →
issued and collected → double entry with deliberate differences → resolution → finalise. The
results equal the counting core's on the same ballots, under qd96-2023 and nq96-2023."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinnhiem.conferences.models import BallotForm, Conference
from tinnhiem.conferences.usecases import campaigns, day
from tinnhiem.rules import builtin_rule_set, tally_ballots
from tinnhiem.rules.report import result_to_json
from tinnhiem.voting.models import EntryRow, FormResult
from tinnhiem.voting.usecases import counting

from .conftest import ROLES, build


def true_stack(n: int, seed: int) -> list[tuple[str, str]]:
    """The physical stack: (keys, whole-invalid reason) per ballot, as the committee reads it."""
    rng = random.Random(seed)
    stack = []
    for i in range(n):
        if i == 3:
            stack.append(("", "Phiếu gạch xoá họ tên người được in trên phiếu"))
        else:
            stack.append(("".join(rng.choice("1111122339" if j else "1233333390") for j in range(2)), ""))
    return stack


def run_conference(office, chair, counters, conference, *, n_voters=40, n_present=36, collected=35, seed=1):
    people, voters = build(office, conference, n_voters)
    day.open_conference(chair, conference, held_today=True)
    day.check_in(office, conference, voters[:n_present])
    size = conference.rules.committee.minimum_for(conference.campaign.body.level)
    for voter, role, user in zip(voters[:size], ROLES[:size], counters[:size], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    assert day.record_committee_approval(chair, conference, votes_for=n_present, against=0, abstaining=0)
    day.open_voting(chair, conference)
    form = conference.ballot_forms.get()
    counting.record_ballot_counts(counters[0], form, issued=n_present, collected=collected)
    day.close_voting(chair, conference)

    stack = true_stack(collected, seed)
    assert BallotForm.objects.get(pk=form.pk).state == BallotForm.State.OPEN
    a = counting.start_entry(counters[0], form, device_key="device-a")
    # counting has begun: the ballot forms page no longer offers to change how it is counted
    assert BallotForm.objects.get(pk=form.pk).state == BallotForm.State.COUNTING
    b = counting.start_entry(counters[1], form, device_key="device-b")
    assert (a.pass_label, b.pass_label) == ("A", "B")
    for position, (keys, reason) in enumerate(stack, start=1):
        counting.enter_ballot(
            counters[0], a, device_key="device-a", position=position, marks=keys, invalid_reason=reason
        )
        typo = keys
        if position in (5, 17) and not reason:  # member B mistypes two ballots
            typo = ("3" if keys[0] != "3" else "1") + keys[1:]
        counting.enter_ballot(
            counters[1], b, device_key="device-b", position=position, marks=typo, invalid_reason=reason
        )
    return form, people, stack


@pytest.mark.parametrize("rule_id", ["qd96-2023", "nq96-2023"])
def test_paper_conference_end_to_end(office, chair, counters, campaign, today, rule_id):
    campaign = campaigns.update_campaign(office, campaign, rule_set=rule_id)
    conference = campaigns.create_conference(
        office, campaign=campaign, title="HN", date=today, place="p", convening_body="c"
    )
    form, people, stack = run_conference(office, chair, counters, conference)

    diffs = counting.open_differences(form)
    assert [d["position"] for d in diffs] == [5, 17]
    with pytest.raises(ValidationError) as info:
        counting.finalise_form(counters[0], form)
    assert "5, 17" in info.value.messages[0]

    # the committee finds ballots 5 and 17 in the stack and records what they say
    for d in diffs:
        keys, _reason = stack[d["position"] - 1]
        counting.resolve_difference(counters[2], form, position=d["position"], marks=keys, reason="Đối chiếu phiếu gốc")
    assert counting.open_differences(form) == []
    assert form.rulings.count() == 2
    # the same page sent twice (a second click) resolves once; another reading is refused, naming the first
    keys, _reason = stack[4]
    again = counting.resolve_difference(counters[2], form, position=5, marks=keys, reason="Đối chiếu phiếu gốc")
    assert again == form.resolutions.get(position=5) and form.rulings.count() == 2
    other = "".join("1" if k != "1" else "2" for k in keys)
    with pytest.raises(ValidationError) as info:
        counting.resolve_difference(counters[0], form, position=5, marks=other, reason="Đối chiếu phiếu gốc")
    first = form.resolutions.get(position=5).decided_by.voter.full_name
    assert info.value.messages == [f"Chênh lệch ở phiếu số 5 đã được {first} xử lý: {keys}."]
    assert form.resolutions.get(position=5).marks == keys and form.rulings.count() == 2

    with pytest.raises(ValidationError) as info:  # 36 issued, 35 collected: must be explained
        counting.finalise_form(counters[0], form)
    assert "giải trình" in info.value.messages[0].lower() or "Explain" in info.value.messages[0]
    counting.record_ballot_counts(
        counters[0], form, issued=36, collected=35, note="Một đại biểu ra về sớm, không nộp phiếu"
    )
    stored = counting.finalise_form(counters[0], form)

    rules = builtin_rule_set(rule_id)
    expected = tally_ballots(
        rules, [p.full_name for p in people], [counting.to_ballot(rules, k, r) for k, r in stack], issued=36
    )
    core = result_to_json(expected)
    assert {k: stored.data[k] for k in ("rules", "ballots")} == {k: core[k] for k in ("rules", "ballots")}
    assert {k: stored.data["base"][k] for k in core["base"]} == core["base"]
    for got, want in zip(stored.data["people"], core["people"], strict=True):
        assert {k: got[k] for k in want} == want
    assert stored.data["ballots"]["invalid"] == 1 and stored.whole_invalid == 1
    conference.refresh_from_db()
    assert conference.status == Conference.Status.FINISHED

    with pytest.raises(ValidationError):
        counting.enter_ballot(
            counters[0], form.entry_sessions.get(pass_label="A"), device_key="device-a", position=1, marks="11"
        )


def ten_collected(office, chair, counters, conference):
    """Ten present, a committee of three, the vote open, ten ballots issued and collected."""
    _people, voters = build(office, conference, 10)
    day.open_conference(chair, conference, held_today=True)
    day.check_in(office, conference, voters)
    for voter, role, user in zip(voters[:3], ROLES[:3], counters[:3], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    day.record_committee_approval(chair, conference, votes_for=10, against=0, abstaining=0)
    day.open_voting(chair, conference)
    form = conference.ballot_forms.get()
    counting.record_ballot_counts(counters[0], form, issued=10, collected=10)
    return form


def test_double_submit_counts_once_and_position_beyond_collected_refused(office, chair, counters, conference):
    form = ten_collected(office, chair, counters, conference)
    session = counting.start_entry(counters[0], form, device_key="k")
    first = counting.enter_ballot(counters[0], session, device_key="k", position=1, marks="12")
    again = counting.enter_ballot(counters[0], session, device_key="k", position=1, marks="12")
    assert first.pk == again.pk and EntryRow.objects.count() == 1
    with pytest.raises(ValidationError) as info:
        counting.enter_ballot(counters[0], session, device_key="k", position=11, marks="12")
    assert "11" in info.value.messages[0]
    with pytest.raises(ValidationError):
        counting.enter_ballot(counters[0], session, device_key="k", position=2, marks="14")  # 4 is not a key
    with pytest.raises(ValidationError):
        counting.enter_ballot(counters[0], session, device_key="k", position=2, marks="1")  # one key missing
    # a second device gets a clear message; moving the session is explicit
    with pytest.raises(counting.DeviceConflict):
        counting.start_entry(counters[0], form, device_key="other")
    with pytest.raises(counting.DeviceConflict):
        counting.enter_ballot(counters[0], session, device_key="other", position=2, marks="11")
    counting.start_entry(counters[0], form, device_key="other", take_over=True)
    counting.enter_ballot(counters[0], session, device_key="other", position=2, marks="11")
    # a third member cannot open a third pass; someone else cannot type into this pass
    counting.start_entry(counters[1], form, device_key="b")
    with pytest.raises(ValidationError):
        counting.start_entry(counters[2], form, device_key="c")
    with pytest.raises(PermissionDenied):
        counting.enter_ballot(counters[1], session, device_key="b", position=3, marks="11")


def test_while_the_passes_are_typed_only_ballots_both_typed_and_different_are_differences(
    office, chair, counters, conference
):
    """Pass A ahead of pass B is not a difference: the committee sees only real disagreements
    while typing; a ballot one pass has not reached yet waits."""
    form = ten_collected(office, chair, counters, conference)
    a = counting.start_entry(counters[0], form, device_key="a")
    b = counting.start_entry(counters[1], form, device_key="b")
    for position, marks in enumerate(["12", "31", "22"], start=1):
        counting.enter_ballot(counters[0], a, device_key="a", position=position, marks=marks)
    counting.enter_ballot(counters[1], b, device_key="b", position=1, marks="12")
    assert counting.differences(form) == []
    counting.enter_ballot(counters[1], b, device_key="b", position=2, marks="13")
    found = counting.differences(form)
    assert [(d["position"], d["a"], d["b"]) for d in found] == [(2, ("31", ""), ("13", ""))]


def test_correction_after_finalising_needs_the_head(office, chair, counters, conference):
    form, _people, stack = run_conference(
        office, chair, counters, conference, n_voters=12, n_present=10, collected=10, seed=3
    )
    for d in counting.open_differences(form):
        keys, _r = stack[d["position"] - 1]
        counting.resolve_difference(counters[0], form, position=d["position"], marks=keys, reason="Đối chiếu")
    first = counting.finalise_form(counters[0], form)
    day.publish_results(chair, conference)
    conference.refresh_from_db()
    assert conference.status == Conference.Status.FINISHED and conference.results_published
    with pytest.raises(PermissionDenied):
        counting.reopen_form(counters[1], form, reason="x")  # the secretary is not the head
    counting.reopen_form(counters[0], form, reason="Khiếu nại về phiếu số 2, Ban kiểm phiếu kiểm tra lại")
    form.refresh_from_db()
    assert form.state == BallotForm.State.COUNTING
    # the result published is withdrawn with it: the corrected one is published again
    conference.refresh_from_db()
    assert conference.status == Conference.Status.COUNTING and not conference.results_published
    second = counting.finalise_form(counters[0], form)
    first.refresh_from_db()
    assert first.superseded and "Khiếu nại" in first.correction_reason
    assert second.version == 2 and not second.superseded
    assert FormResult.objects.filter(form=form).count() == 2
    # the minutes print the correction of the first result, not the result in force
    from tinnhiem.voting.minutes import minutes_data

    printed = minutes_data(conference)["forms"][0]
    assert printed["corrections"] == [{"version": 1, "reason": "Khiếu nại về phiếu số 2, Ban kiểm phiếu kiểm tra lại"}]


def test_not_a_committee_member(office, chair, counters, make_user, conference):
    form, *_ = run_conference(office, chair, counters, conference, n_voters=12, n_present=10, collected=10, seed=4)
    stranger = make_user("committee", "kp-other")
    with pytest.raises(PermissionDenied):
        counting.start_entry(stranger, form, device_key="z")


def test_a_member_corrects_a_ballot_after_typing_the_last_one_and_the_form_still_finalises(
    office, chair, counters, conference
):
    """A pass stays complete when its member corrects a ballot after typing the last one (it once
    became "not complete" for good, and the form could never be finalised), and it is incomplete
    again when a ballot found later is counted as collected."""
    form, _people, stack = run_conference(
        office, chair, counters, conference, n_voters=12, n_present=11, collected=10, seed=3
    )
    sessions = {s.pass_label: s for s in form.entry_sessions.all()}
    for d in counting.open_differences(form):  # B finds its own two typos and corrects them
        keys, reason = stack[d["position"] - 1]
        counting.enter_ballot(
            counters[1], sessions["B"], device_key="device-b", position=d["position"], marks=keys, invalid_reason=reason
        )
    assert counting.open_differences(form) == []
    assert all(s.completed for s in BallotForm.objects.get(pk=form.pk).entry_sessions.all())

    # the eleventh ballot is found in the box: counted as collected, it must be typed by both
    counting.record_ballot_counts(counters[0], form, issued=11, collected=11)
    assert not any(s.completed for s in BallotForm.objects.get(pk=form.pk).entry_sessions.all())
    with pytest.raises(ValidationError) as info:
        counting.finalise_form(counters[0], form)
    assert "nhập đủ" in info.value.messages[0]
    for label, user in (("A", counters[0]), ("B", counters[1])):
        counting.enter_ballot(user, sessions[label], device_key=f"device-{label.lower()}", position=11, marks="12")
    stored = counting.finalise_form(counters[0], form)
    assert stored.data["ballots"]["collected"] == 11


def test_a_committee_working_in_english_stores_what_the_minutes_print_in_vietnamese(
    office, chair, counters, conference
):
    """The site switched to English by the chair and the committee: the ballot form made at the
    opening, and the rulings on the typing differences, are stored as the minutes print them."""
    from django.utils import translation

    from tinnhiem.voting.minutes import minutes_data

    with translation.override("en"):
        form, _people, stack = run_conference(office, chair, counters, conference)
        for d in counting.open_differences(form):
            keys, _reason = stack[d["position"] - 1]
            counting.resolve_difference(counters[2], form, position=d["position"], marks=keys, reason="Đối chiếu")
        m = minutes_data(conference)
    assert form.name == "Phiếu tín nhiệm"
    typed = {p: ("3" if stack[p - 1][0][0] != "3" else "1") + stack[p - 1][0][1:] for p in (5, 17)}
    assert [(r.subject, r.decision) for r in form.rulings.order_by("position")] == [
        (
            f"Hai lượt nhập khác nhau (A: {stack[p - 1][0]}; B: {typed[p]}).",
            f"Kết luận đọc là {stack[p - 1][0]} — Đối chiếu",
        )
        for p in (5, 17)
    ]
    assert [(f["name"], [r["decision"] for r in f["rulings"]]) for f in m["forms"]] == [
        ("Phiếu tín nhiệm", [r.decision for r in form.rulings.order_by("position")])
    ]
    assert [c["role_label"] for c in m["committee"]["members"]][:3] == ["Trưởng ban", "Thư ký", "Ủy viên"]
