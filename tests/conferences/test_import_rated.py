"""Use case import_rated_persons: the list of rated persons from an Excel or CSV file, whole or
not at all, after those already listed, in the order of the rows (the order of the ballot)."""

import unicodedata
from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

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
FULL_HEADER = (
    *HEADER,
    "Nhóm trên phiếu",
    "Ngày được bầu, bổ nhiệm",
    "Đã có thông báo nghỉ công tác chờ nghỉ hưu",
    "Ghi chú",
)


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
    message = refused(office, conference, xlsx(PEOPLE, header=["STT", "Họ và tên", "Chức danh cũ"]))
    assert "Chức danh cũ" in message and "thiếu cột" not in message
    assert "không được để trống" in refused(office, conference, xlsx([[1, "Lê Văn A", ""]], header=HEADER))
    assert "chỉ nhập được tệp Excel (.xlsx), CSV và Word (.docx)" in refused(
        office, conference, b"%PDF-1.7", name="ds.pdf"
    )
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
    # in English the count agrees with its noun
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    upload = SimpleUploadedFile("ds.xlsx", xlsx([[1, "Hà Thị Một", "Ủy viên"]], header=HEADER))
    html = client.post(url, {"ds-file": upload}, follow=True).content.decode()
    assert "1 person was added." in html
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
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
    assert rows == [
        [*FULL_HEADER],
        [1, "Trần Minh Đức", "Phó Chủ tịch UBND thành phố", None, None, None, None],
    ]
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
    assert [[c.value for c in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()] == [[*FULL_HEADER]]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_rule_set_s_grounds_are_read_from_the_file_and_applied(office, conference, person, language):
    """A long list carries the group, the day each person took office and the retirement notice.
    A person the rule set does not rate (QĐ 96: elected or appointed in the rating year, notified
    of retirement) is added as not rated, with the grounds and the article as the reason: never
    put on the ballot silently, as the list used to do when it could not read those columns. The
    reason is stored as the report prints it, in Vietnamese, whatever the importer's language."""
    year, held = conference.date.year, conference.date  # held: a day in the rating year, not after it
    people = [
        [1, "Lương Văn Hải", "Chủ tịch HĐND tỉnh", "Thường trực HĐND", datetime(year - 3, 6, 1), None],
        [2, "Tạ Thị Thu Hương", "Phó Chủ tịch HĐND tỉnh", "Thường trực HĐND", f"{held:%d/%m/%Y}", ""],  # as text
        [3, "Mạc Đình Phong", "Trưởng Ban Kinh tế - Ngân sách", "", None, "x"],
        [4, "Đỗ Văn Tâm", "Trưởng Ban Pháp chế", "", f"15/03/{year - 1}", "Không"],
    ]
    header = ["STT", "Họ và tên", "Chức vụ", "Nhóm", "Ngày bổ nhiệm", "Đã có thông báo nghỉ hưu"]  # as offices write
    with translation.override(language):
        added = rated.import_rated_persons(office, conference, filename="ds.xlsx", data=xlsx(people, header=header))
    got = {p.full_name: p for p in added}
    assert [(p.order, p.group, p.took_office_on, p.retirement_notified, p.decision) for p in added] == [
        (2, "Thường trực HĐND", date(year - 3, 6, 1), False, "rated"),
        (3, "Thường trực HĐND", held, False, "excluded"),
        (4, "", None, True, "excluded"),
        (5, "", date(year - 1, 3, 15), False, "rated"),
    ]
    assert got["Tạ Thị Thu Hương"].decision_note == (
        "Theo quy định (được bầu, bổ nhiệm trong năm lấy phiếu); ghi khi nhập danh sách từ tệp."
    )
    assert got["Mạc Đình Phong"].decision_note == (
        "Theo quy định (đã có thông báo nghỉ công tác chờ nghỉ hưu); ghi khi nhập danh sách từ tệp."
    )
    assert got["Lương Văn Hải"].decision_note == "" and got["Đỗ Văn Tâm"].decision_note == ""
    event = Event.objects.get(action="rated_persons.imported")
    assert event.data["not_rated"] == [got["Tạ Thị Thu Hương"].pk, got["Mạc Đình Phong"].pk]
    added_events = {e.data["name"]: e.data for e in Event.objects.filter(action="rated_person.added")}
    assert added_events["Mạc Đình Phong"]["grounds"] == ["retirement"]
    assert added_events["Tạ Thị Thu Hương"]["grounds"] == ["appointed_this_year"]

    # the office may still rate one of them, with a reason, as when adding by hand
    person = got["Tạ Thị Thu Hương"]
    rated.update_rated_person(
        office,
        person,
        full_name=person.full_name,
        post=person.post,
        group=person.group,
        retirement_notified=False,
        took_office_on=person.took_office_on,
        decision="rated",
        decision_note="Được bầu lại cùng chức vụ; cấp có thẩm quyền quyết định vẫn lấy phiếu.",
    )
    person.refresh_from_db()
    assert person.on_ballot


def test_the_page_names_those_the_rule_set_does_not_rate(office, conference):
    """After the import, a message names them; in the list, each shows the rule set's grounds with
    the article, and the recorded reason. Any recorded reason shows, with grounds or without."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    rated.add_rated_person(
        office,
        conference,
        full_name="Trần Minh Đức",
        post="Phó Chủ tịch",
        decision="excluded",
        decision_note="Đang điều trị dài ngày.",
    )
    client = Client()
    client.force_login(office)
    rows = [[1, "Lương Văn Hải", "Chủ tịch HĐND tỉnh", "", None, "x"], [2, "Đỗ Văn Tâm", "Trưởng Ban", "", None, ""]]
    upload = SimpleUploadedFile("ds.xlsx", xlsx(rows, header=list(FULL_HEADER)))
    url = reverse("conferences:rated_import", args=[conference.pk])
    html = client.post(url, {"ds-file": upload}, follow=True).content.decode()
    assert "Đã thêm 2 người." in html
    assert "Theo quy định, 1 người trong số đó không được lấy phiếu: Lương Văn Hải" in html
    assert (  # under the name: the grounds, with the article
        "Theo quy định, người này không thuộc diện lấy phiếu (đã có thông báo nghỉ công tác chờ nghỉ hưu)"
        " — Quy định 96-QĐ/TW" in html
    )
    assert "Hãy ghi quyết định" not in html  # the decision is recorded: nothing left to do
    assert "Lý do: Theo quy định (đã có thông báo nghỉ công tác chờ nghỉ hưu); ghi khi nhập danh sách" in html
    assert "Lý do: Đang điều trị dài ngày." in html


def test_a_csv_list_gives_the_day_and_the_notice_as_text(office, conference):
    year, held = conference.date.year, conference.date
    text = f"STT;Họ và tên;Chức vụ;Ngày được bầu, bổ nhiệm;Đã có thông báo nghỉ hưu\n1;Lê Văn An;Giám đốc Sở Tài chính;{held:%d.%m.%Y};\n2;Phạm Thị Bình;Giám đốc Sở Nội vụ;{year - 2}-04-20;có\n"
    added = rated.import_rated_persons(office, conference, filename="ds.csv", data=text.encode())
    assert [(p.took_office_on, p.retirement_notified, p.decision) for p in added] == [
        (held, False, "excluded"),
        (date(year - 2, 4, 20), True, "excluded"),
    ]


@pytest.mark.parametrize(
    ("cell", "column"),
    [
        ("31/02/2024", "Ngày được bầu, bổ nhiệm"),  # no such day
        ("tháng 5/2023", "Ngày được bầu, bổ nhiệm"),
        (45047, "Ngày được bầu, bổ nhiệm"),  # Excel's day number in a cell not formatted as a date
    ],
)
def test_a_day_that_is_not_one_is_refused_with_its_row_and_column(office, conference, cell, column):
    rows = [
        [1, "Lê Văn An", "Giám đốc Sở Tài chính", "", None, ""],
        [2, "Phạm Thị Bình", "Giám đốc Sở Nội vụ", "", cell, ""],
    ]
    message = refused(office, conference, xlsx(rows, header=list(FULL_HEADER)))
    assert message.endswith(f"dòng 3, cột “{column}”: hãy ghi ngày theo ngày/tháng/năm, ví dụ 29/09/2023.")


@pytest.mark.parametrize("cell", ["29/9/1923", "29/9/0023", datetime(1949, 12, 31), datetime(2101, 1, 1)])
def test_a_day_of_a_year_typed_wrong_is_refused_with_its_row_and_column(office, conference, cell):
    """The year read with four digits, "0023" too: such an appointment was long ago, and the rule
    set's grounds for not rating the person (appointed too recently) were never found."""
    rows = [[1, "Lê Văn An", "Giám đốc Sở Tài chính", "", None, ""], [2, "Phạm Thị Bình", "Giám đốc", "", cell, ""]]
    message = refused(office, conference, xlsx(rows, header=list(FULL_HEADER)))
    assert message.endswith(
        "dòng 3, cột “Ngày được bầu, bổ nhiệm”: năm phải từ 1950 đến 2100: hãy gõ đủ bốn chữ số của năm, ví dụ 29/09/2023."
    )


def test_the_years_bounds_are_taken(office, conference):
    rows = [[1, "Lê Văn An", "Giám đốc Sở Tài chính", "", datetime(1950, 1, 1), ""]]
    rows += [[2, "Phạm Thị Bình", "Giám đốc Sở Nội vụ", "", "01/01/1950", ""]]
    people = rated.import_rated_persons(
        office, conference, filename="ds.xlsx", data=xlsx(rows, header=list(FULL_HEADER))
    )
    assert [p.took_office_on for p in people] == [date(1950, 1, 1)] * 2


def test_a_day_after_the_conference_is_refused_by_hand_and_from_a_file(office, conference):
    """A mistyped year (2032 for 2023) would put a newly appointed person on the ballot."""
    later = date(conference.date.year + 6, 1, 1)
    with pytest.raises(ValidationError) as info:
        rated.add_rated_person(office, conference, full_name="Lê Văn An", post="Giám đốc", took_office_on=later)
    expected = f"Ngày được bầu, bổ nhiệm ({later:%d/%m/%Y}) sau ngày hội nghị ({conference.date:%d/%m/%Y})."
    assert info.value.messages == [expected]
    rows = [[1, "Lê Văn An", "Giám đốc Sở Tài chính", "", later, ""]]
    assert refused(office, conference, xlsx(rows, header=list(FULL_HEADER))).endswith(f"dòng 2: {expected}")
    assert not RatedPerson.objects.exists()
    day = conference.date  # the day itself is not after it
    person = rated.add_rated_person(
        office, conference, full_name="Lê Văn An", post="Giám đốc", took_office_on=day, decision="excluded"
    )
    assert person.took_office_on == day


def test_a_notice_cell_that_is_neither_yes_nor_no_is_refused(office, conference):
    rows = [[1, "Lê Văn An", "Giám đốc Sở Tài chính", "", None, "sắp"]]
    message = refused(office, conference, xlsx(rows, header=list(FULL_HEADER)))
    assert message.endswith(
        "dòng 2, cột “Đã có thông báo nghỉ công tác chờ nghỉ hưu”: ghi x (hoặc Có) nếu có, để trống nếu không."
    )


def test_the_columns_are_those_of_a_list_of_rated_persons_not_of_the_voter_roll(office, conference):
    """A unit column would be lost: the ballot prints the post alone (five persons "Giám đốc").
    It is refused with what to do, not dropped; so is any other column of the voter roll. The
    roll, for its part, does not take the columns of a list of rated persons."""
    rows = [[1, "Lê Văn An", "Giám đốc", "Sở Tài chính"]]
    message = refused(office, conference, xlsx(rows, header=[*HEADER, "Đơn vị công tác"]))
    assert "cột “Đơn vị công tác”" in message and "Giám đốc Sở Tài chính" in message
    message = refused(
        office,
        conference,
        xlsx([[1, "Lê Văn An", "Giám đốc Sở Tài chính", "0912345678"]], header=[*HEADER, "Điện thoại"]),
    )
    assert "cột “Điện thoại”" in message and "Nhóm trên phiếu" in message  # the allowed columns named

    from tinnhiem.conferences.models import Voter
    from tinnhiem.conferences.usecases import roster

    with pytest.raises(ValidationError) as info:
        roster.import_roster(
            office,
            conference,
            filename="ds.xlsx",
            data=xlsx([[1, "Lê Văn An", "Giám đốc", "Nhóm 1"]], header=[*HEADER, "Nhóm trên phiếu"]),
        )
    assert "cột “Nhóm trên phiếu”" in info.value.messages[0]
    assert not Voter.objects.exists()


def test_the_downloaded_list_keeps_what_the_rule_set_reads(office, conference):
    """Group, day of taking office and retirement notice go out and come back: the list of one
    conference imports into the next with its grounds."""
    import io

    from openpyxl import load_workbook

    from tinnhiem.conferences.usecases import campaigns

    year = conference.date.year
    rated.add_rated_person(
        office,
        conference,
        full_name="Lê Văn An",
        post="Giám đốc Sở Tài chính",
        group="Sở",
        took_office_on=date(year - 2, 4, 20),
    )
    rated.add_rated_person(
        office,
        conference,
        full_name="Phạm Thị Bình",
        post="Giám đốc Sở Nội vụ",
        retirement_notified=True,
        decision="excluded",
        decision_note="",
        note="Nghỉ hưu từ 01/2027",
    )
    client = Client()
    client.force_login(office)
    data = client.get(reverse("conferences:rated_export", args=[conference.pk])).content
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["E2"].number_format == "dd/mm/yyyy"
    assert [[c.value for c in row] for row in sheet.iter_rows()][1:] == [
        [1, "Lê Văn An", "Giám đốc Sở Tài chính", "Sở", datetime(year - 2, 4, 20), None, None],
        [2, "Phạm Thị Bình", "Giám đốc Sở Nội vụ", None, None, "x", "Nghỉ hưu từ 01/2027"],
    ]
    other = campaigns.create_conference(
        office, campaign=conference.campaign, title="Hội nghị khác", date=conference.date, place="P", convening_body="C"
    )
    rated.import_rated_persons(office, other, filename="ds.xlsx", data=data)
    assert [
        (p.full_name, p.group, p.took_office_on, p.retirement_notified, p.decision, p.note)
        for p in other.rated_persons.all()
    ] == [
        ("Lê Văn An", "Sở", date(year - 2, 4, 20), False, "rated", ""),
        ("Phạm Thị Bình", "", None, True, "excluded", "Nghỉ hưu từ 01/2027"),
    ]


def test_the_office_s_note_column_is_kept_and_decides_nothing(office, conference):
    """Offices keep a "Ghi chú" column in their lists ("mới bổ nhiệm", "nghỉ ốm"). It was refused
    as a column not of the template; it is now kept beside the person and shown, and the decision
    stays the rule set's: a note never takes a person off the ballot."""
    rows = [
        [1, "Lê Văn An", "Giám đốc Sở Tài chính", "Không lấy phiếu: mới bổ nhiệm"],
        [2, "Phạm Thị Bình", "Giám đốc Sở Nội vụ", None],
    ]
    people = rated.import_rated_persons(
        office, conference, filename="ds.xlsx", data=xlsx(rows, header=[*HEADER, "Ghi chú"])
    )
    assert [(p.note, p.decision) for p in people] == [("Không lấy phiếu: mới bổ nhiệm", "rated"), ("", "rated")]
    client = Client()
    client.force_login(office)
    page = client.get(reverse("conferences:rated", args=[conference.pk])).content.decode()
    assert "Ghi chú: Không lấy phiếu: mới bổ nhiệm" in page
    # edited on the person's page; an edit that does not name the note keeps it
    url = reverse("conferences:rated_edit", args=[conference.pk, people[0].pk])
    assert 'name="note" value="Không lấy phiếu: mới bổ nhiệm"' in client.get(url).content.decode()
    form = {"full_name": "Lê Văn An", "post": "Giám đốc Sở Tài chính", "note": "Đã xác minh: vẫn lấy phiếu"}
    client.post(url, form)
    people[0].refresh_from_db()
    assert people[0].note == "Đã xác minh: vẫn lấy phiếu"
    rated.update_rated_person(
        office,
        people[0],
        full_name="Lê Văn An",
        post="Giám đốc Sở Tài chính",
        group="",
        retirement_notified=False,
        took_office_on=None,
        decision=None,
    )
    people[0].refresh_from_db()
    assert people[0].note == "Đã xác minh: vẫn lấy phiếu"
    too_long = [[1, "Lê Văn An", "Giám đốc", "x" * 300]]
    message = refused(office, conference, xlsx(too_long, header=[*HEADER, "Ghi chú"]))
    assert "cột “Ghi chú”" in message


def test_a_list_made_by_groups_under_headings_gives_each_person_its_heading_s_group(office, conference):
    """Lists of persons rated are made by groups, each under a heading row ("I. THƯỜNG TRỰC HĐND
    TỈNH"), with no column for the ballot group: a person without a group of its own is in the
    group of the heading above (its numbering left out, a total row taking no one), so that a
    ballot form by group is made in one step; a group given in the file is kept. The page says so."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tinnhiem.conferences.usecases import day

    text = (
        "STT,Họ và tên,Chức vụ,Nhóm trên phiếu\n"
        "I. THƯỜNG TRỰC HĐND TỈNH,,,\n"
        "1,Lương Văn Hải,Chủ tịch HĐND tỉnh,\n"
        "2,Tạ Thị Thu Hương,Phó Chủ tịch HĐND tỉnh,\n"
        "II - Ủy ban nhân dân tỉnh,,,\n"
        "1,Mạc Đình Phong,Chủ tịch UBND tỉnh,\n"
        "2,Vũ Thị Hoa,Phó Chủ tịch UBND tỉnh,Phó Chủ tịch UBND\n"
        "Tổng cộng: 4 người,,,\n"
    )
    client = Client()
    client.force_login(office)
    upload = SimpleUploadedFile("ds.csv", text.encode())
    html = client.post(reverse("conferences:rated_import", args=[conference.pk]), {"ds-file": upload}, follow=True)
    html = html.content.decode()
    assert "Đã thêm 4 người." in html
    assert (
        "Những người chưa có nhóm trên phiếu được xếp vào nhóm của dòng tên nhóm ngay phía trên: "
        "THƯỜNG TRỰC HĐND TỈNH (2); Ủy ban nhân dân tỉnh (1)."
    ) in html
    assert list(conference.rated_persons.order_by("order").values_list("full_name", "group")) == [
        ("Lương Văn Hải", "THƯỜNG TRỰC HĐND TỈNH"),
        ("Tạ Thị Thu Hương", "THƯỜNG TRỰC HĐND TỈNH"),
        ("Mạc Đình Phong", "Ủy ban nhân dân tỉnh"),
        ("Vũ Thị Hoa", "Phó Chủ tịch UBND"),
    ]
    event = Event.objects.get(action="rated_persons.imported")
    assert event.data["heading_groups"] == {"THƯỜNG TRỰC HĐND TỈNH": 2, "Ủy ban nhân dân tỉnh": 1}
    forms = day.create_group_forms(office, conference)
    assert [(f.name, f.people.count()) for f in forms] == [
        ("THƯỜNG TRỰC HĐND TỈNH", 2),
        ("Ủy ban nhân dân tỉnh", 1),
        ("Phó Chủ tịch UBND", 1),
    ]


@pytest.mark.parametrize(
    ("heading", "group"),
    [
        ("I. THƯỜNG TRỰC HĐND", "THƯỜNG TRỰC HĐND"),
        ("12) Khối Đảng", "Khối Đảng"),
        ("A – Các Ban HĐND", "Các Ban HĐND"),
        ("Khối chính quyền", "Khối chính quyền"),
        ("Tổng cộng: 12 người", ""),
        ("Cộng", ""),
        ("TỔNG SỐ", ""),
    ],
)
def test_the_group_a_heading_names(heading, group):
    assert rated.heading_group(heading) == group
