"""Use case import_rated_persons: the list of rated persons from an Excel or CSV file, whole or
not at all, after those already listed, in the order of the rows (the order of the ballot)."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import RatedPerson
from tinnhiem.conferences.usecases import rated

from .test_import_roster import xlsx

PEOPLE = [
    [1, "Lương Văn Hải", "Chủ tịch HĐND tỉnh"],
    [2, unicodedata.normalize("NFD", "Tạ Thị Thu Hương"), "Phó Chủ tịch HĐND tỉnh"],  # pasted from Word
    [3, "Mạc Đình Phong", "Trưởng Ban Kinh tế - Ngân sách"],
]
HEADER = ["STT", "Họ và tên", "Chức vụ"]


def refused(office, conference, data, name="ds.xlsx") -> str:
    before = (RatedPerson.objects.count(), Event.objects.count())
    with pytest.raises(ValidationError) as info:
        rated.import_rated_persons(office, conference, filename=name, data=data)
    assert (RatedPerson.objects.count(), Event.objects.count()) == before, "something was half-saved"
    message = info.value.messages[0]
    assert message.startswith("Chưa nhập tệp, không có dữ liệu nào được lưu")
    return message


def test_the_list_is_added_after_those_already_listed_in_the_order_of_its_rows(office, conference, person):
    people = rated.import_rated_persons(office, conference, filename="ds.xlsx", data=xlsx(PEOPLE, header=HEADER))
    assert [(p.order, p.full_name, p.post, p.decision) for p in conference.rated_persons.order_by("order")] == [
        (1, "Trần Minh Đức", "Phó Chủ tịch UBND thành phố", "rated"),
        (2, "Lương Văn Hải", "Chủ tịch HĐND tỉnh", "rated"),
        (3, "Tạ Thị Thu Hương", "Phó Chủ tịch HĐND tỉnh", "rated"),  # NFC
        (4, "Mạc Đình Phong", "Trưởng Ban Kinh tế - Ngân sách", "rated"),
    ]
    assert len(people) == 3
    assert Event.objects.filter(action="rated_person.added").count() == 1 + 3
    event = Event.objects.get(action="rated_persons.imported")
    assert event.data["rows"] == 3 and len(event.data["sha256"]) == 64


def test_a_name_twice_in_the_file_or_already_listed_is_refused_with_its_row(office, conference, person):
    twice = [*PEOPLE, [4, "Lương Văn Hải", "Chủ tịch HĐND tỉnh"]]
    assert refused(office, conference, xlsx(twice, header=HEADER)).endswith(
        "dòng 5: Lương Văn Hải (Chủ tịch HĐND tỉnh) xuất hiện hai lần trong tệp (trùng với dòng 2)."
    )
    again = [*PEOPLE, [4, "trần minh đức", "Phó Chủ tịch UBND thành phố"]]  # case-folded: the same person
    message = refused(office, conference, xlsx(again, header=HEADER))
    assert "dòng 5: " in message and "đã có trong danh sách này (STT 1)" in message


def test_a_wrong_file_is_refused_with_the_reason(office, conference):
    message = refused(office, conference, xlsx(PEOPLE, header=["STT", "Họ và tên", "Nhóm phiếu"]))
    assert "Nhóm phiếu" in message
    assert "không được để trống" in refused(office, conference, xlsx([[1, "Lê Văn A", ""]], header=HEADER))
    assert "chỉ nhập được tệp Excel (.xlsx) và CSV" in refused(office, conference, b"%PDF-1.7", name="ds.pdf")
    # the reader's words fit a list of rated persons too: a person, not a voter
    assert refused(office, conference, xlsx([], header=HEADER)).endswith(
        "tệp có dòng tiêu đề nhưng không có người nào ở dưới."
    )


def test_the_list_cannot_change_once_the_conference_has_started(office, conference):
    from tinnhiem.conferences.models import Conference

    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.VOTING)
    with pytest.raises(ValidationError) as info:
        rated.import_rated_persons(office, conference, filename="ds.xlsx", data=xlsx(PEOPLE, header=HEADER))
    assert "không thể thay đổi" in " ".join(info.value.messages)


def test_the_page_imports_and_says_what_went_wrong(office, conference):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    client.force_login(office)
    page = reverse("conferences:rated", args=[conference.pk])
    url = reverse("conferences:rated_import", args=[conference.pk])
    assert f'action="{url}"' in client.get(page).content.decode()
    upload = SimpleUploadedFile("ds.xlsx", xlsx(PEOPLE, header=HEADER))
    html = client.post(url, {"ds-file": upload}, follow=True).content.decode()
    assert "Đã thêm 3 người." in html and "Mạc Đình Phong" in html
    upload = SimpleUploadedFile("ds.xlsx", xlsx(PEOPLE, header=HEADER))
    html = client.post(url, {"ds-file": upload}, follow=True).content.decode()
    assert "dòng 2: Lương Văn Hải (Chủ tịch HĐND tỉnh) đã có trong danh sách này (STT 1)." in html
    assert RatedPerson.objects.count() == 3
    assert "Hãy chọn tệp" in client.post(url, {}, follow=True).content.decode()


def test_the_list_downloads_as_the_file_its_import_reads(office, conference, person):
    """Empty, the download is the template; with persons, it is the list, and it imports into
    another conference as it is: the round trip of a list kept in Excel between conferences."""
    import io

    from openpyxl import load_workbook

    from tinnhiem.conferences.usecases import campaigns

    client = Client()
    client.force_login(office)
    url = reverse("conferences:rated_export", args=[conference.pk])
    assert "Tải danh sách (Excel)" in client.get(reverse("conferences:rated", args=[conference.pk])).content.decode()
    data = client.get(url).content
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()]
    assert rows == [["STT", "Họ và tên", "Chức vụ"], [1, "Trần Minh Đức", "Phó Chủ tịch UBND thành phố"]]
    other = campaigns.create_conference(
        office, campaign=conference.campaign, title="Hội nghị khác", date=conference.date, place="P", convening_body="C"
    )
    rated.import_rated_persons(office, other, filename="ds.xlsx", data=data)
    assert [(p.full_name, p.post) for p in other.rated_persons.all()] == [
        ("Trần Minh Đức", "Phó Chủ tịch UBND thành phố")
    ]
    missing = client.get(reverse("conferences:rated_export", args=[other.pk + 1000]))
    assert missing.status_code == 404  # no such conference
    template = campaigns.create_conference(
        office, campaign=conference.campaign, title="Hội nghị mới", date=conference.date, place="P", convening_body="C"
    )
    page = client.get(reverse("conferences:rated", args=[template.pk])).content.decode()
    assert "Tải tệp mẫu" in page
    data = client.get(reverse("conferences:rated_export", args=[template.pk])).content
    assert [[c.value for c in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()] == [
        ["STT", "Họ và tên", "Chức vụ"]
    ]
