"""The voter roll, or the list of rated persons, from a table of a Word document (.docx).

An office keeps the list of those convened (thành phần tham gia) as the table attached to the plan
or to the invitation, in Word, under the document's title block, which is itself a table without
borders (the body on the left, the national motto on the right). The files here are made with
python-docx, as Word writes them: merged cells, several paragraphs in a cell, text inside a smart
tag, runs in the old TCVN3 font."""

import copy
import io

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from tests.conferences.test_import_roster import damaged, refused
from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import RatedPerson
from tinnhiem.conferences.usecases import rated, roster

HEADER = ["STT", "Họ và tên", "Chức vụ", "Đơn vị"]
ROWS = [
    ["1", "Nguyễn Văn An", "Trưởng phòng", "Phòng Nội vụ"],
    ["2", "Trần Thị Bình", "Hiệu trưởng", "Trường THCS Ka Long"],
]


def word_list(rows=ROWS, header=HEADER, title_block=True, change=None) -> bytes:
    document = docx.Document()
    if title_block:  # the heading of an official document: a table of two columns without borders
        block = document.add_table(rows=2, cols=2)
        block.cell(0, 0).text, block.cell(0, 1).text = "ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        block.cell(1, 0).text, block.cell(1, 1).text = "THÀNH PHỐ MÓNG CÁI", "Độc lập - Tự do - Hạnh phúc"
        document.add_paragraph("DANH SÁCH THÀNH PHẦN THAM GIA LẤY PHIẾU TÍN NHIỆM")
        document.add_paragraph("(Kèm theo Giấy mời số 412/GM-UBND ngày 20/9/2023)")
    table = document.add_table(rows=0, cols=len(header))
    for values in [header, *rows]:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = "" if value is None else str(value)
    if change:
        change(document, table)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def roll(conference):
    return list(conference.voters.order_by("order").values_list("order", "full_name", "post", "unit"))


def test_the_list_in_a_word_table_under_the_document_s_title_block_is_imported(office, conference):
    """The title block is a table too: the list is the first table with a header row. A post
    written on two lines of its cell is one post."""

    def two_lines(document, table):
        table.cell(2, 2).add_paragraph("kiêm Phó Hiệu trưởng")

    report = roster.import_roster(office, conference, filename="Danh sach.DOCX", data=word_list(change=two_lines))
    assert (report.created, report.converted) == (2, 0)
    assert roll(conference) == [
        (1, "Nguyễn Văn An", "Trưởng phòng", "Phòng Nội vụ"),
        (2, "Trần Thị Bình", "Hiệu trưởng kiêm Phó Hiệu trưởng", "Trường THCS Ka Long"),
    ]
    event = Event.objects.filter(action="roster.imported").last()
    assert (event.data["file"], event.data["rows"]) == ("Danh sach.DOCX", 2)


def test_the_name_and_the_post_in_one_column_of_a_word_list_on_two_lines_of_the_cell(office, conference):
    """The list attached to an invitation: "Họ và tên, chức vụ", the name on the cell's first
    line and the post on the next."""

    def post_under_name(document, table):
        for row, post in ((1, "Trưởng phòng"), (2, "Hiệu trưởng")):
            table.cell(row, 1).add_paragraph(post)

    rows = [["1", "Đ/c Nguyễn Văn An", "Phòng Nội vụ"], ["2", "Trần Thị Bình", "Trường THCS Ka Long"]]
    data = word_list(rows=rows, header=["STT", "Họ và tên, chức vụ", "Đơn vị"], change=post_under_name)
    assert roster.import_roster(office, conference, filename="ds.docx", data=data).created == 2
    assert roll(conference) == [
        (1, "Nguyễn Văn An", "Trưởng phòng", "Phòng Nội vụ"),
        (2, "Trần Thị Bình", "Hiệu trưởng", "Trường THCS Ka Long"),
    ]


def test_merged_cells_are_read_as_word_shows_them(office, conference):
    """A unit written once for the persons under it (merged down), and "Họ và tên" over two
    columns, the family and middle names in one and the given name in the next (merged across)."""
    rows = [
        ["1", "Nguyễn Văn", "An", "Trưởng phòng", "Phòng Nội vụ"],
        ["2", "Trần Thị", "Bình", "Phó Trưởng phòng", ""],
        ["3", "Lê", "Cường", "Chuyên viên", ""],
        ["4", "Phạm Thu", "Hà", "Hiệu trưởng", "Trường THCS Ka Long"],
    ]

    def merge(document, table):
        table.cell(0, 1).merge(table.cell(0, 2)).text = "Họ và tên"
        table.cell(1, 4).merge(table.cell(3, 4))

    data = word_list(rows, header=["STT", "Họ và tên", "", "Chức vụ", "Đơn vị"], change=merge)
    assert roster.import_roster(office, conference, filename="ds.docx", data=data).created == 4
    assert roll(conference) == [
        (1, "Nguyễn Văn An", "Trưởng phòng", "Phòng Nội vụ"),
        (2, "Trần Thị Bình", "Phó Trưởng phòng", "Phòng Nội vụ"),
        (3, "Lê Cường", "Chuyên viên", "Phòng Nội vụ"),
        (4, "Phạm Thu Hà", "Hiệu trưởng", "Trường THCS Ka Long"),
    ]


def test_text_inside_a_smart_tag_a_tracked_change_or_a_control_is_read_as_word_shows_it(office, conference):
    """Older Word wraps names and places in smart tags, a list edited with Track Changes keeps its
    insertions and deletions, and a form's cell may be a content control: the text is what Word
    shows, with its inserted part and without its deleted one, not what is left outside them."""

    def tag_and_track(document, table):
        paragraph = table.cell(1, 1).paragraphs[0]
        run = paragraph.runs[0]
        run.text = "Nguyễn Văn "
        tag = OxmlElement("w:smartTag")
        tag.set(qn("w:uri"), "urn:schemas-microsoft-com:office:smarttags")
        tag.set(qn("w:element"), "PersonName")
        tagged = copy.deepcopy(run._r)
        tagged.find(qn("w:t")).text = "An"
        tag.append(tagged)
        paragraph._p.append(tag)
        deletion = OxmlElement("w:del")
        deleted = copy.deepcopy(run._r)
        text = deleted.find(qn("w:t"))
        text.tag = qn("w:delText")
        text.text = " Văn"
        deletion.append(deleted)
        post = table.cell(2, 2).paragraphs[0]
        post._p.append(deletion)
        insertion = OxmlElement("w:ins")
        inserted = copy.deepcopy(post.runs[0]._r)
        inserted.find(qn("w:t")).text = " Trường THCS"
        insertion.append(inserted)
        post._p.append(insertion)

        unit = table.cell(1, 3)._tc  # a content control around the unit's paragraph, as forms have
        paragraph = unit.find(qn("w:p"))
        control, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
        unit.remove(paragraph)
        content.append(paragraph)
        control.append(content)
        unit.append(control)

    roster.import_roster(office, conference, filename="ds.docx", data=word_list(change=tag_and_track))
    assert [v[1:] for v in roll(conference)] == [
        ("Nguyễn Văn An", "Trưởng phòng", "Phòng Nội vụ"),
        ("Trần Thị Bình", "Hiệu trưởng Trường THCS", "Trường THCS Ka Long"),
    ]


def test_a_list_typed_in_tcvn3_is_converted_run_by_run_and_the_office_told(office, conference):
    """A document typed in .VnTime: the font is the document's own (its Normal style), or a run's.
    A run in a Unicode font is kept as it is."""

    def old_fonts(document, table):
        document.styles["Normal"].font.name = ".VnTime"
        table.cell(1, 1).paragraphs[0].runs[0].text = "NguyÔn V¨n An"
        run = table.cell(2, 1).paragraphs[0].runs[0]
        run.text, run.font.name = "TrÇn ThÞ B×nh", ".VnTime"
        unicode = table.cell(2, 3).paragraphs[0].runs[0]
        unicode.font.name = "Times New Roman"

    report = roster.import_roster(office, conference, filename="ds.docx", data=word_list(change=old_fonts))
    assert report.converted == 2
    assert [v[1] for v in roll(conference)] == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert roll(conference)[1][3] == "Trường THCS Ka Long"


def test_the_list_of_rated_persons_from_a_word_table(office, conference):
    data = word_list(
        rows=[["1", "Trần Minh Đức", "Phó Chủ tịch UBND thành phố"], ["2", "Vũ Thị Hoa", "Phó Chủ tịch UBND"]],
        header=["STT", "Họ và tên", "Chức vụ"],
    )
    people = rated.import_rated_persons(office, conference, filename="nguoi-duoc-lay-phieu.docx", data=data)
    assert [p.full_name for p in people] == ["Trần Minh Đức", "Vũ Thị Hoa"]
    assert RatedPerson.objects.filter(conference=conference).count() == 2


def test_a_word_file_that_cannot_be_read_is_refused_with_what_to_do(office, conference):
    no_table = docx.Document()
    no_table.add_paragraph("Nguyễn Văn An, Trưởng phòng")
    out = io.BytesIO()
    no_table.save(out)
    message = refused(office, conference, out.getvalue(), name="ds.docx")
    assert "tài liệu Word không có bảng nào có dòng tên cột" in message
    assert "không có bảng" in refused(
        office, conference, word_list(header=["1", "Lê Văn Tám", "Chuyên viên", ""]), name="ds.docx"
    )
    assert "tệp Word bị hỏng hoặc không phải tệp .docx" in refused(
        office, conference, b"PK\x03\x04garbage", name="ds.docx"
    )
    assert "tệp Word bị hỏng hoặc không phải tệp .docx" in refused(office, conference, b"not a zip", name="ds.docx")
    assert ".doc" in refused(office, conference, b"\xd0\xcf\x11\xe0", name="ds.doc")
    assert "lưu thành .docx" in refused(office, conference, b"\xd0\xcf\x11\xe0", name="ds.doc")


def test_a_problem_names_the_table_s_row_and_the_column_by_its_place(office, conference):
    """Word numbers neither rows nor columns: a row is counted in the table, its header row being
    1, and a column without a header by its place in the row, not by an Excel letter."""
    no_post = word_list(rows=[*ROWS, ["3", "Lê Văn Cường", "", "Phòng Tài chính"]])
    assert "dòng 4, cột “Chức vụ”: ô này không được để trống" in refused(office, conference, no_post, name="ds.docx")
    unnamed = word_list(rows=[[*r, "ghi chú"] for r in ROWS], header=[*HEADER, ""])
    message = refused(office, conference, unnamed, name="ds.docx")
    assert "dòng 1, cột “5”: cột này có dữ liệu (dòng 2: “ghi chú”)" in message


def test_the_import_forms_offer_word_files(office, conference, client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tinnhiem.conferences.forms import RatedImportForm, RosterImportForm

    client.force_login(office)
    page = client.post(
        reverse("conferences:roster_import", args=[conference.pk]),
        {"file": SimpleUploadedFile("Danh sách thành phần.docx", word_list())},
        follow=True,
    ).content.decode()
    assert "Đã nhập 2 người ghi phiếu." in page and len(roll(conference)) == 2
    assert 'accept=".xlsx,.csv,.docx"' in page and "Nhập từ Excel, CSV hoặc Word" in page
    assert RatedImportForm().fields["file"].widget.attrs["accept"] == ".xlsx,.csv,.docx"
    assert RosterImportForm().fields["file"].widget.attrs["accept"] == ".xlsx,.csv,.docx"
    assert str(RosterImportForm().fields["file"].label) == "Tệp Excel (.xlsx), CSV hoặc Word (.docx)"


@pytest.mark.parametrize(
    "member, change",
    [
        ("word/document.xml", lambda c: c[: len(c) // 2]),  # cut short (a copy interrupted)
        ("word/document.xml", lambda c: None),
        ("word/styles.xml", lambda c: b"\x00\x01 not xml"),
        ("[Content_Types].xml", lambda c: None),
        ("word/_rels/document.xml.rels", lambda c: c[: len(c) // 2]),
    ],
)
def test_a_word_file_damaged_inside_is_refused_not_a_crash(office, conference, member, change):
    data = damaged(member, change, sound=word_list())
    assert "tệp Word bị hỏng hoặc không phải tệp .docx" in refused(office, conference, data, name="ds.docx")


def test_headings_of_groups_in_a_word_table_are_passed_over_and_said(office, conference):
    """A Word table of rated persons with a row over each group (one cell across the table), and
    the numbers starting again under each: the headings are not persons, and the ballot's order
    is the rows' order."""
    rows = [
        ["I. THƯỜNG TRỰC HĐND", "", ""],
        ["1", "Trần Minh Đức", "Chủ tịch HĐND"],
        ["II. ỦY BAN NHÂN DÂN", "", ""],
        ["1", "Vũ Thị Hoa", "Chủ tịch UBND"],
        ["2", "Đỗ Văn Nam", "Phó Chủ tịch UBND"],
    ]

    def headings(document, table):
        for index in (1, 3):
            cells = table.rows[index].cells
            text = cells[0].text
            cells[0].merge(cells[2]).text = text

    data = word_list(rows=rows, header=["STT", "Họ và tên", "Chức vụ"], change=headings)
    people = rated.import_rated_persons(office, conference, filename="ds.docx", data=data)
    assert [p.full_name for p in people] == ["Trần Minh Đức", "Vũ Thị Hoa", "Đỗ Văn Nam"]
    assert people.headings == [(2, "I. THƯỜNG TRỰC HĐND"), (4, "II. ỦY BAN NHÂN DÂN")]
    assert list(conference.rated_persons.order_by("order").values_list("full_name", flat=True)) == [
        "Trần Minh Đức",
        "Vũ Thị Hoa",
        "Đỗ Văn Nam",
    ]
    assert Event.objects.filter(action="rated_persons.imported").last().data["headings"] == [2, 4]
    # each person is in the group of the heading above, the heading's numbering left out
    assert list(conference.rated_persons.order_by("order").values_list("group", flat=True)) == [
        "THƯỜNG TRỰC HĐND",
        "ỦY BAN NHÂN DÂN",
        "ỦY BAN NHÂN DÂN",
    ]


def test_rated_persons_in_one_table_per_group_take_the_group_of_the_heading_above_it(office, conference):
    """A list of rated persons made in Word one table a group, each table under its numbered
    heading paragraph: each person is in the group of the heading above its table. The title and
    the "(Kèm theo …)" line above the first table name no group; a table under no numbered heading
    continues the group above it (a table split where the page ends)."""
    header = ["STT", "Họ và tên", "Chức vụ"]

    def table(document, rows):
        made = document.add_table(rows=0, cols=3)
        for values in [header, *rows]:
            for cell, value in zip(made.add_row().cells, values, strict=True):
                cell.text = value

    def groups(document, first):
        document.add_paragraph("II. ỦY BAN NHÂN DÂN TỈNH")
        table(document, [["1", "Vũ Thị Hoa", "Chủ tịch UBND tỉnh"], ["2", "Đỗ Văn Nam", "Phó Chủ tịch UBND tỉnh"]])
        document.add_page_break()
        table(document, [["3", "Hà Văn Sơn", "Phó Chủ tịch UBND tỉnh"]])

    rows = [["1", "Trần Minh Đức", "Chủ tịch HĐND tỉnh"]]
    rated.import_rated_persons(office, conference, filename="ds.docx", data=word_list(rows, header, change=groups))
    assert list(conference.rated_persons.order_by("order").values_list("full_name", "group")) == [
        ("Trần Minh Đức", ""),
        ("Vũ Thị Hoa", "ỦY BAN NHÂN DÂN TỈNH"),
        ("Đỗ Văn Nam", "ỦY BAN NHÂN DÂN TỈNH"),
        ("Hà Văn Sơn", "ỦY BAN NHÂN DÂN TỈNH"),
    ]
    conference.rated_persons.all().delete()

    def first_heading(document, first):
        paragraph = document.paragraphs[-1]._p  # the "(Kèm theo …)" line: a heading goes after it
        heading = document.add_paragraph("I. THƯỜNG TRỰC HĐND TỈNH")._p
        paragraph.addnext(heading)
        groups(document, first)

    data = word_list(rows, header, change=first_heading)
    people = rated.import_rated_persons(office, conference, filename="ds.docx", data=data)
    assert people.heading_groups == {"THƯỜNG TRỰC HĐND TỈNH": 1, "ỦY BAN NHÂN DÂN TỈNH": 3}
    assert people.headings == []  # no row of a table was passed over


def test_a_list_made_one_table_per_group_is_read_whole(office, conference):
    """Each group under its own heading paragraph, in its own table with its own header row: every
    such table is read, in the document's order (reading the first alone lost the others, with
    nothing said). Rows are counted on from one table to the next, the first header row being 1."""

    def second_group(document, table):
        document.add_paragraph("II. CÁC PHÒNG, BAN")
        other = document.add_table(rows=0, cols=4)
        for values in [HEADER, ["1", "Lê Văn Cường", "Trưởng phòng", "Phòng Tài chính"], ["2", "Phạm Thu Hà", "", ""]]:
            for cell, value in zip(other.add_row().cells, values, strict=True):
                cell.text = value

    data = word_list(change=second_group)
    message = refused(office, conference, data, name="ds.docx")
    assert "dòng 6, cột “Chức vụ”: ô này không được để trống" in message  # table 2, its third row

    def fixed(document, table):
        second_group(document, table)
        document.tables[-1].cell(2, 2).text = "Chuyên viên"

    report = roster.import_roster(office, conference, filename="ds.docx", data=word_list(change=fixed))
    assert report.created == 4
    assert [v[:2] for v in roll(conference)] == [
        (1, "Nguyễn Văn An"),
        (2, "Trần Thị Bình"),
        (3, "Lê Văn Cường"),
        (4, "Phạm Thu Hà"),
    ]

    def twice(document, table):
        second_group(document, table)
        document.tables[-1].cell(2, 1).text = "Nguyễn Văn An"
        document.tables[-1].cell(2, 2).text = "Trưởng phòng"

    message = refused(office, conference, word_list(change=twice), name="ds.docx")
    assert "dòng 6: Nguyễn Văn An (Trưởng phòng) xuất hiện hai lần trong tệp (trùng với dòng 2)" in message


def test_a_document_with_two_different_lists_is_refused_not_merged(office, conference):
    """A plan with both its lists attached, the rated persons (STT, Họ và tên, Chức vụ) and those
    convened (with Đơn vị): tables of other headers are other lists, not groups of one."""

    def rated_list_too(document, table):
        document.add_paragraph("Phụ lục 2: DANH SÁCH NGƯỜI ĐƯỢC LẤY PHIẾU")
        other = document.add_table(rows=0, cols=3)
        for values in [["STT", "Họ và tên", "Chức vụ"], ["1", "Trần Minh Đức", "Phó Chủ tịch UBND"]]:
            for cell, value in zip(other.add_row().cells, values, strict=True):
                cell.text = value

    message = refused(office, conference, word_list(change=rated_list_too), name="ke-hoach.docx")
    assert (
        "tài liệu có các bảng người với dòng tên cột khác nhau (STT, Họ và tên, Chức vụ, Đơn vị; STT, Họ và tên, "
        "Chức vụ): có thể đó là nhiều danh sách khác nhau." in message
    )


def test_a_word_list_typed_in_vni_is_converted_as_the_document_shows_it(office, conference):
    """The runs in a VNI font (VNI-Times) are converted. A name that reads as Unicode too
    ("Nguyeãn Vaên Sôn" has no character Unicode Vietnamese lacks) is VNI because other runs of
    the document show that it is (ö, û, ø in "Tröôûng phoøng")."""
    rows = [["1", "Nguyeãn Vaên Sôn", "Tröôûng phoøng"], ["2", "Ñoã Vaên Kính", "Phoù phoøng"]]

    def vni(document, table):
        for tr in table.rows[1:]:
            for cell in tr.cells:
                for run in cell.paragraphs[0].runs:
                    run.font.name = "VNI-Times"

    data = word_list(rows=rows, header=["STT", "Họ và tên", "Chức vụ"], change=vni)
    people = rated.import_rated_persons(office, conference, filename="ds.docx", data=data)
    assert [(p.full_name, p.post) for p in people] == [("Nguyễn Văn Sơn", "Trưởng phòng"), ("Đỗ Văn Kính", "Phó phòng")]
    assert people.converted == 2


def test_particulars_left_out_of_a_word_list_are_said_once_for_all_its_tables(office, conference):
    """A sign-in sheet in Word, one table a group, each with a column to sign: the column is left
    out in every table, and the office is told of it once."""
    header = [*HEADER, "Ký tên"]

    def second_group(document, table):
        other = document.add_table(rows=0, cols=5)
        for values in [header, ["1", "Lê Văn Cường", "Trưởng phòng", "Phòng Tài chính", "đã ký"]]:
            for cell, value in zip(other.add_row().cells, values, strict=True):
                cell.text = value

    rows = [[*row, ""] for row in ROWS]
    data = word_list(rows=rows, header=header, change=second_group)
    report = roster.import_roster(office, conference, filename="ds.docx", data=data)
    assert report.created == 3 and report.unused == ["Ký tên"]
    assert "đã ký" not in " ".join(str(v) for row in conference.voters.values_list() for v in row)


def test_the_row_numbering_a_word_table_s_columns_is_not_a_person(office, conference):
    data = word_list(rows=[["(1)", "(2)", "(3)", "(4)"], *ROWS])
    assert roster.import_roster(office, conference, filename="ds.docx", data=data).created == 2
    assert [name for _o, name, _p, _u in roll(conference)] == ["Nguyễn Văn An", "Trần Thị Bình"]
