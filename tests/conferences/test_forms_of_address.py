"""A name written after a form of address, as many lists are ("Đ/c Nguyễn Văn An", "Đồng chí …").

The documents write "đồng chí" before a name themselves: kept, such a name printed "Kính gửi đồng
chí Đ/c Nguyễn Văn An" on the invitation, and was another person to the duplicate check and to
the rule set's check of a rated person in the voter roll. "Đ/c" and "Đồng chí" are taken out and
said; Ông and Bà, which may be a family name (Ông Ích Khiêm), are left and the office is asked."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import RatedPerson
from tinnhiem.conferences.usecases import rated, roster
from tinnhiem.text import may_be_addressed, person_key, without_address

from .test_import_roster import do_import, refused, xlsx


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("Đ/c Nguyễn Văn An", "Nguyễn Văn An"),
        ("đ/c Nguyễn Văn An", "Nguyễn Văn An"),
        ("Đ/C NGUYỄN VĂN AN", "NGUYỄN VĂN AN"),
        ("Đ/c. Nguyễn Văn An", "Nguyễn Văn An"),
        ("Đ/c: Nguyễn Văn An", "Nguyễn Văn An"),
        ("Đ / c Nguyễn Văn An", "Nguyễn Văn An"),
        ("Đồng chí Lê Thị Cúc", "Lê Thị Cúc"),
        ("đồng chí Lê Thị Cúc", "Lê Thị Cúc"),
        # a name, not a form of address: the family name Đồng, the middle name Chí
        ("Đồng Chí Thanh", "Đồng Chí Thanh"),
        ("Đồng Sỹ Nguyên", "Đồng Sỹ Nguyên"),
        # nothing after it, or run into the name: left for the office to see
        ("Đ/c", "Đ/c"),
        ("Đ/cNguyễn Văn An", "Đ/cNguyễn Văn An"),
        ("Nguyễn Văn Đ/c", "Nguyễn Văn Đ/c"),
        ("Đoàn Văn Cường", "Đoàn Văn Cường"),
    ],
)
def test_the_forms_of_address_taken_out(written, name):
    assert without_address(written) == name


@pytest.mark.parametrize(
    ("name", "asked"),
    [
        ("Ông Trần Văn Bình", True),
        ("Bà Lê Thị Cúc", True),
        ("Ông Ích Khiêm", True),  # the family name Ông: asked, never taken out
        ("ÔNG TRẦN VĂN BÌNH", True),
        ("ĐỒNG CHÍ NGUYỄN VĂN HÙNG", True),  # in capitals, "Đồng Chí" as a name cannot be told apart
        ("Ông Bình", False),  # two words: a name, or a form of address without a family name
        ("Ôngg Trần Văn", False),
        ("Nguyễn Thị Bà", False),
        ("Trần Văn Bình", False),
    ],
)
def test_the_names_the_office_is_asked_about(name, asked):
    assert may_be_addressed(name) is asked


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("Thượng tá Châu Văn Sáng", "châu văn sáng"),
        ("Đại úy Châu Văn Sáng", "châu văn sáng"),
        ("Đại uý Châu Văn Sáng", "châu văn sáng"),
        ("Thiếu tướng Châu Văn Sáng", "châu văn sáng"),
        ("PGS.TS. Nguyễn Văn An", "nguyễn văn an"),
        ("PGS.TS Nguyễn Văn An", "nguyễn văn an"),
        ("PGS. TS. NGUYỄN VĂN AN", "nguyễn văn an"),
        ("ThS. Lê Thị Cúc", "lê thị cúc"),
        ("TS Lê Thị Cúc", "lê thị cúc"),
        ("BSCKII Trần Văn Hùng", "trần văn hùng"),
        ("BS.CKII Trần Văn Hùng", "trần văn hùng"),
        ("NGƯT. Phạm Thị Hoa", "phạm thị hoa"),
        ("TTND. PGS.TS. Đỗ Văn Minh", "đỗ văn minh"),
        # written out
        ("Tiến sĩ Nguyễn Văn An", "nguyễn văn an"),
        ("Phó Giáo sư, Tiến sỹ Nguyễn Văn An", "nguyễn văn an"),
        ("Bác sĩ chuyên khoa II Trần Văn Hùng", "trần văn hùng"),
        ("Kỹ sư Lê Văn Tám", "lê văn tám"),
        ("Nhà giáo ưu tú Phạm Thị Hoa", "phạm thị hoa"),
        ("Thầy thuốc Nhân dân Đỗ Văn Minh", "đỗ văn minh"),
        ("Anh hùng Lao động Hoàng Văn Cường", "hoàng văn cường"),
        ("Đ/c Thiếu tá Lê Văn Tám", "lê văn tám"),
        ("Lê  Văn TÁM", "lê văn tám"),
        # two words must be left: a name, not a title
        ("Đại tá Lê Sáng", "lê sáng"),
        ("Đại tá Sáng", "đại tá sáng"),
        ("Đại tá", "đại tá"),
        # not titles: a name written so, or the family name Ông (asked about on import)
        ("Ksor Y Phước", "ksor y phước"),
        ("Tsang Văn A", "tsang văn a"),
        ("Ông Ích Khiêm", "ông ích khiêm"),
        ("Đồng Chí Thanh", "đồng chí thanh"),
        ("Tiến Sĩ Hùng", "tiến sĩ hùng"),  # one word left
        ("Anh Hùng Cường", "anh hùng cường"),  # not "Anh hùng lao động"
    ],
)
def test_the_key_that_tells_one_person_s_name_in_two_lists(written, key):
    assert person_key(written) == key


ROWS = [
    [1, "Đ/c Nguyễn Văn An", "Trưởng phòng Nội vụ", "Phòng Nội vụ"],
    [2, "Đồng chí Lê Thị Cúc", "Hiệu trưởng", "Trường THCS Ka Long"],
    [3, "Ông Trần Văn Bình", "Chánh Văn phòng", "Văn phòng HĐND và UBND"],
    [4, "Phạm Văn Dũng", "Chủ tịch UBND phường", "UBND phường Ka Long"],
]


def test_a_roll_s_forms_of_address_are_taken_out_said_and_logged(office, conference):
    report = do_import(office, conference, xlsx(ROWS))
    assert list(conference.voters.order_by("order").values_list("full_name", flat=True)) == [
        "Nguyễn Văn An",
        "Lê Thị Cúc",
        "Ông Trần Văn Bình",
        "Phạm Văn Dũng",
    ]
    assert report.addressed == 2
    assert report.unclear == [(4, "Ông Trần Văn Bình")]
    assert Event.objects.get(action="roster.imported").data["address_removed"] == 2


def test_a_list_without_them_says_nothing(office, conference):
    report = do_import(office, conference, xlsx(ROWS[3:]))
    assert (report.addressed, report.unclear) == (0, [])
    assert Event.objects.get(action="roster.imported").data["address_removed"] == 0


def test_a_name_with_and_without_it_is_one_person(office, conference, voter):
    message = refused(
        office, conference, xlsx([[1, "Đ/c Lê Văn Tám", "Chuyên viên"], [2, "Lê Văn Tám", "chuyên viên"]])
    )
    assert "Lê Văn Tám (chuyên viên) xuất hiện hai lần trong tệp" in message and "dòng 3" in message
    message = refused(office, conference, xlsx([[1, f"Đồng chí {voter.full_name}", voter.post]]))
    assert f"{voter.full_name} ({voter.post}) đã có trong danh sách" in message


def test_a_rated_person_written_after_it_in_the_roll_is_found(office, conference, person):
    """QĐ 96: a rated person in the voter roll is flagged until the office confirms."""
    report = do_import(office, conference, xlsx([[1, f"Đ/c {person.full_name}", person.post]]))
    assert report.rated_matches == [f"{person.full_name} — {person.full_name}"]


def test_a_rated_person_with_a_rank_before_the_name_in_the_roll_is_found(office, conference, person):
    report = do_import(office, conference, xlsx([[1, f"Thượng tá {person.full_name}", "Trưởng Công an"]]))
    assert report.rated_matches == [f"Thượng tá {person.full_name} — {person.full_name}"]
    voter = conference.voters.get()
    roster.resolve_rated_match(office, voter, same_person=True)
    voter.refresh_from_db()
    assert voter.rated_person == person


def test_the_list_of_rated_persons_too(office, conference):
    header = ["STT", "Họ và tên", "Chức vụ"]
    rows = [[1, "Đ/c Trần Minh Đức", "Phó Chủ tịch UBND"], [2, "Bà Hoàng Thị Mai", "Phó Chủ tịch UBND"]]
    people = rated.import_rated_persons(office, conference, filename="ds.xlsx", data=xlsx(rows, header=header))
    assert [p.full_name for p in people] == ["Trần Minh Đức", "Bà Hoàng Thị Mai"]
    assert (people.addressed, people.unclear) == (1, [(3, "Bà Hoàng Thị Mai")])
    assert Event.objects.get(action="rated_persons.imported").data["address_removed"] == 1


def _upload(office, url_name, conference, data, field="file"):
    client = Client()
    client.force_login(office)
    url = reverse(f"conferences:{url_name}", args=[conference.pk])
    response = client.post(url, {field: SimpleUploadedFile("ds.xlsx", data)}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_the_pages_say_what_was_taken_out_and_ask_about_the_rest(office, conference):
    text = _upload(office, "roster_import", conference, xlsx(ROWS))
    assert "Đã nhập 4 người ghi phiếu." in text
    assert (
        "2 tên được viết sau chữ “Đ/c” hoặc “Đồng chí”; chữ ấy đã được bỏ đi: giấy mời và thư tự viết “đồng chí” "
        "trước tên." in text
    )
    assert (
        "1 tên bắt đầu bằng “Ông”, “Bà” hoặc “Đồng chí”: dòng 4 “Ông Trần Văn Bình”. Nếu đó là cách xưng hô chứ "
        "không phải một phần của tên, đồng chí hãy sửa tên (giấy mời viết “đồng chí” trước tên)." in text
    )
    header = ["STT", "Họ và tên", "Chức vụ"]
    rows = [[i, f"Ông Nguyễn Văn {chr(ord('A') + i)}", "Phó Chủ tịch UBND"] for i in range(1, 13)]
    text = _upload(office, "rated_import", conference, xlsx(rows, header=header), field="ds-file")
    assert "12 tên bắt đầu bằng “Ông”, “Bà” hoặc “Đồng chí”: dòng 2 “Ông Nguyễn Văn B”;" in text
    assert "dòng 11 “Ông Nguyễn Văn K”…. Nếu đó là cách xưng hô" in text  # ten named, the rest counted
    assert "dòng 12" not in text and "được viết sau chữ" not in text
    rows = [[i, f"Bà Lê Thị {chr(ord('A') + i)}", "Chuyên viên"] for i in range(1, 11)]
    text = _upload(office, "roster_import", conference, xlsx(rows, header=header))
    assert "10 tên bắt đầu bằng “Ông”, “Bà” hoặc “Đồng chí”:" in text
    assert "dòng 11 “Bà Lê Thị K”. Nếu đó là cách xưng hô" in text  # ten: all named
    rows = [[1, "ĐỒNG CHÍ NGUYỄN VĂN HÙNG", "CHỦ TỊCH UBND XÃ"]]  # a list in capitals: Đồng may be the family name
    text = _upload(office, "roster_import", conference, xlsx(rows, header=header))
    assert "1 tên bắt đầu bằng “Ông”, “Bà” hoặc “Đồng chí”: dòng 2 “ĐỒNG CHÍ NGUYỄN VĂN HÙNG”." in text


def test_a_name_typed_after_it_is_kept_without_it(office, conference):
    client = Client()
    client.force_login(office)
    client.post(
        reverse("conferences:voter_add", args=[conference.pk]), {"full_name": "Đ/c Lê Văn Tám", "post": "Chuyên viên"}
    )
    voter = conference.voters.get()
    assert voter.full_name == "Lê Văn Tám"
    url = reverse("conferences:voter_edit", args=[conference.pk, voter.pk])
    client.post(url, {"full_name": "Đồng chí Lê Văn Tám", "post": "Chuyên viên chính"})
    voter.refresh_from_db()
    assert (voter.full_name, voter.post) == ("Lê Văn Tám", "Chuyên viên chính")
    client.post(
        reverse("conferences:rated", args=[conference.pk]),
        {"full_name": "đồng chí Trần Minh Đức", "post": "Phó Chủ tịch"},
    )
    assert RatedPerson.objects.get(conference=conference).full_name == "Trần Minh Đức"
    # Ông, typed, is kept as typed: the office wrote it
    client.post(
        reverse("conferences:voter_add", args=[conference.pk]), {"full_name": "Ông Ích Khiêm", "post": "Cố vấn"}
    )
    assert conference.voters.filter(full_name="Ông Ích Khiêm").exists()


def test_a_name_typed_beginning_with_ong_or_ba_is_kept_and_asked_about(office, conference):
    """As on import: saved as typed (Ông may be the family name), and the office asked, on each of
    the four forms; a name without it, or one that gets its Đ/c taken out, is not asked about."""
    client = Client()
    client.force_login(office)
    asked = "“{}” bắt đầu bằng “Ông”, “Bà” hoặc “Đồng chí”. Nếu đó là cách xưng hô chứ không phải một phần của tên"

    def said(url, data) -> str:
        return client.post(url, data, follow=True).content.decode()

    roster_add = reverse("conferences:voter_add", args=[conference.pk])
    page = said(roster_add, {"full_name": "Ông Trần Văn Bình", "post": "Chánh Văn phòng"})
    assert "Đã thêm Ông Trần Văn Bình vào danh sách" in page and asked.format("Ông Trần Văn Bình") in page
    voter = conference.voters.get(full_name="Ông Trần Văn Bình")
    page = said(
        reverse("conferences:voter_edit", args=[conference.pk, voter.pk]), {"full_name": "BÀ LÊ THỊ CÚC", "post": "X"}
    )
    assert asked.format("BÀ LÊ THỊ CÚC") in page
    page = said(roster_add, {"full_name": "Đ/c Phạm Văn Dũng", "post": "Chuyên viên"})
    assert "Phạm Văn Dũng" in page and "bắt đầu bằng “Ông”" not in page
    rated_list = reverse("conferences:rated", args=[conference.pk])
    page = said(rated_list, {"full_name": "ĐỒNG CHÍ NGUYỄN VĂN HÙNG", "post": "Phó Chủ tịch"})
    assert asked.format("ĐỒNG CHÍ NGUYỄN VĂN HÙNG") in page
    person = RatedPerson.objects.get(conference=conference)
    page = said(
        reverse("conferences:rated_edit", args=[conference.pk, person.pk]),
        {"full_name": "Nguyễn Văn Hùng", "post": "Phó Chủ tịch"},
    )
    assert "Đã lưu." in page and "bắt đầu bằng “Ông”" not in page
    page = said(
        reverse("conferences:rated_edit", args=[conference.pk, person.pk]),
        {"full_name": "Bà Hoàng Thị Mai", "post": "Phó Chủ tịch"},
    )
    assert asked.format("Bà Hoàng Thị Mai") in page
    assert RatedPerson.objects.get(conference=conference).full_name == "Bà Hoàng Thị Mai"
