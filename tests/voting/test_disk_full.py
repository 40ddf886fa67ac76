"""A full disk on the hall's server: the database cannot grow, a file cannot be written. The action
is refused whole (each use case is one transaction), and whoever did it is told so in words: the
voter that the ballot was not recorded and the code is still unused, the staff to free space, the
command line in one line. Nothing is kept by half, and all goes on once there is room."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
import sys
import uuid

import pytest
from django.core.cache import cache
from django.core.management import load_command_class
from django.db import DatabaseError, IntegrityError, connection
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.disk_full import database_full_error, full_database, no_space, sqlite_full
from tinnhiem import disk
from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import RatedPerson
from tinnhiem.conferences.usecases import day
from tinnhiem.site import errors
from tinnhiem.voting.models import CodeCard, ElectronicBallot
from tinnhiem.voting.usecases import evote

NOT_RECORDED = "Phiếu của đồng chí chưa được ghi nhận"
RECORDED = "đã được ghi nhận"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


@pytest.fixture
def log(caplog):
    """What the server's log says (tinnhiem's and Django's request loggers do not propagate)."""
    loggers = [logging.getLogger("tinnhiem"), logging.getLogger("django.request")]
    for logger in loggers:
        logger.addHandler(caplog.handler)
    yield caplog
    for logger in loggers:
        logger.removeHandler(caplog.handler)


@pytest.fixture
def evoting(office, chair, counters, hall):
    conference, people = hall
    form = conference.ballot_forms.get()
    codes = evote.generate_cards(office, form, count=4)
    day.open_voting(chair, conference)
    evote.record_cards_issued(counters[0], form, count=4)
    evote.open_evote(chair, form)
    return conference, people, codes


def submit(client, conference, people, code):
    url = reverse("voting:vote", args=[conference.pk])
    client.get(url)
    review = client.post(url, {"step": "review", "code": code, f"p{people[0].pk}": "1", f"p{people[1].pk}": "3"})
    fields = {f"p{people[0].pk}": "1", f"p{people[1].pk}": "3", "tracking": review.context["tracking"]}
    return client.post(url, {"step": "submit", "code": code, **fields})


def test_a_full_disk_is_told_from_other_errors_by_what_the_database_and_files_raise():
    def wrapped(error):
        try:
            with connection.wrap_database_errors:
                raise error
        except DatabaseError as exc:
            return exc

    full = sqlite_full()
    assert str(full) == "database or disk is full" and disk.is_full(full)
    assert disk.is_full(wrapped(full)) and disk.is_full(wrapped(database_full_error()))
    enospc = no_space()
    assert disk.is_full(enospc)
    try:  # raised while handling it, as a storage's own error would be
        try:
            raise enospc
        except OSError:
            raise RuntimeError("the file was not saved") from None
    except RuntimeError as exc:
        assert disk.is_full(exc)  # through __context__
    import psycopg

    assert disk.is_full(psycopg.errors.DiskFull("could not extend file"))
    # errors that are not a full disk: a locked database, a constraint, no right to write
    db = f"file:locked-{uuid.uuid4().hex}?mode=memory&cache=shared"  # one database, two connections
    first, second = sqlite3.connect(db, uri=True), sqlite3.connect(db, uri=True, timeout=0)
    try:
        first.execute("CREATE TABLE t (x)")
        first.execute("BEGIN EXCLUSIVE")
        with pytest.raises(sqlite3.OperationalError) as locked:
            second.execute("INSERT INTO t VALUES (1)")
    finally:
        second.close()
        first.close()
    assert not disk.is_full(locked.value) and not disk.is_full(wrapped(locked.value))
    assert not disk.is_full(IntegrityError("UNIQUE constraint failed"))
    assert not disk.is_full(psycopg.errors.UniqueViolation("duplicate key"))
    assert not disk.is_full(PermissionError(13, "Permission denied"))
    loop = RuntimeError("a")
    loop.__context__ = RuntimeError("b")
    loop.__context__.__context__ = loop
    assert not disk.is_full(loop) and not disk.is_full(None)


def test_a_voter_whose_ballot_meets_a_full_disk_is_told_it_was_not_recorded_then_votes_again(evoting, log):
    conference, people, codes = evoting
    phone = Client(raise_request_exception=False)
    events = Event.objects.count()
    with full_database() as full:
        refused = submit(phone, conference, people, codes[0])
    assert full.refused >= 1
    page = refused.content.decode()
    assert refused.status_code == 507, page[:500]
    assert NOT_RECORDED in page and "mã của đồng chí vẫn chưa được dùng" in page and "Hãy báo Ban kiểm phiếu" in page
    assert "MB" not in page and "Lỗi hệ thống" not in page  # not the server's free space, not "a server error"
    assert ElectronicBallot.objects.count() == 0 and Event.objects.count() == events
    assert not CodeCard.objects.filter(state=CodeCard.State.USED).exists()
    said = log.text
    assert "The disk is full" in said and codes[0] not in said and codes[0].replace("-", "") not in said
    # room again: the same code votes, once
    done = submit(phone, conference, people, codes[0])
    assert done.status_code == 200 and RECORDED in done.content.decode()
    assert ElectronicBallot.objects.count() == 1 and CodeCard.objects.filter(state=CodeCard.State.USED).count() == 1


def test_an_office_action_meeting_a_full_disk_is_refused_whole_and_said_with_the_free_space(
    office, conference, monkeypatch
):
    client = Client(raise_request_exception=False)
    client.force_login(office)
    monkeypatch.setattr(disk, "free_bytes", lambda: 3 * 10**6)
    add = reverse("conferences:rated", args=[conference.pk])
    events = Event.objects.count()
    with full_database():
        response = client.post(add, {"full_name": "Trần Minh Đức", "post": "Phó Chủ tịch UBND"})
    page = response.content.decode()
    assert response.status_code == 507, page[:500]
    assert "Ổ đĩa của máy chủ đã đầy" in page and "Dung lượng còn trống lúc này: 3 MB." in page
    assert "không có gì bị ghi dở" in page.lower()
    assert not RatedPerson.objects.exists() and Event.objects.count() == events
    response = client.post(add, {"full_name": "Trần Minh Đức", "post": "Phó Chủ tịch UBND"}, follow=True)
    assert response.status_code == 200 and RatedPerson.objects.get().full_name == "Trần Minh Đức"


def test_signing_in_on_a_full_disk_is_said_and_signs_nobody_in(office):
    """The session is written after the page's view, by Django's middleware: a full disk there is
    said the same way, and the account is not signed in."""
    office.set_password("pw-123456")
    office.save()
    browser = Client(raise_request_exception=False)
    login = reverse("accounts:login")
    with full_database():
        response = browser.post(login, {"username": office.username, "password": "pw-123456"})
    assert response.status_code == 507 and "Ổ đĩa của máy chủ đã đầy" in response.content.decode()
    assert "_auth_user_id" not in browser.session
    response = browser.post(login, {"username": office.username, "password": "pw-123456"})
    assert response.status_code == 302 and browser.session["_auth_user_id"] == str(office.pk)


def test_the_error_page_tells_a_full_disk_from_another_error_in_each_form(db, monkeypatch):
    request = RequestFactory().get("/")
    try:
        raise RuntimeError("not a disk")
    except RuntimeError:
        response = errors.server_error(request)
    assert response.status_code == 500 and "Lỗi hệ thống" in response.content.decode()
    try:
        raise no_space()
    except OSError:
        response = errors.server_error(RequestFactory().post("/", headers={"X-Requested-With": "upload"}))
    assert response.status_code == 507 and json.loads(response.content)["error"].startswith("ổ đĩa của máy chủ đã đầy")

    def no_page(*args, **kwargs):  # the page's frame cannot be drawn either
        raise RuntimeError("template")

    monkeypatch.setattr(errors, "render", no_page)
    try:
        raise no_space()
    except OSError:
        response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 507 and response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("Ổ đĩa của máy chủ đã đầy: việc đồng chí vừa làm chưa được ghi")


def test_a_command_stopped_by_a_full_disk_says_so_in_one_line(office, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("hoi-nghi-tin-nhiem-2026\n"))  # the password, as from a script
    command = load_command_class("tinnhiem.accounts", "account")
    with full_database(), pytest.raises(SystemExit) as stopped:
        command.run_from_argv(["tinnhiem", "account", "thuky", "--role", "office"])
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: Ổ đĩa đã đầy (còn ") and "chưa được ghi. Hãy giải phóng dung lượng" in err
    assert "Traceback" not in err
