"""Shared fixtures: users of every role, and a small conference built through the use cases."""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

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


@pytest.hookimpl(tryfirst=True)  # the tests left out are gone before the other plugins see the list
def pytest_collection_modifyitems(config, items):
    """With TINNHIEM_TESTS_USING_DATABASE=1 (scripts/test, for its second run, on PostgreSQL), only
    the tests that use the database run: a test that cannot open it (the counting core, the
    recognition of images, the documents rendered from plain data) gives the same result on every
    database, and has already run on SQLite. So does a test marked ``same_on_every_database``,
    which uses the database only to set up what it checks (a printed ballot whose scans it reads),
    and so do the browser journeys: what they add to the other tests is the browser (the pages'
    scripts, layout and flow), the same on every database, while each use case and page they go
    through is tested on PostgreSQL without a browser, and so are requests at the same moment from
    separate processes (tests/crash)."""
    if os.environ.get("TINNHIEM_TESTS_USING_DATABASE") == "1":
        keep, drop = [], []
        for item in items:
            uses = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
            once = item.get_closest_marker("same_on_every_database") or item.get_closest_marker("browser")
            (keep if uses and not once else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep


class _HeavyFirst:
    @pytest.hookimpl(trylast=True)  # after pytest-django has put the tests in its own order
    def pytest_collection_modifyitems(self, items):
        """The tests marked ``heavy`` (tens of seconds each) start first, in their order: with one
        worker per core, one begun near the end of the run would keep its worker busy long after
        the other has finished. (Not a test of DEMO_GROUP: those go first as one unit anyway.)"""
        items.sort(key=lambda item: item.get_closest_marker("heavy") is None)


def pytest_configure(config):
    config.pluginmanager.register(_HeavyFirst(), "tinnhiem-heavy-first")


# The test modules that read the shared demo (the fixtures seed, demo, demo_ready). With pytest-xdist,
# their tests are sent to one worker, one after the other, where they share one loading of the demo
# instead of one per module (``pytest_xdist_make_scheduler``); the other workers take the rest.
# Any other module begins with the demo rolled back. tests/test_suite.py checks this list against the tests.
DEMO_GROUP = frozenset(
    {
        "tests/audit/test_describe.py",
        "tests/audit/test_record.py",
        "tests/documents/test_ballots.py",
        "tests/documents/test_command_files.py",
        "tests/documents/test_document_pages.py",
        "tests/documents/test_official.py",
        "tests/security/test_attacks.py",
        "tests/web/test_accessibility.py",
        "tests/web/test_day_pages.py",
        "tests/web/test_demo.py",
        "tests/web/test_hostile_input.py",
    }
)


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: without it (-p no:xdist), not called
def pytest_xdist_make_scheduler(config, log):
    """``-n N`` (scripts/test): xdist's own load scheduling, but for the tests of ``DEMO_GROUP``,
    which go to one worker as one unit, first (each other test is a unit of its own, sent to
    whichever worker is free). xdist's ``loadgroup`` would do it with a mark, but it renames
    node ids in a way pytest 9 no longer sees."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class DemoGroupFirst(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "shared demo" if nodeid.split("::")[0] in DEMO_GROUP else nodeid

    return DemoGroupFirst(config, log)


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


# The shared demo: the demo loaded in a transaction left open, while the modules that read it run
_SHARED_DEMO: dict = {}  # "atomic": the open transaction, "ready": the ready conference's id


@pytest.fixture(scope="session")
def _shared_demo_closed_at_the_end(django_db_setup, django_db_blocker):
    """Rolls the shared demo back when the run ends, before the test database goes."""
    yield
    _close_shared_demo(django_db_blocker)


@pytest.fixture(scope="module")
def shared_demo(_shared_demo_closed_at_the_end, django_db_blocker):
    """The demo (``load_demo``: every use case of a real office, several seconds) loaded once in a
    transaction left open: each test's own transaction nests in it as a savepoint and is rolled
    back after the test, so that every test begins with the demo as loaded. It stays loaded from
    one module that reads it to the next (with pytest-xdist they run one after the other on one
    worker: ``DEMO_GROUP``) and is rolled back before a module that does not read it, a test that
    commits for real, or the end of the run. The ready conference's id. (A module-scoped
    fixture: set up before any test's own transaction is opened.)"""
    from django.db import transaction

    from tinnhiem.site.demo import load_demo

    if not _SHARED_DEMO:
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            _SHARED_DEMO["atomic"] = atomic
            _SHARED_DEMO["connection"] = connections[DEFAULT_DB_ALIAS]
            ensure_roles()
            _SHARED_DEMO["ready"] = load_demo(today=date.today()).pk
    return _SHARED_DEMO["ready"]


def _close_shared_demo(django_db_blocker) -> None:
    """Rolls the shared demo back on the connection it was loaded on. Django keeps a connection
    per thread and per context: once Playwright's event loop runs (the browser tests' session
    fixture), this thread's ``connection`` is another one, outside the demo's transaction."""
    from django.db import transaction

    if _SHARED_DEMO:
        with django_db_blocker.unblock():
            current = connections[DEFAULT_DB_ALIAS]
            connections[DEFAULT_DB_ALIAS] = _SHARED_DEMO["connection"]
            try:
                transaction.set_rollback(True)
                _SHARED_DEMO.pop("atomic").__exit__(None, None, None)
            finally:
                connections[DEFAULT_DB_ALIAS] = current
                _SHARED_DEMO.clear()


def shared_demo_open(request) -> None:
    """Called by the fixtures that read the shared demo: it is for tests that roll back."""
    if is_transactional(request.node):
        pytest.fail("a test that commits cannot read the shared demo: load the demo in the test itself")
    assert _SHARED_DEMO, "the shared demo was rolled back before a test that reads it"


@pytest.fixture(scope="module", autouse=True)
def _no_shared_demo_in_another_module(request, django_db_blocker):
    """A module that does not read the shared demo (not in ``DEMO_GROUP``) begins without it
    (module-scoped: before any of its tests opens its own transaction)."""
    if _SHARED_DEMO and request.node.nodeid.split("::")[0] not in DEMO_GROUP:
        _close_shared_demo(django_db_blocker)


@pytest.fixture(autouse=True)
def _no_shared_demo_under_a_transactional_test(request, django_db_blocker):
    """A test that commits for real runs after the tests that roll back (pytest-django's order),
    and may follow them in the same module: the shared demo is rolled back first."""
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


@pytest.fixture
def not_the_tables_owner(db):
    """On PostgreSQL as a superuser: the test's connection acts as a role that owns none of the
    tables (a database set up with one role for the migrations and another for the server)."""
    import uuid

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's roles")
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("making a role needs a superuser")
        role = connection.ops.quote_name(f"server_{uuid.uuid4().hex[:12]}")
        cursor.execute(f"CREATE ROLE {role}")
        cursor.execute(f"SET ROLE {role}")
    try:
        yield role
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute(f"DROP ROLE {role}")
