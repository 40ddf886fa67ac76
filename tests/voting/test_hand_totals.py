"""Counting by totals: the whole ballots invalid are the committee's number, as it saved them with
its totals. Before, they were worked out at finalising as "collected minus the ballots the totals
cover", so a number collected changed after the totals were saved changed the invalid ballots in
the minutes without anyone typing it. The page shows what was saved."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tinnhiem.conferences.usecases import day
from tinnhiem.voting.usecases import counting


@pytest.fixture
def counted_by_totals(office, chair, counters, day_conference, hall):
    """12 present, 12 ballots issued, 10 collected; the form is counted by totals, none saved yet."""
    conference, people, voters = day_conference
    day.check_in(office, conference, voters[10:])  # the hall's last two arrive before the vote
    form = conference.ballot_forms.get()
    day.set_counting_mode(office, form, mode="totals")
    day.open_voting(chair, conference)
    counting.record_ballot_counts(counters[0], form, issued=12, collected=10, note="Hai đại biểu không nộp phiếu")
    day.close_voting(chair, conference)
    return form, people


@pytest.fixture
def totals_form(counters, counted_by_totals):
    form, (a, b) = counted_by_totals
    totals = {a.pk: {"high": 5, "confidence": 3, "low": 1, "invalid": 0}, b.pk: {"high": 8, "low": 0, "invalid": 1}}
    counting.record_hand_totals(counters[0], form, totals=totals, whole_invalid=1)
    return form, [a, b]


def test_hand_totals_must_reconcile(counters, counted_by_totals):
    form, (a, b) = counted_by_totals
    bad = {a.pk: {"high": 5, "confidence": 3, "low": 1, "invalid": 0}, b.pk: {"high": 10, "invalid": 0}}
    with pytest.raises(ValidationError) as info:
        counting.record_hand_totals(counters[0], form, totals=bad, whole_invalid=1)
    assert "Lê Thị Hồng Nhung: tổng các mức (10)" in info.value.messages[0]
    good = {a.pk: {"high": 5, "confidence": 3, "low": 1, "invalid": 0}, b.pk: {"high": 8, "low": 0, "invalid": 1}}
    counting.record_hand_totals(counters[0], form, totals=good, whole_invalid=1)
    stored = counting.finalise_form(counters[0], form)
    assert stored.data["ballots"] == {"issued": 12, "collected": 10, "valid": 9, "invalid": 1}
    assert stored.data["people"][0]["percent"]["high"] == "50.00"


def test_a_number_collected_changed_after_the_totals_stops_finalising_until_they_are_saved_again(counters, totals_form):
    form, (a, b) = totals_form
    counting.record_ballot_counts(counters[0], form, issued=12, collected=12, note="Tìm thấy thêm hai phiếu")
    problem = counting.hand_totals_problem(form)
    assert "10" in problem and "12" in problem
    with pytest.raises(ValidationError) as info:
        counting.finalise_form(counters[0], form)
    assert info.value.messages == [problem]

    recounted = {a.pk: {"high": 6, "confidence": 3, "low": 2, "invalid": 0}, b.pk: {"high": 10, "low": 0, "invalid": 1}}
    counting.record_hand_totals(counters[0], form, totals=recounted, whole_invalid=1)
    assert counting.hand_totals_problem(form) == ""
    stored = counting.finalise_form(counters[0], form)
    assert stored.data["ballots"] == {"issued": 12, "collected": 12, "valid": 11, "invalid": 1}
    assert stored.whole_invalid == 1


def test_unchanged_counts_finalise_with_the_committees_invalid_ballots(counters, totals_form):
    form, _people = totals_form
    counting.record_ballot_counts(counters[0], form, issued=12, collected=10, note="Hai đại biểu không nộp phiếu")
    assert counting.hand_totals_problem(form) == ""
    stored = counting.finalise_form(counters[0], form)
    assert stored.data["ballots"] == {"issued": 12, "collected": 10, "valid": 9, "invalid": 1}


def test_the_page_shows_the_totals_saved_and_warns_when_they_no_longer_add_up(counters, totals_form):
    form, (a, b) = totals_form
    client = Client()
    client.force_login(counters[0])
    url = reverse("voting:form", args=[form.conference_id, form.pk])
    page = client.get(url).content.decode()

    def value(name: str) -> str:
        return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)

    assert [value(f"p{a.pk}_high"), value(f"p{a.pk}_confidence"), value(f"p{a.pk}_low")] == ["5", "3", "1"]
    assert [value(f"p{b.pk}_high"), value(f"p{b.pk}_low"), value(f"p{b.pk}_invalid")] == ["8", "0", "1"]
    assert value("whole_invalid") == "1"
    assert 'id="totals-problem"' not in page

    counting.record_ballot_counts(counters[0], form, issued=12, collected=11, note="Tìm thấy thêm một phiếu")
    page = client.get(url).content.decode()
    assert 'id="totals-problem"' in page and "Đếm và lưu lại" in page


def test_totals_saved_before_the_number_was_kept_get_it_filled_in_by_the_migration(totals_form):
    """Migration voting 0005: a form whose totals were saved before 0011 gets the number its result
    was worked out with (10 collected, the totals cover 9: 1), and the page shows it."""
    from importlib import import_module

    from django.apps import apps

    from tinnhiem.conferences.models import BallotForm

    form, _people = totals_form
    BallotForm.objects.filter(pk=form.pk).update(whole_invalid_by_hand=None)
    import_module("tinnhiem.voting.migrations.0005_fill_whole_invalid_by_hand").fill(apps, None)
    assert BallotForm.objects.get(pk=form.pk).whole_invalid_by_hand == 1


@pytest.mark.parametrize(
    "issued, collected, spoilt, message",
    [
        (
            12,
            13,
            0,
            "Số phiếu thu về (13) không thể nhiều hơn số phiếu phát ra (12). Hãy đếm lại cả hai; nếu trong hòm "
            "phiếu vẫn nhiều phiếu hơn số đã phát ra, báo cáo người chủ trì hội nghị: người chủ trì có thể cho bỏ "
            "phiếu lại mẫu phiếu này. Chưa có gì được lưu.",
        ),
        (13, 10, 0, "Số phiếu phát ra (13) không thể vượt quá số người có mặt (12)."),
        (12, -1, 0, "Các số đếm không được là số âm."),
    ],
)
def test_impossible_ballot_counts_are_refused_with_what_to_do_and_nothing_changes(
    counters, counted_by_totals, issued, collected, spoilt, message
):
    form, _people = counted_by_totals
    with pytest.raises(ValidationError) as info:
        counting.record_ballot_counts(counters[0], form, issued=issued, collected=collected, spoilt=spoilt)
    assert info.value.messages == [message]
    form.refresh_from_db()
    assert (form.issued, form.collected, form.reconciliation_note) == (12, 10, "Hai đại biểu không nộp phiếu")
