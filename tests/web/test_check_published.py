"""The page that checks a published result from its counts (``audit:check_published``), as
``tinnhiem tally --counts`` does: a table pasted as the press printed it, under the rule set of
its day, gives the published percentages and the consequence with its article."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tinnhiem.audit.models import Event

PUBLISHED = Path(__file__).resolve().parent.parent / "data" / "published-results.csv"


def published(year: str) -> list[dict]:
    with PUBLISHED.open(encoding="utf-8") as fh:
        return [row for row in csv.DictReader(fh) if year in row["vote_name"]]


@pytest.fixture
def client(make_user):
    client = Client()
    client.force_login(make_user("observer", "quansat"))
    return client


def check(client, table: str, rules: str, **numbers) -> tuple[int, str]:
    response = client.post(reverse("audit:check_published"), {"rules": rules, "table": table, **numbers})
    return response.status_code, response.content.decode()


def cells(page: str) -> list[list[str]]:
    """The result's rows as text, cell by cell."""
    import re

    body = page.split('id="checked"')[1].split("</tbody>")[0].split("<tbody>")[1]
    return [
        [re.sub(r"<[^>]+>", " ", cell).split() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in body.split("</tr>")
        if "<td" in row
    ]


@pytest.mark.django_db
def test_the_national_assembly_s_2013_table_pasted_from_excel_gives_its_published_percentages(client):
    rows = published("2013")
    table = "\n".join(f"{r['person']}\t{r['high']}\t{r['confidence']}\t{r['low']}" for r in rows)
    before = Event.objects.count()
    status, page = check(client, table, "nq35-2012", members="498")
    assert status == 200, page
    assert "Căn cứ tính tỷ lệ: 498 — Nghị quyết 35/2012/QH13, Điều 11" in page
    assert (
        'Số phiếu thu về: 492 · hợp lệ: 492 · không hợp lệ: 0 <span class="muted">(tổng lớn nhất của số phiếu một người)</span>'
        in page
    )
    got = cells(page)
    assert len(got) == len(rows)
    for row, person in zip(rows, got, strict=True):
        assert " ".join(person[1]) == row["person"]
        for i, key in enumerate(("high", "confidence", "low"), start=2):
            assert person[i][0] == row[key]
            percent = person[i][1]
            assert percent.endswith("%") and float(percent[:-1].replace(",", ".")) == float(row[f"published_pct_{key}"])
        assert " ".join(person[-1]) == "không thuộc trường hợp phải xử lý theo quy định"
    assert Event.objects.count() == before  # nothing stored, nothing logged


@pytest.mark.django_db
def test_a_people_s_council_s_table_with_its_header_and_semicolons(client):
    rows = published("Vĩnh Phúc")
    table = "nguoi;Tín nhiệm cao;Tín nhiệm;Tín nhiệm thấp\n" + "\n".join(
        f"{r['person']};{r['high']};{r['confidence']};{r['low']}" for r in rows
    )
    status, page = check(client, table, "nq96-2023", collected="47")
    assert status == 200, page
    assert "Số phiếu thu về: 47 · hợp lệ: 47" in page and '<span class="muted">(tổng lớn nhất' not in page  # as given
    le = next(row for row in cells(page) if " ".join(row[1]) == "Lê Duy Thành")
    assert le[2:6] == [["19", "40,43%"], ["2", "4,26%"], ["25", "53,19%"], ["1"]]  # one rating invalid
    assert " ".join(le[-1]).endswith("(Nghị quyết 96/2023/QH15, Điều 12 khoản 1).")


@pytest.mark.django_db
def test_a_table_copied_with_its_own_header(client):
    """Excel's table copied with its header row, as offices head it: the levels' names, in any
    order, and "Không hợp lệ"; the rows are numbered as pasted."""
    table = "Họ và tên\tTín nhiệm thấp\tTín nhiệm cao\tTín nhiệm\tKhông hợp lệ\nÔng A\t1\t5\t2\t1\nBà B\t5\t2\t1\t1"
    status, page = check(client, table, "qd96-2023")
    assert status == 200, page
    assert cells(page)[1][2:6] == [["2", "22,22%"], ["1", "11,11%"], ["5", "55,56%"], ["1"]]
    assert "Điều 11 khoản 2" in " ".join(cells(page)[1][-1])
    status, page = check(client, table.replace("\t1\t1", "\tx\t1"), "qd96-2023")
    assert status == 400 and "dòng 3, cột 4 («Tín nhiệm»): “x” không phải là một số phiếu" in page, page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "line, consequence",
    [("Ông A,1,2,3", "không thuộc trường hợp"), ("Ông A,1,1,4", "Điều 11 khoản 3"), ("Ông A,0,3,4", "Điều 11 khoản 2")],
)
def test_exactly_a_half_and_exactly_two_thirds(client, line, consequence):
    """Of 6: 3 "tín nhiệm thấp" is exactly half, no step; 4 is exactly two thirds (QĐ 96, Điều 11
    khoản 3); of 7, 4 is over half and under two thirds (khoản 2)."""
    status, page = check(client, line, "qd96-2023")
    assert status == 200 and consequence in " ".join(cells(page)[0][-1]), page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "table, rules, numbers, message",
    [
        ("Ông A,1,x,3", "qd96-2023", {}, "dòng 1, cột 3 («2»): “x” không phải là một số phiếu"),
        ("Ông A,1,2,3\nÔng A,1,2,3", "qd96-2023", {}, "dòng 2, cột 1: “Ông A” có hai lần (cả dòng 1)."),
        ("Ông A,1,2", "qd96-2023", {}, "dòng 1: Dòng này có 3 ô: mỗi dòng gồm họ tên, rồi số phiếu của 3 mức"),
        ("Ông A,1,2,3\nBà B,1,2", "qd96-2023", {}, "dòng 2: Dòng này có 3 ô"),
        ("Ông A,1,2,3", "nq35-2012", {}, "tính tỷ lệ trên tổng số thành viên (đại biểu): hãy nhập số đó."),
        ("Ông A,1,2,3", "qd96-2023", {"collected": "5"}, "Ông A: tổng các mức (6) nhiều hơn số phiếu hợp lệ (5)."),
        ("Ông A,1,2,3", "qd96-2023", {"members": "năm"}, "“năm” không phải là số nguyên."),
        ("  \n", "qd96-2023", {}, "Hãy dán bảng số phiếu: mỗi người một dòng."),
        ("Ông A,1,2,3", "khong-co", {}, "Hãy chọn quy định."),
    ],
)
def test_a_table_at_fault_is_refused_with_its_place_and_kept_in_the_page(client, table, rules, numbers, message):
    status, page = check(client, table, rules, **numbers)
    assert status == 400 and message in page, page
    assert 'id="checked"' not in page
    if table.strip():
        assert table.split("\n")[0] in page  # still in the field, to be mended


@pytest.mark.django_db
def test_in_english_the_percentages_take_a_point(client):
    client.cookies.load({"django_language": "en"})
    status, page = check(client, "A\t1\t1\t4", "qd96-2023")
    assert status == 200 and ["4", "66.67%"] in cells(page)[0]
    assert "Two thirds or more low-confidence ratings" in page
