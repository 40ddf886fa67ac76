"""Printed ballots: layout, fiducials and QR read back from the rendered page, and the exported
box geometry matches where the boxes are drawn (150 dpi: ink on each box, none just outside)."""

from __future__ import annotations

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.core.exceptions import ValidationError

from tinnhiem.conferences.usecases import day, rated, roster
from tinnhiem.documents import ballots
from tinnhiem.documents.layout import (
    GREY,
    MARKER,
    MARKERS,
    PAGE_H,
    PAGE_W,
    STAMP_AREA,
    ballot_layout,
    layout_from_dict,
    overlaps,
    table_rect,
)
from tinnhiem.documents.marks import SheetId, parse_qr, qr_payload
from tinnhiem.documents.models import PrintedLayout
from tinnhiem.rules import BUILTIN_IDS, builtin_rule_set

from .conftest import page_image, pdf_pages

DPI = 150
PX = DPI / 25.4


def test_layout_pages_and_clear_stamp_area():
    two = ballot_layout(2, ["high", "confidence", "low"])
    assert len(two.pages) == 1 and len(two.pages[0].boxes) == 6
    forty_four = ballot_layout(44, ["high", "confidence", "low"])
    assert [len(p.rows) for p in forty_four.pages] == [10, 14, 14, 6]
    assert sum(len(p.boxes) for p in forty_four.pages) == 44 * 3
    for marker in MARKERS.values():
        assert not overlaps((*marker, MARKER, MARKER), STAMP_AREA)
    quiet = 4 * two.qr[2] / 29  # four modules of a version-3 QR
    qr_zone = (two.qr[0] - quiet, two.qr[1] - quiet, two.qr[2] + 2 * quiet, two.qr[2] + 2 * quiet)
    assert not overlaps(qr_zone, STAMP_AREA)
    for layout in (two, forty_four):
        for page in layout.pages:
            assert not overlaps(qr_zone, table_rect(layout, page)), page.number
    for page in forty_four.pages:
        for box in page.boxes:
            assert 12 <= box.x and box.x + box.w <= PAGE_W - 12 and box.y + box.h <= 262
    # the grey squares: clear of the corner marks (by 3 mm, their quiet zone), the QR, the stamp and every table
    for square in GREY:
        for marker in MARKERS.values():
            assert not overlaps((marker[0] - 3, marker[1] - 3, MARKER + 6, MARKER + 6), square)
        assert not overlaps(qr_zone, square) and not overlaps(STAMP_AREA, square)
        for layout in (two, forty_four):
            for page in layout.pages:
                assert not overlaps(table_rect(layout, page), square)
    assert two.as_dict()["grey"] == [list(square) for square in GREY]
    assert two.version != ballot_layout(2, ["confidence", "no_confidence"]).version
    assert two.version == ballot_layout(2, ["high", "confidence", "low"]).version


def test_a_layout_printed_by_an_earlier_tinnhiem_keeps_its_version():
    """Ballots printed before the grey squares (layout format 2) are read by the version in their
    QR: laid out again from their stored geometry, they give the version they were printed with
    (these two versions were printed by tinnhiem before format 3), without grey squares."""
    levels = ["high", "confidence", "low"]
    printed = [(1, "Nguyễn Văn A", "Phó Chủ tịch"), (2, "Trần Thị B", "Phó Chủ tịch")]
    old = ballot_layout(2, levels, printed, layout_format=2)
    assert old.version == "c82ff8b56456" and "grey" not in old.as_dict() and not old.grey
    changed = old.as_dict()  # computed once, given as a copy: what a caller changes stays its own
    changed["printed"][0][1] = "Người khác"
    assert old.as_dict()["printed"][0][1] == "Nguyễn Văn A" and old.version == "c82ff8b56456"
    council = [(i, f"Người {i}", "Đại biểu") for i in range(44)]
    assert ballot_layout(44, ["confidence", "no_confidence"], council, layout_format=2).version == "e5e85a70961f"
    again = layout_from_dict(old.as_dict())
    assert again is not None and again.version == old.version and again.format == 2
    now = ballot_layout(2, levels, printed)
    assert now.format == 3 and now.version != old.version
    assert layout_from_dict(now.as_dict()) == now
    assert layout_from_dict({**old.as_dict(), "format": 1}) is None  # format 1 kept no list


def test_qr_payload_has_an_hmac_and_no_serial():
    key = b"k" * 32
    sheet = SheetId(7, 3, "abc123def456", 2)
    text = qr_payload(key, sheet)
    assert parse_qr(key, text) == sheet
    assert parse_qr(b"other-key" * 4, text) is None
    assert parse_qr(key, text.replace(":7:", ":8:")) is None
    assert parse_qr(key, "https://example.com") is None
    assert text.count(":") == 5  # prefix, conference, form, version, page, mac: nothing per sheet


def ink(image: np.ndarray, x: float, y: float, w: float, h: float) -> float:
    """Share of dark pixels in a rectangle given in mm."""
    x0, y0, x1, y1 = (round(v * PX) for v in (x, y, x + w, y + h))
    region = image[y0:y1, x0:x1]
    return float((region < 128).mean()) if region.size else 0.0


def check_page(image: np.ndarray, layout, page, *, conference, form):
    # the four fiducials, where the layout says
    detector = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50))
    corners, ids, _rejected = detector.detectMarkers(image)
    assert ids is not None and sorted(ids.ravel().tolist()) == [0, 1, 2, 3]
    for found, marker_id in zip(corners, ids.ravel(), strict=True):
        x, y = layout.markers[int(marker_id)]
        expected = np.array([[x, y], [x + MARKER, y], [x + MARKER, y + MARKER], [x, y + MARKER]]) * PX
        assert np.abs(found[0] - expected).max() < 2.5, (marker_id, found, expected)
    # the QR names this conference, form, layout version and page, with a valid HMAC
    codes = zxingcpp.read_barcodes(image)
    assert len(codes) == 1
    sheet = parse_qr(ballots.qr_key(), codes[0].text)
    assert sheet == SheetId(conference.pk, form.pk, layout.version, page.number)
    # the grey squares, mid-grey where the layout says, on white paper
    for x, y, w, h in layout.grey:
        inside = image[round((y + 1) * PX) : round((y + h - 1) * PX), round((x + 1) * PX) : round((x + w - 1) * PX)]
        assert inside.size and 115 <= inside.min() and inside.max() <= 140, (x, y)
        assert ink(image, x - 2.0, y - 2.0, w + 4.0, 1.2) == 0.0  # white just above
        assert ink(image, x - 2.0, y + h + 0.8, w + 4.0, 1.2) == 0.0  # and just below
    # every box: ink on its border, white just outside
    for box in page.boxes:
        assert ink(image, box.x - 0.3, box.y - 0.3, box.w + 0.6, box.h + 0.6) > 0.05, box
        for ring in (
            (box.x - 2.0, box.y - 2.0, box.w + 4.0, 1.2),  # above
            (box.x - 2.0, box.y + box.h + 0.8, box.w + 4.0, 1.2),  # below
            (box.x - 2.0, box.y, 1.2, box.h),  # left
            (box.x + box.w + 0.8, box.y, 1.2, box.h),  # right
        ):
            assert ink(image, *ring) == 0.0, (box, ring)
        assert ink(image, box.x + 1.0, box.y + 1.0, box.w - 2.0, box.h - 2.0) == 0.0  # an empty box is empty


def test_seed_ballot_reads_back(seed):
    form = seed.ballot_forms.get()
    pdf, layout = ballots.render_one(form)
    text = pdf_pages(pdf)[0]
    assert "PHIẾU TÍN NHIỆM" in text and "Trần Minh Đức" in text and "Lê Thị Hồng Nhung" in text
    assert "Tín nhiệm cao" in text and "Tín nhiệm thấp" in text
    assert "có thể ký tên hoặc không ký tên" in text and "Điều 6 khoản 2" in text
    check_page(page_image(pdf, 0, DPI), layout, layout.pages[0], conference=seed, form=form)
    stored = PrintedLayout.objects.get(form=form, version=layout.version)
    assert stored.geometry == layout.as_dict()


def test_44_person_ballot_over_four_pages(big):
    form = big.ballot_forms.get()
    pdf, layout = ballots.render_one(form)
    pages = pdf_pages(pdf)
    assert len(pages) == 4
    assert "Người được lấy phiếu số 44" in pages[3]
    assert "Người ghi phiếu không ký tên vào phiếu." in pages[0]  # NQ 96: no signature line of QĐ 96
    for i, page in enumerate(layout.pages):
        check_page(page_image(pdf, i, DPI), layout, page, conference=big, form=form)


def test_copies_are_identical(seed):
    form = seed.ballot_forms.get()
    progress = []
    pdf = ballots.render_ballots(form, copies=120, progress=lambda done, total: progress.append((done, total)))
    pages = pdf_pages(pdf)
    assert len(pages) == 120 and len(set(pages)) == 1
    assert progress[-1] == (120, 120)
    first, last = zxingcpp.read_barcodes(page_image(pdf, 0)), zxingcpp.read_barcodes(page_image(pdf, 119))
    assert first[0].text == last[0].text  # no per-sheet serial


def test_copies_bounds(seed):
    form = seed.ballot_forms.get()
    for copies in (0, 5001):
        with pytest.raises(ValueError):
            ballots.render_ballots(form, copies=copies)
    largest = pdfium.PdfDocument(ballots.render_ballots(form, copies=5000))  # the page's largest print run
    assert len(largest) == 5000
    largest.close()


def _band(pdf: bytes) -> np.ndarray:
    """The mean colour (RGB) of the strip at the top of the first page where a form's paper colour
    is printed (24 mm from the left, 9 mm from the top, 140 x 3 mm), at 150 dpi."""
    doc = pdfium.PdfDocument(pdf)
    try:
        image = doc[0].render(scale=DPI / 72).to_numpy()  # BGR(A)
    finally:
        doc.close()
    strip = image[round(9.5 * PX) : round(11.5 * PX), round(30 * PX) : round(160 * PX), :3]
    return strip.reshape(-1, 3).mean(axis=0)[::-1]


def test_a_form_of_several_prints_its_name_and_colour(office, conference):
    """The National Assembly prints one form per group, each on its own colour: the ballot says
    which form it is and carries the colour in a band at its top (also on a greyscale printer);
    the ballot of a conference with one form names no form."""
    first = rated.add_rated_person(office, conference, full_name="Trần Văn Bình", post="Phó Chủ tịch")
    second = rated.add_rated_person(office, conference, full_name="Đỗ Thu Hà", post="Phó Chủ tịch")
    only = day.create_ballot_form(office, conference, name="Phiếu lãnh đạo", people=[first, second])
    text = pdf_pages(ballots.render_one(only)[0])[0]
    assert "Phiếu lãnh đạo" not in text
    assert _band(ballots.render_one(only)[0]).min() > 250  # no colour: white paper
    pink = day.create_ballot_form(office, conference, name="Phiếu màu hồng", people=[second], color="#ff0000")
    only.refresh_from_db()
    pdf = ballots.render_one(only)[0]
    assert "Phiếu lãnh đạo" in pdf_pages(pdf)[0]
    assert _band(pdf).min() > 250
    pdf = ballots.render_one(pink)[0]
    assert "Phiếu màu hồng" in pdf_pages(pdf)[0] and "Đỗ Thu Hà" in pdf_pages(pdf)[0]
    red, green, blue = _band(pdf)
    assert red > 240 and green < 15 and blue < 15, (red, green, blue)


MM_PER_PT = 25.4 / 72
POST = "Phó Chủ tịch Hội đồng nhân dân tỉnh, Trưởng Ban Kinh tế - Ngân sách Hội đồng nhân dân tỉnh Quảng Ninh"


def _cut_chars(pdf: bytes, layout, column: tuple[float, float]) -> tuple[int, list[str]]:
    """The characters printed in a column of the table's first page (as many), and those of them
    that reach out of their row (or the header), where the row's frame cuts them."""
    page = layout.pages[0]
    bands = [(page.table_top, page.table_top + 10)] + [(row.y, row.y + row.h) for row in page.rows]
    doc = pdfium.PdfDocument(pdf)
    try:
        text = doc[0].get_textpage()
        seen, cut = 0, []
        for i in range(text.count_chars()):
            left, bottom, right, top = text.get_charbox(i)
            if right <= left:
                continue  # a space
            x = (left + right) / 2 * MM_PER_PT
            y0, y1 = PAGE_H - top * MM_PER_PT, PAGE_H - bottom * MM_PER_PT
            if not column[0] < x < column[0] + column[1] or not bands[0][0] < (y0 + y1) / 2 < bands[-1][1]:
                continue
            seen += 1
            band = next((b for b in bands if b[0] <= (y0 + y1) / 2 <= b[1]), None)
            if band is None or y0 < band[0] or y1 > band[1]:
                cut.append(text.get_text_range(i, 1))
        text.close()
    finally:
        doc.close()
    return seen, cut


def test_a_long_post_is_printed_smaller_and_whole(office, conference):
    """A post of three lines at the usual size is printed smaller, all of it inside its row (cut
    at the row's lines, its first line would look crossed out); a short one as before."""
    rated.add_rated_person(office, conference, full_name="Trần Văn Bình", post=POST)
    rated.add_rated_person(office, conference, full_name="Lê Thị Hoa", post="Phó Chủ tịch UBND")
    form = day.create_single_form(office, conference)
    pdf = ballots.render_ballots(form, copies=1)
    layout = ballots.layout_for(form)
    seen, cut = _cut_chars(pdf, layout, layout.columns.post)
    assert seen >= len(POST.replace(" ", "")) and cut == []
    assert POST in pdf_pages(pdf)[0]
    sizes = {}
    doc = pdfium.PdfDocument(pdf)
    try:
        text = doc[0].get_textpage()
        whole = text.get_text_range()
        for word in ("Quảng", "UBND"):
            sizes[word] = round(text.get_charbox(whole.index(word))[3] - text.get_charbox(whole.index(word))[1], 1)
        text.close()
    finally:
        doc.close()
    assert sizes["Quảng"] < sizes["UBND"]  # the long one smaller, the short one at its size


def test_a_text_too_long_even_in_small_type_is_not_printed(office, conference):
    person = rated.add_rated_person(office, conference, full_name="Trần Văn Bình", post=POST * 2)
    form = day.create_single_form(office, conference)
    with pytest.raises(ballots.BallotTextTooLong) as refused:
        ballots.render_ballots(form, copies=10)
    message = refused.value.messages[0]
    assert message.startswith("Chức vụ của “Trần Văn Bình” (Phó Chủ tịch") and "quá dài" in message
    assert message.endswith("Hãy viết gọn lại rồi in phiếu lại. Phiếu chưa được in.")
    assert not PrintedLayout.objects.filter(form=form).exists()  # nothing counts as printed
    rated.update_rated_person(
        office,
        person,
        full_name=person.full_name,
        post=POST,
        group=person.group,
        retirement_notified=False,
        took_office_on=None,
        decision=person.decision,
    )
    assert pdf_pages(ballots.render_ballots(form, copies=1))
    assert PrintedLayout.objects.filter(form=form).count() == 1


WIDEST = "WWWWWWWWWWWW WWWWWWWWWWWW WWWWWWWWWWWW W"  # 40 characters, words of 12: of the widest letters


@pytest.mark.parametrize("rule_set", BUILTIN_IDS)
def test_what_is_not_measured_fits_every_box_of_every_ballot(rule_set):
    """``surely_fits`` lets a text through unmeasured: the widest such text fits the name, the
    post and the header's places of every rule set's ballot; one letter more is measured."""
    rules = builtin_rule_set(rule_set)
    assert ballots.surely_fits(WIDEST)
    assert not ballots.surely_fits(WIDEST + "W") and not ballots.surely_fits("W" * 13)
    layout = ballot_layout(1, list(rules.level_keys), [(0, WIDEST, WIDEST)])
    data = ballots.sheet_data(rules, layout, body=WIDEST, subtitle=WIDEST, conference_id=1, form_id=1, form_name=WIDEST)
    assert ballots._fitting(data, [WIDEST])[1] == []


@pytest.mark.parametrize("rule_set", BUILTIN_IDS)
def test_the_ballot_says_which_procedure_it_is_for(rule_set):
    """Lấy phiếu (three levels) and bỏ phiếu (two): each ballot has its own title and tells the
    voter how many marks a row may have."""
    rules = builtin_rule_set(rule_set)
    layout = ballot_layout(1, list(rules.level_keys), [(0, "Trần Văn Bình", "Phó Chủ tịch")])
    data = ballots.sheet_data(rules, layout, body="", subtitle="", conference_id=1, form_id=1)
    if rules.procedure == "vote":
        assert data["title"] == "PHIẾU BỎ PHIẾU TÍN NHIỆM"
        assert "đánh dấu cả hai ô thì phiếu không hợp lệ" in data["instruction"]
        assert "ba ô" not in data["instruction"]
    else:
        assert data["title"] == "PHIẾU TÍN NHIỆM"
        assert "mức tín nhiệm của từng người" in data["instruction"] and "hai, ba ô" in data["instruction"]


def test_a_word_too_long_to_wrap_is_not_cut_at_the_right():
    """Words typed without spaces cannot wrap: measured as one word, refused when wider than the box
    even in small type; with their hyphens they wrap and fit."""
    rules = builtin_rule_set("qd96-2023")
    glued = "PhóChủtịchHộiđồngnhândântỉnhQuảngNinhkiêmTrưởngban"
    assert ballots.people_unfit(rules, [("Trần Văn Bình", glued)]) == [
        f"Chức vụ của “Trần Văn Bình” ({glued}) quá dài, in cỡ chữ nhỏ vẫn không vừa ô trên phiếu."
    ]
    assert ballots.people_unfit(rules, [("Trần Văn Bình", "Phó-Chủ-tịch-Hội-đồng-nhân-dân-tỉnh-Quảng-Ninh")]) == []
    assert ballots.people_unfit(rules, [("Trần Văn Bình", "Phó Chủ tịch")]) == []
    name = "TrầnVănBìnhNguyễnThịÁnhTuyếtĐặngQuốcHưngLêThịHồngNhung"  # a name glued the same way
    assert ballots.people_unfit(rules, [(name, "Phó Chủ tịch")]) == [
        f"Họ và tên “{name}” quá dài, in cỡ chữ nhỏ vẫn không vừa ô trên phiếu."
    ]


def test_a_title_too_long_for_the_top_of_the_ballot_is_named(office, conference):
    """The conference's title, printed under the ballot's own, in words with no space to wrap."""
    glued = "Hộinghịlấyphiếutínnhiệmđốivớingườigiữchứcvụdo" * 3
    conference.title = glued
    conference.save(update_fields=["title"])
    person = rated.add_rated_person(office, conference, full_name="Trần Văn Bình", post="Phó Chủ tịch")
    form = day.create_ballot_form(office, conference, name="Phiếu 1", people=[person])
    with pytest.raises(ballots.BallotTextTooLong) as refused:
        ballots.render_ballots(form, copies=1)
    assert refused.value.texts == [f"“{glued}” quá dài, in cỡ chữ nhỏ vẫn không vừa chỗ ở đầu phiếu."]
    assert not PrintedLayout.objects.filter(form=form).exists()


def test_a_conference_with_a_post_no_ballot_can_print_does_not_open(office, conference):
    """Once open the list no longer changes: a post that could never be printed is said before."""
    rated.add_rated_person(office, conference, full_name="Trần Văn Bình", post=POST * 2)
    roster.add_voter(office, conference, full_name="Lê Thị Hoa", post="Trưởng phòng")
    needs = day.opening_needs(conference)
    assert len(needs) == 1 and needs[0].startswith("Chức vụ của “Trần Văn Bình” (Phó Chủ tịch")
    assert needs[0].endswith(
        "Hãy viết gọn lại ở trang Người được lấy phiếu: nếu không, phiếu của hội nghị không in được."
    )
    person = conference.rated_persons.get()
    rated.update_rated_person(
        office,
        person,
        full_name=person.full_name,
        post=POST,
        group="",
        retirement_notified=False,
        took_office_on=None,
        decision=person.decision,
    )
    assert day.opening_needs(conference) == []


def test_a_long_conference_name_stays_on_its_code_card(office, conference):
    """Code cards are cut apart along dashed lines 54 mm apart: a conference's name of 255
    characters is set smaller, so that nothing of a card is printed on a cut line or on the next
    card (its instructions went over before)."""
    from tinnhiem.documents.cards import render_cards

    conference.title = ("Hội nghị lấy phiếu tín nhiệm đối với người giữ chức vụ do Hội đồng nhân dân tỉnh bầu " * 4)[
        :255
    ]
    conference.save()
    rated.add_rated_person(office, conference, full_name="Trần Văn Bình", post="Phó Chủ tịch")
    form = day.create_single_form(office, conference)
    pdf = render_cards(form, ["K7QM-2XRD-9FTB-4NPA"] * 10, "http://192.168.1.10:8000/bo-phieu/1/")
    cuts = [13.5 + 54 * row for row in range(6)]  # the page's top margin, then one card after another
    doc = pdfium.PdfDocument(pdf)
    try:
        text = doc[0].get_textpage()
        boxes = [text.get_charbox(i) for i in range(text.count_chars())]
        assert len(boxes) > 1000
        for _left, bottom, _right, top in boxes:
            y0, y1 = PAGE_H - top * MM_PER_PT, PAGE_H - bottom * MM_PER_PT
            assert not any(y0 - 0.5 < cut < y1 + 0.5 for cut in cuts), (y0, y1)
        text.close()
    finally:
        doc.close()


def test_a_conference_with_a_rated_person_on_no_form_does_not_open(office, make_user, conference):
    """Forms made, then one more person listed: the person would be on no ballot."""
    first = rated.add_rated_person(office, conference, full_name="Trần Văn Bình", post="Phó Chủ tịch")
    roster.add_voter(office, conference, full_name="Lê Thị Hoa", post="Trưởng phòng")
    day.create_ballot_form(office, conference, name="Phiếu 1", people=[first])
    assert day.opening_needs(conference) == []
    later = rated.add_rated_person(office, conference, full_name="Đỗ Thu Hà", post="Phó Chủ tịch")
    needs = ["Mỗi người được lấy phiếu phải có trên một mẫu phiếu."]
    assert day.opening_needs(conference) == needs
    with pytest.raises(ValidationError) as info:
        day.open_conference(make_user("chair", "chu-tri"), conference, held_today=True)
    assert info.value.messages == needs
    conference.refresh_from_db()
    assert conference.status == "preparing"
    day.create_ballot_form(office, conference, name="Phiếu 2", people=[later])
    assert day.opening_needs(conference) == []
