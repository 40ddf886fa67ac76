"""The administrator backs the site up from the hall's laptop in real Chromium: the file downloads,
the password typed again is emptied at once (a laptop left open would send it again), and the
list of backups shows the new one without the page being opened again."""

from __future__ import annotations

import hashlib
import tarfile

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_administrator_downloads_a_backup_and_sees_it_listed(
    new_page, live_server, make_user, office, conference, settings, tmp_path, shot
):
    from django.db import transaction

    from tinnhiem.audit.log import record
    from tinnhiem.audit.models import Event

    settings.MEDIA_ROOT = str(tmp_path / "media")
    make_user("admin", "quantri")
    with transaction.atomic():
        record(office, "results.published", conference=conference)  # announced, and not yet backed up
    page = new_page()
    login(page, live_server.url, "quantri")
    page.get_by_role("link", name="Sao lưu", exact=True).click()
    expect(page.locator("#backup-list")).to_contain_text("Chưa có bản nào.")
    expect(page.locator("#backup-due")).to_contain_text("mà hệ thống chưa được sao lưu lần nào.")
    page.fill("#id_password", "pw-123456")
    with page.expect_download() as download:
        page.click("button:has-text('Tải bản sao lưu')")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("sao-luu-tinnhiem-") and tarfile.is_tarfile(path)
    expect(page.locator("#id_password")).to_have_value("")  # not left in the field
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    expect(page.locator("#backups")).to_contain_text(sha256[:16])  # listed, the page not opened again
    expect(page.locator("#backups tr")).to_have_count(2)  # the header and the one backup
    expect(page.locator("#backup-due")).to_have_count(0)  # the reminder gone with it
    assert Event.objects.get(action="site.backed_up").data["sha256"] == sha256
    shot(page, "31-sao-luu", full_page=False)
    assert page.external_requests == []
