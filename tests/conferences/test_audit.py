"""The hash-chained audit log: every change writes one event; tampering is detected."""

import itertools

import pytest
from django.db import connection, transaction

from tinnhiem.audit import log
from tinnhiem.audit.chain import GENESIS, fingerprint, verify_chain
from tinnhiem.audit.models import Event


def test_events_chain_and_verify(conference, person, voter):
    events = list(Event.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert log.verify() == []
    seq, head = log.head()
    assert seq == len(events) and head == events[-1].hash
    assert len(fingerprint(head)) == 19


@pytest.mark.parametrize(
    "column, value", [("actor", "someone-else"), ("data", '{"name": "khác"}'), ("at", "2020-01-01 00:00:00")]
)
def test_any_changed_field_breaks_the_chain(conference, person, column, value):
    target = Event.objects.order_by("seq")[1]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE audit_event SET {column} = %s WHERE id = %s", [value, target.pk])
    problems = log.verify()
    assert [(p.seq, p.reason) for p in problems] == [(target.seq, "hash")]


def test_deleted_event_is_a_gap(conference, person, voter):
    target = Event.objects.order_by("seq")[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_event WHERE id = %s", [target.pk])
    reasons = {p.reason for p in log.verify()}
    assert {"gap", "link"} <= reasons


def test_events_are_append_only(conference):
    event = Event.objects.first()
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


@pytest.mark.django_db(transaction=True)
def test_record_needs_the_use_case_transaction():
    with pytest.raises(RuntimeError):
        log.record("system", "x")
    with transaction.atomic():
        log.record("system", "x", data={"k": "v"})
    assert verify_chain(e.as_stored() for e in Event.objects.all()) == []


def test_an_edit_logs_what_it_changed_and_one_saved_unchanged_logs_nothing(office, campaign, conference, person, voter):
    """The log says what changed: an edit page saved as it was (to look at it, or sent twice) adds
    no event, and an edit of one field names that field alone, not every field of the page."""
    from tinnhiem.conferences.usecases import campaigns, day, rated, roster

    form = day.create_ballot_form(office, conference, name="Phiếu", people=[person], color="")
    voter_page = {f: getattr(voter, f) for f in ("full_name", "post", "unit", "phone", "email", "note")}
    person_page = {
        f: getattr(person, f)
        for f in ("full_name", "post", "group", "retirement_notified", "took_office_on", "decision", "decision_note")
    }
    edits = [
        (
            lambda **change: roster.update_voter(office, voter, **(voter_page | change)),
            {"unit": "Phòng Nội vụ"},
            ("voter.updated", {"voter": voter.pk, "fields": ["unit"]}),
        ),
        (
            lambda **change: campaigns.update_campaign(
                office, campaign, **({"body": campaign.body, "name": campaign.name, "term": campaign.term} | change)
            ),
            {"name": "Đợt 2026 (bổ sung)"},
            ("campaign.updated", {"campaign": campaign.pk, "fields": ["name"]}),
        ),
        (
            lambda **change: campaigns.update_conference(
                office, conference, **({"title": conference.title, "place": conference.place} | change)
            ),
            {"place": "Hội trường B"},
            ("conference.updated", {"place": "Hội trường B"}),
        ),
        (
            lambda **change: rated.update_rated_person(office, person, **(person_page | change)),
            {"post": "Phó Chủ tịch Thường trực UBND thành phố"},
            ("rated_person.updated", None),
        ),
        (
            lambda **change: day.update_ballot_form(office, form, **({"name": "Phiếu", "color": ""} | change)),
            {"color": "#ffe9a8"},
            ("ballot_form.updated", {"form": form.pk, "name": "Phiếu", "color": "#ffe9a8"}),
        ),
    ]
    for edit, change, (action, data) in edits:
        before = Event.objects.count()
        edit()
        assert Event.objects.count() == before, action
        edit(**change)
        event = Event.objects.order_by("seq").last()
        assert (event.action, Event.objects.count()) == (action, before + 1)
        assert data is None or event.data == data
        edit(**change)  # the same page sent again
        assert Event.objects.count() == before + 1, action
