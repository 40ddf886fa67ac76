"""Counting by scanning in real Chromium: upload a batch, review two flagged ballots, finalise; and a
day with a sheet fed twice and a torn ballot."""

from __future__ import annotations

import os
import re

import pytest

from tests.scanning.reading import assert_read_as
from tinnhiem.scanning import usecases as scan
from tinnhiem.scanning.models import ScannedPage
from tinnhiem.voting.models import FormResult
from tinnhiem.voting.usecases import counting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_scan_page(page, live_server, sv):
    """Log in as a member of the counting committee and open the form's scanning page."""
    form = sv["form"]
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.fill("#id_username", sv["member"].username)
    page.fill("#id_password", "pw-123456")
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/hoi-nghi/{form.conference_id}/kiem-phieu/{form.pk}/quet/")
    return page


def test_upload_review_finalise(new_page, live_server, shot, tmp_path, settings, scan_vote_tx, make_scan_tx):
    sv = scan_vote_tx
    form = sv["form"]
    counting.record_ballot_counts(
        sv["member"], form, issued=10, collected=4, note="Sáu đại biểu ra về trước khi bỏ phiếu"
    )
    paths, truths = [], []
    for i, style in enumerate(("cross", "pencil", "check", "pencil")):
        data, truth, _image = make_scan_tx(5000 + i, style=style)
        path = tmp_path / f"trang-{i + 1}.png"
        path.write_bytes(data)
        paths.append(str(path))
        truths.append(truth)
    page = open_scan_page(new_page(), live_server, sv)
    # the page sends a few files per request, each request under the limit: the stack may be far
    # larger than the limit; a file over it is named, and the others are read all the same
    default_limit = settings.TINNHIEM_MAX_SCAN_BYTES
    settings.TINNHIEM_MAX_SCAN_BYTES = max(os.path.getsize(p) for p in paths) + 1000
    big = tmp_path / "ca-xap.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * settings.TINNHIEM_MAX_SCAN_BYTES)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.reload()
    assert "mỗi tệp tối đa" in page.locator("label[for=id_files]").inner_text()
    page.set_input_files("#id_files", [*paths[:2], str(big), *paths[2:]])
    page.click("button:has-text('Đọc các trang')")
    page.get_by_text("ca-xap.pdf lớn hơn giới hạn của một tệp").wait_for()
    assert len(posts) == 4  # here the limit holds one file per request; the oversized one never left
    settings.TINNHIEM_MAX_SCAN_BYTES = default_limit
    page.click("a:has-text('tải lại trang')")
    page.get_by_text("Đã quét 4 phiếu").wait_for()
    shot(page, "30-quet-phieu")
    assert page.locator("#queue a:has-text('Kết luận')").count() == 2
    assert "dấu không có mực đậm" in page.locator("#queue").inner_text()  # pencil, too few marks to judge
    for _ in range(2):
        page.locator("#queue a:has-text('Kết luận')").first.click()
        page.wait_for_function(
            "() => [...document.querySelectorAll('img.crop')].every(i => i.complete && i.naturalWidth > 100)"
        )

        position = int(page.locator("h2").inner_text().split()[-1])
        truth = truths[position - 1]
        page.fill("#id_keys", "".join(truth.keys))
        page.fill("#id_reason", "Đối chiếu phiếu gốc: đánh dấu bằng bút chì")
        if _ == 0:
            shot(page, "31-xem-xet-phieu-quet")
        page.click("button:has-text('Ghi kết luận')")
        page.get_by_text("Đã ghi nhận.").wait_for()
    assert page.locator("#queue a:has-text('Kết luận')").count() == 0
    page.goto(f"{live_server.url}/hoi-nghi/{form.conference_id}/kiem-phieu/{form.pk}/")
    page.click("button:has-text('Chốt kết quả kiểm phiếu')")
    page.get_by_text("Đã ghi nhận.").wait_for()
    stored = FormResult.objects.get(form=form)
    assert stored.data["ballots"]["collected"] == 4
    expected = [sum(1 for t in truths if t.keys[i] == "1") for i in range(2)]
    assert [p["counts"]["high"] for p in stored.data["people"]] == expected
    assert page.external_requests == []


def test_writing_under_the_list_is_shown_to_the_committee(new_page, live_server, shot, scan_vote_tx, make_scan_tx):
    """A name written in under the list: the queue says which page, the review shows the image of
    that space and what the rule set does; the committee keeps the machine's reading."""
    sv = scan_vote_tx
    form = sv["form"]
    counting.record_ballot_counts(sv["member"], form, issued=10, collected=1, note="Chín đại biểu ra về")
    data, truth, _image = make_scan_tx(5100, style="check", written=True)
    scan.scan_file(sv["member"], form, name="trang-1.png", data=data)
    page = open_scan_page(new_page(), live_server, sv)
    assert "trang 1 — có chữ viết dưới danh sách" in page.locator("#queue").inner_text()
    page.locator("#queue a:has-text('Kết luận')").click()
    box = page.locator("#chu-viet")
    assert "tên ghi thêm không được tính" in box.inner_text()
    box.locator("img.crop").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('#chu-viet img.crop').naturalWidth > 100")
    assert page.locator("#id_keys").input_value() == "".join(truth.keys)  # the machine's reading, to keep
    page.fill("#id_reason", "Tên ghi thêm dưới danh sách: không tính")
    shot(page, "33-chu-viet-duoi-danh-sach")
    page.click("button:has-text('Ghi kết luận')")
    page.get_by_text("Đã ghi nhận.").wait_for()
    assert page.locator("#queue a:has-text('Kết luận')").count() == 0
    assert form.scanned_ballots.get().keys == "".join(truth.keys)
    assert page.external_requests == []


def test_a_sheet_fed_twice_and_a_torn_ballot(new_page, live_server, tmp_path, scan_vote_tx, make_scan_tx):
    """The scanner jams and a sheet goes through twice; another ballot is torn across its QR code.
    The committee opens the second scan by its number and withdraws it, reads the torn ballot on
    paper, and finalises: the counts equal the paper."""
    import cv2
    import numpy as np

    sv = scan_vote_tx
    form = sv["form"]
    counting.record_ballot_counts(
        sv["member"], form, issued=10, collected=3, note="Bảy đại biểu ra về trước khi bỏ phiếu"
    )
    paths, keys = [], []
    for i in range(2):
        data, truth, image = make_scan_tx(5100 + i, style="cross")
        keys.append("".join(truth.keys))
        (tmp_path / f"{i + 1}.png").write_bytes(data)
        paths.append(str(tmp_path / f"{i + 1}.png"))
    again = cv2.add(np.roll(image, 5, axis=0), np.full(image.shape, 3, np.uint8))  # sheet 2, fed again
    (tmp_path / "3.jpg").write_bytes(cv2.imencode(".jpg", again)[1].tobytes())
    paths.append(str(tmp_path / "3.jpg"))
    page = open_scan_page(new_page(), live_server, sv)
    page.set_input_files("#id_files", paths)
    page.get_by_text(f"Đã chọn {len(paths)} tệp").wait_for()  # in the page's language, not the browser's
    page.click("button:has-text('Đọc các trang')")
    page.get_by_text("Đã quét 3 phiếu").wait_for()
    # the torn ballot, read on paper (a form sent twice records one: tests/scanning/test_scan_flow.py)
    page.click("summary:has-text('Phiếu máy quét không đọc được')")
    page.fill("#hand-keys", "32")
    page.fill("#hand-reason", "Phiếu bị rách ngang mã QR")
    page.click("button:has-text('Ghi phiếu')")
    page.get_by_text("Đã ghi phiếu số 4").wait_for()
    assert "4 phiếu đã quét, 3 phiếu thu về" in page.content()
    assert "mở lần quét thứ hai" in page.content()
    # the operator knows the jam was at the third sheet
    page.fill("#id_so", "3")
    page.click("button:has-text('Mở')")
    page.fill("#id_withdraw_reason", "Cùng tờ với phiếu số 2, đưa lại sau khi kẹt giấy")
    page.click("button:has-text('Không tính lần quét này')")
    page.get_by_text("Không tính phiếu số 3").wait_for()
    assert "phiếu thu về: hai số phải bằng nhau" not in page.content()
    page.goto(f"{live_server.url}/hoi-nghi/{form.conference_id}/kiem-phieu/{form.pk}/")
    page.click("button:has-text('Chốt kết quả kiểm phiếu')")
    page.get_by_text("Đã ghi nhận.").wait_for()
    stored = FormResult.objects.get(form=form)
    assert stored.data["ballots"]["collected"] == 3
    readings = [*keys, "32"]
    assert [p["counts"]["high"] for p in stored.data["people"]] == [
        sum(1 for k in readings if k[i] == "1") for i in range(2)
    ]
    assert [p["counts"]["low"] for p in stored.data["people"]] == [
        sum(1 for k in readings if k[i] == "3") for i in range(2)
    ]
    assert form.scanned_ballots.filter(by_hand=True).count() == 1
    assert page.external_requests == []


def _five_long_ballots(make_long_scan_tx, tmp_path, seed: int, order: tuple[int, int]):
    """Five two-page ballots marked with crosses, one file per page, the pages of each in ``order``,
    the files named as a scanner numbers them: their paths, and each ballot's keys in page order."""
    paths, keys = [], []
    for voter in range(5):
        pages = [make_long_scan_tx(seed + 10 * voter + n, page=n, style="cross") for n in (1, 2)]
        keys.append("".join(pages[0][1].keys + pages[1][1].keys))
        for n in order:
            path = tmp_path / f"{len(paths) + 1:04d}.png"
            path.write_bytes(pages[n - 1][0])
            paths.append(str(path))
    return paths, keys


def test_a_stack_fed_last_page_first(new_page, live_server, shot, tmp_path, long_vote_tx, make_long_scan_tx):
    """A two-page ballot, the stack fed last page first, one file per page (ten files, more than
    one request): read as if first page first, the page refuses the first request whole and sends
    no more; with the box ticked, the same files are counted, each ballot in page order."""
    sv = long_vote_tx
    form = sv["form"]
    counting.record_ballot_counts(sv["member"], form, issued=10, collected=5, note="Năm đại biểu vắng")
    paths, keys = _five_long_ballots(make_long_scan_tx, tmp_path, 5200, (2, 1))
    page = open_scan_page(new_page(), live_server, sv)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.set_input_files("#id_files", paths)
    page.click("button:has-text('Đọc các trang')")
    page.get_by_text("rồi đến trang 1").wait_for()
    assert len(posts) == 1  # eight files sent; the last two never left
    assert "Xấp phiếu quét từ trang cuối" in page.content() and not form.scanned_pages.exists()
    shot(page, "32-quet-tu-trang-cuoi")
    page.check("input[name=last_page_first]")
    page.set_input_files("#id_files", paths)
    page.click("button:has-text('Đọc các trang')")
    page.get_by_text("Đã quét 5 phiếu").wait_for()
    assert len(posts) == 3
    assert_read_as(form.scanned_ballots.order_by("position"), keys)  # each ballot in page order
    assert "hai số phải bằng nhau" not in page.content()
    assert page.external_requests == []


def _three_scans(make_scan_tx, tmp_path, seed: int) -> list[str]:
    """Three ballots marked with crosses, as 1.png, 2.png and 3.png: their paths."""
    paths = []
    for i in range(3):
        (tmp_path / f"{i + 1}.png").write_bytes(make_scan_tx(seed + i, style="cross")[0])
        paths.append(str(tmp_path / f"{i + 1}.png"))
    return paths


def _submission(request) -> str:
    """The one-time id a request of the scan page's script carries (its multipart body)."""
    return re.search(rb'name="submission"\r\n\r\n([0-9a-f]{32})', request.post_data_buffer).group(1).decode()


def test_the_wifi_drops_while_a_stack_is_sent(new_page, live_server, tmp_path, long_vote_tx, make_long_scan_tx):
    """Five two-page ballots, ten files, two requests. The first is recorded by the server but its
    answer is lost on the way back; the second never reaches it. The page sends each again, with
    the same one-time id, and goes on: every ballot is counted once, its pages together, and no
    page is listed as scanned twice."""
    sv = long_vote_tx
    form = sv["form"]
    counting.record_ballot_counts(sv["member"], form, issued=10, collected=5, note="Năm đại biểu vắng")
    paths, keys = _five_long_ballots(make_long_scan_tx, tmp_path, 5300, (1, 2))
    page = open_scan_page(new_page(), live_server, sv)
    page.evaluate("document.querySelector('form[data-upload]').setAttribute('data-retry-waits', '600,600')")
    attempts = []

    def flaky(route, request):
        if request.method != "POST":
            route.continue_()
            return
        attempts.append((_submission(request), ("answer lost", "sent", "lost", "sent")[len(attempts)]))
        if attempts[-1][1] == "answer lost":  # the server records it; the browser never hears back
            route.fetch()
            route.abort()
        elif attempts[-1][1] == "lost":
            route.abort()
        else:
            route.continue_()

    page.route("**/quet/", flaky)
    # what the line under the bar said, kept past the reload that follows the last request
    page.evaluate(
        """() => new MutationObserver(() => sessionStorage.setItem('said',
              (sessionStorage.getItem('said') || '') + '\\n' + document.querySelector('[data-upload-status]').textContent))
            .observe(document.querySelector('[data-upload-status]'), {childList: true, characterData: true, subtree: true})"""
    )
    page.set_input_files("#id_files", paths)
    page.click("button:has-text('Đọc các trang')")
    page.get_by_text("Đã quét 5 phiếu").wait_for()
    said = page.evaluate("() => sessionStorage.getItem('said')")
    assert "Máy chủ chưa trả lời cho 0008.png (mạng Wi-Fi?): gửi lại sau 1 giây (lần 1/2)…" in said, said
    assert "Máy chủ chưa trả lời cho 0010.png (mạng Wi-Fi?): gửi lại sau 1 giây (lần 1/2)…" in said, said
    assert [what for _id, what in attempts] == ["answer lost", "sent", "lost", "sent"]
    assert attempts[0][0] == attempts[1][0] != attempts[2][0] == attempts[3][0]
    assert_read_as(form.scanned_ballots.order_by("position"), keys)
    assert not form.scanned_pages.exclude(status=ScannedPage.Status.BALLOT).exists()
    assert page.external_requests == []


def test_sending_stops_where_the_connection_is_lost_and_says_from_which_file(
    new_page, live_server, shot, tmp_path, settings, scan_vote_tx, make_scan_tx
):
    """One file per request. The Wi-Fi goes after the first: the page tries the second again, then
    stops and says which files to choose again, and sends none after it (a gap would split the
    pages of a ballot of several pages). Chosen again, the session has ended meanwhile: it says so.
    Logged in again, the rest is counted, each page once."""
    from django.contrib.sessions.models import Session

    sv = scan_vote_tx
    form = sv["form"]
    paths = _three_scans(make_scan_tx, tmp_path, 5400)
    settings.TINNHIEM_MAX_SCAN_BYTES = max(os.path.getsize(p) for p in paths) + 1000
    page = open_scan_page(new_page(), live_server, sv)
    retry = "document.querySelector('form[data-upload]').setAttribute('data-retry-waits', '100,100')"
    page.evaluate(retry)
    posts = []

    def wifi_gone(route, request):
        if request.method == "POST":
            posts.append(request.url)
            if len(posts) > 1:
                route.abort()
                return
        route.continue_()

    page.route("**/quet/", wifi_gone)
    page.set_input_files("#id_files", paths)
    page.click("button:has-text('Đọc các trang')")
    page.get_by_text("Đã dừng gửi ở tệp 2.png: không kết nối được tới máy chủ.").wait_for()
    status = page.locator("[data-upload-status]").inner_text()
    assert "Số tệp chưa được đọc: 2, từ 2.png trở đi." in status
    assert len(posts) == 4  # the first; the second three times; never the third
    shot(page, "34-mat-ket-noi")
    assert form.scanned_ballots.count() == 1
    page.unroute("**/quet/")
    page.reload()
    page.evaluate(retry)

    def session_ended(route, request):
        if request.method == "POST":
            Session.objects.all().delete()
        route.continue_()

    page.route("**/quet/", session_ended)
    page.set_input_files("#id_files", paths[1:])
    page.click("button:has-text('Đọc các trang')")
    page.get_by_text("Đã dừng gửi ở tệp 2.png: đồng chí không còn đăng nhập").wait_for()
    assert form.scanned_ballots.count() == 1
    page.unroute("**/quet/")
    open_scan_page(page, live_server, sv)
    page.set_input_files("#id_files", paths)  # all three again: the first is known
    page.click("button:has-text('Đọc các trang')")
    page.get_by_text("Đã quét 3 phiếu").wait_for()
    assert form.scanned_ballots.count() == 3
    assert list(form.scanned_pages.exclude(status=ScannedPage.Status.BALLOT).values_list("reason", flat=True)) == [
        "duplicate"
    ]
    assert page.external_requests == []


def test_the_disk_filling_while_a_stack_is_sent_stops_the_page_at_the_file_not_recorded(
    new_page, live_server, shot, tmp_path, monkeypatch, scan_vote_tx, make_scan_tx
):
    """Three files in one request; the server's disk fills once the first is stored (its database
    refuses every write after that, with the error a full SQLite gives). The line under the bar says
    from which file to send again, and why; nothing after it is sent. With room again, those files
    are counted, and none is taken for a page scanned twice."""
    from tests.disk_full import full_database

    sv = scan_vote_tx
    form = sv["form"]
    paths = _three_scans(make_scan_tx, tmp_path, 5500)
    store, stored = scan._record_file, []

    def full_after_the_first(*args, **kwargs):  # in the server's thread, on its own connection
        stored.append(kwargs.get("place"))
        if len(stored) == 1:
            return store(*args, **kwargs)
        with full_database():
            return store(*args, **kwargs)

    monkeypatch.setattr(scan, "_record_file", full_after_the_first)
    page = open_scan_page(new_page(), live_server, sv)
    page.expected_statuses.add(507)  # the server's answer to the script: Insufficient Storage
    page.set_input_files("#id_files", paths)
    page.click("button:has-text('Đọc các trang')")
    page.get_by_text(
        "Đã dừng gửi ở tệp 2.png. Số tệp chưa được đọc: 2, từ 2.png trở đi: ổ đĩa của máy chủ đã đầy"
    ).wait_for()
    status = page.locator("[data-upload-status]").inner_text()
    assert "rồi tải lại trang này và chọn lại các tệp từ tệp này" in status
    assert stored == [0, 1] and form.scanned_ballots.count() == 1  # the third was not tried
    shot(page, "35-o-dia-day")
    monkeypatch.setattr(scan, "_record_file", store)
    page.reload()
    page.get_by_text("“2.png” chưa được ghi: ổ đĩa của máy chủ đã đầy.").wait_for()
    page.set_input_files("#id_files", paths[1:])
    page.click("button:has-text('Đọc các trang')")
    page.get_by_text("Đã quét 3 phiếu").wait_for()
    assert not form.scanned_pages.exclude(status=ScannedPage.Status.BALLOT).exists()
    assert page.external_requests == []


def test_the_committee_tries_its_scanner_with_a_blank_ballot(new_page, live_server, shot, tmp_path, scan_vote_tx):
    """From the ballot forms page, a trial page scanned well and one scanned in black and white:
    the table says what the count would do with each, and nothing is counted."""
    import cv2

    from tinnhiem.scanning import synthetic

    sv = scan_vote_tx
    blank = synthetic.render_blank(sv["pdf"], 0, 200)
    good, bw = tmp_path / "thu-1.png", tmp_path / "thu-den-trang.png"
    good.write_bytes(cv2.imencode(".png", blank)[1].tobytes())
    bw.write_bytes(cv2.imencode(".png", synthetic.bilevel(blank))[1].tobytes())
    page = open_scan_page(new_page(), live_server, sv)
    page.goto(f"{live_server.url}/hoi-nghi/{sv['form'].conference_id}/mau-phieu/")
    page.click("a:has-text('Thử phiếu in với máy quét')")
    page.set_input_files("#id_files", [str(good), str(bw)])
    page.click("button:has-text('Thử các trang này')")
    rows = page.locator("#trial tr")
    rows.nth(2).wait_for()
    assert "mọi dòng đọc chắc chắn, như khi kiểm phiếu" in rows.nth(1).inner_text()
    assert "đen trắng" in rows.nth(2).inner_text() and "không đọc" in rows.nth(2).inner_text()
    shot(page, "35-thu-may-quet")
    assert not sv["form"].scanned_pages.exists()
