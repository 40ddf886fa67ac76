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
