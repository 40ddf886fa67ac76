"""The secrecy invariants of electronic voting (each claim of docs/secrecy.md has a test here)."""

from __future__ import annotations

import logging
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import close_old_connections, connection, connections
from django.test import Client
from django.urls import reverse

from tinnhiem import traces
from tinnhiem.audit.models import Event
from tinnhiem.conferences.usecases import campaigns, day
from tinnhiem.site import backups
from tinnhiem.voting import codes
from tinnhiem.voting.models import CodeCard, ElectronicBallot, Receipt
from tinnhiem.voting.usecases import evote

from .conftest import ROLES, build


def setup_vote(office, chair, counters, conference, voters, n_cards):
    day.open_conference(chair, conference, held_today=True)
    day.check_in(office, conference, voters)
    for voter, role, user in zip(voters[:3], ROLES[:3], counters[:3], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    day.record_committee_approval(chair, conference, votes_for=len(voters), against=0, abstaining=0)
    form = conference.ballot_forms.get()
    card_codes = evote.generate_cards(office, form, count=n_cards)
    day.open_voting(chair, conference)
    evote.open_evote(chair, form)
    return form, card_codes


def test_claim_1_records_hold_no_time_order_address_or_link():
    """An electronic ballot holds only a random id, its form and its marks; a receipt only a random
    id, its form and the tracking code; a card only an HMAC and its state."""
    assert {f.name for f in ElectronicBallot._meta.concrete_fields} == {"id", "form", "marks"}
    assert {f.name for f in Receipt._meta.concrete_fields} == {"id", "form", "tracking_code"}
    assert {f.name for f in CodeCard._meta.concrete_fields} == {"id", "form", "code_hmac", "state"}
    for model in (ElectronicBallot, Receipt, CodeCard):
        assert model._meta.pk.get_internal_type() == "UUIDField"
        assert not any(
            f.get_internal_type() in ("DateTimeField", "DateField", "TimeField", "GenericIPAddressField")
            for f in model._meta.concrete_fields
        )


def storage_order(table: str) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT id FROM {table} ORDER BY rowid")
        else:
            cursor.execute(f"SELECT id FROM {table} ORDER BY ctid")
        return [str(row[0]).replace("-", "") for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_claim_2_closing_rewrites_the_storage_order(office, chair, counters, day_conference):
    """Until the close the storage order follows the order of voting; the close rewrites both
    tables in a random order."""
    conference, people, voters = day_conference
    form, card_codes = setup_vote(office, chair, counters, conference, voters, 12)
    receipts = []
    for i, code in enumerate(card_codes[:12]):
        receipt, _ = evote.cast_ballot(
            conference,
            code_text=code,
            choices={people[0].pk: str(1 + i % 3)},
            tracking_code=codes.display(codes.new_tracking_code()),
        )
        receipts.append(receipt.pk.hex)
    assert storage_order("voting_receipt") == receipts  # before the close: the order of voting
    ballots_before = storage_order("voting_electronicballot")
    # a backup taken during the vote lists them in the order of their random ids
    backed_up = [r["pk"].replace("-", "") for r in backups._records() if r["model"] == "voting.receipt"]
    assert backed_up == sorted(receipts) != receipts
    evote.close_evote(chair, form)
    after = storage_order("voting_receipt")
    assert sorted(after) == sorted(receipts) and after != receipts
    ballots_after = storage_order("voting_electronicballot")
    assert sorted(ballots_after) == sorted(ballots_before) and ballots_after != ballots_before


def _database_files() -> bytes:
    """The bytes of the files the database keeps the two tables in, as someone copying them would
    read them: SQLite's database file and its write-ahead log; PostgreSQL's files of the tables
    (read by a superuser, after a checkpoint writes them out)."""
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        wal = path.with_name(path.name + "-wal")
        return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        cursor.execute(
            "SELECT string_agg(pg_read_binary_file(pg_relation_filepath(t)), ''::bytea) FROM unnest(%s::text[]) t",
            [evote.TABLES],
        )
        return bytes(cursor.fetchone()[0])


def erased_once_alone(tables: list[str], within: float = 300.0) -> None:
    """``traces.erase`` again until it says it erased, as the finalising of the form does. On
    PostgreSQL the other test workers' transactions, in their own databases of the same server,
    hold back what VACUUM FULL may remove while they run (a test not marked ``transaction`` runs
    in one transaction from its start to its end): the erasing waits a while, then says so."""
    deadline = time.monotonic() + within
    while not traces.erase(tables):
        assert time.monotonic() < deadline, f"not erased in {within:.0f} s"


def _other_sessions() -> list[tuple]:
    """PostgreSQL's other sessions of the moment, in any database (what a failure shows)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname, backend_type, state, backend_xid::text, backend_xmin::text, left(query, 60) "
            "FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname IS NOT NULL"
        )
        return cursor.fetchall()


def _live_copies() -> bytes:
    """The same, holding only the rows that exist: SQLite's VACUUM INTO writes a new database."""
    if connection.vendor != "sqlite":
        return b""
    with tempfile.TemporaryDirectory() as folder, connection.cursor() as cursor:
        clean = Path(folder) / "live.sqlite3"
        cursor.execute("VACUUM INTO %s", [str(clean)])
        return clean.read_bytes()


@pytest.fixture
def sqlite_without_secure_delete(monkeypatch):
    """Each new SQLite connection starts with ``secure_delete`` off before the settings' commands
    run, as SQLite does unless built otherwise (Debian builds it on)."""
    if connection.vendor == "sqlite":
        from django.db.backends.sqlite3 import base

        connect = base.Database.connect

        def connect_without(*args, **kwargs):
            made = connect(*args, **kwargs)
            made.execute("PRAGMA secure_delete=OFF")
            return made

        connection.close()
        monkeypatch.setattr(base.Database, "connect", connect_without)
    yield
    connection.close()


@pytest.mark.django_db(transaction=True)
def test_claim_2_the_rows_as_voted_do_not_stay_in_the_database_files(
    office, chair, counters, campaign, conference, sqlite_without_secure_delete, caplog
):
    """After the close, the ballots and receipts as they were first written (in the order of voting,
    each receipt beside its ballot) are not left in the database's files: not in a page they
    shared with rows that stay (another conference votes on the same server at the same time),
    nor in SQLite's write-ahead log while the server's connection stays open, nor in
    PostgreSQL's table files."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if not cursor.fetchone()[0]:
                pytest.skip("reading PostgreSQL's files needs a superuser")
    other = campaigns.create_conference(
        office,
        campaign=campaign,
        title="Hội nghị thứ hai",
        date=conference.date,
        place="Phòng họp số 2",
        convening_body="UBND thành phố",
    )
    halls = []
    for held in (conference, other):
        people, voters = build(office, held, 80)
        form, card_codes = setup_vote(office, chair, counters, held, voters, 80)
        halls.append((held, form, card_codes, people))
    tracking: list[str] = []
    for i in range(80):  # the two halls' phones at once: their rows share pages
        for n, (held, _form, card_codes, people) in enumerate(halls):
            receipt, _stored = evote.cast_ballot(
                held,
                code_text=card_codes[i],
                choices={people[0].pk: str(1 + i % 3), people[1].pk: "1"},
                tracking_code=codes.display(codes.new_tracking_code()),
            )
            if n == 0:
                tracking.append(receipt.tracking_code)
    closed = halls[0][1]
    ballot_ids = list(ElectronicBallot.objects.filter(form=closed).values_list("id", flat=True))
    assert not connection.in_atomic_block  # else the erasing waits for a commit that never comes
    others = _other_sessions()
    with caplog.at_level(logging.WARNING, logger="tinnhiem"):
        evote.close_evote(chair, closed)
    said, others = [r.getMessage() for r in caplog.records], [*others, "after:", *_other_sessions()]
    if connection.vendor == "postgresql" and said and all("another transaction was running" in m for m in said):
        erased_once_alone(evote.TABLES)  # another test worker's

    files, live = _database_files(), _live_copies()
    if connection.vendor == "sqlite":
        wal = Path(connection.settings_dict["NAME"] + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0
        needles = [code.encode() for code in tracking] + [ballot.hex.encode() for ballot in ballot_ids]
        left = {needle: files.count(needle) - live.count(needle) for needle in needles}
        assert all(live.count(needle) >= 1 for needle in needles)  # stored as looked for
    else:
        needles = [code.encode() for code in tracking] + [ballot.bytes for ballot in ballot_ids]
        left = {needle: files.count(needle) - 1 for needle in needles}  # the live row, once
    kept = sum(1 for needle in needles if left[needle])
    assert kept == 0, f"{kept} of {len(needles)} left; the erasing said {said}; other sessions before: {others}"
    # the other conference's ballots are as they were
    _held, form, _card_codes, _people = halls[1]
    assert (
        ElectronicBallot.objects.filter(form=form).count() == 80 and form.code_cards.filter(state="used").count() == 80
    )


@pytest.mark.django_db(transaction=True)
def test_erasing_after_the_close_does_not_wait_long_for_a_reader_and_says_so(monkeypatch, caplog):
    """A reader holding the tables (another request, a backup's snapshot) when the close erases:
    the erasing gives up after a while, says so in the server's log, and raises nothing (the
    close is committed); once the reader is done, it erases."""
    tables = evote.TABLES
    monkeypatch.setattr(traces, "LOCK_TIMEOUT", "100ms")
    monkeypatch.setattr(traces, "WAIT", 0.2)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 100")
    Group.objects.create(name="ghi")  # something in the write-ahead log

    def refused_while(held, said: str) -> None:
        """``held``, another connection in a transaction, keeps the erasing from its work: it
        says so and raises nothing; once ``held`` ends, it erases."""
        try:
            caplog.clear()
            with caplog.at_level(logging.WARNING, logger="tinnhiem"):
                assert traces.erase(tables) is False
            assert any(said in r.getMessage() for r in caplog.records)
        finally:
            held.rollback()
            held.close()
        erased_once_alone(tables)

    if connection.vendor == "sqlite":  # a reading transaction of its own (Python's sqlite3 begins none for a SELECT)
        reader = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        reader.execute("BEGIN")
        reader.execute(f"SELECT count(*) FROM {tables[0]}").fetchone()
        refused_while(reader, "could not")
    else:
        reader = connections.create_connection("default")
        reader.set_autocommit(False)
        with reader.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {tables[0]}")
        refused_while(reader, "could not")
        # a snapshot older than the delete, on another table: VACUUM FULL keeps what it may see
        holder = connections.create_connection("default")
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT count(*) FROM auth_group")
        refused_while(holder, "another transaction was running")
        # a transaction that writes in another database of the server (another worker's migration):
        # its number is in VACUUM FULL's own snapshot, which then keeps every row deleted since
        elsewhere = type(connections["default"])({**connection.settings_dict, "NAME": "postgres"})
        elsewhere.set_autocommit(False)
        with elsewhere.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()")
        refused_while(elsewhere, "another transaction was running")


@pytest.mark.django_db(transaction=True)
def test_erasing_that_postgresql_skips_is_said(not_the_tables_owner, caplog):
    """A role that may not rewrite the tables (it does not own them): PostgreSQL skips them with a
    warning and no error; the erasing says so in the server's log, not that it erased."""
    tables = evote.TABLES
    with caplog.at_level(logging.WARNING, logger="tinnhiem"):
        assert traces.erase(tables) is False
    [said] = [r.getMessage() for r in caplog.records]
    assert said.startswith(f"The deleted rows of {tables} were not erased from the database's files: PostgreSQL said ")
    assert "voting_electronicballot" in said and "voting_receipt" in said


def test_claim_3_the_code_appears_in_no_log_url_or_event(office, chair, counters, day_conference, caplog):
    """The code travels only in POST bodies: no server log line, no URL, no audit event holds it."""
    conference, people, voters = day_conference
    _form, card_codes = setup_vote(office, chair, counters, conference, voters, 3)
    code = card_codes[0]
    client = Client()
    caplog.set_level(logging.DEBUG)
    url = reverse("voting:vote", args=[conference.pk])
    responses = [client.get(url)]
    assert 'method="post"' in responses[0].content.decode()
    responses.append(client.post(url, {"step": "ballot", "code": code}))
    assert people[0].full_name in responses[-1].content.decode()
    responses.append(
        client.post(url, {"step": "review", "code": "WRONG-CODE"})
    )  # a mistyped code is logged nowhere either
    responses.append(
        client.post(url, {"step": "review", "code": code, f"p{people[0].pk}": "1", f"p{people[1].pk}": "0"})
    )
    tracking = responses[-1].context["tracking"]
    responses.append(
        client.post(
            url,
            {"step": "submit", "code": code, "tracking": tracking, f"p{people[0].pk}": "1", f"p{people[1].pk}": "0"},
        )
    )
    assert "Phiếu của đồng chí đã được ghi nhận." in responses[-1].content.decode()
    paths = [r.request["PATH_INFO"] + "?" + r.request.get("QUERY_STRING", "") for r in responses]
    canonical = codes.normalize(code)
    everything = " ".join(r.getMessage() for r in caplog.records) + " ".join(paths)
    everything += " ".join(str(e.data) + e.action for e in Event.objects.all())
    for secret in (code, canonical, tracking, codes.normalize(tracking, codes.TRACKING_LENGTH)):
        assert secret not in everything
    assert not any(canonical in str(v) for v in CodeCard.objects.values_list("code_hmac", flat=True))


def test_claim_4_no_event_per_ballot(office, chair, counters, day_conference):
    """Casting a ballot writes no audit event: the log cannot order or time ballots."""
    conference, people, voters = day_conference
    _form, card_codes = setup_vote(office, chair, counters, conference, voters, 3)
    before = Event.objects.count()
    evote.cast_ballot(
        conference,
        code_text=card_codes[0],
        choices={people[0].pk: "2"},
        tracking_code=codes.display(codes.new_tracking_code()),
    )
    assert Event.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_the_same_code_fifty_times_at_once_is_accepted_once(office, chair, counters, day_conference):
    conference, people, voters = day_conference
    _form, card_codes = setup_vote(office, chair, counters, conference, voters, 1)
    results, barrier = [], threading.Barrier(50)

    def submit(i):
        try:
            barrier.wait()
            _receipt, stored = evote.cast_ballot(
                conference,
                code_text=card_codes[0],
                choices={people[0].pk: "1"},
                tracking_code=codes.display(codes.new_tracking_code()),
            )
            results.append("stored" if stored else "repeat")
        except evote.VoteRefused as refused:
            results.append(refused.reason)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("stored") == 1 and results.count("used") == 49
    assert ElectronicBallot.objects.count() == 1 and Receipt.objects.count() == 1
    assert CodeCard.objects.get().state == "used"
