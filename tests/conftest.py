"""Shared fixtures: users of every role, and a small conference built through the use cases."""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta

import pytest

from tinnhiem.accounts.roles import ROLES, ensure_roles

ROLE_NAMES = list(ROLES)


def pytest_sessionfinish(session, exitstatus):
    """The run's own data folder (databases, scans, documents: about 300 MB) goes when the run
    ends, removed by the process that made it, after its xdist workers are done."""
    own = os.environ.get("TINNHIEM_TEST_OWN_DIR")
    if own and not os.environ.get("PYTEST_XDIST_WORKER"):
        shutil.rmtree(own, ignore_errors=True)


# fixtures that give a test the database (pytest-django blocks every other access to it), and
# run_script (tests/crash), whose processes make a database of their own on the suite's server
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "run_script",
}


def pytest_collection_modifyitems(config, items):
    """With TINNHIEM_TESTS_USING_DATABASE=1 (scripts/test, for its second run, on PostgreSQL), only
    the tests that use the database run: a test that cannot open it (the counting core, the
    recognition of images, the documents rendered from plain data) gives the same result on every
    database, and has already run on SQLite."""
    if os.environ.get("TINNHIEM_TESTS_USING_DATABASE") != "1":
        return
    keep, drop = [], []
    for item in items:
        uses = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        (keep if uses else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def is_transactional(item) -> bool:
    """Whether the test commits for real (and the database is emptied after it), as pytest-django
    decides it."""
    marker = item.get_closest_marker("django_db")
    return bool(
        marker
        and (
            marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences") or (marker.args and marker.args[0])
        )
    ) or bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


_SHARED_DEMO: list = []  # the open transaction that holds a module's demo, while it is open


@pytest.fixture(scope="module")
def shared_demo(django_db_setup, django_db_blocker):
    """The demo (``load_demo``: every use case of a real office, a few seconds) loaded once for a
    test module, in a transaction left open: each test's own transaction nests in it as a savepoint
    and is rolled back after the test, and the whole is rolled back after the module, so that every
    test still begins with the demo as loaded. The ready conference's id."""
    from django.db import transaction

    from tinnhiem.site.demo import load_demo

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        _SHARED_DEMO.append(atomic)
        ensure_roles()
        ready = load_demo(today=date.today())
    yield ready.pk
    _close_shared_demo(django_db_blocker)


def _close_shared_demo(django_db_blocker) -> None:
    from django.db import transaction

    with django_db_blocker.unblock():
        while _SHARED_DEMO:
            transaction.set_rollback(True)
            _SHARED_DEMO.pop().__exit__(None, None, None)


def shared_demo_open(request) -> None:
    """Called by the fixtures that read the shared demo: it is for tests that roll back."""
    if is_transactional(request.node):
        pytest.fail("a test that commits cannot read the shared demo: load the demo in the test itself")
    assert _SHARED_DEMO, "the shared demo was rolled back before a test that reads it"


@pytest.fixture(autouse=True)
def _no_shared_demo_under_a_transactional_test(request, django_db_blocker):
    """A test that commits for real runs after the module's tests that roll back (pytest-django's
    order), and may follow them in the same module: the shared demo is rolled back first."""
    if _SHARED_DEMO and is_transactional(request.node):
        _close_shared_demo(django_db_blocker)


@pytest.fixture(autouse=True)
def _default_language():
    """A page requested in English leaves English active in this thread (the locale middleware does
    not switch back): every test starts and ends in the site's default language."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cache lives in the test process (the rate limits of wrong codes are counted there, per
    address, and every test client and browser is 127.0.0.1): each test starts with it empty, so
    that wrong codes typed in one test do not block the phones of another in the same worker."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def roles(db):
    ensure_roles()


@pytest.fixture
def make_user(db, roles, django_user_model):
    from django.contrib.auth.models import Group

    def make(role: str | None, username: str | None = None):
        user = django_user_model.objects.create_user(username=username or f"u-{role or 'none'}", password="pw-123456")
        if role:
            user.groups.add(Group.objects.get(name=role))
            user.is_staff = role == "admin"
            user.save()
        return user

    return make


@pytest.fixture
def office(make_user):
    return make_user("office", "office")


@pytest.fixture
def today():
    return date.today()


@pytest.fixture
def campaign(office, today):
    from tinnhiem.conferences.usecases import campaigns

    body = campaigns.create_body(office, name="UBND thành phố Móng Cái", level="district")
    return campaigns.create_campaign(
        office,
        body=body,
        name="Đợt 2026",
        legal_basis="Kế hoạch số 267/KH-UBND",
        term="2020–2025",
        rule_set="qd96-2023",
        rating_year=today.year,
    )


@pytest.fixture
def conference(office, campaign, today):
    from tinnhiem.conferences.usecases import campaigns

    return campaigns.create_conference(
        office,
        campaign=campaign,
        title="Hội nghị lấy phiếu tín nhiệm",
        date=today + timedelta(days=20),
        place="Hội trường",
        convening_body="UBND thành phố",
    )


@pytest.fixture
def person(office, conference):
    from tinnhiem.conferences.usecases import rated

    return rated.add_rated_person(office, conference, full_name="Trần Minh Đức", post="Phó Chủ tịch UBND thành phố")


@pytest.fixture
def voter(office, conference):
    from tinnhiem.conferences.usecases import roster

    return roster.add_voter(office, conference, full_name="Nguyễn Văn An", post="Trưởng phòng Nội vụ")


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def pdf_bytes():
    return PDF
