"""The results go up, in real Chromium: the unit downloads its conference's signed record and reads
its public key on the Documents page; the managing authority checks the record with that key on
'Hồ sơ nhận được' and downloads the summary table, without retyping a number."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_unit_sends_its_record_and_the_authority_checks_it(new_page, live_server, finished_council, shot, tmp_path):
    council = finished_council
    page = new_page()
    login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/hoi-nghi/{council.pk}/tai-lieu/")
    key = page.locator("#public-key").inner_text().strip()
    with page.expect_download() as download:
        page.click("button:has-text('Tải hồ sơ có chữ ký (ZIP)')")
    record = tmp_path / download.value.suggested_filename
    download.value.save_as(record)
    assert record.name == f"ho-so-hoi-nghi-{council.pk}.zip"

    page.get_by_role("link", name="Hồ sơ nhận được").click()
    page.set_input_files("#id_records", [str(record)])
    page.fill("#id_keys", key)
    page.click("button:has-text('Kiểm tra')")
    page.locator("#checks").get_by_text("ký bằng khoá số 1").wait_for()
    page.get_by_text("Số hồ sơ kiểm tra đúng: 1 (tất cả).").wait_for()
    assert page.locator("table.results tr").count() == 1 + 4  # the header and the four persons
    shot(page, "17-ho-so-nhan-duoc", full_page=False)
    with page.expect_download() as download:
        page.click("#received-table")
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    rows = list(book[book.sheetnames[0]].iter_rows(min_row=2, values_only=True))
    assert [r[4] for r in rows] == [f"Người được lấy phiếu số {i:02d}" for i in range(1, 5)]

    # a record altered on the way is refused, with no table
    data = bytearray(record.read_bytes())
    at = data.index(b"manifest.sig")  # a byte of the archive's directory: the file no longer opens as sent
    data[at] ^= 1
    broken = tmp_path / "sua.zip"
    broken.write_bytes(bytes(data))
    page.set_input_files("#id_records", [str(broken)])
    page.click("button:has-text('Kiểm tra')")
    page.locator("#checks").get_by_text("SAI", exact=True).wait_for()
    assert page.locator("#received-table").count() == 0
    assert page.external_requests == []
