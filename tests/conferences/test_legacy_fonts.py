"""Lists typed in the fonts of before Unicode (TCVN3 .VnTime, VNI): converted where the font says
how, refused with what to do where it does not, never imported as "NguyÔn V¨n Thµnh"."""

from __future__ import annotations

import io
import subprocess
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.styles import Font

from tinnhiem import legacy_fonts
from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import RatedPerson, Voter
from tinnhiem.conferences.usecases import rated, roster

# "Họ và tên", "Chức vụ", "Đơn vị" and two persons, as an office typed them in .VnTime
TCVN3_HEADER = ["STT", "Hä vµ tªn", "Chøc vô", "§¬n vÞ"]
TCVN3_ROWS = [
    [1, "NguyÔn V¨n Thµnh", "Tr\u00adëng phßng Néi vô", "Phßng Néi vô"],
    [2, "Lª ThÞ Hång Nhung", "Phã Chñ tÞch UBND", "UBND thµnh phè"],
]


def sheet(rows, fonts=None, header=TCVN3_HEADER):
    """An .xlsx file; ``fonts``: {(row, column): font name}, 1-based as in the sheet, the rest in
    .VnTime."""
    wb = Workbook()
    ws = wb.active
    for row in [header, *rows]:
        ws.append(row)
    for row in ws.iter_rows():
        for cell in row:
            cell.font = Font(name=(fonts or {}).get((cell.row, cell.column), ".VnTime"))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _vietnamese_letters() -> set[str]:
    marks = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
    vowels = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]
    letters = {unicodedata.normalize("NFC", v + m) for v in vowels for m in marks} | {"đ"}
    return letters | {c.upper() for c in letters}


def test_the_tcvn3_table_is_tcvn_5712_as_the_system_s_iconv_reads_it():
    """Checked against another implementation of the standard: glibc's TCVN5712-1."""
    for legacy, letter in legacy_fonts.TCVN3.items():
        byte = legacy.encode("cp1252") if legacy != "\u00ad" else b"\xad"
        read = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=byte, capture_output=True, check=True)
        assert read.stdout.decode() == letter, (legacy, letter, read.stdout.decode())
    assert set(legacy_fonts.TCVN3.values()) <= _vietnamese_letters()


def test_no_vietnamese_letter_is_taken_for_an_old_font_s_text():
    letters = _vietnamese_letters()
    assert not letters & legacy_fonts.SUSPECT
    for name in ("Nguyễn Văn Thành", "Đặng Quốc Khánh", "Võ Thị Ánh Tuyết", "Huỳnh Ngọc Ẩn", "Ủy viên «Ban»"):
        assert not legacy_fonts.looks_legacy(name)
    for legacy in ("NguyÔn V¨n Thµnh", "Lª ThÞ Hång", "Nguyeãn Vaên Thaønh"):  # TCVN3, TCVN3, VNI
        assert legacy_fonts.looks_legacy(legacy)


def test_a_roll_typed_in_vntime_is_imported_in_unicode_and_said_so(office, conference):
    data = sheet(TCVN3_ROWS, fonts={(3, 2): ".VnTimeH"})  # one name in the capitals' font
    report = roster.import_roster(office, conference, filename="ds.xlsx", data=data)
    got = [(v.full_name, v.post, v.unit) for v in conference.voters.order_by("order")]
    assert got == [
        ("Nguyễn Văn Thành", "Trưởng phòng Nội vụ", "Phòng Nội vụ"),
        ("LÊ THỊ HỒNG NHUNG", "Phó Chủ tịch UBND", "UBND thành phố"),
    ]
    assert all(unicodedata.is_normalized("NFC", v.full_name) for v in conference.voters.all())
    assert report.converted == 2
    assert Event.objects.get(action="roster.imported").data["converted"] == 2


def test_a_list_typed_in_unicode_is_not_converted_whatever_its_font(office, conference):
    """In Times New Roman; and in .VnTime, an old template typed in again with Unikey set to
    Unicode: a letter such as ễ or ư is not a TCVN3 byte, and says the cell is Unicode."""
    unicode_header = ["STT", "Họ và tên", "Chức vụ", "Đơn vị"]
    person = [1, "Nguyễn Văn An", "Trưởng phòng", "Phòng Nội vụ"]
    times = {(r, c): "Times New Roman" for r in (1, 2) for c in range(1, 5)}
    for fonts in (times, None):
        data = sheet([person], fonts=fonts, header=unicode_header)
        report = roster.import_roster(office, conference, filename="ds.xlsx", data=data, replace=True)
        assert report.converted == 0
        assert (conference.voters.get().full_name, conference.voters.get().post) == ("Nguyễn Văn An", "Trưởng phòng")
    # a cell holding both (Unicode letters and TCVN3 bytes): which is meant cannot be told
    mixed = sheet([[1, "Nguyễn V¨n An", "Trưởng phòng", "UBND"]], header=unicode_header)
    with pytest.raises(ValidationError) as info:
        roster.import_roster(office, conference, filename="ds.xlsx", data=mixed, replace=True)
    assert "dòng 2, cột “B”" in info.value.messages[0] and "phông chữ tiếng Việt cũ" in info.value.messages[0]


@pytest.mark.parametrize(
    "make, where",
    [
        # a cell in a VNI font holding what VNI does not explain (TCVN3 text pasted into it)
        (
            lambda: sheet([[1, "NguyÔn V¨n Thµnh", "Tröôûng phoøng", "UBND"]], fonts={(2, 2): "VNI-Times"}),
            "dòng 2, cột “B”",
        ),
        # TCVN3 text pasted into a cell whose font is Times New Roman: the text says what it is
        (
            lambda: sheet(
                [[1, "NguyÔn V¨n Thµnh", "Phã Chñ tÞch", "UBND"]],
                fonts={(r, c): "Times New Roman" for r in (1, 2) for c in range(1, 5)},
                header=["STT", "Họ và tên", "Chức vụ", "Đơn vị"],
            ),
            "dòng 2, cột “B”",
        ),
        # a CSV file says nothing of fonts: the text does
        (lambda: "STT,Họ và tên,Chức vụ\n1,NguyÔn V¨n Thµnh,Phã Chñ tÞch\n".encode(), "dòng 2, cột “B”"),
    ],
)
def test_an_old_font_that_cannot_be_converted_is_refused_with_what_to_do(office, conference, make, where):
    name = "ds.csv" if isinstance(make(), bytes) and not make().startswith(b"PK") else "ds.xlsx"
    before = (Voter.objects.count(), Event.objects.count())
    with pytest.raises(ValidationError) as info:
        roster.import_roster(office, conference, filename=name, data=make())
    message = info.value.messages[0]
    assert message.startswith("Chưa nhập tệp, không có dữ liệu nào được lưu")
    assert where in message and "phông chữ tiếng Việt cũ (VNI hoặc TCVN3)" in message
    assert "Unikey" in message
    assert (Voter.objects.count(), Event.objects.count()) == before


# Words as offices typed them in VNI-Windows (VNI-Times): each vowel, then its marks
VNI_WORDS = {
    "Nguyeãn Vaên Thaønh": "Nguyễn Văn Thành",
    "Ñaëng Quoác Khaùnh": "Đặng Quốc Khánh",
    "Voõ Thò AÙnh Tuyeát": "Võ Thị Ánh Tuyết",
    "Aùnh": "Ánh",  # a capital, its mark in lower case
    "Huyønh Ngoïc AÅn": "Huỳnh Ngọc Ẩn",
    "Tröông Vónh Kyù": "Trương Vĩnh Ký",
    "Tröôûng phoøng Noäi vuï": "Trưởng phòng Nội vụ",
    "Phoù Chuû tòch UBND": "Phó Chủ tịch UBND",
    "Ñoã Thò Myõ Leä": "Đỗ Thị Mỹ Lệ",
    "Baûy, Caåm, Loäc, Ngöõ, Ñöùc, Thuûy, Löïc, Lyù, Kyø, Kyû": "Bảy, Cẩm, Lộc, Ngữ, Đức, Thủy, Lực, Lý, Kỳ, Kỷ",
    "NGUYEÃN VAÊN THAØNH": "NGUYỄN VĂN THÀNH",
    "ÑAÏI HOÄI ÑAÛNG BOÄ": "ĐẠI HỘI ĐẢNG BỘ",
}


def test_every_vietnamese_letter_has_one_vni_spelling_and_words_read_as_typed():
    """The scheme gives each of the 134 letters of Vietnamese (with đ, in both cases) from one
    spelling at least, and nothing else; words as offices typed them read back."""
    letters = _vietnamese_letters()
    made = set(legacy_fonts.VNI_PAIRS.values()) | set(legacy_fonts.VNI_ONE.values())
    plain = {c for c in letters if ord(c) < 0x80}  # a, e, i… with no mark: themselves
    assert made <= letters and made | plain == letters, sorted(letters - made - plain)
    for typed, meant in VNI_WORDS.items():
        assert legacy_fonts.from_vni(typed) == meant
    for stray in ("Nguyeân Vaên Thaønhù", "Lª ThÞ", "Thuâ"):  # a mark after no vowel or the wrong one, TCVN3
        with pytest.raises(ValueError):
            legacy_fonts.from_vni(stray)


def test_a_list_typed_in_vni_is_imported_in_unicode_and_said_so(office, conference):
    """A cell's VNI font (VNI-Times) says how to read it; the header in Times New Roman is Unicode."""
    header = ["STT", "Họ và tên", "Chức vụ", "Đơn vị"]
    rows = [
        [1, "Nguyeãn Vaên Thaønh", "Tröôûng phoøng Noäi vuï", "UBND thaønh phoá"],
        [2, "Ñaëng Quoác Khaùnh", "Phoù Chuû tòch UBND", "UBND thaønh phoá"],
    ]
    fonts = {(r, c): ("Times New Roman" if r == 1 else "VNI-Times") for r in (1, 2, 3) for c in range(1, 5)}
    report = roster.import_roster(office, conference, filename="ds.xlsx", data=sheet(rows, fonts=fonts, header=header))
    assert [(v.full_name, v.post, v.unit) for v in conference.voters.order_by("order")] == [
        ("Nguyễn Văn Thành", "Trưởng phòng Nội vụ", "UBND thành phố"),
        ("Đặng Quốc Khánh", "Phó Chủ tịch UBND", "UBND thành phố"),
    ]
    assert all(unicodedata.is_normalized("NFC", v.full_name) for v in conference.voters.all())
    assert report.converted == 2


def test_the_list_of_rated_persons_in_vntime_too(office, conference):
    data = sheet([row[:3] for row in TCVN3_ROWS], header=TCVN3_HEADER[:3])
    people = rated.import_rated_persons(office, conference, filename="ds.xlsx", data=data)
    assert [p.full_name for p in people] == ["Nguyễn Văn Thành", "Lê Thị Hồng Nhung"]
    assert people.converted == 2
    assert RatedPerson.objects.get(full_name="Lê Thị Hồng Nhung").post == "Phó Chủ tịch UBND"


def test_the_page_says_the_names_were_converted_and_should_be_checked(office, conference):
    client = Client()
    client.force_login(office)
    upload = SimpleUploadedFile("ds.xlsx", sheet(TCVN3_ROWS))
    html = client.post(reverse("conferences:roster_import", args=[conference.pk]), {"file": upload}, follow=True)
    text = html.content.decode()
    assert "Đã nhập 2 người ghi phiếu." in text
    assert "2 dòng của tệp được gõ bằng phông chữ cũ (TCVN3 .VnTime, hoặc VNI) và đã được chuyển sang Unicode" in text
    assert "Nguyễn Văn Thành" in text


def test_a_vni_cell_that_reads_as_unicode_too_is_vni_only_where_the_list_shows_it(office, conference):
    """In a VNI font "Sôn" is "Sơn", and "Phó phòng" typed again in Unicode over an old VNI
    template would read "Phĩ phịng": such a cell is converted only when another cell of the list
    shows that it is VNI (a character no Unicode Vietnamese holds), and otherwise refused, never
    guessed. A cell that reads the same either way ("Kính") is kept."""
    header = ["STT", "Họ đệm", "Tên", "Chức vụ"]
    vni = {(r, c): ("Times New Roman" if r == 1 else "VNI-Times") for r in (1, 2, 3) for c in range(1, 5)}
    rows = [[1, "Nguyeãn Vaên", "Sôn", "Tröôûng phoøng"], [2, "Leâ Thò", "Kính", "Chuyeân vieân"]]
    roster.import_roster(office, conference, filename="ds.xlsx", data=sheet(rows, fonts=vni, header=header))
    assert list(conference.voters.order_by("order").values_list("full_name", "post")) == [
        ("Nguyễn Văn Sơn", "Trưởng phòng"),
        ("Lê Thị Kính", "Chuyên viên"),
    ]
    # the same template typed again in Unicode: nothing shows VNI, and "Phó phòng" is refused
    unicode_rows = [[1, "Trần Văn", "Hòa", "Phó phòng"]]
    before = Voter.objects.count()
    with pytest.raises(ValidationError) as info:
        roster.import_roster(
            office, conference, filename="ds.xlsx", data=sheet(unicode_rows, fonts=vni, header=header), replace=True
        )
    assert (
        "dòng 2, cột “C”: chữ “Hòa” để phông cũ (VNI-Times) nhưng cũng đọc được như chữ Unicode"
        in (info.value.messages[0])
    )
    assert Voter.objects.count() == before


def test_a_vntime_cell_that_reads_as_unicode_too_is_tcvn3_only_where_the_list_shows_it(office, conference):
    """The same for TCVN3: "Phó phòng" typed again in Unicode over an old .VnTime template read as
    "Phú phũng", unseen; a list typed in TCVN3 shows it in its other cells ("§¬n vÞ")."""
    unicode_header = ["STT", "Họ và tên", "Chức vụ", "Đơn vị"]
    times = {(1, c): "Times New Roman" for c in range(1, 5)}
    retyped = sheet([[1, "Trần Văn Hòa", "Phó phòng", "UBND"]], fonts=times, header=unicode_header)
    with pytest.raises(ValidationError) as info:
        roster.import_roster(office, conference, filename="ds.xlsx", data=retyped)
    assert "dòng 2, cột “C”: chữ “Phó phòng” để phông cũ (.VnTime)" in info.value.messages[0]
    # a cell the old font cannot explain at all ("Hà"), in such a list, is said the same way
    retyped = sheet([[1, "Lê Hà", "Văn thư", "UBND"]], fonts=times, header=unicode_header)
    with pytest.raises(ValidationError) as info:
        roster.import_roster(office, conference, filename="ds.xlsx", data=retyped)
    assert "chữ “Lê Hà” để phông cũ (.VnTime) nhưng cũng đọc được như chữ Unicode" in info.value.messages[0]
    # typed in TCVN3, a cell such as "Phã" (Phó) holds no sign of it: read so because the list
    # shows TCVN3 elsewhere (its header, "Hä vµ tªn")
    typed = sheet([[1, "Lª V¨n An", "Phã", "UBND"]])
    report = roster.import_roster(office, conference, filename="ds.xlsx", data=typed)
    assert (conference.voters.get().full_name, conference.voters.get().post) == ("Lê Văn An", "Phó")
    assert report.converted == 1
