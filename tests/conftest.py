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
