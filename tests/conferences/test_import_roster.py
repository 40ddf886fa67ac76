"""Use case import_roster, with real .xlsx and .csv files made in the test.

One bad row rejects the whole file with the row, the column and the reason in Vietnamese, and
nothing is saved."""

import io
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import Voter
from tinnhiem.conferences.roster_file import read_roster, write_roster_xlsx
from tinnhiem.conferences.usecases import roster

HEADER = ["STT", "Họ và tên", "Chức vụ", "Đơn vị"]


def xlsx(rows, header=HEADER, title_rows=(), merged=()):
    """``merged``: ranges of cells to merge, as "D2:D3"."""
    wb = Workbook()
    ws = wb.active
    for row in title_rows:
        ws.append(row)
    if header:
        ws.append(header)
    for row in rows:
        ws.append(row)
    for cells in merged:
        ws.merge_cells(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


ROWS = [
    [1, "Nguyễn Văn An", "Trưởng phòng Nội vụ", "Phòng Nội vụ"],
    [2, "Trần Thị Bình", "Hiệu trưởng", "Trường THCS Ka Long"],
]


def do_import(office, conference, data, name="ds.xlsx", **kw):
    return roster.import_roster(office, conference, filename=name, data=data, **kw)


def refused(office, conference, data, name="ds.xlsx", **kw):
    before = (Voter.objects.count(), Event.objects.count())
    with pytest.raises(ValidationError) as info:
        do_import(office, conference, data, name, **kw)
    assert (Voter.objects.count(), Event.objects.count()) == before, "something was half-saved"
    message = info.value.messages[0]
    assert message.startswith("Chưa nhập tệp, không có dữ liệu nào được lưu")
    return message


def test_import_xlsx(office, conference):
    report = do_import(office, conference, xlsx(ROWS))
    assert report.created == 2
    assert list(conference.voters.values_list("order", "full_name", "unit")) == [
        (1, "Nguyễn Văn An", "Phòng Nội vụ"),
        (2, "Trần Thị Bình", "Trường THCS Ka Long"),
    ]
    event = Event.objects.get(action="roster.imported")
    assert event.data["rows"] == 2 and len(event.data["sha256"]) == 64


def test_title_rows_above_the_header_and_lenient_headers(office, conference):
    data = xlsx(
        ROWS, header=["stt", "Ho va ten", "CHỨC VỤ", "Cơ quan, đơn vị"], title_rows=[["DANH SÁCH NGƯỜI GHI PHIẾU"], []]
    )
    assert do_import(office, conference, data).created == 2


def test_a_list_made_as_an_official_document_has_its_title_block_read_past(office, conference):
    """The bodies and the motto side by side, the title, the letter it goes with, a date: the
    header is the eighth row, the seventh that is not empty."""
    block = [
        ["UBND TỈNH QUẢNG NINH", None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["UBND THÀNH PHỐ MÓNG CÁI", None, "Độc lập - Tự do - Hạnh phúc"],
        [],
        [None, None, "Móng Cái, ngày 15 tháng 9 năm 2023"],
        ["DANH SÁCH THÀNH PHẦN THAM GIA LẤY PHIẾU TÍN NHIỆM"],
        ["(Kèm theo Giấy mời số 123/GM-UBND ngày 15/9/2023)"],
        ["Phó Chủ tịch UBND thành phố (không phải Ủy viên Ban Thường vụ)"],
    ]
    report = do_import(office, conference, xlsx(ROWS, title_rows=block))
    assert report.created == 2 and conference.voters.get(order=2).full_name == "Trần Thị Bình"


def test_headers_as_offices_write_them(office, conference):
    """A list made for another purpose: "Chức vụ, đơn vị công tác" in one column (read as the post)
    and "SĐT" for the phone."""
    header = ["TT", "Họ tên", "Chức vụ, đơn vị công tác", "SĐT", "Địa chỉ email"]
    rows = [[1, "Nguyễn Văn An", "Trưởng phòng Nội vụ thành phố", "0912345678", "an@example.vn"]]
    assert do_import(office, conference, xlsx(rows, header=header)).created == 1
    voter = conference.voters.get()
    assert (voter.post, voter.phone, voter.email) == ("Trưởng phòng Nội vụ thành phố", "0912345678", "an@example.vn")
    # a header still unknown is refused, named, with the columns that would do
    message = refused(office, conference, xlsx(rows, header=[*header[:4], "Khối"]), replace=True)
    assert "Khối" in message and "Họ và tên" in message


def test_nfd_names_are_normalised(office, conference):
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Huệ")
    do_import(office, conference, xlsx([[1, nfd, "Phó Trưởng phòng"]]))
    voter = conference.voters.get()
    assert voter.full_name == "Nguyễn Thị Huệ"
    assert unicodedata.is_normalized("NFC", voter.full_name)


def test_nfd_duplicate_of_nfc_name_is_detected(office, conference):
    nfd = unicodedata.normalize("NFD", "Nguyễn Văn An")
    message = refused(office, conference, xlsx([[1, "Nguyễn Văn An", "Trưởng phòng"], [2, nfd, "trưởng phòng"]]))
    assert "dòng 3" in message and "trùng với dòng 2" in message


def test_a_name_pasted_with_a_character_that_shows_nothing_is_the_same_name(office, conference):
    """A zero-width space pasted from a web page or a chat: kept, the name looked the same on the
    screen and on the ballot and was another person to the duplicate check (one more convened)."""
    rows = [[1, "Nguyễn Văn An", "Trưởng phòng", "Phòng Nội vụ"], [2, "Nguyễn Văn\u200b An", "Trưởng phòng", "Phòng"]]
    message = refused(office, conference, xlsx(rows))
    assert "Nguyễn Văn An (Trưởng phòng) xuất hiện hai lần trong tệp" in message
    do_import(office, conference, xlsx(rows[1:]))
    assert conference.voters.get().full_name == "Nguyễn Văn An"


def test_duplicate_of_existing_voter(office, conference, voter):
    message = refused(office, conference, xlsx([[5, voter.full_name, voter.post]]))
    assert "đã có trong danh sách" in message and "dòng 2" in message


def test_same_name_other_post_is_another_person(office, conference):
    assert (
        do_import(
            office,
            conference,
            xlsx([[1, "Nguyễn Văn Hùng", "Hiệu trưởng"], [2, "Nguyễn Văn Hùng", "Trưởng phòng Y tế"]]),
        ).created
        == 2
    )


def test_wrong_column(office, conference):
    message = refused(office, conference, xlsx(ROWS, header=["STT", "Họ và tên", "Chức vụ", "Xếp loại"]))
    assert "dòng 1" in message and "cột “Xếp loại”" in message and "Các cột hợp lệ" in message


def test_missing_required_column(office, conference):
    message = refused(office, conference, xlsx([[1, "A"]], header=["STT", "Họ và tên"]))
    assert "thiếu cột bắt buộc: Chức vụ" in message
    message = refused(office, conference, xlsx([[1, "Trưởng phòng"]], header=["STT", "Chức vụ"]))
    assert "dòng 1: thiếu cột bắt buộc: Họ và tên." in message


def test_a_header_without_the_name_column_is_named_under_a_title_block_not_the_title(office, conference):
    """No row names the persons' column: the header is the row that names most of the template's
    columns, and the message says what it lacks or holds that the template has not, not that the
    list's title (the first row) is an unknown column."""
    title = [["DANH SÁCH NGƯỜI ĐƯỢC TRIỆU TẬP"], []]
    message = refused(office, conference, xlsx([[1, "Trưởng phòng"]], header=["STT", "Chức vụ"], title_rows=title))
    assert "dòng 3: thiếu cột bắt buộc: Họ và tên." in message and "DANH SÁCH" not in message
    data = xlsx([[1, "Nguyễn Văn An", "Trưởng phòng"]], header=["STT", "Tên cán bộ", "Chức vụ"], title_rows=title)
    message = refused(office, conference, data)
    assert "dòng 3, cột “Tên cán bộ”: cột này không có trong mẫu danh sách." in message
    # a title alone, with no row a header, is still named as the first row
    message = refused(office, conference, xlsx([["Nguyễn Văn An"]], header=["Danh sách"]))
    assert "dòng 1, cột “Danh sách”" in message


def test_a_list_with_no_numbers_column_is_found_under_its_title_block(office, conference):
    rows = [[name, post, unit] for _n, name, post, unit in ROWS]
    data = xlsx(rows, header=HEADER[1:], title_rows=[["UBND THÀNH PHỐ MÓNG CÁI", None, "CỘNG HÒA"], ["DANH SÁCH"]])
    assert do_import(office, conference, data).created == 2
    assert roster_of(conference) == [
        (1, "Nguyễn Văn An", "Trưởng phòng Nội vụ", "Phòng Nội vụ"),
        (2, "Trần Thị Bình", "Hiệu trưởng", "Trường THCS Ka Long"),
    ]


def test_the_longest_name_is_read_and_one_character_more_refused(office, conference):
    name = "Nguyễn " + "A" * 248  # 255 characters
    assert len(name) == 255
    assert do_import(office, conference, xlsx([[1, name, "Chuyên viên"]])).created == 1
    message = refused(office, conference, xlsx([[1, name + "B", "Chuyên viên"]]), replace=True)
    assert "dòng 2, cột “Họ và tên”: nội dung dài quá 255 ký tự." in message
    # the same, of a name kept in two columns (the family and middle names, the given name)
    header = ["STT", "Họ và tên đệm", "Tên", "Chức vụ"]
    data = xlsx([[1, name[:-3], "AB", "Chuyên viên"]], header=header)  # joined with a space: 255
    do_import(office, conference, data, replace=True)
    assert conference.voters.get().full_name == name[:-3] + " AB"
    message = refused(office, conference, xlsx([[1, name[:-3], "ABC", "Chuyên viên"]], header=header), replace=True)
    assert "dòng 2, cột “Họ và tên”: nội dung dài quá 255 ký tự." in message


def test_csv_rows_shorter_or_longer_than_the_header(office, conference):
    """A row cut short lacks its post; a row with a field past the header holds data in a column
    with no name. Each is refused, saying where, not read half or crashed on."""
    short = "STT;Họ và tên;Chức vụ\n1;Nguyễn Văn An\n".encode()
    message = refused(office, conference, short, "ds.csv")
    assert "dòng 2, cột “Chức vụ”: ô này không được để trống." in message
    longer = "STT;Họ và tên;Chức vụ\n1;Nguyễn Văn An;Chuyên viên\n2;Trần Thị Bình;Hiệu trưởng;x\n".encode()
    message = refused(office, conference, longer, "ds.csv")
    assert "dòng 1, cột “D”: cột này có dữ liệu (dòng 3: “x”) nhưng không có tên ở dòng tên cột." in message
    # a line of separators alone (an empty row of the sheet it was saved from) is an empty row
    gap = "STT;Họ và tên;Chức vụ\n1;Nguyễn Văn An;Chuyên viên\n;;\n2;Trần Thị Bình;Hiệu trưởng\n".encode()
    assert do_import(office, conference, gap, "ds.csv").created == 2


def test_empty_cell_names_row_and_column(office, conference):
    message = refused(office, conference, xlsx([ROWS[0], [2, "Trần Thị Bình", None, "x"]]))
    assert "dòng 3, cột “Chức vụ”: ô này không được để trống" in message


def test_a_signature_block_under_the_table_is_said_to_be_deleted_if_it_is_not_a_person(office, conference):
    """Under a list made as an official document: the place and date, who drew it up and who
    signs, their names. Its two columns filled under the name and the post, it was read as voters
    ("NGƯỜI LẬP BIỂU", post "THỦ TRƯỞNG ĐƠN VỊ"): the convened were two more, and the quorum and
    the base with them. Such a line refuses the file with its row; a row with no number that lacks
    a name or a post may be a line under the table too: the message says what to do."""
    for block, said in (
        ([[None, "NGƯỜI LẬP BIỂU", None, "THỦ TRƯỞNG ĐƠN VỊ"]], "NGƯỜI LẬP BIỂU"),
        ([[None, "NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ"], [None, "Lê Văn Cường", "Phạm Văn Dũng"]], "NGƯỜI LẬP BIỂU"),
        ([[None, "(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)"]], "(Ký, ghi rõ họ tên)"),
        ([[None, None, "Móng Cái, ngày 20 tháng 9 năm 2023"]], "Móng Cái, ngày 20 tháng 9 năm 2023"),
        ([[None, "Tổng số: 2 người", "x"]], "Tổng số: 2 người"),
    ):
        message = refused(office, conference, xlsx([*ROWS, [], *block]))
        assert message.endswith(
            f"— dòng 5: “{said}” không phải là một người mà là dòng ghi dưới bảng (địa danh và ngày tháng, phần "
            "ký tên, dòng tổng cộng): hãy xoá dòng này và các dòng bên dưới không phải là người, rồi nhập lại tệp."
        ), message
    message = refused(office, conference, xlsx([*ROWS, [], [None, "Lê Văn Cường", None, "Phạm Văn Dũng"]]))
    assert (
        "dòng 5, cột “Chức vụ”: ô này không được để trống. Nếu dòng này không phải là một người (chữ ký, "
        "ngày tháng hay ghi chú dưới bảng), hãy xoá dòng này khỏi tệp rồi nhập lại." in message
    )
    # the signers' names alone, under a blank row after numbered persons, are not taken for two more
    message = refused(
        office, conference, xlsx([*ROWS, [], [], [None, "Lê Văn Cường", "Trưởng phòng", "Phạm Văn Dũng"]])
    )
    assert message.endswith(
        "— dòng 6, cột “STT”: “Lê Văn Cường” không có số thứ tự và nằm dưới một dòng trống, sau những người đều "
        "có số thứ tự: nếu đây là người trong danh sách, hãy ghi số thứ tự; nếu là tên người ký dưới bảng, hãy "
        "xoá các dòng dưới bảng. Sau đó nhập lại tệp."
    ), message
    # a person without a number among numbered ones, or a list with no numbers, is a person
    unnumbered = [[None, "Lê Văn Cường", "Chuyên viên", "UBND"], [3, "Phạm Văn Dũng", "Chuyên viên", "UBND"]]
    assert do_import(office, conference, xlsx([*ROWS, *unnumbered])).created == 4
    gaps = [[None, *row[1:]] for row in ROWS]
    assert do_import(office, conference, xlsx([gaps[0], [], gaps[1]]), replace=True).created == 2
    # a post that names a leader in general words is a post: only a name is never a signer's title
    rows = [[1, "Nguyễn Văn An", "Thủ trưởng đơn vị", "Phòng Nội vụ"], [2, "Trần Thị Bình", "Lãnh đạo cơ quan", "UBND"]]
    assert do_import(office, conference, xlsx(rows)).created == 2
    # a numbered row is a person whose cell was left empty: no such hint
    message = refused(office, conference, xlsx([ROWS[0], [2, "Trần Thị Bình", None, "x"]]))
    assert message.endswith("dòng 3, cột “Chức vụ”: ô này không được để trống.")


def test_the_name_and_the_post_in_one_column_are_read_as_the_two(office, conference):
    """Lists for an invitation or a signature write "Họ và tên, chức vụ" in one column: the name on
    the cell's first line and the post under it, or after " - " or ", ". A cell where they cannot
    be told apart refuses the file with its row; a header with that column and a name or post
    column too is refused."""
    header = ["STT", "Họ và tên, chức vụ", "Đơn vị"]
    rows = [
        [1, "Nguyễn Văn An\nTrưởng phòng Nội vụ", "Phòng Nội vụ"],
        [2, "Đ/c Trần Thị Bình - Hiệu trưởng Trường THCS Ka Long", None],
        [3, "Lê Văn Cường, Phó Chủ tịch UBND, Trưởng ban", None],
        [4, "Phạm Thị Dung – Trưởng phòng Tài chính - Kế hoạch", None],
        [5, "Hoàng Văn Giang (Chánh Văn phòng HĐND và UBND)", None],
    ]
    report = do_import(office, conference, xlsx(rows, header=header))
    assert report.created == 5
    assert list(conference.voters.order_by("order").values_list("full_name", "post", "unit")) == [
        ("Nguyễn Văn An", "Trưởng phòng Nội vụ", "Phòng Nội vụ"),
        ("Trần Thị Bình", "Hiệu trưởng Trường THCS Ka Long", ""),
        ("Lê Văn Cường", "Phó Chủ tịch UBND, Trưởng ban", ""),
        ("Phạm Thị Dung", "Trưởng phòng Tài chính - Kế hoạch", ""),
        ("Hoàng Văn Giang", "Chánh Văn phòng HĐND và UBND", ""),
    ]
    message = refused(office, conference, xlsx([[1, "Nguyễn Văn Em Trưởng phòng", None]], header=header), replace=True)
    assert message.endswith(
        "— dòng 2, cột “Họ và tên, chức vụ”: không tách được họ tên với chức vụ trong “Nguyễn Văn Em Trưởng phòng”: "
        "hãy ghi chức vụ ở dòng dưới trong cùng ô (Alt+Enter), hoặc sau dấu “ - ”, hoặc để họ tên và chức vụ ở hai "
        "cột “Họ và tên” và “Chức vụ”."
    ), message
    message = refused(
        office,
        conference,
        xlsx([[1, "Nguyễn Văn Em - Chuyên viên", "Chuyên viên"]], header=["STT", "Họ và tên, chức vụ", "Chức vụ"]),
        replace=True,
    )
    assert (
        "cột “Họ và tên, chức vụ” đã gồm họ tên và chức vụ: dòng tên cột không được có thêm cột họ tên hay cột chức vụ."
        in message
    )


def test_empty_sheet(office, conference):
    assert "trang tính trống" in refused(office, conference, xlsx([], header=None))


def test_header_only(office, conference):
    message = refused(office, conference, xlsx([]))
    assert "dòng 2: tệp có dòng tiêu đề nhưng không có người nào ở dưới" in message
    # nothing under it but the heading of a group and a total
    rows = [["I. THƯỜNG TRỰC"], ["Tổng cộng: 0 người"]]
    message = refused(office, conference, xlsx(rows, title_rows=[["DANH SÁCH"]]))
    assert "dòng 3: tệp có dòng tiêu đề nhưng không có người nào ở dưới" in message


def test_formula_is_refused(office, conference):
    message = refused(office, conference, xlsx([[1, '=CONCAT("A","B")', "Trưởng phòng"]]))
    assert "dòng 2, cột “B”" in message and "công thức" in message
    # in a CSV file, the column named by its letter as in the file's other messages
    message = refused(office, conference, 'STT;Họ và tên;Chức vụ\n1;=CONCAT("A";"B");Trưởng phòng\n'.encode(), "ds.csv")
    assert "dòng 2, cột “B”: ô chứa công thức" in message


def test_file_too_large(office, conference, settings):
    settings.TINNHIEM_MAX_ROSTER_BYTES = 1024 * 1024
    data = b"PK\x03\x04" + b"0" * (20 * 1024 * 1024)
    assert "giới hạn là 1,0 MB" in refused(office, conference, data)  # a decimal comma
    # the limit itself is allowed, one byte more is not
    data = xlsx(ROWS)
    settings.TINNHIEM_MAX_ROSTER_BYTES = len(data)
    assert do_import(office, conference, data).created == 2
    settings.TINNHIEM_MAX_ROSTER_BYTES = len(data) - 1
    assert "giới hạn là" in refused(office, conference, data, replace=True)


def test_borders_drawn_far_below_a_short_list_are_not_rows_but_a_person_past_the_limit_is(office, conference):
    """An office draws the table's borders down to row 25,002 for a list of two: formatting, not
    rows of the list. A person written past row 20,000 is refused, saying so."""
    from openpyxl.styles import Border, Side

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in ROWS:
        ws.append(row)
    edge = Border(bottom=Side(style="thin"))
    for number in range(4, 25_003):
        ws.cell(row=number, column=2).border = edge
    out = io.BytesIO()
    wb.save(out)
    assert do_import(office, conference, out.getvalue()).created == 2
    ws.cell(row=20_001, column=2, value="Lê Văn Cường")
    ws.cell(row=20_001, column=3, value="Chuyên viên")
    out = io.BytesIO()
    wb.save(out)
    assert "trang tính có hơn 20.000 dòng." in refused(office, conference, out.getvalue(), replace=True)


def test_a_cell_formatted_in_the_last_column_changes_nothing_read(office, conference):
    """A border drawn across the header row leaves a cell formatted in column XFD: every row is
    then 16,384 cells wide, all empty but the list's."""
    from openpyxl.styles import Border, Side

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([1, "Nguyễn Văn An", "Trưởng phòng Nội vụ", None])
    ws.append(ROWS[1])
    ws.cell(row=1, column=16384).border = Border(bottom=Side(style="thin"))
    out = io.BytesIO()
    wb.save(out)
    assert do_import(office, conference, out.getvalue()).created == 2
    assert roster_of(conference) == [
        (1, "Nguyễn Văn An", "Trưởng phòng Nội vụ", ""),
        (2, "Trần Thị Bình", "Hiệu trưởng", "Trường THCS Ka Long"),
    ]


@pytest.mark.parametrize("numbers", [[1, 2, 3, 4], ["(1)", "(2)", "(3)", "(4)"], ["A", "B", "C", "D"], ["1", "2", "3"]])
def test_a_row_numbering_the_columns_is_not_a_person(office, conference, numbers):
    """Official tables number their columns under the header: read as a person, "1 2 3 4" was a
    voter named "2", post "3", one more convened (and the quorum's base one more); "(1)…" or
    "A B C…" was refused as a number that is not a whole number. Under the header repeated (a
    list pasted page by page) as well."""
    data = xlsx([numbers, ROWS[0], HEADER, numbers, ROWS[1]])
    assert do_import(office, conference, data).created == 2
    assert roster_of(conference) == [
        (1, "Nguyễn Văn An", "Trưởng phòng Nội vụ", "Phòng Nội vụ"),
        (2, "Trần Thị Bình", "Hiệu trưởng", "Trường THCS Ka Long"),
    ]


def test_numbers_as_lists_type_them(office, conference):
    """ "12." and "12)" as typed in a Word list, 12.0 as a program wrote a spreadsheet's number, 012:
    the number 12 ("1." was refused as not a whole number)."""
    rows = [["1.", "Nguyễn Văn An", "Trưởng phòng"], ["2)", "Trần Thị Bình", "Hiệu trưởng"]]
    rows += [["3.0", "Lê Văn Cường", "Chánh Văn phòng"], [" 012 ", "Phạm Thị Dung", "Kế toán"]]
    do_import(office, conference, xlsx(rows, header=HEADER[:3]))
    assert [order for order, *_ in roster_of(conference)] == [1, 2, 3, 12]


@pytest.mark.parametrize("number", ["1a", "-1", "1,5", "1.5", "1..", "(1)", "1234567890", "١"])
def test_a_number_that_is_not_one_is_refused_with_its_row_and_column(office, conference, number):
    message = refused(office, conference, xlsx([ROWS[0], [number, "Trần Thị Bình", "Hiệu trưởng"]]))
    assert message.endswith("dòng 3, cột “STT”: số thứ tự phải là số nguyên.")


@pytest.mark.parametrize("number", ["1", "1.", "2)", "3.0"])
def test_a_row_with_only_a_number_is_not_a_heading(office, conference, number):
    """A number alone in its column may be a person whose name and post were left out: refused,
    where a text alone there ("I", "Khối Đảng") heads a group."""
    message = refused(office, conference, xlsx([ROWS[0], [number]]))
    assert "dòng 3: dòng này không có họ tên và chức vụ." in message


def test_a_name_with_no_letter_is_refused(office, conference):
    """Numbers that are not those of the columns in order (a column left out of the numbering) are
    not passed over, nor read as a person "2": a name has letters."""
    message = refused(office, conference, xlsx([[1, 2, 4, 5], ROWS[0]]))
    assert "dòng 2, cột “Họ và tên”: họ tên không có chữ cái nào." in message


def test_wrong_file_types(office, conference):
    assert "chỉ nhập được tệp Excel (.xlsx), CSV và Word (.docx)" in refused(
        office, conference, b"%PDF-1.4", name="ds.pdf"
    )
    assert ".xls" in refused(office, conference, b"\xd0\xcf\x11\xe0", name="ds.xls")
    assert "bị hỏng" in refused(office, conference, b"not a zip at all", name="ds.xlsx")
    assert "bị hỏng" in refused(office, conference, b"PK\x03\x04garbage", name="ds.xlsx")
    assert "tệp trống" in refused(office, conference, b"", name="ds.csv")


def damaged(member: str, change, sound: bytes | None = None) -> bytes:
    """A sound .xlsx (a sound ZIP: ``sound``, or a list of ``ROWS``) with one part of it damaged or
    left out (``change`` → None)."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(sound or xlsx(ROWS)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name) if name != member else change(source.read(name))
            if content is not None:
                target.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    "member, change",
    [
        ("xl/worksheets/sheet1.xml", lambda c: c[: len(c) // 2]),  # cut short (a copy interrupted)
        ("xl/worksheets/sheet1.xml", lambda c: c.replace(b'r="A1"', b'r="ZZZZZZ1"')),  # a cell out of range
        ("xl/worksheets/sheet1.xml", lambda c: None),  # the sheet itself is missing
        ("xl/workbook.xml", lambda c: c[: len(c) // 2]),
        ("xl/styles.xml", lambda c: b"\x00\x01 not xml"),
        ("xl/_rels/workbook.xml.rels", lambda c: None),
    ],
)
def test_an_excel_file_damaged_inside_is_refused_not_a_crash(office, conference, member, change):
    """The ZIP opens, but a part inside is damaged: openpyxl reads the sheet only as it is used,
    so the error came from the reading of the rows (a Python error, a page "500") before."""
    data = damaged(member, change)
    assert "tệp Excel bị hỏng hoặc không phải tệp .xlsx" in refused(office, conference, data)


def test_csv_utf8_with_bom_and_semicolons(office, conference):
    text = "\ufeffSTT;Họ và tên;Chức vụ\n1;Nguyễn Văn An;Trưởng phòng\n\n2;Lê Văn Cường;Phó Trưởng phòng\n"
    assert do_import(office, conference, text.encode("utf-8"), name="ds.csv").created == 2


def windows_1258(text: str) -> bytes:
    """``text`` as Windows writes it in its Vietnamese code page (Excel's "CSV (Comma delimited)"
    on a Windows set to Vietnamese): a letter with its tone is the letter, then the tone's mark."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for c in text:
        parts = unicodedata.normalize("NFD", c)
        tone = "".join(m for m in parts if m in tones)
        out.append(unicodedata.normalize("NFC", "".join(m for m in parts if m not in tones)) + tone)
    return "".join(out).encode("cp1258")


def test_csv_as_excel_writes_it_on_a_vietnamese_windows_or_as_unicode_text(office, conference):
    """Excel saves "CSV (Comma delimited)" in the code page of the machine: on a Windows set to
    Vietnamese, Windows-1258, with a tone as a mark after its letter; and "Unicode Text" as UTF-16
    with tabs. Both are read as the names were typed, composed as one letter each."""
    names = ["Nguyễn Văn An", "Lê Thị Hồng Nhung", "Đặng Quốc Việt", "Phạm Ngọc Ánh"]
    text = "STT,Họ và tên,Chức vụ\r\n" + "".join(f"{i},{n},Phó Trưởng phòng\r\n" for i, n in enumerate(names, 1))
    data = windows_1258(text)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert b"\xf2" in data  # the dot below of "ệ", "ạ", "ọ", "ặ", after its letter
    assert do_import(office, conference, data, name="ds.csv").created == 4
    assert list(conference.voters.order_by("order").values_list("full_name", flat=True)) == names
    assert set(conference.voters.values_list("post", flat=True)) == {"Phó Trưởng phòng"}
    conference.voters.all().delete()
    unicode_text = text.replace(",", "\t").encode("utf-16")
    assert do_import(office, conference, unicode_text, name="ds.csv").created == 4
    assert list(conference.voters.order_by("order").values_list("full_name", flat=True)) == names


def test_csv_not_utf8(office, conference):
    """A text of another code page is refused, nothing read: Western European (its Vietnamese
    letters were lost on saving, or it is no Vietnamese at all), an old TCVN3 font's bytes, or
    UTF-16 without its mark."""
    texts = [
        "STT,Họ và tên,Chức vụ\n1,Müller Jürgen,Trưởng phòng\n".encode("cp1252", errors="replace"),
        "STT,Hä vµ tªn,Chøc vô\n1,NguyÔn V¨n An,Tr­ëng phßng\n".encode("cp1252"),  # TCVN3 (.VnTime)
        "STT,Họ và tên,Chức vụ\n1,Nguyễn Văn An,Trưởng phòng\n".encode("utf-16-le"),
    ]
    for data in texts:
        assert "CSV UTF-8" in refused(office, conference, data, name="ds.csv"), data


def test_bad_email_and_phone(office, conference):
    header = ["Họ và tên", "Chức vụ", "Email", "Điện thoại"]
    assert "email không hợp lệ" in refused(
        office, conference, xlsx([["A", "B", "khong-phai-email", ""]], header=header)
    )
    assert "số điện thoại" in refused(office, conference, xlsx([["A", "B", "", "09x"]], header=header))
    # digits of another script, or a superscript, which str.isdigit() takes: as the form refuses them
    for phone in ("٠٩١٢٣٤٥٦٧٨", "0912 345 67²"):
        assert "số điện thoại" in refused(office, conference, xlsx([["A", "B", "", phone]], header=header)), phone
    assert not conference.voters.exists()


def test_a_phone_number_kept_as_a_number_gets_its_leading_zero_back(office, conference):
    """Excel drops the 0 of a phone number typed into a number cell; the roll gets it back for a
    Vietnamese mobile or landline number, and keeps every other number as written."""
    header = ["Họ và tên", "Chức vụ", "Điện thoại"]
    rows = [
        ["Nguyễn Văn An", "Trưởng phòng", 912345678],  # a number cell: 0912 345 678
        ["Trần Thị Bình", "Phó Trưởng phòng", 2033123456],  # a landline of Quảng Ninh: 0203 3123 456
        ["Lê Văn Cường", "Chuyên viên", "0987654321"],  # typed as text: unchanged
        ["Phạm Thị Dung", "Chuyên viên", 84912345678],  # with the country code: unchanged
        ["Hoàng Văn Em", "Chuyên viên", 112],  # short: unchanged
        ["Vũ Thị Gấm", "Chuyên viên", 612345678],  # no Vietnamese number starts 06: unchanged
    ]
    do_import(office, conference, xlsx(rows, header=header))
    assert list(conference.voters.order_by("order").values_list("phone", flat=True)) == [
        "0912345678",
        "02033123456",
        "0987654321",
        "84912345678",
        "112",
        "612345678",
    ]
    # a CSV saved from such a sheet has lost the 0 too
    other = conference.campaign.conferences.create(title="Hội nghị khác", date=conference.date)
    do_import(office, other, "Họ và tên,Chức vụ,Điện thoại\nNguyễn Văn An,Trưởng phòng,912345678\n".encode(), "ds.csv")
    assert other.voters.get().phone == "0912345678"


def test_replace_the_whole_roll(office, conference, voter):
    report = do_import(office, conference, xlsx(ROWS), replace=True)
    assert (report.created, report.replaced) == (2, 1)
    assert not Voter.objects.filter(pk=voter.pk).exists()


def test_rated_person_in_roll_is_flagged_not_silent(office, conference, person):
    report = do_import(office, conference, xlsx([[1, person.full_name, person.post], *ROWS[1:]]))
    assert report.rated_matches == [f"{person.full_name} — {person.full_name}"]
    assert len(roster.unresolved_rated_matches(conference)) == 1


def test_template_round_trips():
    template = write_roster_xlsx([], title="t")
    with pytest.raises(Exception, match="không có người nào ở dưới"):
        read_roster("mau.xlsx", template, 10**6)
    person = {"order": 1, "full_name": "A", "post": "- Phó Chủ tịch", "phone": "+84 912 345 678", "note": "=1+1"}
    filled = write_roster_xlsx([person], title="t")
    sheet = load_workbook(io.BytesIO(filled)).active
    # formula injection neutralised in the file: the cells are text, not a formula
    assert [sheet.cell(2, c).value for c in (3, 5, 7)] == ["'- Phó Chủ tịch", "'+84 912 345 678", "'=1+1"]
    assert sheet.cell(2, 7).data_type == "s"
    # and the list exported, edited and imported again is the same list: the guard is taken off
    (row,) = read_roster("ds.xlsx", filled, 10**6)
    assert (row.full_name, row.post, row.phone, row.note) == ("A", "- Phó Chủ tịch", "+84 912 345 678", "=1+1")


def test_a_cell_that_only_begins_with_an_apostrophe_keeps_it():
    data = xlsx([[1, "Nguyễn Văn A", "'Chuyên viên", "UBND", "'ghi chú"]], header=[*HEADER, "Ghi chú"])
    (row,) = read_roster("ds.xlsx", data, 10**6)
    assert (row.post, row.note) == ("'Chuyên viên", "'ghi chú")


def _workbook(sheets):
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_list_is_found_on_another_sheet_and_a_problem_there_names_it(office, conference):
    """A workbook whose first sheet is a cover or instructions: the list is read from the sheet
    that has its header, and a message about it names that sheet, since its rows are counted there."""
    cover = ("Hướng dẫn", [["Danh sách người được triệu tập dự hội nghị"], ["Điền ở trang tính bên cạnh."]])
    data = _workbook([cover, ("Danh sách", [HEADER, *ROWS])])
    report = do_import(office, conference, data)
    assert report.created == 2
    assert list(conference.voters.values_list("full_name", flat=True)) == ["Nguyễn Văn An", "Trần Thị Bình"]
    bad = _workbook([cover, ("Danh sách", [HEADER, ROWS[0], [3, "Lê Văn Cường", "", "UBND"]])])
    message = refused(office, conference, bad, replace=True)
    assert "trang tính “Danh sách”, dòng 3, cột “Chức vụ”: ô này không được để trống." in message
    # with no header on any sheet, the first sheet is the one the message speaks of, as before
    message = refused(office, conference, _workbook([cover, ("Khác", [["x"]])]), replace=True)
    assert "trang tính" not in message and "dòng 1, cột “Danh sách người được triệu tập dự hội nghị”" in message


def test_cells_merged_down_over_several_persons_belong_to_each(office, conference):
    """As offices lay lists out: the header's cells merged over two rows, and the unit (or the
    post) written once for the persons under it. Each person gets what the sheet shows beside
    them; a title merged across the columns is not copied into each."""
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH NGƯỜI ĐƯỢC TRIỆU TẬP"])
    ws.merge_cells("A1:D1")
    ws.append(HEADER)
    ws.append([None, None, None, None])
    for column in "ABCD":
        ws.merge_cells(f"{column}2:{column}3")
    ws.append([1, "Nguyễn Văn An", "Chuyên viên", "Phòng Nội vụ"])
    ws.append([2, "Trần Thị Bình", None, None])
    ws.append([3, "Lê Văn Cường", "Trưởng phòng", None])
    ws.append([4, "Phạm Thị Dung", "Chuyên viên", None])  # under the merged cell, not in it
    ws.merge_cells("C4:C5")
    ws.merge_cells("D4:D6")
    out = io.BytesIO()
    wb.save(out)
    report = do_import(office, conference, out.getvalue())
    assert report.created == 4
    assert [(v.full_name, v.post, v.unit) for v in conference.voters.order_by("order")] == [
        ("Nguyễn Văn An", "Chuyên viên", "Phòng Nội vụ"),
        ("Trần Thị Bình", "Chuyên viên", "Phòng Nội vụ"),
        ("Lê Văn Cường", "Trưởng phòng", "Phòng Nội vụ"),
        ("Phạm Thị Dung", "Chuyên viên", ""),
    ]


def test_a_header_merged_over_two_columns_with_data_in_both_is_refused_not_half_read(office, conference):
    """ "Chức vụ" over the post and the unit: the second column's data has no header of its own,
    and would be lost if read as the post alone."""
    header = ["STT", "Họ và tên", "Chức vụ", None]
    data = xlsx([[1, "Nguyễn Văn An", "Trưởng phòng", "Phòng Nội vụ"]], header=header, merged=["C1:D1"])
    message = refused(office, conference, data)
    assert "dòng 1, cột “D”: cột này có dữ liệu (dòng 2: “Phòng Nội vụ”)" in message


def test_a_row_with_only_a_cell_merged_down_into_it_is_not_a_heading(office, conference):
    """The unit merged down over a row left empty in its group: that row has neither a name nor a
    post, and is refused as such, not passed over as a group's heading (nor is any later row whose
    only text sits in that column)."""
    an, binh = [1, "Nguyễn Văn An", "Chuyên viên", "Phòng Nội vụ"], [2, "Trần Thị Bình", "Hiệu trưởng", "Trường"]
    message = refused(office, conference, xlsx([an, [None, None, None, None], binh], merged=["D2:D3"]))
    assert "dòng 3: dòng này không có họ tên và chức vụ." in message
    message = refused(office, conference, xlsx([an, binh, [None, None, None, "Phòng Văn hóa"]], merged=["D2:D3"]))
    assert "dòng 4: dòng này không có họ tên và chức vụ." in message


def test_a_list_with_hidden_rows_is_refused_not_imported_either_way(office, conference):
    """A person hidden in Excel (by hand or by a filter) may have been meant to be left out, or
    only tidied from view; the number convened decides the quorum, so the office decides."""
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(ROWS[0])
    ws.append([3, "Lê Văn Cường", "Đã nghỉ hưu", "UBND"])
    ws.append(ROWS[1])
    ws.append([])
    ws.row_dimensions[3].hidden = True
    ws.row_dimensions[5].hidden = True  # hidden but empty: no one is hidden there
    out = io.BytesIO()
    wb.save(out)
    message = refused(office, conference, out.getvalue())
    assert "trang tính có dòng bị ẩn (3)." in message and "Unhide" in message
    ws.row_dimensions[3].hidden = False
    out = io.BytesIO()
    wb.save(out)
    assert do_import(office, conference, out.getvalue()).created == 3


def test_a_name_kept_in_two_columns_under_one_header_is_read_whole(office, conference):
    """Lists that keep the family and middle names in one column and the given name in the next,
    under "Họ và tên" merged across both: the name on the ballot is the whole name."""
    wb = Workbook()
    ws = wb.active
    ws.append(["STT", "Họ và tên", None, "Chức vụ"])
    ws.merge_cells("B1:C1")
    ws.append([1, "Nguyễn Văn", "An", "Chuyên viên"])
    ws.append([2, "Trần Thị", "Bình", "Hiệu trưởng"])
    out = io.BytesIO()
    wb.save(out)
    do_import(office, conference, out.getvalue())
    assert list(conference.voters.values_list("full_name", flat=True)) == ["Nguyễn Văn An", "Trần Thị Bình"]


def test_data_under_an_empty_header_cell_is_refused_not_left_out(office, conference):
    """Without the merge, the given names would have been dropped: "Nguyễn Văn" on the ballot."""
    data = xlsx([[1, "Nguyễn Văn", "An", "Chuyên viên"]], header=["STT", "Họ và tên", None, "Chức vụ"])
    message = refused(office, conference, data)
    assert "dòng 1, cột “C”: cột này có dữ liệu (dòng 2: “An”) nhưng không có tên ở dòng tên cột." in message
    # an empty column with no header, or one past the table, is no problem
    assert do_import(office, conference, xlsx(ROWS, header=[*HEADER, None])).created == 2


def test_a_name_in_two_columns_with_their_own_headers_is_read_whole(office, conference):
    """As staff-management software exports a list: "Họ và tên đệm" and "Tên" side by side."""
    data = xlsx(
        [[1, "Nguyễn Văn", "An", "Chuyên viên"], [2, "Trần Thị", "Bình", "Hiệu trưởng"]],
        header=["STT", "Họ và tên đệm", "Tên", "Chức vụ"],
        title_rows=[["DANH SÁCH CÁN BỘ"]],
    )
    assert do_import(office, conference, data).created == 2
    assert list(conference.voters.values_list("full_name", flat=True)) == ["Nguyễn Văn An", "Trần Thị Bình"]
    # half of it, or both ways at once, is refused: which name is meant cannot be told
    for header in (["STT", "Tên", "Chức vụ"], ["STT", "Họ và tên", "Tên", "Chức vụ"]):
        data = xlsx([[1, "An", "x", "Chuyên viên"][: len(header)]], header=header)
        message = refused(office, conference, data, replace=True)
        assert "họ tên phải ở một cột “Họ và tên”, hoặc ở hai cột: “Họ và tên đệm” và “Tên”" in message


def grouped_list() -> bytes:
    """A list as offices make it: a heading over each group, merged across the table, the numbers
    starting again under each, and a total under the table."""
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["I. THƯỜNG TRỰC THÀNH ỦY"])
    ws.merge_cells("A2:D2")
    ws.append([1, "Nguyễn Văn An", "Bí thư Thành ủy", "Thành ủy"])
    ws.append([2, "Trần Thị Bình", "Phó Bí thư Thường trực", "Thành ủy"])
    ws.append(["II", None, None, None])  # a heading in the column of the numbers, not merged
    ws.append(["", "ỦY BAN NHÂN DÂN THÀNH PHỐ"])
    ws.merge_cells("B6:D6")
    ws.append([1, "Lê Văn Cường", "Chủ tịch UBND", "UBND thành phố"])
    ws.append(["Tổng cộng: 3 người"])
    ws.merge_cells("A8:C8")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_headings_of_groups_and_a_total_are_passed_over_and_said(office, conference, client):
    """A row with one text spread over the table (or a non-number in the column of numbers), and
    no name or post, heads a group or totals the list: it is not a person, and the office is told
    which rows were passed over. Numbers that start again in each group do not order the roll
    (three voters numbered 1 otherwise): the rows' order does."""
    report = do_import(office, conference, grouped_list())
    assert report.created == 3
    assert report.headings == [
        (2, "I. THƯỜNG TRỰC THÀNH ỦY"),
        (5, "II"),
        (6, "ỦY BAN NHÂN DÂN THÀNH PHỐ"),
        (8, "Tổng cộng: 3 người"),
    ]
    assert list(conference.voters.order_by("order").values_list("order", "full_name")) == [
        (1, "Nguyễn Văn An"),
        (2, "Trần Thị Bình"),
        (3, "Lê Văn Cường"),
    ]
    assert Event.objects.filter(action="roster.imported").last().data["headings"] == [2, 5, 6, 8]

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(office)
    page = client.post(
        reverse("conferences:roster_import", args=[conference.pk]),
        {"file": SimpleUploadedFile("ds.xlsx", grouped_list()), "replace": "on"},
        follow=True,
    ).content.decode()
    assert (
        "4 dòng được hiểu là tên nhóm hoặc dòng tổng cộng, không phải người: dòng 2 “I. THƯỜNG TRỰC THÀNH ỦY”; "
        "dòng 5 “II”; dòng 6 “ỦY BAN NHÂN DÂN THÀNH PHỐ”; dòng 8 “Tổng cộng: 3 người”." in page
    )


def test_up_to_ten_headings_are_named_then_the_rest_are_counted(office, conference, client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(office)

    def told(groups: int) -> str:
        rows = []
        for group in range(1, groups + 1):
            rows += [[f"Tổ {group}"], [1, f"Người thứ {group}", "Chuyên viên", "Phòng Nội vụ"]]
        page = client.post(
            reverse("conferences:roster_import", args=[conference.pk]),
            {"file": SimpleUploadedFile("ds.xlsx", xlsx(rows)), "replace": "on"},
            follow=True,
        ).content.decode()
        return page.split(f"{groups} dòng được hiểu là tên nhóm hoặc dòng tổng cộng, không phải người: ")[1]

    ten = told(10)
    assert ten.startswith("dòng 2 “Tổ 1”; dòng 4 “Tổ 2”;") and "dòng 20 “Tổ 10”." in ten and "…" not in ten
    eleven = told(11)
    assert "dòng 20 “Tổ 10”…." in eleven and "Tổ 11" not in eleven


def test_a_row_with_a_name_and_no_post_is_not_a_heading(office, conference):
    """Only a name (not spread over the table): a person whose post was left out, refused as before;
    a lone number, or a signature block under the table: refused as neither a name nor a post."""
    message = refused(office, conference, xlsx([*ROWS, [3, "Phạm Văn Dũng", None, None]]))
    assert "dòng 4, cột “Chức vụ”: ô này không được để trống" in message
    message = refused(office, conference, xlsx([*ROWS, [None, "Khối Đảng", None, None]]))
    assert "dòng 4, cột “Chức vụ”" in message
    assert "dòng 4: dòng này không có họ tên và chức vụ" in refused(
        office, conference, xlsx([*ROWS, [3, None, None, None]])
    )
    # a signature block under the table: not a person, and the message says what to do with it
    signed = xlsx(
        [*ROWS, [None, None, None, "Móng Cái, ngày 20 tháng 9 năm 2023"], [None, "NGƯỜI LẬP BIỂU", None, "CHỦ TỊCH"]]
    )
    message = refused(office, conference, signed)
    assert message.endswith(
        "dòng 4: dòng này không có họ tên và chức vụ. Nếu đây không phải là một người (chữ ký, ngày tháng hay "
        "ghi chú dưới bảng), hãy xoá dòng này khỏi tệp rồi nhập lại."
    )


def test_particulars_the_vote_does_not_need_are_left_out_unread_and_said(office, conference, client):
    """A staff-management export or a meeting's sign-in sheet: birth years under "Năm sinh" spread
    over "Nam" and "Nữ", an ID number, a column to sign in. These columns are neither read nor kept
    (nothing of them reaches the database or the log), and the office is told which; the
    sub-header row under them is not a person."""
    wb = Workbook()
    ws = wb.active
    ws.append(["STT", "Họ và tên", "Năm sinh", None, "Số CCCD", "Chức vụ", "Đơn vị", "Ký tên"])
    ws.merge_cells("C1:D1")
    for column in "ABEFGH":
        ws.merge_cells(f"{column}1:{column}2")
    ws.append([None, None, "Nam", "Nữ", None, None, None, None])
    ws.append([1, "Nguyễn Văn An", 1975, None, "022075001234", "Trưởng phòng", "Phòng Nội vụ", None])
    ws.append([2, "Trần Thị Bình", None, 1980, "022180004321", "Hiệu trưởng", "Trường THCS Ka Long", "đã ký"])
    out = io.BytesIO()
    wb.save(out)
    report = do_import(office, conference, out.getvalue())
    assert report.created == 2 and report.unused == ["Năm sinh", "Số CCCD", "Ký tên"]
    assert roster_of(conference) == [
        (1, "Nguyễn Văn An", "Trưởng phòng", "Phòng Nội vụ"),
        (2, "Trần Thị Bình", "Hiệu trưởng", "Trường THCS Ka Long"),
    ]
    stored = " ".join(str(v) for row in Voter.objects.values_list() for v in row)
    logged = " ".join(str(e.data) for e in Event.objects.all())
    for particular in ("022075001234", "022180004321", "1975", "1980", "đã ký"):
        assert particular not in stored and particular not in logged
    event = Event.objects.filter(action="roster.imported").last()
    assert event.data["unused_columns"] == ["Năm sinh", "Số CCCD", "Ký tên"]

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(office)
    page = client.post(
        reverse("conferences:roster_import", args=[conference.pk]),
        {"file": SimpleUploadedFile("ds.xlsx", out.getvalue()), "replace": "on"},
        follow=True,
    ).content.decode()
    assert (
        "Các cột không cần cho việc lấy phiếu đã được bỏ qua, không đọc và không lưu: Năm sinh, Số CCCD, Ký tên."
        in page
    )


@pytest.mark.parametrize(
    "particular",
    [
        *("Trình độ LLCT", "Trình độ QLNN", "Học vấn", "Trình độ văn hoá", "Ngoại ngữ", "Tin học", "Học hàm"),
        *("Tuổi", "Mã cán bộ", "Số hiệu"),
    ],
)
def test_the_particulars_of_a_staff_management_export_are_left_out(office, conference, particular):
    """As such programs name their columns: abbreviated ("LLCT", lý luận chính trị; "QLNN", quản lý
    nhà nước), the cadre's code or number."""
    rows = [[1, "Nguyễn Văn An", "Trưởng phòng", "Cao cấp"], [2, "Trần Thị Bình", "Hiệu trưởng", "Trung cấp"]]
    report = do_import(office, conference, xlsx(rows, header=["STT", "Họ và tên", "Chức vụ", particular]))
    assert (report.created, report.unused) == (2, [particular])
    assert "Cao cấp" not in " ".join(str(v) for row in Voter.objects.values_list() for v in row)


def test_particulars_with_no_sub_header_row_or_a_note_under_a_single_one(office, conference):
    """The first person under a header with a column left out is a person, not a sub-header row;
    a note under the one column left out ("(ngày/tháng/năm)" under "Ngày sinh") is one."""
    header = ["STT", "Họ và tên", "Ngày sinh", "Chức vụ"]
    rows = [[1, "Nguyễn Văn An", "01/02/1975", "Trưởng phòng"], [2, "Trần Thị Bình", "03/04/1980", "Hiệu trưởng"]]
    assert do_import(office, conference, xlsx(rows, header=header)).created == 2
    assert [name for _o, name, _p, _u in roster_of(conference)] == ["Nguyễn Văn An", "Trần Thị Bình"]
    data = xlsx([[None, None, "(ngày/tháng/năm)", None], *rows], header=header)
    assert do_import(office, conference, data, replace=True).created == 2
    # a row whose only text is under a column left out is no person: refused, not crashed on
    message = refused(office, conference, xlsx([*rows, [None, None, "05/06/1990", None]], header=header), replace=True)
    assert "dòng 4: dòng này không có họ tên và chức vụ." in message


def roster_of(conference):
    return list(conference.voters.order_by("order").values_list("order", "full_name", "post", "unit"))


def test_a_list_on_two_sheets_is_refused_naming_them_not_half_imported(office, conference):
    """One sheet a group ("Khối Đảng", "Khối chính quyền"): the first alone was imported and the
    other left out, with nothing said. Which sheets are meant cannot be told: refused, naming them."""
    wb = Workbook()
    first = wb.active
    first.title = "Khối Đảng"
    for values in [HEADER, *ROWS]:
        first.append(values)
    second = wb.create_sheet("Khối chính quyền")
    for values in [HEADER, [1, "Lê Văn Cường", "Chủ tịch UBND", "UBND thành phố"]]:
        second.append(values)
    wb.create_sheet("Ghi chú").append(["Danh sách kèm theo Giấy mời số 412"])
    out = io.BytesIO()
    wb.save(out)
    message = refused(office, conference, out.getvalue())
    assert "danh sách ở nhiều trang tính (“Khối Đảng”, “Khối chính quyền”)" in message


def _compound_file(*streams: str) -> bytes:
    """The head of an OLE compound file (what Excel and Word write for a file with a password to
    open it, and the old .xls and .doc formats) with directory entries of these stream names."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    entries = b"".join(name.encode("utf-16-le").ljust(64, b"\x00") + bytes(64) for name in streams)
    return header + entries + bytes(1024)


@pytest.mark.parametrize(
    ("name", "streams", "said"),
    [
        ("ds.xlsx", ("EncryptionInfo", "EncryptedPackage"), "tệp Excel có mật khẩu để mở"),
        ("ds.docx", ("EncryptionInfo", "EncryptedPackage"), "tệp Word có mật khẩu để mở"),
        ("ds.xlsx", ("Workbook", "SummaryInformation"), "tệp Excel cũ (.xls) mang tên .xlsx"),
        ("ds.docx", ("WordDocument", "1Table"), "tệp Word cũ (.doc) mang tên .docx"),
    ],
)
def test_a_file_with_a_password_or_an_old_format_under_a_new_name_is_refused_saying_which(
    office, conference, name, streams, said
):
    """An office protects a list with a password to open it, or renames an old .xls to .xlsx: the
    file is then no ZIP package, and "damaged" would send the office looking for another copy."""
    assert said in refused(office, conference, _compound_file(*streams), name=name)
