"""The conference day in real Chromium: the office checks voters in, the chair runs the session,
two committee members enter the stack on their own devices, the projector shows the results."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import commune_conference, login
from tinnhiem.conferences.models import Conference
from tinnhiem.conferences.usecases import roster
from tinnhiem.text import matches
from tinnhiem.voting.models import Ruling

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (keys for person 1, person 2) of the 6 ballots in the stack; member B mistypes ballot 4
STACK = ["11", "12", "31", "21", "33", "10"]
TYPO = {4: "22"}


@pytest.fixture
def small_conference(office, make_user):
    conference = commune_conference(
        office,
        title="Hội nghị lấy phiếu tín nhiệm Phó Chủ tịch UBND xã",
        place="Hội trường xã",
        legal_basis="Kế hoạch số 12/KH-UBND",
    )
    for i, name in enumerate(
        ["Nguyễn Văn An", "Lê Thị Bích", "Phạm Quốc Cường", "Đỗ Thu Hà", "Vũ Đức Long", "Hồ Thị Mai", "Ngô Văn Nam"],
        start=1,
    ):
        roster.add_voter(office, conference, full_name=name, post=f"Công chức {i}")
    make_user("chair", "chair")
    for i in (1, 2, 3):
        make_user("committee", f"kp{i}")
    return conference


@pytest.mark.heavy
def test_conference_day_from_check_in_to_published_results(new_page, live_server, small_conference, shot):
    base = live_server.url
    c = small_conference.pk
    office = new_page()
    login(office, base, "office")
    chair = new_page()
    login(chair, base, "chair")
    projector = new_page(width=1600, height=900)
    login(projector, base, "chair")
    projector.goto(f"{base}/hoi-nghi/{c}/man-chieu/")

    chair.goto(f"{base}/hoi-nghi/{c}/dieu-hanh/")
    chair.click("button:has-text('Khai mạc hội nghị')")
    chair.get_by_text("Đã ghi nhận.").wait_for()

    # check-in: search as you type, select all visible but one, mark present
    office.goto(f"{base}/hoi-nghi/{c}/diem-danh/")
    # filtered by the page's script as the server filters (tinnhiem/text.py): a letter typed
    # without its marks finds it with any, one typed with them finds only itself
    texts = [(v.full_name, f"{v.full_name} {v.post}") for v in small_conference.voters.order_by("order")]
    for typed in ("ngô", "ngo van", "văn", "do", "ha", "hà"):
        office.fill("input[type=search]", typed)
        shown = [name for name, text in texts if matches(typed, text)]
        assert shown
        expect(office.locator("#attendance tbody tr:not([hidden]) td:nth-child(3)")).to_have_text(
            shown,
            use_inner_text=True,  # as shown: the post under the name is for phones only
        )
    office.fill("input[type=search]", "")
    office.check("[data-select-all]")
    office.uncheck("input[aria-label='Ngô Văn Nam']")
    office.click("button:has-text('Điểm danh có mặt những người đã chọn')")
    office.get_by_text("Đã điểm danh có mặt 6 người.").wait_for()
    shot(office, "10-diem-danh")
    projector.locator("text=6 / 7 người có mặt").wait_for()  # the projector refreshes by itself

    # the office proposes the committee; the chair records the show of hands and opens the vote
    office.goto(f"{base}/hoi-nghi/{c}/ban-kiem-phieu/")
    for voter, role, user in (
        ("Nguyễn Văn An", "head", "kp1"),
        ("Lê Thị Bích", "secretary", "kp2"),
        ("Phạm Quốc Cường", "member", "kp3"),
    ):
        office.select_option(
            "#c-voter",
            label=f"{voter} — " + office.locator(f"#c-voter option:has-text('{voter}')").inner_text().split(" — ")[1],
        )
        office.select_option("#c-role", role)
        office.select_option("#c-user", label=office.locator(f"#c-user option:has-text('{user}')").inner_text())
        office.click("main button:has-text('Thêm')")
        office.get_by_text("Đã thêm.").wait_for()
    chair.goto(f"{base}/hoi-nghi/{c}/dieu-hanh/")
    chair.fill("#v-for", "6")
    chair.click("button:has-text('Ghi kết quả biểu quyết')")
    chair.get_by_text("Đã thông qua").first.wait_for()
    chair.click("button:has-text('Bắt đầu bỏ phiếu')")
    chair.get_by_text("Đã ghi nhận.").wait_for()
    projector.locator("text=Đang bỏ phiếu").wait_for()
    shot(chair, "11-dieu-hanh")

    # the committee records issued and collected; the chair closes the vote
    kp1 = new_page()
    login(kp1, base, "kp1")
    form_id = Conference.objects.get(pk=c).ballot_forms.get().pk
    kp1.goto(f"{base}/hoi-nghi/{c}/kiem-phieu/{form_id}/")
    kp1.fill("#c-issued", "6")
    kp1.fill("#c-collected", "6")
    kp1.click("button:has-text('Lưu')")
    kp1.get_by_text("Đã ghi nhận.").wait_for()
    chair.click("button:has-text('Kết thúc bỏ phiếu')")
    chair.get_by_text("Đã ghi nhận.").wait_for()

    # two members enter the stack on their own devices, typing one key per person
    kp2 = new_page()
    login(kp2, base, "kp2")
    for page, typos in ((kp1, {}), (kp2, TYPO)):
        page.goto(f"{base}/hoi-nghi/{c}/kiem-phieu/{form_id}/nhap/")
        page.click("button:has-text('Bắt đầu nhập')")
        for position, keys in enumerate(STACK, start=1):
            page.locator("#id_marks").wait_for()
            assert page.locator("#id_position").input_value() == str(position)
            page.locator("#id_marks").press_sequentially(typos.get(position, keys))  # stores by itself after 2 keys
            page.locator("#entered").filter(has_text=str(position)).wait_for()
        page.get_by_text("Đã nhập đủ mọi phiếu thu về.").wait_for()
    shot(kp2, "12-nhap-phieu")

    kp1.goto(f"{base}/hoi-nghi/{c}/kiem-phieu/{form_id}/")
    assert kp1.locator("#differences tr").count() == 2  # header + ballot 4
    kp1.click("button:has-text('Chốt kết quả kiểm phiếu')")
    kp1.get_by_text("Còn 1 chênh lệch giữa hai lượt nhập chưa xử lý (phiếu số 4)").wait_for()
    kp1.fill("#differences input[name=marks]", "21")
    kp1.fill("#differences input[name=reason]", "Đối chiếu phiếu gốc")
    kp1.click("#differences button")
    kp1.get_by_text("Đã ghi nhận.").wait_for()
    # a delegate's complaint about ballot 4, ruled on by the committee (for the minutes)
    kp1.click("#ghi-ket-luan summary")
    kp1.fill("#r-pos", "4")
    kp1.fill("#r-subject", "Đại biểu hỏi vì sao phiếu số 4 phải đối chiếu")
    kp1.fill("#r-decision", "Hai lượt nhập khác nhau; Ban kiểm phiếu đã đối chiếu phiếu gốc")
    kp1.check("#r-complaint")
    kp1.click("#ghi-ket-luan button")
    kp1.locator("#rulings li").filter(has_text="Đại biểu hỏi vì sao").wait_for()
    assert Ruling.objects.filter(subject__startswith="Đại biểu hỏi vì sao", is_complaint=True, position=4).count() == 1
    shot(kp1, "13-kiem-phieu")
    kp1.click("button:has-text('Chốt kết quả kiểm phiếu')")
    kp1.get_by_text("Đã chốt kết quả").first.wait_for()

    chair.goto(f"{base}/hoi-nghi/{c}/dieu-hanh/")
    chair.click("button:has-text('Công bố kết quả')")
    chair.get_by_text("Đã ghi nhận.").wait_for()
    projector.locator("text=KẾT QUẢ").wait_for()
    # 6 collected: person 1 high 2 (11,12) + confidence 1 (21) + low 2 (31,33) + high 1 (10) = 3/1/2
    projector.locator("text=3 · 50,00%").first.wait_for()
    shot(projector, "14-man-chieu", full_page=False)
    text = projector.inner_text("body")
    assert "Trần Minh Đức" in text and "33,33%" in text
    # the results of a few persons fill the screen's height, and still fit it; on a 4:3 projector
    # they are enlarged (a name was 2.6vw whatever the height: 26.6 px there)
    size = "document.body.style.getPropertyValue('--pj')"  # set by the page's script, at each resize
    for width, height in ((1600, 900), (1024, 768)):
        before = projector.evaluate(size)
        projector.set_viewport_size({"width": width, "height": height})
        projector.wait_for_function(f"() => window.innerWidth === {width}")
        if width == 1024:  # (1600 × 900 is the size it was opened at)
            projector.wait_for_function(f"() => {size} !== {before!r}")  # the page's own resize handler ran
        name = projector.evaluate("parseFloat(getComputedStyle(document.querySelector('.pj-name')).fontSize)")
        bottom = projector.evaluate("document.body.lastElementChild.getBoundingClientRect().bottom")
        scrolled = projector.evaluate("document.documentElement.scrollHeight")
        assert height * 0.8 < bottom and scrolled <= height, (width, bottom, scrolled)
        assert name > 2.6 * width / 100 * (1.2 if width == 1024 else 1), (width, name)

    # the office sums up the campaign for the managing authority and downloads the report
    office.goto(f"{base}/dot/{small_conference.campaign_id}/")
    office.click("a:has-text('Tổng hợp kết quả')")
    office.get_by_role("heading", name="Tổng hợp kết quả").wait_for()
    row = office.locator("table.results tr", has_text="Trần Minh Đức")
    expect(row).to_contain_text("50,00%")
    expect(row).to_contain_text("không thuộc trường hợp phải xử lý theo quy định")
    shot(office, "15-tong-hop-ket-qua")
    with office.expect_download() as download:
        office.click("a:has-text('Báo cáo cấp có thẩm quyền (PDF)')")
    assert download.value.suggested_filename == f"bao-cao-tong-hop-dot-{small_conference.campaign_id}.pdf"
    for page in (office, chair, projector, kp1, kp2):
        assert page.external_requests == []


def test_checking_in_at_the_door_on_a_phone(new_page, live_server, office, shot):
    """The office checks people in at the door with a phone: each name with its post under it (two
    people of one name are told apart), and the button in reach at the top of the screen however
    far down the list the person is."""
    conference = commune_conference(office, title="Hội nghị", place="Hội trường xã", legal_basis="Kế hoạch số 12")
    for i in range(1, 61):
        roster.add_voter(office, conference, full_name="Nguyễn Văn An" if i in (7, 58) else f"Người ghi phiếu {i:02}",
                         post=f"Trưởng thôn {i}")  # fmt: skip
    phone = new_page(width=390, height=844, mobile=True)
    login(phone, live_server.url, "office")
    phone.goto(f"{live_server.url}/hoi-nghi/{conference.pk}/diem-danh/")
    same_name = phone.locator("#attendance tbody tr", has_text="Nguyễn Văn An")
    assert [" ".join(row.inner_text().split()) for row in same_name.all()] == [
        "7 Nguyễn Văn An Trưởng thôn 7 Chưa điểm danh",
        "58 Nguyễn Văn An Trưởng thôn 58 Chưa điểm danh",
    ]
    same_name.last.locator("label").click()  # far down the list: the name is tapped, not the small box
    expect(phone.locator("input[aria-label='Nguyễn Văn An']").last).to_be_checked()
    expect(phone.locator("input[aria-label='Nguyễn Văn An']").first).not_to_be_checked()
    button = phone.locator("button:has-text('Điểm danh có mặt những người đã chọn')")
    box = button.bounding_box()
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 844, box
    shot(phone, "25-diem-danh-dien-thoai", full_page=False)
    button.click()
    phone.get_by_text("Đã điểm danh có mặt 1 người.").wait_for()
    assert [v.order for v in conference.voters.filter(attendance="present")] == [58]
