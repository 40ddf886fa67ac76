"""A table of opinions compiled in Excel or CSV, imported at once: all its rows or none."""

import io
import unicodedata
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import Conference, Opinion
from tinnhiem.conferences.usecases import opinions, rated


def xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def second(office, conference, person):
    return rated.add_rated_person(office, conference, full_name="Lê Thị Hồng Nhung", post="Phó Chủ tịch UBND thành phố")


def refused(office, conference, data, filename="y-kien.xlsx") -> str:
    with pytest.raises(ValidationError) as info:
        opinions.import_opinions(office, conference, filename=filename, data=data)
    assert not Opinion.objects.exists() and not Event.objects.filter(action="opinions.imported").exists()
    return info.value.messages[0]


def test_a_table_of_opinions_is_imported_whole_as_opinions_received_on_paper(office, conference, person, second):
    """The headers as offices write them (any case, without marks), the row's number and the
    person's post left out; a person named by their full name (case aside), "chung" or nothing for
    no one; a day as Excel's date or as written, today if empty; Unicode normalised."""
    today = timezone.localdate()
    nfd = unicodedata.normalize("NFD", "Đề nghị làm rõ việc giải phóng mặt bằng")
    data = xlsx(
        [
            ["BẢNG TỔNG HỢP Ý KIẾN"],  # a title above the table
            ["STT", "ve nguoi", "Chức vụ", "NỘI DUNG", "Người góp ý", "Ngày nhận"],
            [1, "Trần Minh Đức", "Phó Chủ tịch", "Nhất trí với báo cáo.", "", datetime(2026, 11, 20)],
            [2, "trần minh đức", "", nfd, "Nguyễn Văn An", "21/11/2026"],
            [3, "Lê Thị Hồng Nhung", "", "Đồng tình.", None, None],
            [4, "Chung", "", "Đề nghị công khai kết quả.", "", ""],
            [5, None, None, "Không có ý kiến khác.", None, None],
        ]
    )
    assert len(opinions.import_opinions(office, conference, filename="Tong hop.xlsx", data=data)) == 5
    got = set(Opinion.objects.values_list("rated_person", "text", "signed_by", "received_on"))
    assert got == set(
        [
            (person.pk, "Nhất trí với báo cáo.", "", date(2026, 11, 20)),
            (person.pk, unicodedata.normalize("NFC", nfd), "Nguyễn Văn An", date(2026, 11, 21)),
            (second.pk, "Đồng tình.", "", today),
            (None, "Đề nghị công khai kết quả.", "", today),
            (None, "Không có ý kiến khác.", "", today),
        ]
    )
    assert set(Opinion.objects.values_list("source", "tag")) == {("paper", "new")}
    assert Event.objects.filter(action="opinion.entered").count() == 5
    imported = Event.objects.get(action="opinions.imported")
    assert imported.data["count"] == 5 and imported.data["file"] == "Tong hop.xlsx"

    # the same file again (a second click, or sent twice): refused, nothing more
    with pytest.raises(ValidationError) as info:
        opinions.import_opinions(office, conference, filename="Tong hop (1).xlsx", data=data)
    assert info.value.messages == ["Tệp này đã được nhập trước đó (Tong hop.xlsx, 5 ý kiến): không nhập lại lần nữa."]
    assert Opinion.objects.count() == 5


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        (
            [["Về người", "Ý kiến"], ["Trần Minh Đức", "Đồng tình"], ["Nguyễn Văn Bình", "Đề nghị làm rõ"]],
            "dòng 3: “Nguyễn Văn Bình” không có tên trên phiếu của hội nghị này (những người có tên trên phiếu: "
            "Trần Minh Đức, Lê Thị Hồng Nhung); hãy ghi một trong các tên đó, hoặc “chung”",
        ),
        (  # without its marks: the name on the ballot is suggested, never taken for it
            [["Về người", "Ý kiến"], ["Tran Minh Duc", "Đồng tình"]],
            "dòng 2: “Tran Minh Duc” không viết đúng như trên phiếu: có phải là “Trần Minh Đức”? Hãy viết họ tên "
            "có dấu, đúng như trên phiếu.",
        ),
        (  # another mark may be another person ("Hưng" is not "Hùng"): suggested, not taken
            [["Về người", "Ý kiến"], ["Lê Thị Hồng Nhung", "Đồng tình"], ["Trần Minh Dực", "Đồng tình"]],
            "dòng 3: “Trần Minh Dực” không viết đúng như trên phiếu: có phải là “Trần Minh Đức”?",
        ),
        (
            [["Về người", "Ý kiến", "Ngày nhận"], ["Trần Minh Đức", "Đồng tình", "32/11/2026"]],
            "dòng 2, cột “Ngày nhận”: đây không phải là một ngày",
        ),
        (
            [["Về người", "Ý kiến", "Ngày nhận"], ["", "Đồng tình", timezone.localdate() + timedelta(days=2)]],
            "dòng 2: Ngày nhận không thể ở tương lai.",
        ),
        (
            [["Về người", "Ý kiến"], ["Trần Minh Đức", "Đồng tình"], ["", ""], ["Trần Minh Đức", ""]],
            "dòng 4, cột “Ý kiến”: dòng này không có ý kiến.",
        ),
        (
            [["Họ và tên", "Chức vụ", "Đơn vị"], ["Nguyễn Văn An", "Trưởng phòng", "UBND"]],  # a voter roll
            "không tìm thấy cột ý kiến",
        ),
        (
            [["Về người", "Ý kiến", "Kiến nghị thêm"], ["Trần Minh Đức", "Đồng tình", "Tăng cường kiểm tra"]],
            "dòng 1, cột “C”: cột “Kiến nghị thêm” không được đọc",
        ),
        (
            [["Ý kiến", "Nội dung"], ["Đồng tình", "Đồng tình"]],
            "dòng 1, cột “B”: có hai cột cùng tiêu đề “Nội dung”: chỉ giữ một cột.",
        ),
        (
            [["Về người", "Ý kiến"], ["Trần Minh Đức", "=A1"]],
            "dòng 2, cột “B”: ô chứa công thức",
        ),
        (
            [["Về người", "Ý kiến"]],
            "tệp có dòng tiêu đề nhưng không có ý kiến nào bên dưới.",
        ),
        (
            [["Về người", "Ý kiến"], ["Trần Minh Đức", "Đồng tình. " * 1000]],
            "dòng 2: nội dung dài quá 10.000 ký tự.",
        ),
    ],
    ids=[
        "person",
        "unmarked",
        "other mark",
        "day",
        "future",
        "no opinion",
        "roll",
        "column",
        "twice",
        "formula",
        "empty",
        "long",
    ],
)
def test_a_table_with_a_row_at_fault_is_refused_whole_with_the_row_and_the_reason(
    office, conference, person, second, rows, said
):
    message = refused(office, conference, xlsx(rows))
    assert message.startswith("Chưa nhập tệp, không có dữ liệu nào được lưu — ") and said in message, message


def test_the_download_of_the_opinions_is_not_imported_again(office, conference, person):
    """The office downloads the opinions, edits the table and imports it, thinking to change
    them: they would all be recorded twice. The download is told by its column “Nhận qua” and
    refused; an office's own table that writes “không ký tên” records no signer."""
    opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đồng tình", signed_by="")
    client = Client()
    client.force_login(office)
    download = client.get(reverse("conferences:opinions_xlsx", args=[conference.pk])).content
    with pytest.raises(ValidationError) as info:
        opinions.import_opinions(office, conference, filename="y-kien.xlsx", data=download)
    assert "đây là bảng ý kiến tải về từ phần mềm này (có cột “Nhận qua”)" in info.value.messages[0]
    assert Opinion.objects.count() == 1
    own = xlsx([["Về người", "Ý kiến", "Người ký tên"], ["Trần Minh Đức", "Nhất trí", "Không ký tên"]])
    assert len(opinions.import_opinions(office, conference, filename="b.xlsx", data=own)) == 1
    assert Opinion.objects.get(text="Nhất trí").signed_by == ""


def test_a_csv_table_and_files_that_are_not_a_table(office, conference, person):
    """A CSV file as Excel saves it (UTF-8 with its mark, ";" between cells); one typed in an old
    TCVN3 font, a file of another kind, an old .xls or a damaged one is refused in words."""
    csv = "\ufeffVề người;Ý kiến;Người ký tên\r\nTrần Minh Đức;Đồng tình, đề nghị phát huy;Lê Văn C\r\n"
    assert len(opinions.import_opinions(office, conference, filename="y-kien.csv", data=csv.encode())) == 1
    assert Opinion.objects.get().text == "Đồng tình, đề nghị phát huy"
    Opinion.objects.all().delete()
    Event.objects.filter(action="opinions.imported").delete()
    old_font = "Về người;Ý kiến\r\nTrần Minh Đức;§ång t×nh víi b¸o c¸o\r\n"  # typed in a TCVN3 font
    assert "dòng 2, cột “B”" in refused(office, conference, old_font.encode(), "cu.csv")
    assert "chỉ nhập được bảng ý kiến dạng Excel (.xlsx), CSV hoặc Word (.docx)." in refused(
        office, conference, b"%PDF-1.4", "a.pdf"
    )
    assert "tệp Word cũ (.doc)" in refused(office, conference, b"\xd0\xcf\x11\xe0", "a.doc")
    assert "bị hỏng" in refused(office, conference, b"PK\x03\x04 not a zip", "a.docx")
    assert "tệp Excel cũ (.xls)" in refused(office, conference, b"\xd0\xcf\x11\xe0", "a.xls")
    assert "bị hỏng" in refused(office, conference, b"PK\x03\x04 not a zip", "a.xlsx")
    assert "trống" in refused(office, conference, b"", "a.xlsx")


def test_a_report_compiling_the_opinions_in_word_tables_is_imported(office, conference, person, second):
    """Offices compile the letters in a Word report: its title block and its signatures are tables
    too, passed over; every table with a column of opinions is read, in order (one a person), a
    person's name merged down over their opinions read in each row. A row at fault is named."""
    import docx

    document = docx.Document()
    block = document.add_table(rows=1, cols=2)
    block.cell(0, 0).text, block.cell(0, 1).text = "UBND THÀNH PHỐ MÓNG CÁI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    document.add_paragraph("BÁO CÁO TỔNG HỢP Ý KIẾN GÓP Ý")
    first = document.add_table(rows=0, cols=3)
    for values in (["STT", "Về người", "Ý kiến"], ["1", "Trần Minh Đức", "Nhất trí."], ["2", "", "Đề nghị làm rõ X."]):
        for cell, value in zip(first.add_row().cells, values, strict=True):
            cell.text = value
    first.cell(1, 1).merge(first.cell(2, 1))  # the name merged down over his two opinions
    first.cell(1, 1).text = "Trần Minh Đức"
    second_table = document.add_table(rows=0, cols=2)
    for values in (["Về người", "Ý kiến"], ["Lê Thị Hồng Nhung", "Đồng tình."]):
        for cell, value in zip(second_table.add_row().cells, values, strict=True):
            cell.text = value
    signatures = document.add_table(rows=2, cols=2)
    signatures.cell(0, 0).text, signatures.cell(0, 1).text = "NGƯỜI TỔNG HỢP", "TRƯỞNG PHÒNG NỘI VỤ"

    def saved() -> bytes:
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    made = opinions.import_opinions(office, conference, filename="Tong hop y kien.docx", data=saved())
    assert [(o.text, o.rated_person) for o in made] == [
        ("Nhất trí.", person),
        ("Đề nghị làm rõ X.", person),
        ("Đồng tình.", second),
    ]
    Opinion.objects.all().delete()
    Event.objects.filter(action="opinions.imported").delete()
    row = second_table.add_row().cells
    row[0].text, row[1].text = "Nguyễn Văn Bình", "Tốt."
    message = refused(office, conference, saved(), "Tong hop y kien.docx")
    assert "dòng 6: “Nguyễn Văn Bình” không có tên trên phiếu" in message, message


def test_a_word_report_with_a_table_under_each_person_s_name_gives_them_their_opinions(
    office, conference, person, second
):
    """A report heads each person's table with their name and only "Ý kiến" in it: the nearest line
    above a table that names a person on the ballot tells whom its rows are about (they were all
    about no one). A row that names someone or says "chung" keeps what it says; a table under a
    line naming no one holds general opinions; a line naming two is refused, not guessed."""
    import docx

    def report(headings: list[list[str]], tables: list[list[list[str]]]) -> bytes:
        document = docx.Document()
        document.add_paragraph("BÁO CÁO TỔNG HỢP Ý KIẾN GÓP Ý ĐỐI VỚI CÁC ĐỒNG CHÍ ĐƯỢC LẤY PHIẾU")
        for lines, rows in zip(headings, tables, strict=True):
            for line in lines:
                document.add_paragraph(line)
            table = document.add_table(rows=0, cols=len(rows[0]))
            for values in rows:
                for cell, value in zip(table.add_row().cells, values, strict=True):
                    cell.text = value
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    headings = [
        ["1. Ý kiến đối với đồng chí Trần Minh Đức, Phó Chủ tịch UBND thành phố:", "(tổng hợp từ 70 phiếu)"],
        ["2. Đồng chí LÊ THỊ HỒNG NHUNG – Phó Chủ tịch UBND thành phố"],
        ["3. Ý kiến chung"],
    ]
    tables = [
        [["STT", "Ý kiến", "Về người"], ["1", "Nhất trí.", ""], ["2", "Góp ý chung", "chung"]],
        [["STT", "Ý kiến"], ["1", "Đồng tình."]],
        [["STT", "Ý kiến"], ["1", "Đề nghị công khai."]],
    ]
    made = opinions.import_opinions(office, conference, filename="Tong hop.docx", data=report(headings, tables))
    assert [(o.text, o.rated_person) for o in made] == [
        ("Nhất trí.", person),
        ("Góp ý chung", None),
        ("Đồng tình.", second),
        ("Đề nghị công khai.", None),
    ]
    # the title names no one: the first table's opinions with no line of their own are general
    assert [
        o.rated_person
        for o in opinions.import_opinions(
            office, conference, filename="b.docx", data=report([[]], [[["Ý kiến"], ["Tốt."]]]), repeats=True
        )
    ] == [None]
    # a line naming both: which is not guessed
    both = [["Ý kiến đối với đồng chí Trần Minh Đức và đồng chí Lê Thị Hồng Nhung"]]
    message = refused_now(office, conference, report(both, [[["Ý kiến"], ["Tốt."]]]), "c.docx")
    assert message.endswith(
        "dòng 2: dòng chữ trên bảng, “Ý kiến đối với đồng chí Trần Minh Đức và đồng chí Lê Thị Hồng Nhung”, nêu tên 2 "
        "người trên phiếu (Trần Minh Đức - Phó Chủ tịch UBND thành phố; Lê Thị Hồng Nhung - Phó Chủ tịch UBND thành "
        "phố): hãy để ý kiến của mỗi người trong một bảng dưới dòng chỉ nêu tên người đó, hoặc ghi họ tên, hoặc “chung”, "
        "vào cột “Về người”."
    ), message
    # two persons of one name: told apart by the post written after it
    chair = rated.add_rated_person(office, conference, full_name="Trần Minh Đức", post="Chủ tịch HĐND thành phố")
    headings = [["Đồng chí Trần Minh Đức - Chủ tịch HĐND thành phố"], ["Đồng chí Trần Minh Đức, Phó Chủ tịch UBND"]]
    tables = [[["Ý kiến"], ["Một."]], [["Ý kiến"], ["Hai."]]]
    made = opinions.import_opinions(office, conference, filename="d.docx", data=report(headings, tables))
    assert [o.rated_person for o in made] == [chair, person]
    message = refused_now(office, conference, report([["Đồng chí Trần Minh Đức"]], [[["Ý kiến"], ["Ba."]]]), "e.docx")
    assert (
        "nêu tên 2 người trên phiếu (Trần Minh Đức - Phó Chủ tịch UBND thành phố; Trần Minh Đức - Chủ tịch" in message
    )


def test_opinions_are_imported_by_the_office_before_the_conference_is_finished(office, conference, person, make_user):
    data = xlsx([["Về người", "Ý kiến"], ["Trần Minh Đức", "Đồng tình"]])
    with pytest.raises(PermissionDenied):
        opinions.import_opinions(make_user("chair"), conference, filename="a.xlsx", data=data)
    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.FINISHED)
    assert refused(office, conference, data).startswith("Hội nghị đã kết thúc:")


def test_the_template_filled_in_is_imported_from_the_page_and_the_list_shows_them_to_classify(
    office, conference, person
):
    client = Client()
    client.force_login(office)
    page = reverse("conferences:opinions", args=[conference.pk])
    shown = client.get(page).content.decode()
    template_url = reverse("conferences:opinions_template")
    assert f'href="{template_url}"' in shown and 'id="nhap-bang-y-kien"' in shown
    sheet = load_workbook(io.BytesIO(client.get(template_url).content)).active
    assert [c.value for c in sheet[1]] == ["STT", "Về người", "Ý kiến", "Người ký tên", "Ngày nhận", "Phân loại"]
    (offered,) = sheet.data_validations.dataValidation  # the classifications, in a list in Excel
    assert (offered.type, offered.formula1, str(offered.sqref)) == (
        "list",
        '"Đồng tình,Đề nghị giải trình,Khác"',
        "F2:F2000",
    )
    sheet.append([1, "Trần Minh Đức", "Nhất trí.", "", "05/12/2026"])
    sheet.append([2, "chung", "Đề nghị làm rõ.", "Nguyễn Văn An", ""])
    out = io.BytesIO()
    sheet.parent.save(out)
    upload = io.BytesIO(out.getvalue())
    upload.name = "bang-y-kien.xlsx"
    done = client.post(reverse("conferences:opinions_import", args=[conference.pk]), {"bang-file": upload}, follow=True)
    assert done.redirect_chain == [(page + "?tag=new", 302)]
    text = done.content.decode()
    assert "Đã nhập 2 ý kiến (Trần Minh Đức: 1; chung: 1), chưa phân loại." in text and "Đề nghị làm rõ." in text
    assert Opinion.objects.count() == 2
    nothing = client.post(reverse("conferences:opinions_import", args=[conference.pk]), {}, follow=True)
    assert "Hãy chọn tệp để nhập." in nothing.content.decode() and Opinion.objects.count() == 2

    # classified in the table: said so, and the page opens on every opinion when none is left to classify
    sheet.delete_rows(2, 2)
    sheet.append([1, "Trần Minh Đức", "Đồng tình với báo cáo.", "", "", "Đồng tình"])
    sheet.append([2, "Trần Minh Đức", "Đề nghị giải trình việc X.", "", "", "Đề nghị giải trình"])

    def send(name: str, **fields) -> tuple[str, str]:
        out = io.BytesIO()
        sheet.parent.save(out)
        upload = io.BytesIO(out.getvalue())
        upload.name = name
        import_url = reverse("conferences:opinions_import", args=[conference.pk])
        done = client.post(import_url, {"bang-file": upload, **fields}, follow=True)
        return done.redirect_chain[-1][0], done.content.decode()

    landing, text = send("a.xlsx")
    assert landing == page and "Đã nhập 2 ý kiến (Trần Minh Đức: 2), đã phân loại theo bảng." in text
    # the table again with a row more: its first rows are recorded already; the office says they
    # are other letters (here) by ticking the box under the file
    sheet.append([3, "chung", "Ý kiến chưa phân loại.", "", "", ""])
    landing, text = send("b.xlsx")
    assert landing == page and "dòng 2, 3 trùng với ý kiến đã ghi" in text and Opinion.objects.count() == 4
    assert 'name="bang-repeats"' in text and "Vẫn nhập các dòng trùng với ý kiến đã ghi" in text
    landing, text = send("b.xlsx", **{"bang-repeats": "on"})
    assert landing == page + "?tag=new"
    assert "Đã nhập 3 ý kiến (Trần Minh Đức: 2; chung: 1), đã phân loại theo bảng; còn 1 ý kiến chưa phân loại." in text
    assert Opinion.objects.filter(text="Đề nghị giải trình việc X.", tag="requests_explanation").count() == 2


def test_a_classification_in_the_table_is_kept_and_logged_as_if_made_on_the_page(office, conference, person):
    """An office that classified the letters in Excel does not classify them again: the column
    "Phân loại" takes the page's words in either language, or those offices use for them, without
    marks or case; empty is not yet classified. Each one classified is logged as one classified on
    the page is."""
    data = xlsx(
        [
            ["Về người", "Ý kiến", "Phân loại"],
            ["Trần Minh Đức", "Một", "Đồng tình"],
            ["Trần Minh Đức", "Hai", "nhat tri"],
            ["Trần Minh Đức", "Ba", "ĐỀ NGHỊ GIẢI TRÌNH"],
            ["chung", "Bốn", "Yêu cầu giải trình"],
            ["chung", "Năm", "Khác."],
            ["chung", "Sáu", None],
            ["chung", "Bảy", "Chưa phân loại"],
            ["chung", "Tám", "Requests an explanation"],
        ]
    )
    made = opinions.import_opinions(office, conference, filename="a.xlsx", data=data)
    assert [(o.text, o.tag) for o in made] == [
        ("Một", "agrees"),
        ("Hai", "agrees"),
        ("Ba", "requests_explanation"),
        ("Bốn", "requests_explanation"),
        ("Năm", "other"),
        ("Sáu", "new"),
        ("Bảy", "new"),
        ("Tám", "requests_explanation"),
    ]
    assert dict(Opinion.objects.values_list("text", "tag")) == {o.text: o.tag for o in made}
    classified = Event.objects.filter(action="opinion.classified").order_by("seq")
    assert [(e.data["opinion"], e.data["tag"]) for e in classified] == [
        (str(o.pk), o.tag) for o in made if o.tag != "new"
    ]
    assert Event.objects.filter(action="opinion.entered").count() == 8


def test_a_table_mended_and_imported_again_is_refused_unless_the_office_says_its_rows_are_other_letters(
    office, conference, person
):
    """Rows that repeat an opinion already recorded, whether imported or typed in (the same
    person, words, signer and day), refuse the file with their rows: the table was most likely
    imported, then mended, and its opinions would be recorded twice. Rows of the same words within
    one file are all kept (thirty "Nhất trí." are thirty letters), and so are the repeated rows
    when the office says so."""
    opinions.enter_paper_opinion(
        office, conference, rated_person=person, text="Đồng tình.", signed_by="", received_on=date(2026, 11, 20)
    )
    first = xlsx(
        [
            ["Về người", "Ý kiến", "Người ký tên", "Ngày nhận"],
            ["Trần Minh Đức", "Nhất trí.", "", "20/11/2026"],
            ["Trần Minh Đức", "Nhất trí.", "", "20/11/2026"],
            ["chung", "Đề nghị làm rõ việc X", "Nguyễn Văn An", "21/11/2026"],
        ]
    )
    assert len(opinions.import_opinions(office, conference, filename="a.xlsx", data=first)) == 3
    mended = xlsx(
        [
            ["Về người", "Ý kiến", "Người ký tên", "Ngày nhận"],
            ["Trần Minh Đức", "Nhất trí.", "", "20/11/2026"],
            ["Trần Minh Đức", "Nhất trí.", "", "20/11/2026"],
            ["chung", "Đề nghị làm rõ việc X.", "Nguyễn Văn An", "21/11/2026"],  # its full stop added
            ["TRẦN MINH ĐỨC", "Đồng tình.", "", "20/11/2026"],  # typed in on the page before
            ["Trần Minh Đức", "Đồng tình.", "Lê Văn Bình", "20/11/2026"],  # another signer: another letter
        ]
    )
    with pytest.raises(ValidationError) as info:
        opinions.import_opinions(office, conference, filename="a (sửa).xlsx", data=mended)
    assert info.value.messages == [
        "Chưa nhập tệp, không có dữ liệu nào được lưu — dòng 2, 3, 5 trùng với ý kiến đã ghi (cùng người, cùng "
        "nội dung và người ký tên, cùng ngày nhận nếu dòng có ghi ngày): nếu bảng này đã nhập rồi được sửa lại, "
        "nhập lần nữa sẽ ghi các ý kiến đó hai lần. Nếu đó là những văn bản khác có cùng nội dung, hãy đánh "
        "dấu “Vẫn nhập các dòng trùng với ý kiến đã ghi” rồi nhập lại tệp."
    ]
    assert Opinion.objects.count() == 4
    made = opinions.import_opinions(office, conference, filename="a (sửa).xlsx", data=mended, repeats=True)
    assert len(made) == 5 and Opinion.objects.count() == 9


def test_a_row_without_its_day_repeats_an_opinion_recorded_on_any_day_and_a_row_with_another_day_does_not(
    office, conference, person
):
    """A row that gives no day was recorded with the day it was imported: the same table mended
    and imported the next day still repeats it. A row whose day differs is another letter."""
    table = [
        ["Về người", "Ý kiến", "Người ký tên", "Ngày nhận"],
        ["Trần Minh Đức", "Nhất trí.", "Nguyễn Văn An", ""],
        ["chung", "Đề nghị công khai kết quả", "", "20/11/2026"],
    ]
    assert len(opinions.import_opinions(office, conference, filename="a.xlsx", data=xlsx(table))) == 2
    yesterday = timezone.localdate() - timedelta(days=1)
    Opinion.objects.filter(signed_by="Nguyễn Văn An").update(received_on=yesterday)  # imported yesterday
    mended = [
        *table[:3],
        ["chung", "Đề nghị công khai kết quả", "", "19/11/2026"],  # the day differs: another letter
        ["Trần Minh Đức", "Nhất trí.", "", ""],  # no signer: another letter
    ]
    with pytest.raises(ValidationError) as info:
        opinions.import_opinions(office, conference, filename="a (sửa).xlsx", data=xlsx(mended))
    message = info.value.messages[0]
    assert "— dòng 2, 3 trùng với ý kiến đã ghi (cùng người, cùng nội dung và người ký tên, cùng ngày" in message
    assert Opinion.objects.count() == 2
    made = opinions.import_opinions(office, conference, filename="a (sửa).xlsx", data=xlsx(mended[:1] + mended[3:]))
    assert [(o.text, o.received_on) for o in made] == [
        ("Đề nghị công khai kết quả", date(2026, 11, 19)),
        ("Nhất trí.", timezone.localdate()),
    ]


def test_a_person_named_with_a_form_of_address_or_a_post_and_two_persons_of_one_name(office, conference, person):
    """Offices write "Đồng chí Trần Minh Đức" or "Trần Minh Đức - Phó Chủ tịch UBND": the name on the
    ballot, taken. Two persons of one name were both given the first one's opinions: the row must
    now say which with the post, and is refused otherwise."""
    table = [
        ["Về người", "Ý kiến"],
        ["Đồng chí Trần Minh Đức", "Một"],
        ["Đ/c Trần Minh Đức", "Hai"],
        ["Trần Minh Đức - Phó Chủ tịch UBND thành phố", "Ba"],
        ["trần minh đức (PCT)", "Bốn"],
        ["Trần Minh Đức, Phó Chủ tịch", "Năm"],
    ]
    made = opinions.import_opinions(office, conference, filename="a.xlsx", data=xlsx(table))
    assert [(o.text, o.rated_person) for o in made] == [(t, person) for t in ("Một", "Hai", "Ba", "Bốn", "Năm")]
    # a form of address is taken off only before a name on the ballot: "Đồng Chí Thanh" is someone's name
    message = refused_now(office, conference, xlsx([["Về người", "Ý kiến"], ["Đồng chí Lê Văn Tám", "Sáu"]]))
    assert "dòng 2: “Đồng chí Lê Văn Tám” không có tên trên phiếu của hội nghị này" in message, message

    namesake = rated.add_rated_person(office, conference, full_name="Trần Minh Đức", post="Chủ tịch HĐND phường")
    message = refused_now(office, conference, xlsx([["Về người", "Ý kiến"], ["Trần Minh Đức", "Bảy"]]))
    assert message.endswith(
        "— dòng 2: “Trần Minh Đức” là họ tên của 2 người trên phiếu (Phó Chủ tịch UBND thành phố; Chủ tịch HĐND "
        "phường): hãy ghi thêm chức vụ sau họ tên, ví dụ “Trần Minh Đức - Phó Chủ tịch UBND thành phố”."
    ), message
    told = [
        ["Về người", "Ý kiến"],
        ["Trần Minh Đức - Chủ tịch HĐND phường", "Tám"],
        ["Đồng chí Trần Minh Đức (Phó Chủ tịch UBND thành phố)", "Chín"],
    ]
    made = opinions.import_opinions(office, conference, filename="b.xlsx", data=xlsx(told))
    assert [(o.text, o.rated_person) for o in made] == [("Tám", namesake), ("Chín", person)]
    # "Chủ tịch" is in both posts, but only the chair's begins with it (it was refused as both);
    # "UBND" is in one post only; "Phó Chủ tịch" begins neither post of two vice-chairs: refused
    short = [["Về người", "Ý kiến"], ["Trần Minh Đức (Chủ tịch)", "Mười"], ["Trần Minh Đức - UBND", "Mười một"]]
    made_short = opinions.import_opinions(office, conference, filename="d.xlsx", data=xlsx(short))
    assert [(o.text, o.rated_person) for o in made_short] == [("Mười", namesake), ("Mười một", person)]
    namesake.post = "Phó Chủ tịch HĐND phường"
    namesake.save()
    message = refused_now(
        office, conference, xlsx([["Về người", "Ý kiến"], ["Trần Minh Đức - Phó Chủ tịch", "Mười hai"]])
    )
    assert "“Trần Minh Đức - Phó Chủ tịch” là họ tên của 2 người trên phiếu" in message, message
    namesake.post = "Chủ tịch HĐND phường"
    namesake.save()
    # the page tells them apart by their post, in its lists and its rows
    client = Client()
    client.force_login(office)
    page = client.get(reverse("conferences:opinions", args=[conference.pk])).content.decode()
    assert f'<option value="{namesake.pk}" >Trần Minh Đức — Chủ tịch HĐND phường</option>' in page
    assert f'<option value="{person.pk}" >Trần Minh Đức — Phó Chủ tịch UBND thành phố</option>' in page
    row = page.split(f'id="y-kien-{made[0].pk}"')[1].split("</tr>")[0]
    assert '<td class="who">Trần Minh Đức<div class="muted">Chủ tịch HĐND phường</div>' in row
    # the import says whom its rows were taken to name, the namesakes with their post
    upload = io.BytesIO(
        xlsx([["Về người", "Ý kiến"], ["Trần Minh Đức (Chủ tịch)", "Mười ba"], ["Trần Minh Đức - UBND", "Mười bốn"]])
    )
    upload.name = "e.xlsx"
    done = client.post(reverse("conferences:opinions_import", args=[conference.pk]), {"bang-file": upload}, follow=True)
    assert (
        "Đã nhập 2 ý kiến (Trần Minh Đức - Phó Chủ tịch UBND thành phố: 1; Trần Minh Đức - Chủ tịch HĐND phường: 1)"
        in done.content.decode()
    )


def refused_now(office, conference, data, filename="c.xlsx") -> str:
    """The refusal of ``data``, opinions imported before it or not."""
    before = Opinion.objects.count()
    with pytest.raises(ValidationError) as info:
        opinions.import_opinions(office, conference, filename=filename, data=data)
    assert Opinion.objects.count() == before
    return info.value.messages[0]


def test_the_lines_an_office_writes_under_its_table_refuse_it_rather_than_become_opinions(office, conference, person):
    """The place and date, the signers' titles, "(Ký, ghi rõ họ tên)", "Nơi nhận", a total under
    the table were imported as opinions about no one ("142 ý kiến" became 146). They refuse the
    file with their row, in whichever column they stand."""
    table = [
        ["STT", "Về người", "Ý kiến", "Người ký tên"],
        [1, "Trần Minh Đức", "Nhất trí.", ""],
        [2, "chung", "Đề nghị công khai kết quả.", ""],
        [None, None, None, None],
    ]
    for footer, row in (
        ([None, None, "Móng Cái, ngày 20 tháng 9 năm 2023"], "Móng Cái, ngày 20 tháng 9 năm 2023"),
        ([None, None, "ngày 20/9/2023"], "ngày 20/9/2023"),
        ([None, None, "NGƯỜI TỔNG HỢP"], "NGƯỜI TỔNG HỢP"),
        ([None, None, "(Ký, ghi rõ họ tên)"], "(Ký, ghi rõ họ tên)"),
        ([None, "NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ"], "THỦ TRƯỞNG ĐƠN VỊ"),
        ([None, "Trần Minh Đức", "Nhất trí.", "(Ký tên, đóng dấu)"], "(Ký tên, đóng dấu)"),
        ([None, None, "KT. CHỦ TỊCH"], "KT. CHỦ TỊCH"),
        ([None, None, "Nơi nhận: - Như trên; - Lưu: VT."], "Nơi nhận: - Như trên; - Lưu: VT."),
        ([None, None, "Tổng cộng: 2 ý kiến"], "Tổng cộng: 2 ý kiến"),
    ):
        message = refused(office, conference, xlsx([*table, footer, [None, None, "Nguyễn Văn Cường"]]))
        assert message.endswith(
            f"— dòng 5: “{row}” không phải là ý kiến mà là dòng ghi dưới bảng (địa danh và ngày tháng, phần ký "
            "tên, dòng tổng cộng): hãy xoá dòng này và các dòng bên dưới không phải là ý kiến, rồi nhập lại tệp."
        ), message
    # the signer's name alone, under a blank row after numbered opinions, is not one more
    message = refused(office, conference, xlsx([*table, [None, None, "Nguyễn Văn Cường"]]))
    assert message.endswith(
        "— dòng 5, cột “STT”: “Nguyễn Văn Cường” không có số thứ tự và nằm dưới một dòng trống, sau những ý kiến "
        "đều có số thứ tự: nếu đây là ý kiến, hãy ghi số thứ tự; nếu là tên người ký dưới bảng, hãy xoá các dòng "
        "dưới bảng. Sau đó nhập lại tệp."
    ), message
    # an opinion without a number among numbered ones, or a table without numbers, is an opinion
    assert (
        len(
            opinions.import_opinions(
                office, conference, filename="c.xlsx", data=xlsx([*table[:2], [None, "chung", "Ba"], table[2]])
            )
        )
        == 3
    )
    plain = xlsx([["Ý kiến"], ["Một"], [None], ["Hai"]])
    assert [o.text for o in opinions.import_opinions(office, conference, filename="d.xlsx", data=plain)] == [
        "Một",
        "Hai",
    ]
    Opinion.objects.all().delete()
    # opinions that speak of a day, a signature or a total are opinions
    words = [
        "Đề nghị làm rõ việc ký hợp đồng ngày 20 tháng 9 năm 2023",
        "Tổng số dự án chậm tiến độ còn nhiều",
        "Ký kết nhiều hợp đồng chưa đúng quy định",
        "Ngày càng tiến bộ",
        "Xác nhận đúng",
    ]
    data = xlsx([["Ý kiến"], *([w] for w in words)])
    assert [o.text for o in opinions.import_opinions(office, conference, filename="b.xlsx", data=data)] == words


def test_a_word_that_is_no_classification_refuses_the_table_with_its_row(office, conference, person):
    message = refused(office, conference, xlsx([["Ý kiến", "Phân loại"], ["Một", "Đồng tình"], ["Hai", "Tốt"]]))
    assert message.endswith(
        "— dòng 3, cột “Phân loại”: “Tốt” không phải là một cách phân loại: hãy ghi “Đồng tình”, "
        "“Đề nghị giải trình”, “Khác”, hoặc để trống nếu ý kiến chưa phân loại."
    ), message


def test_what_the_model_refuses_that_the_reader_let_pass_is_said_with_its_row(office, conference, person, monkeypatch):
    def refuses(self, *args, **kwargs):
        if self.text == "Hai":
            raise ValidationError({"text": ["Nội dung không hợp lệ."]})

    monkeypatch.setattr(Opinion, "full_clean", refuses)
    data = xlsx([["Ý kiến"], ["Một"], ["Hai"]])
    assert refused(office, conference, data).endswith("— dòng 3: Nội dung không hợp lệ.")


def test_a_name_merged_down_over_a_person_s_opinions_is_read_in_each_row_and_hidden_rows_are_refused(
    office, conference, person, second
):
    """Offices merge the person's cell down over their opinions: each opinion is theirs, not a
    general one. A row hidden in Excel is neither imported nor left out without a word."""
    wb = Workbook()
    sheet = wb.active
    for row in (
        ["Về người", "Ý kiến"],
        ["Trần Minh Đức", "Nhất trí."],
        [None, "Đề nghị phát huy."],
        ["Lê Thị Hồng Nhung", "Đồng tình."],
    ):
        sheet.append(row)
    sheet.merge_cells("A2:A3")
    out = io.BytesIO()
    wb.save(out)
    assert len(opinions.import_opinions(office, conference, filename="a.xlsx", data=out.getvalue())) == 3
    about = dict(Opinion.objects.values_list("text", "rated_person"))
    assert about == {"Nhất trí.": person.pk, "Đề nghị phát huy.": person.pk, "Đồng tình.": second.pk}

    Opinion.objects.all().delete()
    Event.objects.filter(action="opinions.imported").delete()
    sheet.append(["Trần Minh Đức", "Một ý kiến đã lọc ra."])
    sheet.row_dimensions[5].hidden = True
    out = io.BytesIO()
    wb.save(out)
    assert "trang tính có dòng bị ẩn (5)" in refused(office, conference, out.getvalue())


def test_a_sheet_named_after_a_person_without_a_column_of_names_holds_that_person_s_opinions(
    office, conference, person, second
):
    """A sheet for each person, named after them, and only "Ý kiến" in it: its opinions were all
    imported as about no one. A row that names someone, or says "chung", keeps what it says; a
    sheet named otherwise holds general opinions, as before."""
    wb = Workbook()
    wb.active.title = "Đồng chí Trần Minh Đức"
    for row in (
        ["STT", "Ý kiến", "Về người"],
        [1, "Nhất trí.", ""],
        [2, "Góp ý chung", "chung"],
        [3, "Tốt", "Lê Thị Hồng Nhung"],
    ):
        wb.active.append(row)
    for title, texts in (("Lê Thị Hồng Nhung", ["Đồng tình."]), ("Tổng hợp khác", ["Đề nghị công khai."])):
        sheet = wb.create_sheet(title)
        sheet.append(["STT", "Ý kiến"])
        for i, text in enumerate(texts, start=1):
            sheet.append([i, text])
    out = io.BytesIO()
    wb.save(out)
    made = opinions.import_opinions(office, conference, filename="a.xlsx", data=out.getvalue())
    assert [(o.text, o.rated_person) for o in made] == [
        ("Nhất trí.", person),
        ("Góp ý chung", None),
        ("Tốt", second),
        ("Đồng tình.", second),
        ("Đề nghị công khai.", None),
    ]

    # a sheet's name is 31 characters at most: offices shorten it to the given name, after a form
    # of address or a post abbreviated (those sheets' opinions were about no one)
    def workbook(titles: list[str]) -> bytes:
        wb = Workbook()
        wb.remove(wb.active)
        for i, title in enumerate(titles):
            wb.create_sheet(title).append(["Ý kiến"])
            wb[title].append([f"Ý kiến {i}"])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    titles = ["Đ.c Đức", "PCT Hồng Nhung", "Nhung (PCT)", "Minh", "Chung", "Bàng"]
    made = opinions.import_opinions(office, conference, filename="b.xlsx", data=workbook(titles))
    assert [o.rated_person for o in made] == [person, second, second, None, None, None]
    # a unit's file of one sheet, named after the person (its messages name no sheet, as before);
    # Excel's own names for a sheet name no one
    assert [
        o.rated_person
        for o in opinions.import_opinions(office, conference, filename="c.xlsx", data=workbook(["Đc Nhung"]))
    ] == [second]
    for title in ("Sheet1", "Trang tính1"):
        assert [
            o.rated_person
            for o in opinions.import_opinions(
                office, conference, filename=f"{title}.xlsx", data=workbook([title]), repeats=True
            )
        ] == [None]
    # a given name two persons share: which is not guessed
    rated.add_rated_person(office, conference, full_name="Phạm Văn Đức", post="Chủ tịch UBND thành phố")
    message = refused_now(office, conference, workbook(["Đức", "Chung"]))
    assert message.endswith(
        "— trang tính “Đức”, dòng 2: tên trang tính có thể là của 2 người trên phiếu (Trần Minh Đức - Phó Chủ tịch "
        "UBND thành phố; Phạm Văn Đức - Chủ tịch UBND thành phố): hãy đặt tên trang tính bằng họ tên người đó, hoặc "
        "ghi họ tên vào cột “Về người”."
    ), message


def test_a_workbook_with_a_sheet_for_each_person_is_imported_whole_and_a_refusal_names_the_sheet(
    office, conference, person, second
):
    """Offices keep a sheet for each person: every sheet with a column of opinions is read, in
    order, and a cover or a note without one is passed over; a row at fault is named with its
    sheet. A workbook where no sheet has such a column is refused as having none."""
    wb = Workbook()
    wb.active.title = "Hướng dẫn"
    wb.active.append(["Bảng tổng hợp ý kiến gửi Phòng Nội vụ"])
    for title, name, texts in (
        ("Đồng chí Đức", "Trần Minh Đức", ["Nhất trí.", "Đồng tình."]),
        ("Đồng chí Nhung", "Lê Thị Hồng Nhung", ["Tốt."]),
    ):
        sheet = wb.create_sheet(title)
        sheet.append(["Về người", "Ý kiến"])
        for text in texts:
            sheet.append([name, text])

    def saved() -> bytes:
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    assert len(opinions.import_opinions(office, conference, filename="a.xlsx", data=saved())) == 3
    assert sorted(Opinion.objects.values_list("rated_person", flat=True)) == sorted([person.pk, person.pk, second.pk])
    Opinion.objects.all().delete()
    Event.objects.filter(action="opinions.imported").delete()
    wb["Đồng chí Nhung"].append(["Nguyễn Văn Bình", "Đề nghị làm rõ."])
    assert "trang tính “Đồng chí Nhung”, dòng 3: “Nguyễn Văn Bình” không có tên trên phiếu" in refused(
        office, conference, saved()
    )
    del wb["Đồng chí Đức"], wb["Đồng chí Nhung"]
    assert "không tìm thấy cột ý kiến" in refused(office, conference, saved())
