"""The counting's use cases refuse an action out of its order (before the vote, after the result,
on a form counted the other way) with a clear message, and nothing changes: not the form, not its
rulings, not the audit log. A page left open in another tab, or a button pressed twice, reaches the
use case all the same, so each refusal is the use case's, not the page's."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import BallotForm
from tinnhiem.conferences.usecases import day
from tinnhiem.voting.models import Ruling
from tinnhiem.voting.usecases import counting

FINALISED = "Mẫu phiếu này đã chốt kết quả; muốn thay đổi phải được Ban kiểm phiếu quyết định điều chỉnh."


def refused(fn, *args, **kwargs) -> str:
    """The message of the refusal; and nothing was written while refusing."""
    events = Event.objects.count()
    rulings = Ruling.objects.count()
    with pytest.raises(ValidationError) as info:
        fn(*args, **kwargs)
    assert Event.objects.count() == events
    assert Ruling.objects.count() == rulings
    return " ".join(info.value.messages)


@pytest.fixture
def by_totals(office, chair, counters, day_conference, hall):
    """10 present; the form is counted by totals; the vote is open, nothing counted yet."""
    conference, people, _voters = day_conference
    form = conference.ballot_forms.get()
    day.set_counting_mode(office, form, mode="totals")
    day.open_voting(chair, conference)
    return form, people


def save_totals(member, form, people) -> None:
    a, b = people
    counting.record_ballot_counts(member, form, issued=10, collected=10)
    counting.record_hand_totals(
        member,
        form,
        totals={a.pk: {"high": 6, "confidence": 3, "low": 1}, b.pk: {"high": 9, "invalid": 1}},
        whole_invalid=0,
    )


def test_nothing_is_counted_before_the_vote_is_opened(counters, hall):
    conference, _people = hall
    form = conference.ballot_forms.get()
    message = "Chỉ kiểm phiếu sau khi đã bắt đầu bỏ phiếu."
    assert refused(counting.record_ballot_counts, counters[0], form, issued=10, collected=10) == message
    assert refused(counting.start_entry, counters[0], form, device_key="k") == message
    assert refused(counting.record_ruling, counters[0], form, subject="Phiếu rách", decision="Hợp lệ") == message
    form.refresh_from_db()
    assert (form.issued, form.collected) == (None, None)


def test_the_count_is_finalised_only_once_the_vote_is_closed(chair, counters, by_totals):
    form, people = by_totals
    save_totals(counters[0], form, people)
    assert refused(counting.finalise_form, counters[0], form) == "Hãy kết thúc bỏ phiếu trước khi chốt kết quả."
    assert not form.results.exists()

    day.close_voting(chair, form.conference)
    counting.finalise_form(counters[0], form)
    assert refused(counting.finalise_form, counters[1], form) == "Mẫu phiếu này đã chốt kết quả."
    assert form.results.count() == 1


def test_a_paper_count_is_not_finalised_before_its_ballots_issued_and_collected_are_recorded(
    chair, counters, by_totals
):
    """Nothing recorded is not "0 issued, 0 collected": the counting page asks for the numbers and
    reports no shortfall meanwhile, and the result cannot be made of nothing."""
    form, _people = by_totals
    assert counting.totals_issued_collected(form) == (None, None)
    assert counting.reconciliation_problems(form) == []
    day.close_voting(chair, form.conference)
    form.refresh_from_db()
    assert refused(counting.finalise_form, counters[0], form) == "Hãy ghi số phiếu phát ra và thu về trước."
    assert not form.results.exists()
    counting.record_ballot_counts(counters[0], form, issued=9, collected=8)
    form.refresh_from_db()
    assert counting.totals_issued_collected(form) == (9, 8)
    assert counting.reconciliation_problems(form) == [
        "1 người có mặt không nhận phiếu.",
        "1 phiếu phát ra không thu về.",
    ]


def test_a_finalised_form_takes_no_ruling_and_no_number_until_it_is_reopened(chair, counters, by_totals):
    """A ruling is part of the minutes: one recorded after the result would change the signed
    minutes of a finalised count without a correction."""
    form, people = by_totals
    save_totals(counters[0], form, people)
    day.close_voting(chair, form.conference)
    counting.finalise_form(counters[0], form)

    assert refused(counting.record_ruling, counters[1], form, subject="Phiếu số 3", decision="Hợp lệ").startswith(
        FINALISED
    )
    assert refused(counting.record_ballot_counts, counters[1], form, issued=10, collected=9).startswith(FINALISED)
    assert refused(counting.record_hand_totals, counters[1], form, totals={}, whole_invalid=0).startswith(FINALISED)

    # a page left open before the result was finalised: the same refusal, shown on the page
    client = Client()
    client.force_login(counters[1])
    url = reverse("voting:form", args=[form.conference_id, form.pk])
    page = client.post(
        url, {"action": "ruling", "subject": "Phiếu số 3", "decision": "Hợp lệ"}, follow=True
    ).content.decode()
    assert FINALISED in page
    assert not Ruling.objects.filter(form=form).exists()

    # the head of the committee reopens it for a correction: the ruling is taken then
    assert refused(counting.reopen_form, counters[0], form, reason="  ") == "Hãy ghi lý do điều chỉnh."
    counting.reopen_form(counters[0], form, reason="Ban kiểm phiếu xem lại phiếu số 3")
    counting.record_ruling(counters[1], form, subject="Phiếu số 3", decision="Hợp lệ")
    assert Ruling.objects.filter(form=form).count() == 1


def test_only_a_finalised_form_is_reopened(counters, by_totals):
    form, _people = by_totals
    assert (
        refused(counting.reopen_form, counters[0], form, reason="Xem lại")
        == "Chỉ điều chỉnh được mẫu phiếu đã chốt kết quả."
    )


def test_each_form_is_counted_the_way_it_was_set(counters, by_totals):
    totals_form, _people = by_totals
    assert (
        refused(counting.start_entry, counters[0], totals_form, device_key="k")
        == "Mẫu phiếu này được kiểm bằng tổng số, không nhập từng phiếu."
    )
    BallotForm.objects.filter(pk=totals_form.pk).update(mode=BallotForm.Mode.DOUBLE_ENTRY)
    entry_form = BallotForm.objects.get(pk=totals_form.pk)
    assert (
        refused(counting.start_entry, counters[0], entry_form, device_key="k")
        == "Hãy ghi số phiếu phát ra và thu về trước."
    )
    assert (
        refused(counting.record_hand_totals, counters[0], entry_form, totals={}, whole_invalid=0)
        == "Mẫu phiếu này được nhập từng phiếu, không nhập tổng số."
    )


def test_totals_before_the_numbers_and_of_a_level_the_rules_do_not_have(counters, by_totals):
    form, (a, b) = by_totals
    assert (
        refused(counting.record_hand_totals, counters[0], form, totals={}, whole_invalid=0)
        == "Hãy ghi số phiếu phát ra và thu về trước."
    )
    counting.record_ballot_counts(counters[0], form, issued=10, collected=10)
    totals = {a.pk: {"high": 6, "confidence": 3, "no_confidence": 1}, b.pk: {"high": 10}}
    assert refused(counting.record_hand_totals, counters[0], form, totals=totals, whole_invalid=0) == (
        "Mức tín nhiệm không hợp lệ."
    )
    assert not form.hand_totals.exists()


def test_a_ruling_says_what_was_disputed_and_what_was_decided(counters, by_totals):
    form, _people = by_totals
    message = "Hãy ghi nội dung cần xem xét và kết luận của Ban kiểm phiếu."
    assert refused(counting.record_ruling, counters[0], form, subject=" ", decision="Hợp lệ") == message
    assert refused(counting.record_ruling, counters[0], form, subject="Phiếu rách", decision="") == message


def test_a_count_by_totals_is_not_finalised_without_the_totals(chair, counters, by_totals):
    """Ten ballots collected and no one's totals typed: the committee is told what is missing,
    not that the figures fail to add up."""
    form, _people = by_totals
    counting.record_ballot_counts(counters[0], form, issued=10, collected=10)
    day.close_voting(chair, form.conference)
    form.refresh_from_db()
    assert refused(counting.finalise_form, counters[0], form) == "Cần số liệu của mọi người được lấy phiếu."
    assert not form.results.exists()


def test_a_ruling_names_a_ballot_among_those_collected(counters, by_totals):
    """Ballots are numbered from 1 to the number collected, as the committee stacks them."""
    form, _people = by_totals
    counting.record_ballot_counts(counters[0], form, issued=10, collected=10)
    for position in (0, 11):
        assert refused(
            counting.record_ruling, counters[0], form, subject="Phiếu rách", decision="Hợp lệ", position=position
        ) == (f"Số thứ tự phiếu là từ 1 đến 10 (số phiếu thu về): không có phiếu số {position}.")
    first = counting.record_ruling(counters[0], form, subject="Phiếu rách", decision="Hợp lệ", position=1)
    last = counting.record_ruling(counters[0], form, subject="Phiếu nhàu", decision="Hợp lệ", position=10)
    assert (first.position, last.position) == (1, 10)
    # what the minutes print of a ruling is in the log's chain too, and its page shows it in words
    logged = Event.objects.filter(action="ruling.recorded").order_by("seq").last()
    assert logged.data["subject"] == "Phiếu nhàu" and logged.data["conclusion"] == "Hợp lệ"
    from tinnhiem.audit.describe import describe

    shown = {d.label: d.value for d in describe(logged).details}
    assert shown["nội dung cần xem xét"] == "Phiếu nhàu" and shown["kết luận của Ban kiểm phiếu"] == "Hợp lệ"


def test_a_ruling_sent_twice_is_recorded_once(counters, by_totals):
    """A double click, or the page sent again after a dropped connection: the same one-time id,
    one ruling in the minutes and one line in the log. The page brought back and changed records
    what it says now. Another form shown is another ruling."""
    form, _people = by_totals
    client = Client()
    client.force_login(counters[0])
    url = reverse("voting:form", args=[form.conference_id, form.pk])
    page = client.get(url).content.decode()
    once = re.search(r'name="submission" value="([0-9a-f]{32})"', page).group(1)
    sent = {"action": "ruling", "subject": "Phiếu bị rách một góc", "decision": "Hợp lệ", "submission": once}
    events = Event.objects.count()
    for _ in range(2):
        assert "Đã ghi nhận." in client.post(url, sent, follow=True).content.decode()
    assert list(form.rulings.values_list("subject", flat=True)) == ["Phiếu bị rách một góc"]
    assert Event.objects.count() == events + 1
    # the page brought back (the browser's Back) and changed: what it says now is recorded too, not
    # dropped as a repeat under a "Recorded." (a ruling in the minutes is not rewritten)
    changed = sent | {"decision": "Hợp lệ, góc rách không chạm ô đánh dấu"}
    assert "Đã ghi nhận." in client.post(url, changed, follow=True).content.decode()
    assert list(form.rulings.values_list("decision", flat=True)) == ["Hợp lệ", changed["decision"]]
    client.post(url, changed)
    assert form.rulings.count() == 2
    form.rulings.filter(decision=changed["decision"]).delete()

    again = re.search(r'name="submission" value="([0-9a-f]{32})"', client.get(url).content.decode()).group(1)
    assert again != once
    client.post(url, sent | {"submission": again})
    assert form.rulings.count() == 2  # a second torn ballot, ruled the same way: a ruling of its own


def test_a_ruling_refused_on_the_page_keeps_what_was_typed(counters, by_totals):
    form, _people = by_totals
    counting.record_ballot_counts(counters[0], form, issued=10, collected=10)
    client = Client()
    client.force_login(counters[0])
    url = reverse("voting:form", args=[form.conference_id, form.pk])
    typed = {
        "action": "ruling",
        "position": "12",
        "subject": "Đại biểu khiếu nại phiếu bị gạch xoá",
        "decision": "Phiếu không hợp lệ",
        "complaint": "1",
        "submission": "ab" * 16,
    }
    response = client.post(url, typed)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Số thứ tự phiếu là từ 1 đến 10 (số phiếu thu về): không có phiếu số 12." in page
    assert 'id="ghi-ket-luan" open' in page
    assert (
        'name="position" value="12"' in page
        and 'id="r-complaint" type="checkbox" name="complaint" value="1" checked' in page
    )
    assert ">Đại biểu khiếu nại phiếu bị gạch xoá</textarea>" in page and ">Phiếu không hợp lệ</textarea>" in page
    assert f'name="submission" value="{"ab" * 16}"' in page
    assert not form.rulings.exists()

    client.post(url, typed | {"position": "10"})
    assert list(form.rulings.values_list("position", "is_complaint")) == [(10, True)]


def closed_with(chair, counter, conference, *, collected: int, note: str):
    """The hall's vote opened, ``collected`` ballots issued and collected, the vote closed: its form."""
    form = conference.ballot_forms.get()
    day.open_voting(chair, conference)
    counting.record_ballot_counts(counter, form, issued=collected, collected=collected, note=note)
    day.close_voting(chair, conference)
    return form


def test_a_difference_is_resolved_only_with_the_committee_s_reason(chair, counters, hall):
    conference, _people = hall
    form = closed_with(chair, counters[0], conference, collected=2, note="Tám đại biểu không nhận phiếu")
    for i, marks in ((0, ["12", "13"]), (1, ["12", "33"])):  # ballot 2 read two ways
        session = counting.start_entry(counters[i], form, device_key=f"d{i}")
        for position, keys in enumerate(marks, start=1):
            counting.enter_ballot(counters[i], session, device_key=f"d{i}", position=position, marks=keys)
    assert [d["position"] for d in counting.open_differences(form)] == [2]
    assert refused(counting.resolve_difference, counters[0], form, position=2, marks="13", reason="  ") == (
        "Hãy ghi lý do kết luận của Ban kiểm phiếu."
    )
    assert [d["position"] for d in counting.open_differences(form)] == [2]
    # a ballot found after both passes were typed is not a difference while it is still to be typed
    counting.record_ballot_counts(counters[0], form, issued=3, collected=3, note="Tìm thấy thêm một phiếu")
    assert [d["position"] for d in counting.differences(form)] == [2]
    with pytest.raises(ValidationError):
        counting.finalise_form(counters[0], form)  # the passes are not complete again


def test_nothing_collected_is_nothing_to_finalise(chair, counters, hall):
    conference, _people = hall
    form = closed_with(chair, counters[0], conference, collected=0, note="Không ai nhận phiếu")
    assert refused(counting.finalise_form, counters[0], form) == "Chưa thu về phiếu nào: không có gì để kiểm."
    form.refresh_from_db()
    assert form.state != BallotForm.State.FINALISED and not form.results.exists()
