"""The hash-chained audit log: every change writes one event; tampering is detected."""

import hashlib
import itertools

import pytest
from django.db import connection, transaction

from tinnhiem.audit import log
from tinnhiem.audit.chain import (
    GENESIS,
    canonical,
    event_hash,
    event_payload,
    fingerprint,
    result_sha256,
    verify_chain,
)
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


def test_the_canonical_form_is_the_one_docs_audit_md_gives_to_other_verifiers():
    """Someone checking an exported record with their own program follows docs/audit.md: keys sorted
    at every level, no spaces, Vietnamese as UTF-8, not escaped. The bytes are written out here by
    hand, so a change of the serialisation (an order, an escape) fails even if the code still
    agrees with itself."""
    payload = event_payload(
        seq=7,
        at="2026-11-27T05:38:35.123456Z",
        actor="vanphong",
        action="roster.imported",
        conference=3,
        data={"z": 1, "a": {"y": "Đặng Quốc Khánh", "b": [True, None, {"d": 2, "c": "ờ"}]}},
        prev=GENESIS,
    )
    written = (
        '{"action":"roster.imported","actor":"vanphong","at":"2026-11-27T05:38:35.123456Z","conference":3,'
        '"data":{"a":{"b":[true,null,{"c":"ờ","d":2}],"y":"Đặng Quốc Khánh"},"z":1},'
        '"prev":"' + "0" * 64 + '","seq":7,"v":1}'
    ).encode("utf-8")
    assert canonical(payload) == written
    assert event_hash(payload) == hashlib.sha256(written).hexdigest()


def test_the_digest_of_a_result_is_the_one_docs_record_format_md_gives():
    """docs/record-format.md: the JSON of the result with sorted keys, Python's default separators
    (", " and ": ") and UTF-8 text not escaped; written out by hand here, as another program would."""
    result = {"people": [{"name": "Đặng Quốc Khánh", "counts": {"low": 1, "high": 30}}], "base": {"value": 33}}
    written = '{"base": {"value": 33}, "people": [{"counts": {"high": 30, "low": 1}, "name": "Đặng Quốc Khánh"}]}'
    assert result_sha256(result) == hashlib.sha256(written.encode("utf-8")).hexdigest()


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


@pytest.mark.django_db(transaction=True)
def test_events_written_together_chain_as_events_written_one_by_one():
    """``record_many`` (an import's hundreds of events in one insert) writes the chain ``record``
    would, in order, between events written alone; outside a transaction it is refused, and with
    nothing to write it writes nothing."""
    with pytest.raises(RuntimeError):
        log.record_many("system", [("x", {})])
    with transaction.atomic():
        log.record("system", "first", conference=7)
        made = log.record_many("u", [("a", {"n": 1}), ("b", {"n": 2}), ("c", {})], conference=7)
        assert log.record_many("u", [], conference=7) == []
        log.record("system", "last")
    events = list(Event.objects.order_by("seq"))
    assert [(e.seq, e.action, e.actor, e.conference_id, e.data) for e in events] == [
        (1, "first", "system", 7, {}),
        (2, "a", "u", 7, {"n": 1}),
        (3, "b", "u", 7, {"n": 2}),
        (4, "c", "u", 7, {}),
        (5, "last", "system", None, {}),
    ]
    assert [e.hash for e in made] == [e.hash for e in events[1:4]]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events)) and log.verify() == []
    assert log.head() == (5, events[-1].hash)


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


def _event(seq, action, conference=None, **data):
    return {"seq": seq, "action": action, "conference": conference, "data": data, "hash": f"{seq:064x}"}


def test_the_minutes_print_the_log_after_the_last_event_that_may_change_them():
    """What the minutes print is the chain after the conference's last event that may change what
    they say: not after an event of another conference, of nobody's (an account), nor after the
    record's export, the publication, the sealed ballots held, released or destroyed, or a
    confidence vote prepared from the results; after a change to the conference's campaign, yes."""
    from tinnhiem.audit.chain import minutes_point

    events = [
        _event(1, "campaign.created", campaign=9),
        _event(2, "conference.created", 1),
        _event(3, "attendance.checked_in", 1),
        _event(4, "count.finalised", 1, form=1),
        _event(5, "attendance.checked_in", 2),
        _event(6, "results.published", 1),
        _event(7, "record.exported", 1, bytes=100),
        _event(8, "ballots.held", 1, reason="khiếu nại"),
        _event(9, "ballots.released", 1, settlement="đã giải quyết"),
        _event(10, "ballots.destroyed", 1),
        _event(11, "conference.follow_up", 1, vote_conference=3),
        _event(12, "account.saved", user="vanphong"),
        _event(13, "campaign.updated", campaign=8, fields=["term"]),
        {"seq": 14, "prev": "0" * 64, "hash": "e" * 64, "redacted": True},
    ]
    newest_first = events[::-1]
    assert minutes_point(newest_first, 1, 9)["seq"] == 4
    assert minutes_point(newest_first, 2, 8)["seq"] == 13  # its campaign (8) changed after its last event
    assert minutes_point(newest_first, 2, None)["seq"] == 5
    assert minutes_point(newest_first, 3, 9) is None
    for seq, change in enumerate(
        [
            _event(0, "campaign.updated", campaign=9, fields=["legal_basis"]),
            _event(0, "count.reopened", 1, form=1, reason="nhập nhầm"),
            _event(0, "conference.updated", 1, fields=["place"]),
        ],
        start=15,
    ):
        later = [*events, change | {"seq": seq}, _event(seq + 100, "record.exported", 1)]
        assert minutes_point(later[::-1], 1, 9)["seq"] == seq, change["action"]
