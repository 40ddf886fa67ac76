"""The campaign's summary of results (tổng hợp kết quả) for the managing authority: only finished
conferences, numbers exactly as finalised, people rated in several places shown side by side and
checked against QĐ 96 Điều 1 khoản 3, and the page, the Excel file and the PDF report."""

from __future__ import annotations

import base64
import io
import json
import re
import unicodedata
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tinnhiem.audit.received import minutes_fingerprint
from tinnhiem.conferences.models import RatedPerson
from tinnhiem.conferences.usecases import campaigns, day, rated, roster
from tinnhiem.documents import official
from tinnhiem.voting.minutes import minutes_data
from tinnhiem.voting.summary import campaign_summary, summary_table
from tinnhiem.voting.usecases import counting

from ..documents.conftest import page_image, pdf_pages

N_VOTERS = 30
PRESENT = 28  # ballots collected = the base of the percentages (QĐ 96 Điều 6 khoản 3)


@pytest.fixture
def team(make_user):
    return make_user("chair", "chair"), [make_user("committee", f"kp{i}") for i in range(1, 6)]


def minutes_fingerprint_of(conference) -> str:
    """The fingerprint the conference's counting minutes print (docs/audit.md)."""
    from tinnhiem.audit.chain import fingerprint
    from tinnhiem.audit.log import minutes_point

    return fingerprint(minutes_point(conference)[1])


def hold(office, team, campaign, title, people, *, finish=True, days=0):
    """A conference of ``campaign`` with ``people`` = [(name, post, low)], counted by hand totals:
    ``low`` ballots "tín nhiệm thấp", the rest of the 28 "tín nhiệm cao"; not counted if ``finish`` is false."""
    chair, counters = team
    today = date.today() + timedelta(days=days)
    conference = campaigns.create_conference(
        office, campaign=campaign, title=title, date=today, place="Hội trường", convening_body="UBND", today=today
    )
    persons = [rated.add_rated_person(office, conference, full_name=n, post=p) for n, p, _low in people]
    lines = "STT,Họ và tên,Chức vụ\n" + "".join(f"{i},Cán bộ {i:03d},Trưởng phòng\n" for i in range(1, N_VOTERS + 1))
    roster.import_roster(office, conference, filename="ds.csv", data=lines.encode())
    if not finish:
        return conference
    day.open_conference(chair, conference, held_today=True)
    voters = list(conference.voters.order_by("order"))
    day.check_in(office, conference, voters[:PRESENT])
    size = conference.rules.committee.minimum_for(campaign.body.level) or 3
    roles = ["head", "secretary"] + ["member"] * (size - 2)
    for voter, role, user in zip(voters[:size], roles, counters[:size], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    day.record_committee_approval(chair, conference, votes_for=PRESENT, against=0, abstaining=0)
    day.open_voting(chair, conference)
    form = conference.ballot_forms.get()
    day.set_counting_mode(office, form, mode="totals")
    counting.record_ballot_counts(counters[0], form, issued=PRESENT, collected=PRESENT)
    day.close_voting(chair, conference)
    totals = {
        p.pk: {"high": PRESENT - low, "confidence": 0, "low": low, "invalid": 0}
        for p, (_n, _post, low) in zip(persons, people, strict=True)
    }
    counting.record_hand_totals(counters[0], form, totals=totals, whole_invalid=0)
    counting.finalise_form(counters[0], form)
    return conference


@pytest.fixture
def rated_year(office, team, campaign):
    """The city's campaign (QĐ 96): two conferences finished, one in preparation; and the People's
    Council's campaign of the same year, where one of the same cadres is also rated."""
    first = hold(
        office,
        team,
        campaign,
        "Hội nghị Ban Chấp hành",
        [
            ("Trần Minh Đức", "Phó Bí thư Thành ủy", 14),  # exactly 1/2 low: no consequence
            ("Lê Thị Hồng Nhung", "Ủy viên Ban Thường vụ", 15),  # over 1/2: Điều 11 khoản 2
            ("Phạm Văn An", "Ủy viên Ban Thường vụ", 0),
        ],
    )
    nfd = unicodedata.normalize("NFD", "trần  minh ĐỨC")  # typed differently: NFD, case, two spaces
    second = hold(
        office,
        team,
        campaign,
        "Hội nghị HĐND thành phố",
        [(nfd, "Chủ tịch HĐND thành phố", 19), ("Đỗ Thu Hà", "Phó Chủ tịch HĐND", 18)],  # 19/28 ≥ 2/3: khoản 3
    )
    later = hold(office, team, campaign, "Hội nghị khối Mặt trận", [("Phạm Văn An", "Chủ tịch", 0)], finish=False)
    body = campaigns.create_body(office, name="HĐND thành phố Móng Cái", level="district")
    council = campaigns.create_campaign(
        office,
        body=body,
        name="Lấy phiếu tại kỳ họp HĐND",
        legal_basis="Nghị quyết 96/2023/QH15",
        term="2021–2026",
        rule_set="nq96-2023",
        rating_year=campaign.rating_year,
    )
    other = hold(office, team, council, "Kỳ họp HĐND", [("Trần Minh Đức", "Chủ tịch HĐND thành phố", 1)])
    excluded = rated.add_rated_person(office, later, full_name="Lê Thị Hồng Nhung", post="Ủy viên")
    RatedPerson.objects.filter(pk=excluded.pk).update(decision=RatedPerson.Decision.EXCLUDED)  # not rated there
    return {"first": first, "second": second, "later": later, "council": council, "other": other}


def test_only_finished_conferences_with_their_finalised_numbers(campaign, rated_year):
    s = campaign_summary(campaign)
    assert [c["title"] for c in s["conferences"]] == ["Hội nghị Ban Chấp hành", "Hội nghị HĐND thành phố"]
    assert [(p["title"], p["status"]) for p in s["pending"]] == [("Hội nghị khối Mặt trận", "preparing")]
    assert not s["complete"] and s["rated"] == 5
    stored = [
        (p["name"], [lv["count"] for lv in p["levels"]], [lv["percent"] for lv in p["levels"]], p["outcome"])
        for key in ("first", "second")
        for f in minutes_data(rated_year[key])["forms"]
        for p in f["people"]
    ]
    shown = [
        (r["name"], [lv["count"] for lv in r["levels"]], [lv["percent"] for lv in r["levels"]], r["outcome"])
        for r in s["rows"]
    ]
    assert shown == stored  # the numbers are the finalised results, not recomputed
    assert [r["outcome"] for r in s["rows"]] == ["none", "over_half", "none", "two_thirds", "over_half"]
    by_key = {o["key"]: o for o in s["outcomes"]}
    assert (
        by_key["two_thirds"]["count"] == 1 and by_key["two_thirds"]["citation"] == "Quy định 96-QĐ/TW, Điều 11 khoản 3"
    )
    assert by_key["over_half"]["names"] == ["Lê Thị Hồng Nhung", "Đỗ Thu Hà"]  # 18/28: over 1/2, under 2/3
    assert s["no_consequence"] == 2
    assert s["rows"][0]["levels"][2]["percent"] == "50,00%"  # exactly half is not "over half"


def test_people_rated_in_several_places_are_listed_not_added_up(campaign, rated_year):
    s = campaign_summary(campaign)
    rows = {(r["conference_title"], r["name"]): r for r in s["rows"]}
    duc = rows[("Hội nghị Ban Chấp hành", "Trần Minh Đức")]
    # the same name typed in NFD, another case and two spaces (stored NFC, one space) is matched
    assert [(p["title"], p["post"]) for p in duc["other_places"]] == [
        ("Hội nghị HĐND thành phố", "Chủ tịch HĐND thành phố"),
        ("Kỳ họp HĐND", "Chủ tịch HĐND thành phố"),
    ]
    assert duc["too_many_places"]  # 3 places > 2 (QĐ 96 Điều 1 khoản 3)
    assert "Điều 1 khoản 3" in s["rules"]["places_citation"] and "Điều 11 khoản 4" in s["rules"]["overall_citation"]
    an = rows[("Hội nghị Ban Chấp hành", "Phạm Văn An")]
    assert [p["status"] for p in an["other_places"]] == ["preparing"] and not an["too_many_places"]  # 2 places: allowed
    nhung = rows[("Hội nghị Ban Chấp hành", "Lê Thị Hồng Nhung")]
    assert nhung["other_places"] == []  # excluded from the ballot elsewhere: not rated there
    assert rows[("Hội nghị HĐND thành phố", "Đỗ Thu Hà")]["other_places"] == []
    assert s["several_places"] == 3
    # a rank or a degree before the name in one of the lists: the same person
    RatedPerson.objects.filter(conference__title="Kỳ họp HĐND", full_name="Trần Minh Đức").update(
        full_name="PGS.TS. Trần Minh Đức"
    )
    rows = {(r["conference_title"], r["name"]): r for r in campaign_summary(campaign)["rows"]}
    assert len(rows[("Hội nghị Ban Chấp hành", "Trần Minh Đức")]["other_places"]) == 2
    # each place keeps its own numbers
    assert [lv["count"] for lv in rows[("Hội nghị HĐND thành phố", "trần minh ĐỨC")]["levels"]] == [9, 0, 19]


def test_no_places_rule_outside_qd96(rated_year):
    s = campaign_summary(rated_year["council"])
    (row,) = s["rows"]
    assert len(row["other_places"]) == 2 and not row["too_many_places"]  # NQ 96/2023/QH15 sets no limit
    assert s["rules"]["places_max"] is None and s["complete"]


def test_a_campaign_with_nothing_finished(office, team, campaign, roles):
    hold(office, team, campaign, "Hội nghị chưa họp", [("Trần Minh Đức", "Phó Chủ tịch", 0)], finish=False)
    s = campaign_summary(campaign)
    assert s["conferences"] == [] and s["rows"] == [] and len(s["pending"]) == 1
    client = Client()
    client.force_login(office)
    page = client.get(reverse("voting:campaign_results", args=[campaign.pk])).content.decode()
    assert "Chưa có hội nghị nào của đợt này kết thúc" in page and "bao-cao-tong-hop" not in page
    assert client.get(reverse("documents:summary", args=[campaign.pk])).status_code == 404


def assert_each_article_once(html: str, expected: int) -> None:
    """Each conclusion in the table, in bold, with its article under it: not said twice (the stored
    result's text ends with the article too)."""
    found = re.findall(r'<td class="wide"><strong>([^<]+)</strong><br><span class="muted">([^<]+)</span>', html)
    assert len(found) == expected and all(article not in text for text, article in found), found


def test_page_excel_and_report(campaign, rated_year, make_user):
    client = Client()
    client.force_login(make_user("observer", "quansat"))
    page = client.get(reverse("voting:campaign_results", args=[campaign.pk])).content.decode()
    assert "Tổng hợp kết quả" in page and "Cũng được lấy phiếu tại (trùng họ và tên)" in page
    assert "Quá 2 nơi: cần kiểm tra." in page and "Hội nghị khối Mặt trận" in page
    assert "67,86%" in page  # 19/28 low
    for conference in campaign.conferences.filter(status="finished"):  # what each one's minutes print
        assert (
            f'Dấu vân tay trên biên bản: <strong class="fingerprint">{minutes_fingerprint_of(conference)}</strong>'
            in page
        )
    assert_each_article_once(page, 3)
    campaign_page = client.get(reverse("conferences:campaign", args=[campaign.pk])).content.decode()
    assert reverse("voting:campaign_results", args=[campaign.pk]) in campaign_page

    from openpyxl import load_workbook

    xlsx = client.get(reverse("voting:campaign_results_xlsx", args=[campaign.pk]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert (
        values[0][:3] == ["Hội nghị", "Ngày", "Mẫu phiếu"]
        and values[0][-1] == "Cũng được lấy phiếu tại (trùng họ và tên)"
    )
    expected = [
        [None if v == "" else float(v) if isinstance(v, Decimal) else v for v in row]
        for row in summary_table(campaign_summary(campaign))
    ]
    assert values == expected
    conclusions = [(row[-3], row[-2]) for row in values[1:] if row[-2]]  # Conclusion, Article
    assert len(conclusions) == 3 and all(article not in text for text, article in conclusions)
    assert values[4][4] == "trần minh ĐỨC" and values[4][11:13] == [19, 67.86]
    assert sheet.cell(5, 13).number_format == "0.00"  # a number: Excel shows 67,86 in Vietnamese

    pdf = client.get(reverse("documents:summary", args=[campaign.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(pdf_pages(pdf.content))
    assert "BÁO CÁO" in text and "Tổng hợp kết quả lấy phiếu tín nhiệm — Đợt 2026" in text
    assert "Chưa kết thúc, chưa đưa vào báo cáo này: Hội nghị khối Mặt trận" in text
    assert "(Quy định 96-QĐ/TW, Điều 11 khoản 3): 1 người — trần minh ĐỨC" in " ".join(text.split())
    assert "Quá 2 nơi (Quy định 96-QĐ/TW, Điều 1 khoản 3): cần kiểm tra." in text
    assert "(Quy định 96-QĐ/TW, Điều 11 khoản 4)" in text
    assert "Không thuộc trường hợp phải xử lý theo quy định: 2 người." in text
    # under each finished conference, the fingerprint its signed minutes print
    finished = campaign.conferences.filter(status="finished").order_by("date", "id")
    assert finished.count() == 2
    for conference in finished:
        printed = minutes_fingerprint_of(conference)
        assert f"Biên bản kiểm phiếu: dấu vân tay nhật ký {printed}." in text
        assert printed in " ".join(pdf_pages(official.render_minutes_pdf(conference)))
    image = page_image(pdf.content)
    assert image.shape[0] > image.shape[1] and (image < 128).mean() > 0.01  # an A4 page with text on it


def test_report_in_word_carries_the_same_numbers_for_the_office_to_number_and_sign(campaign, rated_year, make_user):
    import docx

    client = Client()
    client.force_login(make_user("observer", "quansat"))
    assert "Báo cáo (Word)" in client.get(reverse("voting:campaign_results", args=[campaign.pk])).content.decode()
    response = client.get(reverse("documents:summary_docx", args=[campaign.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="bao-cao-tong-hop-dot-{campaign.pk}.docx"'
    document = docx.Document(io.BytesIO(response.content))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables[1:]]
    signature = tables.pop()
    assert [len(t) for t in tables] == [4, 3]  # a header and one row per person, for each finished conference
    # the body signs on the right, its recipients at the left
    assert signature[0][0].strip() == "Nơi nhận:\n- Như trên;\n- Lưu: VT." and signature[0][1].startswith("TM. ")
    assert signature[0][1].split("\n")[1] == "(Ký, ghi rõ họ tên)"
    assert tables[1][1][1] == "trần minh ĐỨC, Chủ tịch HĐND thành phố"
    assert tables[1][1][2] == "Tín nhiệm cao: 9 (32,14%)\nTín nhiệm: 0 (0,00%)\nTín nhiệm thấp: 19 (67,86%)"
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Tổng hợp kết quả lấy phiếu tín nhiệm — Đợt 2026" in body and "Quá 2 nơi" in body
    assert "Chưa kết thúc, chưa đưa vào báo cáo này: Hội nghị khối Mặt trận" in body
    assert "{{" not in body and "{%" not in body  # every tag filled


def test_the_summary_says_to_whom_and_each_conference_s_lines(office, campaign, rated_year, team):
    chair, _counters = team
    summary = official.summary_context(campaign)
    assert summary["recipient"] == "Kính gửi: cấp có thẩm quyền quản lý cán bộ."  # a body with no parent
    lines = summary["sections"][0]["lines"]
    ballots = "Số phiếu phát ra: 28; số phiếu thu về: 28; số phiếu hợp lệ: 28; số phiếu không hợp lệ: 0."
    assert ballots in lines  # one form: not named
    unpublished = "Chủ trì hội nghị chưa công bố kết quả này."
    assert unpublished in lines
    day.publish_results(chair, rated_year["first"])
    assert unpublished not in official.summary_context(campaign)["sections"][0]["lines"]
    parent = campaigns.create_body(office, name="UBND tỉnh Quảng Ninh", level="province")
    type(campaign.body).objects.filter(pk=campaign.body_id).update(parent=parent)
    campaign.refresh_from_db()
    assert official.summary_context(campaign)["recipient"] == "Kính gửi: UBND tỉnh Quảng Ninh."


def test_report_pdf_is_in_vietnamese_whatever_the_page_language(campaign, rated_year):
    from django.utils import translation

    with translation.override("en"):
        text = " ".join(pdf_pages(official.render_summary_pdf(campaign)))
    assert "Kính gửi:" in text and "Summary" not in text
    assert "Hội nghị khối Mặt trận" in text and "Đang chuẩn bị" in text and "Preparing" not in text


def test_command_line(campaign, rated_year, tmp_path, capsys):
    import json

    from django.core.management import CommandError, call_command
    from openpyxl import load_workbook

    out = tmp_path / "th.json"
    call_command("summary", str(campaign.pk), "--format", "json", "-o", str(out))
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(json.dumps(campaign_summary(campaign)))
    assert "Hội nghị khối Mặt trận" in capsys.readouterr().err  # not finished: said, not silently left out
    call_command("summary", str(campaign.pk), "--format", "xlsx", "-o", str(tmp_path / "th.xlsx"))
    sheet = load_workbook(tmp_path / "th.xlsx").active
    assert sheet.max_row == 6 and sheet["E2"].value == "Trần Minh Đức"
    call_command("summary", str(campaign.pk), "--format", "docx", "-o", str(tmp_path / "th.docx"))
    assert (tmp_path / "th.docx").read_bytes()[:2] == b"PK"
    call_command("summary", str(campaign.pk), "-o", str(tmp_path / "th.pdf"))
    assert "Tổng hợp kết quả lấy phiếu tín nhiệm" in " ".join(pdf_pages((tmp_path / "th.pdf").read_bytes()))
    with pytest.raises(CommandError, match=f"Không có đợt lấy phiếu 999. Các đợt: {campaign.pk} \\(Đợt 2026\\)"):
        call_command("summary", "999")


def test_rated_persons_page_shows_the_other_places_while_preparing(campaign, rated_year, office):
    client = Client()
    client.force_login(office)
    later = rated_year["later"]  # in preparation: Phạm Văn An is on its ballot and on a finished one
    page = client.get(reverse("conferences:rated", args=[later.pk])).content.decode()
    assert "Cũng có tên trên phiếu của (trùng họ và tên):" in page and "Hội nghị Ban Chấp hành" in page
    assert "Quá 2 nơi" not in page  # 2 places: allowed; Lê Thị Hồng Nhung is not on this ballot
    hold(office, (None, None), campaign, "Hội nghị thứ tư", [("PHẠM VĂN AN", "Chủ tịch", 0)], finish=False)
    page = client.get(reverse("conferences:rated", args=[later.pk])).content.decode()
    assert "Quá 2 nơi: cần kiểm tra." in page and "Điều 1 khoản 3" in page and "Hội nghị thứ tư" in page


# --- the managing authority's side: signed records received from the sites --------------------


def other_key() -> str:
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return base64.b64encode(raw).decode()


@pytest.fixture
def received(rated_year, tmp_path):
    from tinnhiem.audit.record import export_record

    files = []
    for key in ("first", "second", "other"):
        path = tmp_path / f"ho-so-{key}.zip"
        path.write_bytes(export_record(rated_year[key]))
        files.append(str(path))
    return files


def test_received_records_are_verified_then_summed_up(received, tmp_path, capsys):
    from django.core.management import call_command
    from openpyxl import load_workbook

    from tinnhiem.audit.record import public_key_b64

    out = tmp_path / "tong-hop.xlsx"
    call_command(
        "summary", "--records", *received, "--public-key", other_key(), "--public-key", public_key_b64(), "-o", str(out)
    )
    said = capsys.readouterr().out
    assert said.count("đúng: ") == 3 and "ký bằng khoá số 2" in said
    book = load_workbook(out)
    assert book.sheetnames == [
        "qd96-2023",
        "nq96-2023",
        "Hội nghị",
    ]  # one sheet per rule set (their levels may differ), and the conferences
    party = [[c.value for c in row] for row in book["qd96-2023"].iter_rows()]
    assert [r[4] for r in party[1:]] == [
        "Trần Minh Đức",
        "Lê Thị Hồng Nhung",
        "Phạm Văn An",
        "trần minh ĐỨC",
        "Đỗ Thu Hà",
    ]
    assert party[4][11:16] == [19, 67.86, 28, 0, party[4][15]] and party[4][16] == "Quy định 96-QĐ/TW, Điều 11 khoản 3"
    assert party[4][15].startswith("Có từ 2/3 số phiếu tín nhiệm thấp trở lên")
    assert party[1][-1] == "Hội nghị HĐND thành phố (Chủ tịch HĐND thành phố); Kỳ họp HĐND (Chủ tịch HĐND thành phố)"
    council = [[c.value for c in row] for row in book["nq96-2023"].iter_rows()]
    assert council[1][4] == "Trần Minh Đức" and council[1][11] == 1

    from tinnhiem.audit.received import check_record, received_summary

    records = [check_record(f, open(f, "rb").read(), [public_key_b64().encode()]) for f in received]
    summary = received_summary(records)
    duc = summary["groups"][0]["rows"][0]
    assert duc["too_many_places"] and len(duc["other_places"]) == 2  # QĐ 96 Điều 1 khoản 3: 3 places
    assert not summary["groups"][1]["rows"][0]["too_many_places"]  # no such rule under NQ 96/2023/QH15
    # two records, two places of one name: allowed ("tối đa ở 2 nơi")
    two = received_summary(records[:2])
    pairs = [
        r for g in two["groups"] if g["rules"]["places_max"] == 2 for r in g["rows"] if len(r["other_places"]) == 1
    ]
    assert pairs and not any(r["too_many_places"] for r in pairs)
    assert [c["title"] for c in summary["conferences"]] == [
        "Hội nghị Ban Chấp hành",
        "Hội nghị HĐND thành phố",
        "Kỳ họp HĐND",
    ]


def test_the_authority_finds_one_name_written_with_a_rank_in_another_record(office, team, campaign, tmp_path):
    """A unit's list wrote the rank before the name ("Thượng tá …"), another's did not: one person
    rated in both places, which QĐ 96 counts (at most 2)."""
    from tinnhiem.audit.received import check_record, received_summary
    from tinnhiem.audit.record import export_record, public_key_b64

    one = hold(office, team, campaign, "Hội nghị Đảng ủy Công an", [("Thượng tá Châu Văn Sáng", "Bí thư", 0)])
    other = hold(office, team, campaign, "Hội nghị Ban Chấp hành", [("Châu Văn Sáng", "Ủy viên", 0)])
    key = public_key_b64().encode()
    records = [check_record(c.title, export_record(c), [key]) for c in (one, other)]
    (group,) = received_summary(records)["groups"]
    assert [[o["title"] for o in row["other_places"]] for row in group["rows"]] == [
        ["Hội nghị Ban Chấp hành"],
        ["Hội nghị Đảng ủy Công an"],
    ]


def test_a_record_signed_by_none_of_the_keys_given_claims_no_signature_checked(received):
    """Two keys given, neither signed it: the verdict says so first, keeps what the content checks
    found, and lists no signature among what was checked (not even the archive's own key)."""
    from tinnhiem.audit.received import check_record

    data = open(received[0], "rb").read()
    checked = check_record("ho-so.zip", data, [other_key().encode(), other_key().encode()])
    assert not checked.ok and checked.key_index is None
    assert [str(p) for p in checked.verdict.problems] == [
        "signature: the manifest is not signed by any of the given keys"
    ]
    assert checked.verdict.checked and not any(str(c).startswith("signature") for c in checked.verdict.checked)


def test_a_record_that_does_not_verify_stops_the_summary(received, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    from tinnhiem.audit.record import public_key_b64

    from ..audit.test_record import rewrite

    tampered = tmp_path / "sua.zip"
    tampered.write_bytes(
        rewrite(open(received[1], "rb").read(), "record.json", lambda c: c.replace(b'"present": 28', b'"present": 29'))
    )
    out = tmp_path / "tong-hop.xlsx"
    with pytest.raises(CommandError, match="1 hồ sơ không kiểm tra được: không ghi bảng tổng hợp"):
        call_command(
            "summary", "--records", received[0], str(tampered), "--public-key", public_key_b64(), "-o", str(out)
        )
    said = capsys.readouterr().out
    assert f"SAI: {tampered}: record.json: đã bị sửa đổi" in said and f"đúng: {received[0]}" in said
    assert not out.exists()  # nothing half-written
    with pytest.raises(CommandError, match="không kiểm tra được"):
        call_command(
            "summary", "--records", *received, "--public-key", other_key(), "--public-key", other_key(), "-o", str(out)
        )
    assert "không được ký bằng khoá nào đã cho" in capsys.readouterr().out and not out.exists()
    call_command("summary", "--records", received[0], "--format", "json", "-o", str(tmp_path / "t.json"))
    from tinnhiem.audit.record import public_key_fingerprint

    said = capsys.readouterr().out  # no key given: said, with the fingerprint to compare with the paper report
    assert f"khoá có sẵn trong hồ sơ, dấu vân tay {public_key_fingerprint()}: không độc lập, trừ khi" in said
    again = tmp_path / "gui-lai.zip"
    again.write_bytes(open(received[0], "rb").read())
    with pytest.raises(CommandError) as twice:
        call_command("summary", "--records", *received, str(again), "-o", str(out))
    # each named with the fingerprint its minutes print, to keep the one of the signed paper minutes
    printed = minutes_fingerprint(json.loads(zipfile.ZipFile(received[0]).read("record.json")))
    assert (
        f"cùng một hội nghị: {received[0]} (dấu vân tay trên biên bản {printed}) = "
        f"{again} (dấu vân tay trên biên bản {printed}). Chỉ giữ một bản, bản có dấu vân tay trên biên bản trùng "
        "với biên bản giấy có chữ ký" in str(twice.value)
    )
    assert not out.exists()
    with pytest.raises(CommandError, match="hoặc số của đợt, hoặc --records"):
        call_command("summary")
    with pytest.raises(CommandError, match="Không đọc được tệp"):
        call_command("summary", "--records", str(tmp_path / "khong-co.zip"))


def test_the_authority_needs_no_database_of_its_own(received, tmp_path):
    """Run as the authority would: the installed command, an empty data folder, the archives and keys."""
    import os
    import subprocess
    import sys

    from tests.fresh_db import outside_environ
    from tinnhiem.audit.record import public_key_b64

    env = outside_environ() | {"TINNHIEM_DATA_DIR": str(tmp_path / "authority"), "HOME": str(tmp_path)}
    out = tmp_path / "tong-hop.json"
    argv = ["summary", "--records", *received, "--public-key", public_key_b64(), "--format", "json", "-o", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "tinnhiem.cli", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert [c["title"] for c in json.loads(out.read_text(encoding="utf-8"))["conferences"]][2] == "Kỳ họp HĐND"
    assert not os.path.exists(tmp_path / "authority")  # no database, no data folder made on its machine


def test_records_made_before_the_places_rule_take_it_from_a_newer_record_of_the_same_rule_set(received):
    from tinnhiem.audit.received import Received, received_summary
    from tinnhiem.audit.verify import Verdict

    from ..audit.test_record import rewrite

    def without_places(content: bytes) -> bytes:
        return content[: content.index(b"\n# A cadre holding several posts")] + b"\n"

    old = rewrite(open(received[0], "rb").read(), "rules/qd96-2023.toml", without_places)
    records = [Received("cu.zip", Verdict(), 0, old)] + [
        Received(f, Verdict(), 0, open(f, "rb").read()) for f in received[1:]
    ]
    party = received_summary(records)["groups"][0]
    assert party["rules"]["places_max"] == 2 and party["rows"][0]["too_many_places"]


def test_the_authority_checks_and_sums_up_records_in_the_browser_page(received, rated_year, office, client, tmp_path):
    """The same check as the command, for an authority that does not use a terminal: the unit
    downloads its signed record from the Documents page; the authority uploads the records and
    the keys, sees each verdict, and gets the table only when every record checks out."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    from tinnhiem.audit.models import Event
    from tinnhiem.audit.record import public_key_b64, public_key_fingerprint

    from ..audit.test_record import rewrite

    client.force_login(office)
    first = rated_year["first"]
    documents = client.get(reverse("documents:list", args=[first.pk])).content.decode()
    assert f'<code id="public-key">{public_key_b64()}</code>' in documents
    assert public_key_fingerprint() in documents and re.fullmatch(
        r"([0-9A-F]{4}-){3}[0-9A-F]{4}", public_key_fingerprint()
    )
    url = reverse("documents:record", args=[first.pk])
    assert client.get(url).status_code == 405  # a POST: the export is written in the log
    response = client.post(url)
    assert response["Content-Disposition"] == f'attachment; filename="ho-so-hoi-nghi-{first.pk}.zip"'
    downloaded = response.content
    assert Event.objects.filter(action="record.exported", conference_id=first.pk, actor="office").count() == 1
    preparing = rated_year["later"]
    assert client.post(reverse("documents:record", args=[preparing.pk])).status_code == 404

    page = reverse("audit:received")
    assert "Kiểm tra và tổng hợp hồ sơ nhận được" in client.get(page).content.decode()
    assert f'href="{page}"' in client.get(reverse("conferences:home")).content.decode()  # in the menu

    def upload(*files, keys=""):
        data = {"records": [SimpleUploadedFile(n, d, content_type="application/zip") for n, d in files], "keys": keys}
        return client.post(page, data)

    blobs = [("ho-so-1.zip", downloaded)] + [
        (f"ho-so-{i}.zip", open(f, "rb").read()) for i, f in enumerate(received[1:], 2)
    ]
    keys = f"{other_key()}\n\n  {public_key_b64()}  \n"
    html = upload(*blobs, keys=keys).content.decode()
    assert html.count(">đúng</span>") == 3 and f"ký bằng khoá số 2 (dấu vân tay {public_key_fingerprint()})" in html
    assert "Quy định 96-QĐ/TW" in html and "Đỗ Thu Hà" in html and "Quá 2 nơi" in html
    assert "Số hồ sơ kiểm tra đúng: 3 (tất cả)." in html
    assert_each_article_once(html, 3)
    listed = re.findall(r"<li><strong>\d+</strong> — ([^<]+) <span class=\"muted\">\(([^<]+)\)</span>", html)
    assert listed and all(article not in text for text, article in listed)
    # the Excel file is in the page itself: nothing to choose again, nothing kept on the server
    link = re.search(
        r'<a class="button" id="received-table" download="tong-hop-ho-so-nhan.xlsx" href="data:[^;]+;base64,([^"]+)"',
        html,
    )
    book = load_workbook(io.BytesIO(base64.b64decode(link.group(1))))
    assert book.sheetnames == ["qd96-2023", "nq96-2023", "Hội nghị"]
    assert [row[4].value for row in book["qd96-2023"].iter_rows(min_row=2)][-1] == "Đỗ Thu Hà"

    # one altered record: its faults are listed, no table, and no file even when asked
    tampered = rewrite(blobs[1][1], "record.json", lambda c: c.replace(b'"present": 28', b'"present": 29'))
    html = upload(blobs[0], ("sua.zip", tampered), keys=keys).content.decode()
    assert ">SAI</span>" in html and "record.json: đã bị sửa đổi" in html and "1 hồ sơ không kiểm tra được" in html
    assert "Đỗ Thu Hà" not in html and "received-table" not in html  # nothing to download
    # the same conference twice; no key (said); a bad key line; no file; not a ZIP
    html = upload(blobs[0], ("gui-lai.zip", blobs[0][1]), keys=keys).content.decode()
    printed = minutes_fingerprint(json.loads(zipfile.ZipFile(io.BytesIO(blobs[0][1])).read("record.json")))
    assert "cùng một hội nghị" in html and "trùng với biên bản giấy có chữ ký" in html
    assert (
        f"ho-so-1.zip (dấu vân tay trên biên bản {printed}) = gui-lai.zip (dấu vân tay trên biên bản {printed})" in html
    )
    assert f"dấu vân tay {public_key_fingerprint()}: không độc lập" in upload(blobs[0]).content.decode()
    html = upload(blobs[0], keys=f"{public_key_b64()}\nkhoa-sai").content.decode()
    assert "Dòng 2 của các khoá công khai không phải là khoá công khai" in html and "khoa-sai" in html  # kept
    assert "Chọn các tệp hồ sơ (.zip)" in upload().content.decode()
    assert "không phải tệp ZIP" in upload(("anh.png", b"\x89PNG\r\n")).content.decode()


def test_the_authority_page_takes_the_records_of_a_whole_province(office, make_user, client, settings):
    """More files than Django's default of 100 (a province has more communes), and a limit of its
    own for the whole upload, refused before it is read. An observer account is enough to use it;
    a counting committee member, who may not read the log, may not."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = reverse("audit:received")
    client.force_login(make_user("committee", "kp-tinh"))
    assert client.get(page).status_code == 403
    client.force_login(make_user("observer", "ban-to-chuc-tinh"))
    assert client.get(page).status_code == 200
    client.force_login(office)
    files = [SimpleUploadedFile(f"xa-{i:03d}.zip", b"not a zip", content_type="application/zip") for i in range(150)]
    html = client.post(page, {"records": files, "keys": ""}).content.decode()
    assert html.count("không phải tệp ZIP") == 150 and "xa-149.zip" in html
    settings.TINNHIEM_MAX_RECORDS_BYTES = 1000
    files = [SimpleUploadedFile("lon.zip", b"0" * 2000, content_type="application/zip")]
    response = client.post(page, {"records": files, "keys": ""})
    assert response.status_code == 413 and "Tệp quá lớn" in response.content.decode()


def test_the_record_tells_the_authority_who_was_not_rated_and_why(rated_year, office, client, tmp_path):
    """The signed record carries the persons of the list not rated, with the reason, as the report
    does: the authority's page of received records names them under their conference."""
    from django.urls import reverse

    from tinnhiem.audit.received import check_record, received_summary
    from tinnhiem.audit.record import export_record, public_key_b64

    RatedPerson.objects.create(
        conference=rated_year["first"],
        order=9,
        full_name="Vũ Văn Mới",
        post="Ủy viên Ban Thường vụ",
        decision=RatedPerson.Decision.EXCLUDED,
        decision_note="Chuyển công tác từ ngày 01/11",
    )
    data = export_record(rated_year["first"])
    record = check_record("ho-so.zip", data, [public_key_b64().encode()])
    assert record.ok
    [conference] = received_summary([record])["conferences"]
    expected = {"name": "Vũ Văn Mới", "post": "Ủy viên Ban Thường vụ", "reason": "Chuyển công tác từ ngày 01/11"}
    assert conference["not_rated"] == [expected]
    assert (conference["short_of_quorum"], conference["notes"]) == (False, [])  # held as planned
    from openpyxl import load_workbook

    from tinnhiem.audit.received import received_xlsx

    book = load_workbook(io.BytesIO(received_xlsx(received_summary([record]))))
    assert book.sheetnames == ["qd96-2023", "Hội nghị", "Không lấy phiếu"]
    assert [[c.value for c in row] for row in book["Không lấy phiếu"].iter_rows()] == [
        ["Hội nghị", "Ngày", "Họ và tên", "Chức vụ", "Lý do"],
        [
            "Hội nghị Ban Chấp hành",
            conference["date_text"],
            "Vũ Văn Mới",
            "Ủy viên Ban Thường vụ",
            "Chuyển công tác từ ngày 01/11",
        ],
    ]
    # a record of a conference where everyone was rated says so by an empty list
    other = check_record("khac.zip", export_record(rated_year["second"]), [public_key_b64().encode()])
    assert received_summary([other])["conferences"][0]["not_rated"] == []
    assert load_workbook(io.BytesIO(received_xlsx(received_summary([other])))).sheetnames == ["qd96-2023", "Hội nghị"]

    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(office)
    page = client.post(
        reverse("audit:received"),
        {"records": [SimpleUploadedFile("ho-so.zip", data)], "keys": public_key_b64()},
    ).content.decode()
    assert "Những người trong danh sách không được lấy phiếu" in page
    assert "Vũ Văn Mới, Ủy viên Ban Thường vụ: Chuyển công tác từ ngày 01/11" in page
    # and the office's own summary of the campaign names them under the conference
    summary = client.get(reverse("voting:campaign_results", args=[rated_year["first"].campaign_id])).content.decode()
    assert (
        "Không lấy phiếu tín nhiệm đối với: Vũ Văn Mới, Ủy viên Ban Thường vụ (Chuyển công tác từ ngày 01/11)"
        in summary
    )
