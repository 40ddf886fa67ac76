"""Minutes, report, resolution, invitations, attendance sheet and voter roll: the text extracted
from the PDFs (and the .docx table) carries exactly the counting core's numbers."""

from __future__ import annotations

import io
import unicodedata

import docx
import pypdfium2 as pdfium
import pytest
import zxingcpp

from tinnhiem.audit.chain import fingerprint
from tinnhiem.audit.log import head_fingerprint, minutes_point
from tinnhiem.conferences import links
from tinnhiem.documents import official, word
from tinnhiem.documents.dates import place_date
from tinnhiem.documents.render import render_pdf
from tinnhiem.voting.minutes import minutes_data

from .conftest import page_image, pdf_pages


def printed(conference) -> str:
    """The fingerprint the conference's minutes print: the log after the last event they record."""
    return fingerprint(minutes_point(conference)[1])


def expected_rows(conference):
    """(name, count, percent with decimal comma) of every level, from the stored core result."""
    m = minutes_data(conference)
    return [(p["name"], lv["count"], lv["percent"]) for f in m["forms"] for p in f["people"] for lv in p["levels"]]


LEGEND = (
    "Cách ghi kết quả đọc phiếu: mỗi chữ số là một người, theo thứ tự trên phiếu: 1 = Tín nhiệm cao, "
    "2 = Tín nhiệm, 3 = Tín nhiệm thấp, 0 = không đánh dấu, 9 = đánh dấu nhiều ô"
)


def test_vietnamese_dates():
    from datetime import date

    assert place_date("Móng Cái", date(2023, 9, 29)) == "Móng Cái, ngày 29 tháng 9 năm 2023"
    assert place_date("Hà Nội", date(2024, 2, 5)) == "Hà Nội, ngày 05 tháng 02 năm 2024"


def test_a_reason_typed_without_a_stop_ends_its_sentence_in_the_minutes():
    from tinnhiem.text import full_stop

    assert full_stop("Cấp ủy đồng ý cho tiến hành  ") == "Cấp ủy đồng ý cho tiến hành."
    for ended in ("Cấp ủy đồng ý.", "Vì sao?", "Chờ ý kiến…", ""):
        assert full_stop(ended) == ended


def test_a_title_inside_a_sentence_keeps_an_abbreviation_in_capitals():
    from tinnhiem.text import within_sentence

    assert within_sentence("Hội nghị lấy phiếu tín nhiệm") == "hội nghị lấy phiếu tín nhiệm"
    assert within_sentence("Kỳ họp thứ Mười HĐND tỉnh") == "kỳ họp thứ Mười HĐND tỉnh"
    for kept in ("HĐND tỉnh lấy phiếu tín nhiệm", "UBND thành phố: lấy phiếu", "HỘI NGHỊ LẤY PHIẾU", "Đ/c", ""):
        assert within_sentence(kept) == (kept if kept != "Đ/c" else "đ/c")
    assert within_sentence("A") == "a" and within_sentence(" Hội nghị") == " Hội nghị"


def test_the_minutes_and_the_invitation_keep_a_title_beginning_with_an_abbreviation(seed, settings):
    settings.TINNHIEM_PUBLIC_URL = "http://192.168.1.10:8000"
    type(seed).objects.filter(pk=seed.pk).update(title="HĐND thành phố lấy phiếu tín nhiệm")
    seed.refresh_from_db()
    assert "tổ chức HĐND thành phố lấy phiếu tín nhiệm" in official.minutes_context(seed)["opening"]
    invitation = official.letters_context(seed, "invitations")
    assert "mời đồng chí dự HĐND thành phố lấy phiếu tín nhiệm." in " ".join(invitation["body"])


def test_the_place_of_a_document_is_the_body_s_locality_or_else_its_name(seed):
    body = seed.campaign.body
    assert (body.name, body.locality) == ("UBND thành phố Móng Cái", "Móng Cái")
    header = official.minutes_context(seed)["header"]
    assert header["place_date"] == place_date("Móng Cái", seed.date)
    type(body).objects.filter(pk=body.pk).update(locality="")
    seed.refresh_from_db()
    assert official.minutes_context(seed)["header"]["place_date"] == place_date("UBND thành phố Móng Cái", seed.date)


@pytest.mark.parametrize("present, meets", [(122, True), (123, True), (121, False)])
def test_the_minutes_say_the_quorum_is_met_from_exactly_the_number_required(seed, present, meets):
    """183 convened, at least two thirds required (122): 122 present meet it, 121 do not."""
    from tinnhiem.voting.minutes import minutes_data

    m = minutes_data(seed)
    assert m["attendance"]["convened"] == 183 and m["attendance"]["quorum_required"] == 122
    m["attendance"]["present"] = present
    intro = " ".join(official.minutes_context(seed, m)["intro"])
    said = "Số người có mặt bảo đảm tối thiểu 122 người" if meets else "Số người có mặt thấp hơn mức tối thiểu 122"
    assert said in intro


def test_minutes_pdf_of_the_seed(seed):
    text = " ".join(pdf_pages(official.render_minutes_pdf(seed)))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "BIÊN BẢN KIỂM PHIẾU" in text
    assert place_date("Móng Cái", seed.date) in text
    assert "Tổng số người được triệu tập: 183; có mặt: 178; vắng mặt: 5" in text
    assert "Số phiếu phát ra: 178; số phiếu thu về: 177; số phiếu hợp lệ: 176; số phiếu không hợp lệ: 1" in text
    assert "tổng số phiếu thu về (177)" in text and "Điều 6 khoản 3" in text
    for name, count, percent in expected_rows(seed):
        assert name in text and f"{count} {percent}" in text
    assert "79,66%" in text and "Trần Minh Đức" in text
    for member in minutes_data(seed)["committee"]["members"]:
        assert member["name"] in text
    assert "TRƯỞNG BAN" in text and "THƯ KÝ" in text and "ỦY VIÊN" in text
    assert "Hai lượt nhập khác nhau" in text  # the committee's rulings
    # and how their readings are written, for the reader at the province
    assert LEGEND + "." in " ".join(text.split())
    assert "máy quét" not in text  # typed twice, never scanned: no “?” to explain
    assert printed(seed) in text and head_fingerprint() not in text  # the seed's results were published since


def test_the_minutes_list_the_absent_with_their_reasons_then_those_never_checked_in(seed):
    """Each voter marked absent with the reason given; those neither checked in nor marked absent
    in one group, counted, not each followed by the same words."""
    from tinnhiem.conferences.models import Voter

    present = list(seed.voters.filter(attendance=Voter.Attendance.PRESENT).order_by("order")[:3])
    Voter.objects.filter(pk__in=[v.pk for v in present]).update(attendance=Voter.Attendance.UNKNOWN)
    m = minutes_data(seed)
    marked = [x for x in m["attendance"]["absent_list"] if not x["unmarked"]]
    assert len(marked) == 5 and all(x["reason"] for x in marked)  # the seed's five, each with a reason
    intro = " ".join(official.minutes_context(seed, m)["intro"])
    names = ", ".join(v.full_name for v in present)
    listed = "; ".join(f"{x['name']} ({x['reason']})" for x in marked)
    assert f"vắng mặt: 8 — {listed}; không điểm danh (3): {names}." in intro
    assert intro.count("không điểm danh") == 1


def test_minutes_of_the_44_person_vote_and_its_consequence(big):
    text = " ".join(pdf_pages(official.render_minutes_pdf(big)))
    assert "Người được lấy phiếu số 44" in text
    assert "Cách ghi kết quả đọc phiếu" not in text  # no ruling on a ballot, no legend
    # the first person: 30 low of 58 collected = more than half, below two thirds (NQ 96/2023 Điều 12)
    assert "30 51,72%" in text and "Nghị quyết 96/2023/QH15, Điều 12 khoản 1" in text
    for name, count, percent in expected_rows(big)[:30]:
        assert name in text and f"{count} {percent}" in text


def test_party_body_gets_the_party_header(seed):
    body = seed.campaign.body
    body.system = "party"
    body.save()
    text = pdf_pages(official.render_minutes_pdf(seed))[0]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "CỘNG HÒA XÃ HỘI" not in text


BODY_DETAILS = ("name", "level", "system", "locality", "governing_body", "symbol")


def test_the_body_s_documents_print_their_number_left_blank_for_the_clerk(seed, big, office, settings):
    """Nghị định 30/2020/NĐ-CP: the report, the notices, the invitations and the draft resolution of
    a State body print “Số: …/BC-UBND” under its name, the number left blank, about a centimetre,
    for the clerk to write in when the signed document is registered; a Party body's, “Số …-BC/TU”.
    The counting minutes (the committee's) and the lists (attachments) have none, nor has a body
    without a symbol. The documents addressed to someone end with their “Nơi nhận”: “Lưu: VT.”,
    and the unit that drafted them after it when the body names one (Phụ lục I)."""
    settings.TINNHIEM_PUBLIC_URL = "http://192.168.1.10:8000"
    body = seed.campaign.body
    assert body.symbol == "UBND"  # the demo's
    pdfs = {
        "/BC-UBND": official.render_report_pdf(seed),
        "/TB-UBND": official.render_notices_pdf(seed),
        "/GM-UBND": official.render_letters_pdf(seed, "invitations"),
    }
    for tail, pdf in pdfs.items():
        assert f"Số: {tail}" in pdf_pages(pdf)[0], tail
        assert 14 < text_left(pdf, tail, page=0) - text_left(pdf, "Số:", page=0) < 20, tail  # mm: Số: and the blank
    summary = pdf_pages(official.render_summary_pdf(seed.campaign))[0]
    assert "Số: /BC-UBND" in summary
    for plain in (official.render_minutes_pdf(seed), official.render_letters_pdf(seed, "attendance")):
        assert "Số:" not in pdf_pages(plain)[0]
    report = docx.Document(io.BytesIO(word.render_report_docx(seed)))
    assert [p.text for p in report.tables[0].cell(0, 0).paragraphs] == [
        "UBND THÀNH PHỐ MÓNG CÁI",
        f"Số:{official.NUMBER_GAP}/BC-UBND",
    ]
    assert "*" not in pdf_pages(pdfs["/BC-UBND"])[0]  # a State body's name is underlined
    # “Nơi nhận”, at the left, level with the signature (Word: the cell beside it)
    recipients = ["Nơi nhận:", "- Như trên;", "- Lưu: VT, NV."]  # the Phòng Nội vụ drafted them (Phụ lục I)
    assert [p.text for p in report.tables[-1].cell(0, 0).paragraphs][:3] == recipients
    for tail, pdf in pdfs.items():
        last = -1 if tail == "/BC-UBND" else 0  # the report's signature is on its last page
        assert " ".join(recipients) in pdf_pages(pdf)[last], tail
        assert text_left(pdf, "Nơi nhận:", page=last) < 40, tail  # mm: at the left
    assert " ".join(recipients) in pdf_pages(official.render_summary_pdf(seed.campaign))[-1]
    # no drafting unit named on the body's page: “Lưu: VT.” alone
    from tinnhiem.conferences.usecases import campaigns

    kept = {f: getattr(body, f) for f in BODY_DETAILS} | {"reports_to": body.parent.name}
    campaigns.update_body(office, body, **kept, drafting_unit="")
    body.refresh_from_db()  # the instance the documents read
    for pdf in (
        official.render_report_pdf(seed),
        official.render_notices_pdf(seed),
        official.render_letters_pdf(seed, "invitations"),
        official.render_summary_pdf(seed.campaign),
    ):
        assert "Nơi nhận: - Như trên; - Lưu: VT." in pdf_pages(pdf)[-1]
    report = docx.Document(io.BytesIO(word.render_report_docx(seed)))
    assert [p.text for p in report.tables[-1].cell(0, 0).paragraphs][:3] == [*recipients[:2], "- Lưu: VT."]
    council = big.campaign.body
    council.symbol = "HĐND"
    council.save()
    assert "Số: /NQ-HĐND" in pdf_pages(official.render_resolution_pdf(big))[0]
    body.system, body.symbol = "party", "TU"
    body.save()
    report = pdf_pages(official.render_report_pdf(seed))[0]
    assert "Số -BC/TU" in report and "Số:" not in report
    # under a Party body's name, a star, not a line (Hướng dẫn 36-HD/VPTW); in Word on its line
    assert "UBND THÀNH PHỐ MÓNG CÁI * Số -BC/TU" in report
    left = docx.Document(io.BytesIO(word.render_report_docx(seed))).tables[0].cell(0, 0)
    assert [p.text for p in left.paragraphs] == ["UBND THÀNH PHỐ MÓNG CÁI", f"*\nSố{official.NUMBER_GAP}-BC/TU"]
    assert official.document_number(body, official.INVITATION, "125") == "Số 125-GM/TU"
    body.symbol = ""
    body.save()
    assert "-BC/" not in pdf_pages(official.render_report_pdf(seed))[0]


def test_the_line_above_the_body_s_name_is_its_governing_body_not_the_authority_it_reports_to(seed):
    """Nghị định 30/2020/NĐ-CP, Phụ lục I: the head of a document names the governing body above the
    issuing one only when there is one (UBND TỈNH QUẢNG NINH above SỞ NỘI VỤ); a People's Committee
    prints its own name alone. The authority its reports go to is the report's “Kính gửi”."""
    body = seed.campaign.body
    assert body.parent.name == "UBND tỉnh Quảng Ninh" and body.governing_body == ""  # the demo's
    report = pdf_pages(official.render_report_pdf(seed))[0]
    assert report.startswith("UBND THÀNH PHỐ MÓNG CÁI Số:") and "Kính gửi: UBND tỉnh Quảng Ninh." in report
    left = docx.Document(io.BytesIO(word.render_report_docx(seed))).tables[0].cell(0, 0)
    assert [p.text for p in left.paragraphs] == ["UBND THÀNH PHỐ MÓNG CÁI", f"Số:{official.NUMBER_GAP}/BC-UBND"]
    body.name, body.governing_body = "Sở Nội vụ", "UBND tỉnh Quảng Ninh"
    body.save()
    for pdf in (official.render_report_pdf(seed), official.render_minutes_pdf(seed)):
        assert pdf_pages(pdf)[0].startswith("UBND TỈNH QUẢNG NINH SỞ NỘI VỤ")
    left = docx.Document(io.BytesIO(word.render_minutes_docx(seed))).tables[0].cell(0, 0)
    assert [p.text for p in left.paragraphs][:2] == ["UBND TỈNH QUẢNG NINH", "SỞ NỘI VỤ"]


def test_the_body_s_documents_are_signed_as_the_rules_on_documents_set_it(seed, big, office, settings):
    """Nghị định 30/2020/NĐ-CP, Điều 13: the report, the notices and the invitations are signed
    “TM.” the body, then the signer's post; a deputy signs for the head, “KT. CHỦ TỊCH” above “PHÓ
    CHỦ TỊCH”, under the deputy's name; the head of an office by the head's order, “TL. CHỦ TỊCH”
    above “CHÁNH VĂN PHÒNG”. A Party body's are signed “T/M”, the deputy's post directly
    under it (Hướng dẫn 36-HD/VPTW, 1.7.1). A council's draft resolution, “TM. HỘI ĐỒNG NHÂN DÂN”
    above “CHỦ TỊCH”; the National Assembly's, “CHỦ TỊCH QUỐC HỘI”. In Word, a line each."""
    from tinnhiem.conferences.models import Conference
    from tinnhiem.conferences.usecases import campaigns

    settings.TINNHIEM_PUBLIC_URL = "http://192.168.1.10:8000"
    body = "ỦY BAN NHÂN DÂN THÀNH PHỐ MÓNG CÁI"

    def signed(expected: str) -> None:
        seed.refresh_from_db()
        report = pdf_pages(official.render_report_pdf(seed))[-1]
        assert report.endswith(expected.replace(" |", " (Ký, ghi rõ họ tên)")), report[-200:]
        notices = pdf_pages(official.render_notices_pdf(seed))
        assert all(p.endswith(expected.replace(" |", " (Ký, ghi rõ họ tên)")) for p in notices)
        assert pdf_pages(first_invitation(seed))[0].endswith(expected.replace(" |", ""))

    signed(f"TM. {body} CHỦ TỊCH | Đặng Quốc Khánh")  # the demo's: the chair signs, as the chair
    campaigns.set_signer(office, seed, name="Nguyễn Văn Bình", post="Phó Chủ tịch", signing_for="Chủ tịch")
    signed(f"TM. {body} KT. CHỦ TỊCH PHÓ CHỦ TỊCH | Nguyễn Văn Bình")
    invitation_by_order = campaigns.set_signer(
        office, seed, name="Lê Văn Dũng", post="Chánh Văn phòng", signing_for="Chủ tịch"
    )
    assert pdf_pages(first_invitation(invitation_by_order))[0].endswith(
        "Lưu: VT, NV. TL. CHỦ TỊCH CHÁNH VĂN PHÒNG Lê Văn Dũng"
    )  # the head of the office, by the chair's order: no “TM.” line
    campaigns.set_signer(office, seed, name="Nguyễn Văn Bình", post="Phó Chủ tịch", signing_for="Chủ tịch")
    # the invitations signed by the head of the office, the report and the notices by the deputy
    own = {"name": "Lê Văn Dũng", "post": "Chánh Văn phòng", "signing_for": "Chủ tịch"}
    seed = campaigns.set_signer(office, seed, **own, invitations=True)
    assert pdf_pages(first_invitation(seed))[0].endswith("Lưu: VT, NV. TL. CHỦ TỊCH CHÁNH VĂN PHÒNG Lê Văn Dũng")
    assert pdf_pages(official.render_report_pdf(seed))[-1].endswith(
        f"TM. {body} KT. CHỦ TỊCH PHÓ CHỦ TỊCH (Ký, ghi rõ họ tên) Nguyễn Văn Bình"
    )
    seed = campaigns.set_signer(office, seed, invitations=True)  # all empty: signed as the report again
    assert pdf_pages(first_invitation(seed))[0].endswith(
        f"Lưu: VT, NV. TM. {body} KT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Văn Bình"
    )
    cell = docx.Document(io.BytesIO(word.render_report_docx(seed))).tables[-1].cell(0, 1)
    assert [p.text for p in cell.paragraphs if p.text] == [
        f"TM. {body}\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        "(Ký, ghi rõ họ tên)",
        "Nguyễn Văn Bình",
    ]
    Conference.objects.filter(pk=seed.pk).update(signer_name="", signer_post="", signer_for="")
    signed(f"TM. {body} | Đặng Quốc Khánh")  # none set: on behalf of the body, the chair's name
    party = seed.campaign.body
    party.system = "party"
    party.save()
    campaigns.set_signer(office, seed, post="Phó Bí thư")
    signed(f"T/M {body} PHÓ BÍ THƯ | Đặng Quốc Khánh")
    assert pdf_pages(official.render_summary_pdf(seed.campaign))[-1].endswith(
        "T/M UBND THÀNH PHỐ MÓNG CÁI PHÓ BÍ THƯ (Ký, ghi rõ họ tên) Đặng Quốc Khánh"
    )  # the one conference it sums up is signed so
    resolution = lambda: pdf_pages(official.render_resolution_pdf(big))[-1]  # noqa: E731
    assert resolution().endswith("TM. HỘI ĐỒNG NHÂN DÂN CHỦ TỊCH (Ký, ghi rõ họ tên)")
    council = big.campaign.body
    council.level = "central"
    council.save()
    assert resolution().endswith(". CHỦ TỊCH QUỐC HỘI (Ký, ghi rõ họ tên)")


def test_the_campaign_summary_is_signed_as_the_documents_of_the_conferences_it_sums_up(seed, office):
    """The summary goes up to the managing authority from the body, as each conference's report
    does: signed as those reports are when they are all signed alike, with the signer's post
    (Nghị định 30/2020/NĐ-CP, Điều 13), on behalf of the body by its name. Signed unlike (two
    signers set), it is signed on behalf of the body alone, the post and name left to the pen."""
    from tinnhiem.conferences.models import Conference
    from tinnhiem.conferences.usecases import campaigns
    from tinnhiem.i18n import official_language

    campaigns.set_signer(office, seed, name="Nguyễn Văn Bình", post="Phó Chủ tịch", signing_for="Chủ tịch")
    summary = pdf_pages(official.render_summary_pdf(seed.campaign))[-1]
    assert summary.endswith("TM. UBND THÀNH PHỐ MÓNG CÁI KT. CHỦ TỊCH PHÓ CHỦ TỊCH (Ký, ghi rõ họ tên) Nguyễn Văn Bình")
    word_cell = docx.Document(io.BytesIO(word.render_summary_docx(seed.campaign))).tables[-1].cell(0, 1)
    signed_in_word = next(p.text for p in word_cell.paragraphs if p.text)
    assert signed_in_word == "TM. UBND THÀNH PHỐ MÓNG CÁI\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
    other = Conference.objects.filter(campaign=seed.campaign).exclude(pk=seed.pk).first()
    with official_language():
        assert official.summary_signer(seed.campaign, [seed.pk, other.pk]) == {
            "role": "TM. UBND thành phố Móng Cái",
            "name": "",
        }  # the demo's other conference is signed by the chair, as Chủ tịch
        campaigns.set_signer(office, other, name="Nguyễn Văn Bình", post="Phó Chủ tịch", signing_for="Chủ tịch")
        assert official.summary_signer(seed.campaign, [seed.pk, other.pk])["name"] == "Nguyễn Văn Bình"
        assert official.summary_signer(seed.campaign, [])["name"] == ""  # nothing summed up yet


def first_invitation(conference) -> bytes:
    """The invitations as printed, of the first voter only (the seed's 183 letters, each with its QR
    code, take seconds to print; each is signed alike)."""
    letters = official.letters_context(conference, "invitations")
    return render_pdf("letters", {**letters, "voters": letters["voters"][:1]})


def test_report_and_resolution(seed, big):
    report = " ".join(pdf_pages(official.render_report_pdf(seed)))
    assert "BÁO CÁO" in report and "Kính gửi: UBND tỉnh Quảng Ninh." in report
    assert "141 79,66%" in report
    # what reached the secretariat before the conference (the seed: 142 opinions, no request)
    assert (
        "Trước hội nghị, cơ quan tham mưu đã nhận 142 ý kiến góp ý đối với những người được lấy phiếu, không có "
        "ý kiến nào đề nghị giải trình." in report
    )
    # the paper report, sent by the official channel, carries the key of the electronic record
    from tinnhiem.audit.record import public_key_b64, public_key_fingerprint

    # the key and its fingerprint may wrap: pdfium gives a hyphen at the end of a line as U+FFFE
    compact = "".join(report.replace("\ufffe", "-").split())
    assert "Khoácôngkhaikýhồsơđiệntử:" + public_key_b64() in compact
    assert f"(dấuvântay{public_key_fingerprint()})" in compact
    resolution = " ".join(pdf_pages(official.render_resolution_pdf(big)))
    assert "khoá công khai" not in resolution  # a resolution is not where the record's key goes
    # the report is dated the day it is made; the resolution, the day of the conference that adopted it
    from datetime import date

    big.date = date(2023, 9, 29)
    type(big).objects.filter(pk=big.pk).update(date=big.date)
    for is_resolution, day in ((False, date.today()), (True, big.date)):
        header = official.report_context(big, resolution=is_resolution)["header"]
        assert header["place_date"].endswith(place_date("", day)), (is_resolution, header)
    # the signature is never alone on its page: the identifiers above it go with it
    for pdf in (official.render_report_pdf(seed), official.render_summary_pdf(seed.campaign)):
        pages = pdf_pages(pdf)
        signed = [i for i, text in enumerate(pages) if "TM. " in text]
        assert len(signed) == 1 and "Dấu vân tay nhật ký hệ thống" in pages[signed[0]]
    assert "NGHỊ QUYẾT" in resolution and "QUYẾT NGHỊ" in resolution and "Người được lấy phiếu số 01" in resolution
    # one signature on behalf of the body stands in the right half of the page
    for pdf in (official.render_report_pdf(seed), official.render_resolution_pdf(big)):
        assert text_left(pdf, "TM. ") > 105  # mm from the left edge of the A4 page


def text_left(pdf: bytes, needle: str, page: int = -1) -> float:
    """Where ``needle`` first starts on a page (the last by default), in mm from the left edge."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        text = doc[page % len(doc)].get_textpage()
        found = text.search(needle).get_next()
        assert found is not None, needle
        return text.get_charbox(found[0])[0] * 25.4 / 72
    finally:
        doc.close()


def test_invitations_carry_each_voters_link(seed, settings):
    settings.TINNHIEM_PUBLIC_URL = "http://192.168.1.10:8000"
    pdf = official.render_letters_pdf(seed, "invitations")
    pages = pdf_pages(pdf)
    voters = list(seed.voters.order_by("order", "id"))
    assert len(pages) == len(voters) == 183
    assert "GIẤY MỜI" in pages[0] and voters[0].full_name in pages[0]
    codes = zxingcpp.read_barcodes(page_image(pdf, 5))
    assert [c.text for c in codes] == [links.invitation_url(voters[5])]
    assert codes[0].text.startswith("http://192.168.1.10:8000/moi/")


def test_invitations_need_a_public_address(seed, settings):
    settings.TINNHIEM_PUBLIC_URL = ""
    with pytest.raises(official.NoPublicAddress):
        official.render_letters_pdf(seed, "invitations")


def test_invitations_take_the_address_given_only_when_the_site_has_none(seed, settings):
    settings.TINNHIEM_PUBLIC_URL = ""
    voter = seed.voters.order_by("order", "id").first()
    given = official.letters_context(seed, "invitations", base_url="http://10.0.0.5:8000/")
    assert given["voters"][0]["url"] == "http://10.0.0.5:8000" + links.invitation_url(voter)
    settings.TINNHIEM_PUBLIC_URL = "http://192.168.1.10:8000"
    kept = official.letters_context(seed, "invitations", base_url="http://10.0.0.5:8000/")
    assert kept["voters"][0]["url"] == links.invitation_url(voter)
    assert kept["voters"][0]["url"].startswith("http://192.168.1.10:8000/moi/")


def test_attendance_sheet_and_roster(seed):
    attendance = " ".join(pdf_pages(official.render_letters_pdf(seed, "attendance")))
    roster = " ".join(pdf_pages(official.render_letters_pdf(seed, "roster")))
    for voter in seed.voters.all():
        assert voter.full_name in attendance and voter.full_name in roster
    assert "Ký tên" in attendance and "Tổng số: 183 người được triệu tập." in roster
    # a post that wraps in its narrow column keeps ordinary spaces (not justified)
    pdf = official.render_letters_pdf(seed, "attendance")
    assert (
        text_left(pdf, "Chủ tịch Thường", page=0) - text_left(pdf, "Phó Chủ tịch Thường", page=0) < 9.5
    )  # 10.9 justified


def test_nfd_names_come_out_nfc(seed):
    person = seed.rated_persons.first()
    nfd = unicodedata.normalize("NFD", person.full_name)
    type(person).objects.filter(pk=person.pk).update(full_name=nfd)  # bypass the model's own NFC
    data = official.minutes_context(seed)
    assert all(unicodedata.is_normalized("NFC", r["name"]) for f in data["forms"] for r in f["rows"])


def test_minutes_docx_table(seed):
    document = docx.Document(io.BytesIO(word.render_minutes_docx(seed)))
    table = document.tables[1]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0] == ["STT", "Họ và tên, chức vụ", "Kết quả", "Không hợp lệ"]
    assert cells[1][0] == "1" and cells[1][1].startswith("Trần Minh Đức")
    assert "Tín nhiệm cao: 141 (79,66%)" in cells[1][2] and cells[1][3] == "2"
    body = "\n".join(p.text for p in document.paragraphs)
    assert "BIÊN BẢN KIỂM PHIẾU" in body and printed(seed) in body
    assert LEGEND in body
    # the heading row repeats on every page; a person's row is never cut in two by a page
    flags = [[child.tag.split("}")[1] for child in row._tr.get_or_add_trPr()] for row in table.rows]
    assert flags == [["tblHeader"], ["cantSplit"], ["cantSplit"]]
    head = [column.width.mm for column in document.tables[0].columns]
    assert round(sum(head)) == 165 and head[1] > 100  # the national motto on one line
    grid = [column.width.mm for column in table.columns]
    assert round(sum(grid)) == 165 and grid[0] < 15  # the text width; a narrow STT column
    # the committee signs side by side, each title above its name, in a row that a page cannot split
    signatures = document.tables[2]
    assert [[c.text.split("\n")[0] for c in row.cells] for row in signatures.rows] == [
        ["TRƯỞNG BAN", "THƯ KÝ", "ỦY VIÊN"]
    ]
    assert [c.text.split("\n")[-1] for c in signatures.rows[0].cells] == [
        m["name"] for m in official.minutes_data(seed)["committee"]["members"]
    ]
    assert signatures.rows[0]._tr.trPr[0].tag.endswith("cantSplit")
    # the fingerprint line and the space under it go to the next page with the signatures
    from docx.text.paragraph import Paragraph

    spacer = signatures._tbl.getprevious()
    line = spacer.getprevious()
    assert printed(seed) in Paragraph(line, None).text and Paragraph(spacer, None).text == ""
    assert (
        Paragraph(line, None).paragraph_format.keep_with_next
        and Paragraph(spacer, None).paragraph_format.keep_with_next
    )
    # and the rows of signatures keep with each other: a second row never goes alone to a new page
    assert all(p.paragraph_format.keep_with_next for row in signatures.rows for c in row.cells for p in c.paragraphs)
    # the report prints the minutes' point of the log; the campaign's summary, the log's head
    for render, fp in (
        (word.render_report_docx, printed(seed)),
        (lambda c: word.render_summary_docx(c.campaign), head_fingerprint()),
    ):
        kept = [p for p in docx.Document(io.BytesIO(render(seed))).paragraphs if fp in p.text]
        assert len(kept) == 1 and kept[0].paragraph_format.keep_with_next


@pytest.mark.parametrize(
    ("count", "columns", "right", "expected"),
    [
        (3, 3, False, [["a", "b", "c"]]),
        (5, 3, False, [["a", "b", "c"], ["d", "e", ""]]),
        (1, 2, True, [["", "a"]]),  # one signature for the body: on the right
        (0, 3, False, []),
    ],
)
def test_signer_rows(count, columns, right, expected):
    signers = [{"role": r, "name": r.upper()} for r in "abcde"[:count]]
    rows = word.signer_rows(signers, columns, right=right)
    assert [[s["role"] for s in row] for row in rows] == expected


def test_office_template_replaces_the_default(seed, settings, tmp_path):
    from docx import Document

    custom = Document()
    custom.add_paragraph("MẪU RIÊNG {{ title }} — {{ forms[0].rows[0].name }}")
    (tmp_path / "templates").mkdir()
    custom.save(tmp_path / "templates" / word.TEMPLATE_NAME)
    settings.DATA_DIR = tmp_path
    document = docx.Document(io.BytesIO(word.render_minutes_docx(seed)))
    assert document.paragraphs[0].text == "MẪU RIÊNG BIÊN BẢN KIỂM PHIẾU — Trần Minh Đức"


def test_a_page_never_ends_between_a_title_and_the_name_signed_under_it():
    """Whatever the length of the minutes, each signer's title and name land on the same page
    (before, 25–27 closing lines put TRƯỞNG BAN at the foot of page 1 and the name on page 2)."""
    signers = [("Trưởng ban", "Nguyễn Văn Trưởng"), ("Thư ký", "Lê Thị Thư"), ("Ủy viên", "Trần Văn Viên")]
    data = {
        "header": {"parent": "UBND TỈNH", "body": "UBND HUYỆN", "system": "state", "place_date": "ngày 1/1/2026"},
        "title": "BIÊN BẢN KIỂM PHIẾU",
        "subtitle": "Hội nghị",
        "opening": "Mở đầu.",
        "intro": [],
        "forms": [],
        "fingerprint_sentence": "Dấu vân tay.",
        "invalid_word": "Không hợp lệ",
        "conclusions_word": "Kết luận",
        "rulings_word": "Kết luận của Ban kiểm phiếu",
        "signers": [{"role": role, "name": name} for role, name in signers],
    }
    pages_seen = set()
    for filler in range(15, 45):  # moves the signatures down the page, then onto the next
        pages = pdf_pages(render_pdf("minutes", data | {"closing": [f"Dòng thứ {i}." for i in range(filler)]}))
        pages_seen.add(len(pages))
        for role, name in signers:
            on = (
                [i for i, text in enumerate(pages) if role.upper() in text],
                [i for i, t in enumerate(pages) if name in t],
            )
            assert on[0] == on[1], (filler, role, on)
        # and the signatures never stand alone on the last page: all on one page, with the line above
        signed = {i for i, text in enumerate(pages) for role, _name in signers if role.upper() in text}
        assert len(signed) == 1 and "Dấu vân tay." in pages[signed.pop()], filler
    assert pages_seen == {1, 2}  # the range did reach the foot of the page


def test_a_document_number_or_date_is_never_split_across_two_lines():
    """“Kế hoạch số 274-KH/TU” came out as “274-KH/” at the end of a line and “TU” on the next (the
    demo's summary report; “05/KH-\\nHĐND” in its minutes). A reference number or a date is now kept
    whole wherever the line ends. So is a fingerprint (the audit log's, a key's): “C487-” ended a
    line of a record's minutes, and the verifier did not find the fingerprint in them."""
    numbers = ["274-KH/TU", "05/KH-HĐND", "96/2023/QH15", "96-QĐ/TW", "02/02/2023", "267/KH-UBND"]
    numbers += ["C487-5649-6752-A135", "3916-E476-FA4F-C687", "FFFF-FFFF-FFFF-FFFF"]
    intro = [
        f"Căn cứ {'văn bản ' * (i % 7)}{'số ' * (i // 7)}Kế hoạch số {number} và {number};"
        for i in range(28)
        for number in numbers
    ]
    data = {
        "header": {"parent": "UBND TỈNH", "body": "UBND HUYỆN", "system": "state", "place_date": "ngày 1/1/2026"},
        "title": "BIÊN BẢN KIỂM PHIẾU",
        "subtitle": "Hội nghị",
        "opening": "Mở đầu.",
        "intro": intro,
        "forms": [],
        "closing": [],
        "fingerprint_sentence": "Dấu vân tay.",
        "invalid_word": "Không hợp lệ",
        "conclusions_word": "Kết luận",
        "rulings_word": "Kết luận của Ban kiểm phiếu",
        "signers": [],
    }
    text = " ".join(pdf_pages(render_pdf("minutes", data)))
    for number in numbers:
        assert text.count(number) == 2 * 28, number  # each one whole, on one line

    # a long token of the same shape (a link) is not held whole: held whole, it started on a line of
    # its own below “http://10.0.0.1:”; in short pieces it fills the lines, inside the margin
    link = "http://10.0.0.1:8000/moi/" + "/".join(f"{i}/ab{i}" for i in range(60)) + "/"  # “/a”: a break
    pdf = pdfium.PdfDocument(render_pdf("minutes", data | {"intro": [link]}))
    page, right = pdf[0], (210 - 15) / 25.4 * 72  # the right margin of the page, in points
    textpage = page.get_textpage()
    lines = textpage.get_text_range().split("\n")
    first = next(line for line in lines if "http://" in line)
    assert "8000/moi/0/ab0" in first and len([line for line in lines if "/ab" in line]) > 1
    assert max(textpage.get_charbox(i)[2] for i in range(textpage.count_chars())) <= right + 1
    textpage.close(), page.close(), pdf.close()


def test_word_never_ends_a_line_inside_a_fingerprint_or_a_document_number(seed):
    """As the PDFs: in the Word minutes, report and summary, the hyphens of a fingerprint and of a
    document number (96-QĐ/TW) are Word's non-breaking ones; the text reads the same."""
    from docx.oxml.ns import qn

    for render, fp in (
        (word.render_minutes_docx, printed(seed)),
        (word.render_report_docx, printed(seed)),
        (lambda c: word.render_summary_docx(c.campaign), head_fingerprint()),
    ):
        document = docx.Document(io.BytesIO(render(seed)))
        texts = [t.text or "" for t in document.element.body.iter(qn("w:t"))]
        assert not [t for t in texts if any("-" in m.group() for m in word.UNBROKEN.finditer(t))]
        [line] = [p for p in document.paragraphs if fp in p.text]  # read back whole
        assert len(list(line._p.iter(qn("w:noBreakHyphen")))) >= 3
        assert any("96-QĐ/TW" in p.text for p in document.paragraphs)


def test_the_self_assessment_keeps_the_motto_on_one_line():
    """The sample self-assessment report of the demo set its own header, two equal columns in
    13 pt bold: “CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT” | “NAM”. It has the official header's proportions."""
    data = {
        "body": "UBND thành phố Móng Cái",
        "name": "Lê Thị Hồng Nhung",
        "post": "Phó Chủ tịch UBND thành phố",
        "place_date": "Móng Cái, ngày 11 tháng 11 năm 2026",
        "sections": [{"title": "1. Về phẩm chất chính trị", "text": "Nội dung."}],
    }
    pdf = pdfium.PdfDocument(render_pdf("self_report", data))
    textpage = pdf[0].get_textpage()
    lines = [line.strip() for line in textpage.get_text_range().splitlines()]
    textpage.close(), pdf.close()
    assert any(line.endswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") for line in lines), lines[:4]
    assert "Độc lập - Tự do - Hạnh phúc" in lines


def test_the_opening_and_the_summary_say_the_day_and_hour_in_vietnamese(seed):
    """The hour of the conference was joined to the sentence with a word gettext could not see
    (inside an f-string): the Vietnamese minutes read "…, at 08:00, tại …"."""
    from datetime import time

    type(seed).objects.filter(pk=seed.pk).update(start_time=time(8, 0))
    seed.refresh_from_db()
    opening = official.minutes_context(seed)["opening"]
    assert opening.startswith(f"Ngày {seed.date:%d/%m/%Y}, lúc 08:00, tại ")
    headings = [s["heading"] for s in official.summary_context(seed.campaign)["sections"]]
    assert f"{seed.title} — ngày {seed.date:%d/%m/%Y}" in " ".join(headings)


def test_the_report_names_who_was_not_rated_and_why(seed):
    """The managing authority learns from the report, and from the campaign's summary, why a person
    of the list has no result: the rule set's grounds with their text, and the office's reason
    (unless it only repeats the grounds, as an imported list records them, in either language)."""
    from datetime import date

    from django.utils import translation

    from tinnhiem.conferences.models import RatedPerson
    from tinnhiem.conferences.usecases.rated import grounds_for, imported_exclusion

    new = date(seed.date.year, 1, 15)
    grounds = grounds_for(seed, retirement_notified=False, took_office_on=new)
    assert [g.key for g in grounds] == ["appointed_this_year"]
    with translation.override("en"):  # imported by an office working in English
        recorded_in_english = imported_exclusion(grounds)
    common = {"conference": seed, "decision": RatedPerson.Decision.EXCLUDED}
    RatedPerson.objects.create(
        order=3, full_name="Lê Thị Mới", post="Phó Chủ tịch UBND", took_office_on=new,
        decision_note=imported_exclusion(grounds), **common,
    )  # fmt: skip
    RatedPerson.objects.create(
        order=4, full_name="Vũ Văn Anh", post="Phó Chủ tịch UBND", took_office_on=new,
        decision_note=recorded_in_english, **common,
    )  # fmt: skip
    RatedPerson.objects.create(
        order=5, full_name="Trần Văn Hưu", post="Trưởng phòng Nội vụ", retirement_notified=True,
        decision_note="Nghỉ hưu từ ngày 01/12.", **common,
    )  # fmt: skip
    RatedPerson.objects.create(
        order=6, full_name="Phạm Thị Vắng", post="Chánh Văn phòng", decision_note="Đang điều trị dài ngày", **common
    )

    expected = [
        "Không lấy phiếu tín nhiệm đối với:",
        "– Lê Thị Mới, Phó Chủ tịch UBND: được bầu, bổ nhiệm trong năm lấy phiếu — Quy định 96-QĐ/TW.",
        "– Vũ Văn Anh, Phó Chủ tịch UBND: được bầu, bổ nhiệm trong năm lấy phiếu — Quy định 96-QĐ/TW.",
        "– Trần Văn Hưu, Trưởng phòng Nội vụ: đã có thông báo nghỉ công tác chờ nghỉ hưu — Quy định 96-QĐ/TW. "
        "Nghỉ hưu từ ngày 01/12.",
        "– Phạm Thị Vắng, Chánh Văn phòng: Đang điều trị dài ngày.",
    ]
    closing = official.report_context(seed)["closing"]
    assert closing[: len(expected)] == expected
    assert closing[len(expected)] == "Gửi kèm Biên bản kiểm phiếu có chữ ký của Ban kiểm phiếu."
    lines = official._not_rated_lines(seed, vote=True)  # at a confidence vote (bỏ phiếu tín nhiệm)
    assert lines[0] == "Không đưa ra bỏ phiếu tín nhiệm đối với:" and lines[1:] == expected[1:]
    report = " ".join(pdf_pages(official.render_report_pdf(seed)))
    assert all(line in report for line in expected)
    paragraphs = [p.text for p in docx.Document(io.BytesIO(word.render_report_docx(seed))).paragraphs]
    assert all(line in paragraphs for line in expected)
    # the resolution confirms the results of those rated, and names no one else
    assert "Lê Thị Mới" not in " ".join(official.report_context(seed, resolution=True)["closing"])

    summary = " ".join(pdf_pages(official.render_summary_pdf(seed.campaign)))
    assert "Không lấy phiếu tín nhiệm đối với: Lê Thị Mới, Phó Chủ tịch UBND (được bầu, bổ nhiệm" in summary
    assert "Phạm Thị Vắng, Chánh Văn phòng (Đang điều trị dài ngày)." in summary


def test_a_report_with_everyone_rated_has_no_such_list(seed):
    assert not any("Không lấy phiếu" in line for line in official.report_context(seed)["closing"])


def test_each_rated_person_gets_a_notice_of_their_result(seed, big):
    """QĐ 96: the results are disclosed to each person rated. One page each, with the person's own
    row as the minutes print it, the base, and the consequence with its article."""
    pages = pdf_pages(official.render_notices_pdf(seed))
    assert len(pages) == 2
    first, second = pages
    assert "THÔNG BÁO Kết quả lấy phiếu tín nhiệm" in first
    assert "Kính gửi: Đồng chí Trần Minh Đức, Phó Chủ tịch UBND thành phố." in first
    assert "Kết quả lấy phiếu tín nhiệm đối với Trần Minh Đức như sau:" in first
    assert "141 79,66% 29 16,38% 5 2,82% 2" in first and "122 68,93%" not in first  # their own row, invalid too
    assert "Số phiếu phát ra: 178; số phiếu thu về: 177" in first
    assert "Kết luận: theo Quy định 96-QĐ/TW, kết quả này không thuộc trường hợp phải xử lý." in first
    assert "Kính gửi: Đồng chí Lê Thị Hồng Nhung" in second and "122 68,93%" in second
    assert all("TM. ỦY BAN NHÂN DÂN THÀNH PHỐ MÓNG CÁI" in p and "Đặng Quốc Khánh" in p for p in pages)

    # a person whose result calls for a consequence is told which, and under which article
    context = official.notices_context(big)["notices"]
    assert len(context) == big.rated_persons.filter(decision="rated").count()
    told = {n["form"]["rows"][0]["outcome"]: n["after"][-1] for n in context}
    assert told["over_half"].startswith("Kết luận: Có quá nửa đến dưới hai phần ba tổng số phiếu")
    assert told["over_half"].endswith("(Nghị quyết 96/2023/QH15, Điều 12 khoản 1).")
    assert told["none"] == "Kết luận: theo Nghị quyết 96/2023/QH15, kết quả này không thuộc trường hợp phải xử lý."


def test_an_office_template_that_cannot_make_the_document_is_said_on_the_page_not_a_server_error(
    seed, settings, tmp_path, client, django_user_model
):
    """A tag broken while the template was edited in Word (a loop never closed, an unknown
    filter): the documents page says which file and what, and how to go on; the PDF is unaffected.
    It was a server error, at the moment the minutes were due."""
    from django.contrib.auth.models import Group
    from django.urls import reverse
    from docx import Document

    (tmp_path / "templates").mkdir()
    broken = Document()
    broken.add_paragraph("{% for form in forms %}{{ form.name }}")
    broken.save(tmp_path / "templates" / word.TEMPLATE_NAME)
    unknown = Document()
    unknown.add_paragraph("{{ title|khong_co }}")
    unknown.save(tmp_path / "templates" / word.REPORT_TEMPLATE_NAME)
    settings.DATA_DIR = tmp_path
    user = django_user_model.objects.create_user("vp-mau", password="x")
    user.groups.add(Group.objects.get(name="office"))
    client.force_login(user)
    page_of = reverse("documents:list", args=[seed.pk])
    for name, address in (
        (word.TEMPLATE_NAME, reverse("documents:minutes_docx", args=[seed.pk])),
        (word.REPORT_TEMPLATE_NAME, reverse("documents:report_docx", args=[seed.pk])),
    ):
        response = client.get(address, follow=True)
        assert response.redirect_chain == [(page_of, 302)]
        text = response.content.decode()
        assert f"Không dùng được mẫu Word riêng của cơ quan {tmp_path / 'templates' / name}: " in text
        assert "bỏ tệp đó đi để dùng mẫu có sẵn." in text
    assert client.get(reverse("documents:minutes", args=[seed.pk]))["Content-Type"] == "application/pdf"
    with pytest.raises(word.WordTemplateError, match="'endfor'"):
        word.render_minutes_docx(seed)


def test_the_report_says_what_reached_the_secretariat_before_the_conference(office, conference, person):
    """QĐ 96 Điều 9 bước 1: the opinions, the requests forwarded to the rated persons and the
    explanations sent to the voters, counted from the records; a confidence vote asks for none."""
    from tinnhiem.conferences.usecases import opinions

    assert official._opinions_line(conference) == (
        "Trước hội nghị, cơ quan tham mưu không nhận được ý kiến góp ý nào đối với những người được lấy phiếu."
    )
    opinions.enter_paper_opinion(office, conference, rated_person=person, text="Nhất trí")
    asks = [
        opinions.enter_paper_opinion(office, conference, rated_person=person, text=f"Đề nghị làm rõ {i}")
        for i in (1, 2)
    ]
    for opinion in asks:
        opinions.classify_opinion(office, opinion, tag="requests_explanation")
    opinions.forward_requests(office, conference)
    opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đề nghị làm rõ 3, chưa chuyển")
    opinions.record_explanation(office, person, text="Giải trình", answers=asks)
    assert official._opinions_line(conference).endswith(
        "4 ý kiến góp ý đối với những người được lấy phiếu, trong đó 2 ý kiến đề nghị giải trình đã được chuyển đến người được lấy phiếu; 0 báo cáo giải trình đã được gửi người ghi phiếu."
    )
    opinions.distribute_explanations(office, conference)
    assert official._opinions_line(conference).endswith("; 1 báo cáo giải trình đã được gửi người ghi phiếu.")
