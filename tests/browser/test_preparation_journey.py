"""The staff office prepares a conference in real Chromium; a voter sends an opinion from a phone;
the office forwards it and records the explanation."""

from __future__ import annotations

from datetime import date, timedelta

import cv2
import numpy as np
import pytest
import zxingcpp
from openpyxl import Workbook
from playwright.sync_api import expect

from tests.browser.helpers import login
from tests.photos import photo
from tinnhiem.conferences import links
from tinnhiem.conferences.models import Conference, Explanation, Opinion, Voter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def roster_xlsx(path):
    wb = Workbook()
    ws = wb.active
    ws.append(["STT", "Họ và tên", "Chức vụ", "Đơn vị"])
    for n, (name, post) in enumerate(
        [
            ("Nguyễn Văn An", "Trưởng phòng Nội vụ"),
            ("Lê Thị Bích", "Hiệu trưởng"),
            ("Phạm Quốc Cường", "Chánh Thanh tra"),
        ],
        start=1,
    ):
        ws.append([n, name, post, "UBND tỉnh"])
    wb.save(path)


@pytest.mark.heavy
def test_office_prepares_and_voter_sends_opinion(new_page, live_server, office, shot, tmp_path):
    from tinnhiem.documents.render import render_pdf

    base = live_server.url
    page = new_page()
    login(page, base, "office")
    page.get_by_role("link", name="Đợt lấy phiếu mới").click()
    page.fill("#id_new_body_name", "UBND tỉnh Quảng Ninh")
    page.select_option("#id_new_body_level", "province")
    page.fill("#id_new_body_locality", "Quảng Ninh")
    page.fill("#id_body_symbol", "UBND")  # the invitations print “Số:      /GM-UBND”
    page.fill("#id_name", "Lấy phiếu tín nhiệm Phó Chủ tịch UBND tỉnh")
    page.fill("#id_legal_basis", "Kế hoạch số 267/KH-UBND")
    assert page.input_value("#id_term") == ""  # printed on the minutes: typed, never a stale default
    assert page.input_value("#id_rating_year") == str(date.today().year)
    page.fill("#id_term", "2025–2030")
    page.select_option("#id_rule_set", "qd96-2023")
    shot(page, "01-dot-moi")
    page.click("main button[type=submit]")
    page.get_by_role("link", name="Hội nghị mới").click()
    page.fill("#id_title", "Hội nghị lấy phiếu tín nhiệm Phó Chủ tịch UBND tỉnh")
    page.fill("#id_date", f"{date.today() + timedelta(days=20):%d/%m/%Y}")  # as typed in Vietnam, day first
    page.fill("#id_place", "Hội trường UBND tỉnh")
    page.fill("#id_convening_body", "UBND tỉnh Quảng Ninh")
    page.click("main button[type=submit]")
    page.get_by_text("Đã tạo hội nghị.").wait_for()
    conference = Conference.objects.get()
    assert conference.rules.id == "qd96-2023" and conference.campaign.body.level == "province"
    assert conference.date == date.today() + timedelta(days=20)

    page.get_by_role("link", name="Người được lấy phiếu").click()
    page.fill("#id_full_name", "Trần Minh Đức")
    page.fill("#id_post", "Phó Chủ tịch UBND tỉnh")
    page.click("button:has-text('Thêm')")
    page.get_by_text("Đã thêm.").wait_for()

    page.get_by_role("link", name="Danh sách người ghi phiếu").click()
    xlsx = tmp_path / "danh-sach.xlsx"
    roster_xlsx(xlsx)
    page.set_input_files("#id_file", str(xlsx))
    page.click("button:has-text('Nhập')")
    page.get_by_text("Đã nhập 3 người ghi phiếu.").wait_for()
    shot(page, "02-danh-sach")
    assert Voter.objects.count() == 3

    page.get_by_role("link", name="Hồ sơ", exact=True).click()
    pdf = tmp_path / "bao-cao.pdf"
    pdf.write_bytes(
        render_pdf(
            "self_report",
            {
                "body": "UBND",
                "name": "Trần Minh Đức",
                "post": "Phó Chủ tịch",
                "place_date": "Quảng Ninh",
                "sections": [],
            },
        )
    )
    page.select_option("#id_rated_person", label="Trần Minh Đức — Phó Chủ tịch UBND tỉnh")
    page.fill("#id_title", "Báo cáo tự đánh giá")
    page.set_input_files("#id_file", str(pdf))
    page.click("button:has-text('Tải lên')")
    page.get_by_text("Đã tải hồ sơ lên.").wait_for()
    page.click("button:has-text('Gửi các hồ sơ mới cho người ghi phiếu')")
    page.get_by_text("Đã gửi 1 hồ sơ cho người ghi phiếu.").wait_for()

    page.get_by_role("link", name="Giấy mời").click()
    # the click returns once the new page is committed, before it is all there: wait for its rows
    expect(page.locator("#invitations img")).to_have_count(3)
    # each QR code is drawn (an SVG without its namespace showed as a broken image) and reads back
    # as that voter's personal link
    page.wait_for_function("() => Array.from(document.querySelectorAll('#invitations img')).every(i => i.complete)")
    for row in page.locator("#invitations tr").all()[1:]:
        image = row.locator("img")
        assert image.evaluate("i => i.naturalWidth") > 0, "the QR code is not drawn"
        drawn = cv2.imdecode(np.frombuffer(image.screenshot(), np.uint8), cv2.IMREAD_GRAYSCALE)
        assert [c.text for c in zxingcpp.read_barcodes(drawn)] == [row.locator("code").inner_text()]
    shot(page, "03-giay-moi")

    # a voter on a phone, in a separate browser context, with the link from the invitation letter
    voter = Voter.objects.get(full_name="Lê Thị Bích")
    phone = new_page(width=390, height=844, mobile=True)
    phone.goto(base + links.invitation_url(voter).removeprefix("http://testserver"))
    phone.get_by_text("Kính gửi đồng chí Lê Thị Bích,").wait_for()
    assert phone.get_by_role("link", name="Trần Minh Đức: Báo cáo tự đánh giá").count() == 1
    phone.select_option("#id_rated_person", label="Trần Minh Đức — Phó Chủ tịch UBND tỉnh")
    phone.fill("#id_text", "Đề nghị đồng chí làm rõ tiến độ dự án kè biển.")
    shot(phone, "04-nguoi-ghi-phieu-dien-thoai")
    phone.click("button:has-text('Gửi')")
    phone.get_by_text("Ý kiến đã được gửi").wait_for()
    opinion = Opinion.objects.get()
    assert opinion.voter is None and opinion.signed_by == ""
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the voter page scrolls sideways on a phone"

    # three letters on paper, compiled in Excel by a unit, which classified one: the office imports
    # the table, lands on the opinions not yet classified, ticks every row, unticks the voter's
    # request and classifies the two at once (the boxes belong to the form above the table:
    # form="phan-loai")
    table = Workbook()
    table.active.append(["STT", "Về người", "Ý kiến", "Người ký tên", "Ngày nhận", "Phân loại"])
    table.active.append([1, "chung", "Đồng tình với báo cáo.", "", None, None])
    table.active.append([2, "", "Nhất trí.", "Phạm Quốc Cường", None, None])
    table.active.append([3, "chung", "Đề nghị công khai kết quả.", "", None, "Đề nghị giải trình"])
    table.save(tmp_path / "tong-hop-y-kien.xlsx")
    page.get_by_role("link", name="Ý kiến").click()
    page.set_input_files("#id_bang-file", str(tmp_path / "tong-hop-y-kien.xlsx"))
    page.click("#nhap-bang-y-kien button:has-text('Nhập')")
    page.get_by_text("Đã nhập 3 ý kiến (chung: 3), đã phân loại theo bảng; còn 2 ý kiến chưa phân loại.").wait_for()
    assert page.url.endswith("?tag=new")
    expect(page.locator("#opinions input[name=opinions]")).to_have_count(3)
    page.check("[data-select-all='#opinions']")
    expect(page.locator("#opinions input[name=opinions]:checked")).to_have_count(3)
    page.uncheck(f"#y-kien-{opinion.pk} input[name=opinions]")
    page.select_option("#classify-ticked", "agrees")
    # the request's own choice changed and not saved with its row's button: the bar's button asks
    # first (app.js, data-unsaved); dismissed, nothing is sent, then accepted, the change is lost
    page.select_option(f"#y-kien-{opinion.pk} select[name=tag]", "requests_explanation")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("button:has-text('Lưu phân loại')")
    assert asked == [
        "Có 1 dòng đã đổi lựa chọn nhưng chưa bấm “Lưu” của dòng đó: thay đổi ấy sẽ không được ghi. "
        "Đồng chí vẫn tiếp tục?"
    ]
    assert page.url.endswith("?tag=new") and not page.get_by_text("Đã phân loại 2 ý kiến").count()
    assert Opinion.objects.filter(tag="agrees").count() == 0
    expect(page.locator("#opinions input[name=opinions]:checked")).to_have_count(2)  # still ticked
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click("button:has-text('Lưu phân loại')")
    page.get_by_text("Đã phân loại 2 ý kiến là “Đồng tình”.").wait_for()
    assert len(asked) == 2
    shot(page, "04b-y-kien-phan-loai")
    page.set_viewport_size({"width": 390, "height": 844})  # the bar and the boxes on a phone: nothing off the side
    page.wait_for_function("() => window.innerWidth === 390")
    shot(page, "04c-y-kien-dien-thoai")
    # each opinion a card there: its text as wide as the screen (it was a column of 85 px, three
    # words a line), its classification under it, the box "select all" said in words
    text = page.locator(f"#y-kien-{opinion.pk} td.text").bounding_box()
    choice = page.locator(f"#y-kien-{opinion.pk} select[name=tag]").bounding_box()
    assert text["width"] > 300 and choice["y"] > text["y"] + text["height"] - 1, (text, choice)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator("#opinions th.tick")).to_have_text("Chọn tất cả")
    assert sorted(Opinion.objects.values_list("tag", flat=True)) == ["agrees", "agrees", "new", "requests_explanation"]
    # a letter of the table was not for this conference: removed on the phone with the reason (the
    # bar's button is under the table there; the boxes belong to the bar's form all the same)
    page.goto(f"{base}/hoi-nghi/{conference.pk}/y-kien/")
    mistaken = Opinion.objects.get(text="Nhất trí.")
    page.check(f"#y-kien-{mistaken.pk} input[name=opinions]")
    page.click("button:visible:has-text('Xoá ý kiến nhập nhầm…')")
    page.get_by_text("Xoá 1 ý kiến nhập nhầm?").wait_for()
    page.fill("#id_reason", "Thư của hội nghị khác")
    page.click("button:has-text('Xoá 1 ý kiến')")
    page.get_by_text("Đã xoá 1 ý kiến.").wait_for()
    assert not Opinion.objects.filter(pk=mistaken.pk).exists()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/hoi-nghi/{conference.pk}/y-kien/?tag=new")

    # the office classifies the request and forwards it; the table's request names no one: refused,
    # it is classified otherwise on the whole list (where its "Gửi tới" shows "—", as shown: the
    # page does not ask about it); the explanation is recorded on the person's behalf
    page.select_option(f"#y-kien-{opinion.pk} select[name=tag]", "requests_explanation")
    page.click(f"#y-kien-{opinion.pk} button:has-text('Lưu')")
    page.get_by_role("link", name="Xem tất cả").click()
    general = Opinion.objects.get(text="Đề nghị công khai kết quả.")
    expect(page.locator(f"#y-kien-{general.pk} select[name=rated_person]")).to_have_value("")
    page.click("button:has-text('Chuyển các yêu cầu giải trình')")
    page.get_by_text("Có yêu cầu giải trình chưa ghi người được lấy phiếu").wait_for()
    page.select_option(f"#y-kien-{general.pk} select[name=tag]", "other")
    page.click(f"#y-kien-{general.pk} button:has-text('Lưu')")
    page.click("button:has-text('Chuyển các yêu cầu giải trình')")
    page.get_by_text("Đã chuyển 1 yêu cầu").wait_for()
    assert len(asked) == 2  # no question since the bar's
    # the filter applies as soon as it is chosen (app.js: the policy allows no inline handler). The
    # page's text shows before its deferred script has run: chosen then, nothing happened (1 run in 5)
    page.wait_for_load_state()
    with page.expect_navigation():
        page.select_option("select[data-submit-on-change][name=tag]", "requests_explanation")
    assert "tag=requests_explanation" in page.url
    assert "Đề nghị đồng chí làm rõ tiến độ dự án kè biển." in page.locator("#opinions").inner_text()
    page.get_by_role("link", name="Giải trình").first.click()
    # the office on a small phone: the personal link (one long word) wraps instead of widening the page
    expect(page.locator("code", has_text="/giai-trinh/")).to_have_count(1)
    page.set_viewport_size({"width": 320, "height": 640})
    # Chromium may apply the resize a moment later; measured too soon, the page once gave 329
    # pixels in a full run of the suite, laid out for the wider window
    page.wait_for_function("() => window.innerWidth === 320")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the explanations page is {width}px wide on a phone"
    # and the invitations: each person's link on a line of its own (a column of six letters before)
    page.goto(f"{base}/hoi-nghi/{conference.pk}/giay-moi/")
    link = page.locator("#invitations td.link").first.bounding_box()
    assert link["width"] > 250 and page.evaluate("document.documentElement.scrollWidth") <= 320, link
    page.go_back()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Ghi giải trình thay người đó").click()
    page.fill("#id_text", "Dự án kè biển đã hoàn thành 80% khối lượng.")
    page.check("input[name=answers]")
    page.click("button:has-text('Lưu')")
    page.get_by_text("Đã ghi nhận giải trình.").wait_for()
    assert Explanation.objects.get().answers.get() == opinion

    page.get_by_role("link", name="Tổng quan").click()
    summary = page.locator("#opinion-summary").inner_text()
    assert "3 ý kiến, 1 yêu cầu giải trình" in summary
    expect(page.locator("#checklist .badge.done")).to_have_count(3)
    assert page.locator(".notice").count() == 0  # a province body meeting today: nothing to warn of
    shot(page, "05-tong-quan")
    assert page.external_requests == [] and phone.external_requests == []


def test_a_rated_person_sends_a_report_from_a_phone(new_page, live_server, office, conference, person, shot, tmp_path):
    """The rated person's own link on a phone: the day and deadlines, then a report sent as a PDF
    through the file button; the page then lists it as received, not yet sent to the voters."""
    from tinnhiem.documents.render import render_pdf

    pdf = tmp_path / "bao-cao-tu-danh-gia.pdf"
    pdf.write_bytes(
        render_pdf(
            "self_report",
            {"body": "UBND", "name": person.full_name, "post": person.post, "place_date": "Quảng Ninh", "sections": []},
        )
    )
    phone = new_page(width=390, height=844, mobile=True)
    phone.goto(live_server.url + links.explanation_url(person).removeprefix("http://testserver"))
    phone.get_by_text("Hạn gửi giải trình").wait_for()
    phone.select_option("#id_hs-kind", "report")
    phone.fill("#id_hs-title", "Báo cáo tự đánh giá")
    phone.set_input_files("#id_hs-file", str(pdf))
    phone.click("#send-dossier button[type=submit]")
    phone.get_by_text("Đã nhận. Cơ quan tham mưu sẽ xem rồi gửi người ghi phiếu.").wait_for()
    assert "Báo cáo tự đánh giá — chưa gửi người ghi phiếu" in phone.locator("#yours").inner_text()
    assert person.dossiers.get().from_person
    # the signed explanation on paper, two pages photographed, chosen together
    pages = [tmp_path / "IMG_0001.jpg", tmp_path / "IMG_0002.jpg"]
    for path in pages:
        path.write_bytes(photo())
    phone.select_option("#id_hs-kind", "other")
    phone.fill("#id_hs-title", "Bản giải trình đã ký")
    phone.set_input_files("#id_hs-file", [str(path) for path in pages])
    phone.click("#send-dossier button[type=submit]")
    phone.get_by_text("Bản giải trình đã ký — chưa gửi người ghi phiếu").wait_for()
    signed = person.dossiers.get(title="Bản giải trình đã ký")
    assert signed.original_name == "IMG_0001.jpg và 1 ảnh khác" and signed.file.read().startswith(b"%PDF-")
    shot(phone, "07-nguoi-duoc-lay-phieu-dien-thoai")
    # the office finds the photos were of another paper: deleted, with the reason, which the person reads
    desk = new_page()
    login(desk, live_server.url, "office")
    desk.goto(f"{live_server.url}/hoi-nghi/{person.conference_id}/ho-so/")
    desk.locator("#dossiers tr:has-text('Bản giải trình đã ký')").get_by_role("link", name="Xoá…").click()
    desk.get_by_text("Xoá hồ sơ “Bản giải trình đã ký” của Trần Minh Đức?").wait_for()
    desk.fill("#id_reason", "Ảnh chụp nhầm văn bản khác; đề nghị gửi lại")
    desk.click("button:has-text('Xoá hồ sơ')")
    desk.get_by_text("Đã xoá.").wait_for()
    assert list(person.dossiers.values_list("title", flat=True)) == ["Báo cáo tự đánh giá"]
    phone.reload()
    assert "“Bản giải trình đã ký”: cơ quan tham mưu đã xoá ngày" in phone.locator("#yours").inner_text()
    assert "lý do: Ảnh chụp nhầm văn bản khác; đề nghị gửi lại" in phone.locator("#yours").inner_text()
    assert phone.external_requests == [] and desk.external_requests == []


def test_overview_on_a_phone(new_page, live_server, office, conference, shot):
    body = conference.campaign.body  # the guide shows a body of today's two tiers, not a district (ended 01/7/2025)
    body.name, body.level = "UBND tỉnh Quảng Ninh", "province"
    body.save()
    page = new_page(width=390, height=844, mobile=True)
    login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/hoi-nghi/{conference.pk}/")
    page.get_by_text("Thời hạn chuẩn bị").wait_for()
    shot(page, "06-tong-quan-dien-thoai")
    assert page.external_requests == []


def test_the_bodies_filtered_as_typed_and_a_hidden_authority_reached_by_its_link(new_page, live_server, office):
    """Typing in the bodies' search hides the others at once; a found body's managing authority,
    hidden by the filter, is shown again when its link is followed (the filter is cleared)."""
    from tinnhiem.conferences.usecases import campaigns

    province = campaigns.create_body(office, name="UBND tỉnh Quảng Ninh", level="province")
    campaigns.create_body(office, name="UBND phường Móng Cái 1", level="commune", parent=province)
    for n in range(8):
        campaigns.create_body(office, name=f"UBND xã {n + 1}", level="commune")
    page = new_page()
    login(page, live_server.url, "office")
    page.goto(live_server.url + "/co-quan/")
    page.fill("input[data-filter='#bodies']", "phuong")
    expect(page.locator("#bodies tbody tr:not([hidden])")).to_have_count(1)
    authority = page.locator(f"#co-quan-{province.pk}")
    expect(authority).to_be_hidden()
    page.click("#bodies a:has-text('UBND tỉnh Quảng Ninh')")
    expect(authority).to_be_visible()
    expect(authority).to_be_in_viewport()
    assert page.input_value("input[data-filter='#bodies']") == ""
    expect(page.locator("#bodies tbody tr:not([hidden])")).to_have_count(10)


def test_a_file_field_speaks_the_pages_language_on_an_english_browser(
    new_page, live_server, office, conference, shot, tmp_path
):
    """Many office computers run an English system: Chromium's own file button would say "Choose
    File" and "No file chosen", and its message for an empty required field "Please fill out this
    field". Ours say it in the page's language; the button names the chosen file, and the import
    works through it."""
    page = new_page(locale="en-US")
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.click("main button[type=submit]")  # nothing filled in: the browser stops it, in Vietnamese
    assert page.eval_on_selector("#id_username", "e => e.validationMessage") == "Hãy điền ô này."
    page.fill("#id_username", "office")
    assert page.eval_on_selector("#id_username", "e => e.validity.valid")  # typing clears it
    login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/hoi-nghi/{conference.pk}/thanh-phan/")
    field = page.locator("#id_file")
    button, line = (
        field.locator("xpath=following-sibling::button[1]"),
        field.locator("xpath=following-sibling::span[1]"),
    )
    assert button.inner_text() == "Chọn tệp…" and line.inner_text() == "Chưa chọn tệp nào"
    assert not field.is_visible() or field.bounding_box()["width"] <= 1  # the browser's own one, out of sight
    page.click("button:has-text('Nhập')")  # no file yet
    assert field.evaluate("e => e.validationMessage") == "Hãy chọn một tệp."
    with page.expect_file_chooser() as chooser:
        button.click()
    xlsx = tmp_path / "danh-sach-dai-bieu.xlsx"
    roster_xlsx(xlsx)
    chooser.value.set_files(str(xlsx))
    assert line.inner_text() == "danh-sach-dai-bieu.xlsx"
    shot(page, "chon-tep-trinh-duyet-tieng-anh", full_page=False)
    page.click("button:has-text('Nhập')")
    page.get_by_text("Đã nhập 3 người ghi phiếu.").wait_for()
    assert conference.voters.count() == 3


def test_office_imports_a_long_list_and_makes_one_form_per_group(
    new_page, live_server, office, conference, shot, tmp_path
):
    """A council's list from Excel, with groups and days of appointment: the person appointed this
    year comes in as not rated, named by the page with the article; then one form per group."""
    from tinnhiem.conferences.models import BallotForm

    year = conference.date.year
    wb = Workbook()
    ws = wb.active
    ws.append(["STT", "Họ và tên", "Chức vụ", "Nhóm trên phiếu", "Ngày được bầu, bổ nhiệm"])
    ws.append([1, "Lương Văn Hải", "Chủ tịch HĐND tỉnh", "Thường trực HĐND", f"01/06/{year - 3}"])
    ws.append([2, "Tạ Thị Thu Hương", "Phó Chủ tịch HĐND tỉnh", "Thường trực HĐND", f"{conference.date:%d/%m/%Y}"])
    ws.append([3, "Mạc Đình Phong", "Trưởng Ban Kinh tế - Ngân sách", "Trưởng các Ban", f"15/03/{year - 2}"])
    ws.append([4, "Đỗ Văn Tâm", "Trưởng Ban Pháp chế", "Trưởng các Ban", None])
    path = tmp_path / "nguoi-duoc-lay-phieu.xlsx"
    wb.save(path)

    page = new_page()
    login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/hoi-nghi/{conference.pk}/nguoi-duoc-lay-phieu/")
    page.set_input_files("#rated-import input[type=file]", str(path))
    page.click("#rated-import button[type=submit]")
    page.get_by_text("Đã thêm 4 người.").wait_for()
    page.get_by_text("Theo quy định, 1 người trong số đó không được lấy phiếu: Tạ Thị Thu Hương").wait_for()
    row = page.locator("tr", has_text="Tạ Thị Thu Hương")
    assert "Không lấy phiếu" in row.inner_text() and "Quy định 96-QĐ/TW" in row.inner_text()
    shot(page, "08-nhap-nguoi-duoc-lay-phieu")

    page.get_by_role("link", name="Mẫu phiếu").click()
    assert "Thường trực HĐND (1); Trưởng các Ban (2)." in page.locator("#group-forms").inner_text()
    page.click("#group-forms button")
    page.get_by_text("Đã lập 2 mẫu phiếu.").wait_for()
    forms = {f.name: sorted(p.full_name for p in f.people.all()) for f in BallotForm.objects.all()}
    assert forms == {"Thường trực HĐND": ["Lương Văn Hải"], "Trưởng các Ban": ["Mạc Đình Phong", "Đỗ Văn Tâm"]}
    assert page.external_requests == []
