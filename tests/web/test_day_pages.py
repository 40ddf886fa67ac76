"""The conference-day pages through the test client, on the finished and the ready demo conferences."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import shared_demo_open
from tests.web.demo_states import counted_on_paper
from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import Conference
from tinnhiem.conferences.usecases import day
from tinnhiem.site.demo import FINISHED_TITLE
from tinnhiem.voting.models import EntryRow, Resolution
from tinnhiem.voting.usecases import counting


@pytest.fixture
def demo(shared_demo, request, db):
    """The ready and the finished demo conferences (loaded once per module, rolled back after each test)."""
    shared_demo_open(request)
    return Conference.objects.get(pk=shared_demo), Conference.objects.get(title=FINISHED_TITLE)


def login(username):
    client = Client()
    client.login(username=username, password="tinnhiem-demo")
    return client


def test_results_page_and_exports(demo):
    _ready, finished = demo
    client = login("quansat")
    page = client.get(reverse("voting:results", args=[finished.pk])).content.decode()
    assert "Trần Minh Đức" in page and "79,66%" in page and "Đã công bố" in page
    # the committee's rulings as the minutes write them: which ballot, and what its digits mean
    rulings = re.findall(r'<ul class="rulings">(.*?)</ul>', page, re.S)[0]
    assert re.findall(
        r"<li>Phiếu số \d+: Hai lượt nhập khác nhau \(A: \d+; B: \d+\)\. → Kết luận đọc là \d+ — ", rulings
    )
    assert rulings.count("<li>") == 2
    assert "1 = Tín nhiệm cao, 2 = Tín nhiệm, 3 = Tín nhiệm thấp, 0 = không đánh dấu" in page
    # Excel first: the CSV is comma-separated, which an Excel set to Vietnamese (list separator “;”)
    # opens in one column; it is offered for other software, and says so
    buttons = re.findall(r'<a class="button secondary" href="([^"]+)">([^<]+)</a>', page)
    assert buttons[:2] == [
        (reverse("voting:results_xlsx", args=[finished.pk]), "Excel"),
        (reverse("voting:results_csv", args=[finished.pk]), "CSV (cho phần mềm khác)"),
    ]
    response = client.get(reverse("voting:results_csv", args=[finished.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mẫu phiếu", "STT", "Họ và tên"]
    assert rows[1][2] == "Trần Minh Đức" and rows[1][7] == "141" and rows[1][8] == "79.66"
    workbook = load_workbook(io.BytesIO(client.get(reverse("voting:results_xlsx", args=[finished.pk])).content))
    sheet = workbook.active
    assert sheet.cell(2, 3).value == "Trần Minh Đức" and sheet.cell(2, 8).value == 141
    assert sheet.cell(2, 9).value == 79.66 and sheet.cell(2, 9).number_format == "0.00"  # a number, not text
    response = client.get(reverse("voting:minutes_json", args=[finished.pk]))
    assert '"Trần Minh Đức"' in response.content.decode("utf-8")  # readable as it is, not \u escapes
    assert response["Content-Disposition"] == f'attachment; filename="bien-ban-{finished.pk}.json"'
    data = response.json()
    assert data["forms"][0]["people"][0]["levels"][0]["percent"] == "79,66%"


def test_the_counting_page_names_the_keys_in_the_reader_s_language(demo):
    _ready, finished = demo
    form = finished.ballot_forms.first()
    url = reverse("voting:form", args=[finished.pk, form.pk])
    client = login("quansat")
    vietnamese = client.get(url).content.decode()
    assert "1 = Tín nhiệm cao, 2 = Tín nhiệm, 3 = Tín nhiệm thấp, 0 = không đánh dấu" in vietnamese
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(url).content.decode()
    assert "1 = High confidence, 2 = Confidence, 3 = Low confidence, 0 = no mark" in english


def test_results_hidden_until_finalised(demo):
    ready, _finished = demo
    client = login("quansat")
    page = client.get(reverse("voting:results", args=[ready.pk])).content.decode()
    assert "Kết quả được hiển thị khi Ban kiểm phiếu đã chốt" in page
    assert client.get(reverse("voting:results_csv", args=[ready.pk])).status_code == 404


def test_projector_shows_agenda_then_published_results(demo):
    ready, finished = demo
    client = login("chutri")
    before = client.get(reverse("voting:projector_content", args=[ready.pk])).content.decode()
    assert "0 / 183 người có mặt" in before and "KẾT QUẢ" not in before
    after = client.get(reverse("voting:projector_content", args=[finished.pk])).content.decode()
    assert "KẾT QUẢ" in after and "79,66%" in after and "<svg" in after
    # each person's levels and invalid add up to the ballots collected (177), on the screen too
    shown = [int(n) for n in re.findall(r'class="pj-num">(\d+)', after)]
    assert shown == [141, 29, 5, 2, 122, 44, 7, 4] and sum(shown[:4]) == sum(shown[4:]) == 177
    assert after.count('pj-invalid"><span class="pj-label">Không hợp lệ</span>') == 2
    # more than three persons (the council's five): a line each, as in the minutes' table
    from tinnhiem.conferences.models import Conference
    from tinnhiem.site.demo import COUNCIL_TITLE

    council = Conference.objects.get(title=COUNCIL_TITLE)
    table = client.get(reverse("voting:projector_content", args=[council.pk])).content.decode()
    assert "<svg" not in table and table.count("<tr>") == 6  # the heading and five persons
    shown = [int(n) for n in re.findall(r'class="pj-num">(\d+)', table)]
    assert len(shown) == 20 and all(sum(shown[i : i + 4]) == 33 for i in range(0, 20, 4))  # 33 collected
    assert '<td class="num lv-low-text"><span class="pj-num">18</span> <span class="pj-pct">54,55%</span>' in table


def test_chair_runs_the_ready_conference_through_the_pages(demo):
    ready, _finished = demo
    chair, office = login("chutri"), login("vanphong")
    url = reverse("conferences:chair", args=[ready.pk])
    # the office follows the chair's page and is told who acts on it; the chair is not
    assert "Chỉ người chủ trì hội nghị mở hội nghị" in office.get(url).content.decode()
    page = chair.get(url).content.decode()
    assert 'id="chair-only"' not in page
    # the demo's conference is set for a later day: the chair is told, and confirms it is held today
    set_for, today = ready.date, timezone.localdate()
    assert set_for != today
    assert f"Hội nghị này có ngày họp là {set_for:%d/%m/%Y}; hôm nay là {today:%d/%m/%Y} theo đồng hồ" in page
    assert f'name="held_today" value="1"> Họp hôm nay, ngày {today:%d/%m/%Y}</label>' in page
    refused = chair.post(url, {"action": "open_conference"}, follow=True).content.decode()
    assert f"Hội nghị này có ngày họp là {set_for:%d/%m/%Y}, không phải hôm nay ({today:%d/%m/%Y} theo" in refused
    ready.refresh_from_db()
    assert (ready.status, ready.date) == ("preparing", set_for)
    chair.post(url, {"action": "open_conference", "held_today": "1"})
    ready.refresh_from_db()
    assert (ready.status, ready.date) == ("in_session", today)  # the day the minutes print
    assert "another-day" not in chair.get(url).content.decode()
    voters = list(ready.voters.order_by("order"))
    response = office.post(
        reverse("conferences:attendance", args=[ready.pk]),
        {"action": "present", "voter": [v.pk for v in voters[:121]]},
        follow=True,
    )
    assert "Đã điểm danh có mặt 121 người" in response.content.decode()
    page = chair.post(url, {"action": "open_voting"}, follow=True).content.decode()
    assert "Không đủ số người có mặt: 121 người có mặt trên 183" in page  # 2/3 of 183 = 122
    # marked from a search: the page comes back to the same search, whatever its characters
    searched = office.post(
        reverse("conferences:attendance", args=[ready.pk]),
        {"action": "present", "voter": [voters[121].pk], "q": "Nguyễn & Trần #2"},
    )
    assert (
        searched.url == reverse("conferences:attendance", args=[ready.pk]) + "?q=Nguy%E1%BB%85n+%26+Tr%E1%BA%A7n+%232"
    )
    count = chair.get(reverse("conferences:attendance_count", args=[ready.pk])).content.decode()
    assert "122" in count and "Đủ số người có mặt" in count


def test_the_chair_adjourns_a_session_without_a_quorum(demo):
    ready, _finished = demo
    chair, office = login("chutri"), login("vanphong")
    url = reverse("conferences:chair", args=[ready.pk])
    chair.post(url, {"action": "open_conference", "held_today": "1"})
    voters = list(ready.voters.order_by("order"))
    office.post(
        reverse("conferences:attendance", args=[ready.pk]), {"action": "present", "voter": [v.pk for v in voters[:100]]}
    )
    page = chair.get(url).content.decode()
    assert '<details id="adjourn" open>' in page  # offered open when the quorum is not met
    assert '<details id="adjourn"' not in office.get(url).content.decode()  # the chair's decision
    later = date.today() + timedelta(days=7)
    fields = {"action": "adjourn", "adjourn-new_date": f"{later:%d/%m/%Y}", "adjourn-reason": "Không đủ 2/3"}
    page = chair.post(url, fields, follow=True).content.decode()
    assert "Xác nhận hoãn hội nghị: Đánh dấu vào ô để xác nhận." in page
    page = chair.post(url, fields | {"adjourn-new_date": "31/02/2027", "adjourn-confirm": "on"}, follow=True)
    assert "Ngày họp lại: " in page.content.decode()
    ready.refresh_from_db()
    assert ready.status == "in_session" and ready.voters.filter(attendance="present").count() == 100
    page = chair.post(url, fields | {"adjourn-confirm": "on"}, follow=True).content.decode()
    assert f"Đã hoãn hội nghị sang ngày {later:%d/%m/%Y}" in page
    assert "Khai mạc hội nghị" in page and '<details id="adjourn"' not in page
    ready.refresh_from_db()
    assert (ready.status, ready.date) == ("preparing", later)
    assert not ready.voters.filter(attendance="present").exists()
    overview = office.get(reverse("conferences:conference", args=[ready.pk])).content.decode()
    history = re.findall(r'<div class="warn" id="adjournments">(.*?)</div>', overview, re.S)[0]
    assert (
        f"Phiên họp ngày {date.today():%d/%m/%Y} hoãn đến ngày {later:%d/%m/%Y} (100/183 người có mặt): Không đủ 2/3"
        in history
    )


def test_the_chair_has_the_vote_on_a_form_held_again(demo):
    ready, _finished = demo
    chair, office = login("chutri"), login("vanphong")
    url = reverse("conferences:chair", args=[ready.pk])
    assert 'class="repeat-vote"' not in chair.get(url).content.decode()  # only once the vote is open
    chair.post(url, {"action": "open_conference", "held_today": "1"})
    voters = list(ready.voters.order_by("order"))
    office.post(
        reverse("conferences:attendance", args=[ready.pk]), {"action": "present", "voter": [v.pk for v in voters]}
    )
    users = {u.username: u for u in get_user_model().objects.all()}
    members = zip(
        [v for v in voters if v.rated_person_id is None][:3],
        ("head", "secretary", "member"),
        ("kiemphieu1", "kiemphieu2", "kiemphieu3"),
        strict=True,
    )
    for voter, role, user in members:
        day.propose_member(users["vanphong"], ready, voter=voter, role=role, user=users[user])
    day.record_committee_approval(users["chutri"], ready, votes_for=183, against=0, abstaining=0)
    chair.post(url, {"action": "open_voting"})
    form = ready.ballot_forms.get()
    page = chair.get(url).content.decode()
    assert f'<details class="repeat-vote" id="repeat-{form.pk}">' in page
    assert 'class="repeat-vote"' not in office.get(url).content.decode()  # the chair's decision
    fields = {"action": "repeat_vote", "form": form.pk, "reason": "Hòm phiếu có nhiều phiếu hơn số phát ra"}
    page = chair.post(url, fields, follow=True).content.decode()
    assert "Đánh dấu vào ô để xác nhận." in page
    assert (
        "Nêu lý do bỏ phiếu lại."
        in chair.post(url, fields | {"confirm": "1", "reason": " "}, follow=True).content.decode()
    )
    assert not Event.objects.filter(action="vote.repeated").exists()
    once = re.search(r'name="submission" value="([0-9a-f]{32})"', page).group(1)  # the page's one-time id
    sent = fields | {"confirm": "1", "submission": once}
    page = chair.post(url, sent, follow=True).content.decode()
    assert f"Bỏ phiếu lại mẫu phiếu “{form.name}”: không tính bất cứ phiếu nào" in page
    assert Event.objects.filter(action="vote.repeated", data__form=form.pk).count() == 1
    # the new vote begins; the same page sent again (Back, then the button) discards nothing of it
    counting.record_ballot_counts(users["kiemphieu1"], form, issued=180, collected=178)
    page = chair.post(url, sent, follow=True).content.decode()
    assert f'<li class="info">Mẫu phiếu “{form.name}” đã được bỏ phiếu lại từ trang này' in page
    assert 'class="error"' not in page
    form.refresh_from_db()
    assert form.issued == 180 and Event.objects.filter(action="vote.repeated").count() == 1
    # a new decision, on a new page, is taken
    again = re.search(r'name="submission" value="([0-9a-f]{32})"', chair.get(url).content.decode()).group(1)
    chair.post(url, sent | {"submission": again})
    form.refresh_from_db()
    assert form.issued is None and Event.objects.filter(action="vote.repeated").count() == 2


def test_entry_page_keyboard_flow_and_second_device(demo, make_user):
    ready, _finished = demo
    form = counted_on_paper(ready)

    member = login("kiemphieu1")
    entry_url = reverse("voting:entry", args=[ready.pk, form.pk])
    assert member.get(entry_url).status_code == 302  # sets the device cookie first
    assert "Bắt đầu nhập" in member.get(entry_url).content.decode()
    member.post(entry_url, {"action": "start"})
    member.post(entry_url, {"position": 1, "marks": "13"})
    member.post(entry_url, {"position": 1, "marks": "13"})  # double submit
    page = member.post(entry_url, {"position": 151, "marks": "11"}, follow=True).content.decode()
    assert "Số thứ tự phiếu là từ 1 đến 150 (số phiếu thu về): không có phiếu số 151." in page
    assert EntryRow.objects.filter(session__form=form).count() == 1
    # closing the browser loses nothing saved: the page comes back at the next ballot
    entry_page = member.get(entry_url).content.decode()
    assert 'name="position" value="2"' in entry_page
    # a whole ballot invalid: the rule set's reasons are offered, as the minutes will word them
    assert '<option value="Phiếu gạch xoá họ tên người được in trên phiếu">' in entry_page
    other_device = login("kiemphieu1")
    other_device.get(entry_url)
    page = other_device.get(entry_url).content.decode()
    assert "đang mở trên thiết bị khác" in page
    started = other_device.post(entry_url, {"action": "start"}, follow=True)  # "Start" there: offered to take over
    assert "đang mở trên thiết bị khác" in started.text and started.redirect_chain == [(entry_url, 302)]
    other_device.post(entry_url, {"action": "take_over"})
    assert "đang mở trên thiết bị khác" in member.get(entry_url).content.decode()


def test_paper_records_keep_no_time_or_voter(demo):
    for model in (EntryRow, Resolution):
        names = {f.name for f in model._meta.get_fields()}
        assert not {"created_at", "entered_at", "at", "timestamp", "voter", "ip"} & names, model


def test_the_office_makes_the_ballot_form_before_the_conference_to_print_ahead(office, make_user, conference):
    """Ballots and code cards are printed days before the conference, and the form they belong to
    is otherwise made only when it opens. One button makes it, as opening would; sent twice it
    makes one form; the pages that need a form say where to make it."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from tests.voting.conftest import build
    from tinnhiem.audit.models import Event
    from tinnhiem.conferences.usecases import day

    with pytest.raises(ValidationError) as info:
        day.create_single_form(office, conference)
    assert info.value.messages == ["Chưa có người được lấy phiếu trên phiếu."]
    people, _voters = build(office, conference, 3)
    client = Client()
    client.force_login(office)
    forms_url = reverse("conferences:ballot_forms", args=[conference.pk])
    # (the tabs link to the Ballot forms page anyway: what is checked is the notice itself)
    documents = client.get(reverse("documents:list", args=[conference.pk])).content.decode()
    assert f'lập trước tại trang <a href="{forms_url}">Mẫu phiếu</a> để in phiếu trước' in documents
    for page in ("voting:cards", "voting:overview"):
        notice = re.search(
            r'<p [^>]*id="no-form">(.*?)</p>', client.get(reverse(page, args=[conference.pk])).content.decode()
        )
        assert notice and f'<a href="{forms_url}">Mẫu phiếu</a>' in notice.group(1), page
    assert 'id="single-form"' in client.get(forms_url).content.decode()
    for _twice in range(2):  # a double click
        response = client.post(forms_url, {"action": "single"}, follow=True)
    form = conference.ballot_forms.get()
    assert form.name == "Phiếu tín nhiệm" and {p.pk for p in form.people.all()} == {p.pk for p in people}
    assert Event.objects.filter(action="ballot_form.created").count() == 1
    assert 'id="single-form"' not in response.content.decode()
    assert client.get(reverse("documents:ballots", args=[conference.pk, form.pk]), {"copies": 1}).status_code == 200
    for page in ("voting:cards", "voting:overview"):
        assert 'id="no-form"' not in client.get(reverse(page, args=[conference.pk])).content.decode(), page
    # only the office makes it
    with pytest.raises(PermissionDenied):
        day.create_single_form(make_user("observer", "quan-sat"), conference)


def test_the_attendance_page_records_an_absence_with_its_reason_and_undoes_a_mistake(office, make_user, conference):
    from tests.voting.conftest import build
    from tinnhiem.conferences.usecases import day

    _people, voters = build(office, conference, 4)
    day.open_conference(make_user("chair", "chu-tri"), conference, held_today=True)
    client = Client()
    client.force_login(office)
    url = reverse("conferences:attendance", args=[conference.pk])
    page = client.post(url, {"action": "absent", "voter": voters[1].pk, "reason": "Đi công tác", "q": "002"})
    assert page.status_code == 302 and page["Location"] == url + "?q=002"  # the search kept
    voters[1].refresh_from_db()
    assert (voters[1].attendance, voters[1].absence_reason) == ("absent", "Đi công tác")
    assert "Đi công tác" in client.get(url).text
    client.post(url, {"action": "undo", "voter": voters[1].pk})
    voters[1].refresh_from_db()
    assert (voters[1].attendance, voters[1].absence_reason) == ("", "")
    for nobody in ({"action": "absent", "reason": "Ốm"}, {"action": "absent", "voter": [v.pk for v in voters[:2]]}):
        page = client.post(url, nobody, follow=True).text  # one voter at a time: none, or two, is refused
        assert "Hãy chọn ít nhất một người." in page
    assert not conference.voters.exclude(attendance="").exists()
    page = client.post(url, {"action": "present"}, follow=True).text  # the button, no one ticked
    assert "Hãy chọn ít nhất một người." in page and "0 người" not in page
    chosen = {"action": "present", "voter": [v.pk for v in voters[:2]]}
    assert "Đã điểm danh có mặt 2 người." in client.post(url, chosen, follow=True).text
    page = client.post(url, chosen, follow=True).text  # the same press sent again
    assert "Những người đã chọn đều đã được điểm danh có mặt." in page and "0 người" not in page
    assert set(conference.voters.filter(attendance="present")) == set(voters[:2])


def test_the_ballot_forms_page_makes_a_form_of_the_persons_chosen_and_sets_how_it_is_counted(
    office, make_user, conference
):
    from tests.voting.conftest import build

    (a, _b), _voters = build(office, conference, 3)
    client = Client()
    client.force_login(office)
    url = reverse("conferences:ballot_forms", args=[conference.pk])
    page = client.post(url, {"name": "Phiếu số 1", "people": [a.pk], "color": "#ffe9a8"}, follow=True).text
    assert "Đã thêm." in page
    form = conference.ballot_forms.get()
    assert (form.name, form.color, [p.pk for p in form.people.all()]) == ("Phiếu số 1", "#ffe9a8", [a.pk])
    assert "Hãy chọn người được lấy phiếu của mẫu phiếu này." in client.post(url, {"name": "Trống"}, follow=True).text
    client.post(url, {"mode_form": form.pk, "mode": "scan"})
    form.refresh_from_db()
    assert form.mode == "scan"
    assert "Cách kiểm phiếu không hợp lệ." in client.post(url, {"mode_form": form.pk, "mode": "x"}, follow=True).text
    form.refresh_from_db()
    assert form.mode == "scan" and conference.ballot_forms.count() == 1


def test_the_office_makes_one_ballot_form_per_group_of_the_list(office, make_user, conference):
    """A council or the National Assembly prints one form per group of rated persons. With the
    groups given in the list (its Excel file has the column), one button makes them, named after
    the groups, each with its persons in the order of the list; a person not on the ballot stays
    off; two spellings of a group are one group."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from tinnhiem.audit.models import Event
    from tinnhiem.conferences.usecases import day, rated

    def add(name, group, **kw):
        return rated.add_rated_person(office, conference, full_name=name, post="Đại biểu", group=group, **kw)

    hai, huong = add("Lương Văn Hải", "Thường trực HĐND"), add("Tạ Thị Thu Hương", "Trưởng ban HĐND")
    phong, tam = add("Mạc Đình Phong", "thường trực  hđnd"), add("Đỗ Văn Tâm", "Trưởng ban HĐND")
    add("Lê Văn An", "Thường trực HĐND", decision="excluded", decision_note="Đang điều trị dài ngày.")
    client = Client()
    client.force_login(office)
    url = reverse("conferences:ballot_forms", args=[conference.pk])
    page = client.get(url).content.decode()
    assert "<strong>Thường trực HĐND</strong> (2); <strong>Trưởng ban HĐND</strong> (2)." in page
    first = client.post(url, {"action": "groups"}, follow=True).text
    assert "Đã lập 2 mẫu phiếu." in first
    response = client.post(url, {"action": "groups"}, follow=True)  # a double click makes them once
    assert "Đã lập" not in response.text  # and says nothing of the second press's none
    forms = list(conference.ballot_forms.order_by("order"))
    assert [(f.name, [p.pk for p in f.people.order_by("order")]) for f in forms] == [
        ("Thường trực HĐND", [hai.pk, phong.pk]),
        ("Trưởng ban HĐND", [huong.pk, tam.pk]),
    ]
    assert Event.objects.filter(action="ballot_form.created").count() == 2
    assert 'id="group-forms"' not in response.content.decode()

    # a person with no group is named, and nothing is made
    binh = add("Phạm Thị Bình", "")
    add("Vũ Văn Cường", "Ủy viên")
    with pytest.raises(ValidationError) as info:
        day.create_group_forms(office, conference)
    assert info.value.messages == [
        "Chưa có nhóm trên phiếu: Phạm Thị Bình. Hãy ghi nhóm cho từng người (Sửa, ở danh sách người được "
        "lấy phiếu), hoặc đưa họ vào một mẫu phiếu bằng tay ở dưới."
    ]
    assert conference.ballot_forms.count() == 2
    # a group named as a form already made
    rated.update_rated_person(
        office,
        binh,
        full_name=binh.full_name,
        post=binh.post,
        group="Trưởng ban HĐND",
        retirement_notified=False,
        took_office_on=None,
        decision="rated",
    )
    with pytest.raises(ValidationError) as info:
        day.create_group_forms(office, conference)
    assert "Đã có mẫu phiếu tên Trưởng ban HĐND" in info.value.messages[0]
    with pytest.raises(PermissionDenied):
        day.create_group_forms(make_user("observer", "quan-sat"), conference)


def test_a_form_is_renamed_and_given_a_paper_colour_that_the_ballot_can_print(office, make_user, conference):
    """A colour written in words ("vàng") was saved, and printing the ballots then failed in Typst
    ("color string contains non-hexadecimal letters"). It is refused with what to write; a code
    is kept as #rrggbb. A form made per group has no colour: the office sets it on the page."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from tinnhiem.audit.models import Event
    from tinnhiem.conferences.models import Conference
    from tinnhiem.conferences.usecases import day, rated
    from tinnhiem.documents import ballots

    person = rated.add_rated_person(office, conference, full_name="Lương Văn Hải", post="Chủ tịch", group="Thường trực")
    with pytest.raises(ValidationError) as info:
        day.create_ballot_form(office, conference, name="Phiếu", people=[person], color="vàng")
    assert info.value.messages == [
        "Ghi màu giấy bằng mã màu, ví dụ #ffe9a8 (vàng nhạt); để trống nếu in trên giấy trắng."
    ]
    assert not conference.ballot_forms.exists()
    (form,) = day.create_group_forms(office, conference)
    assert (form.name, form.color) == ("Thường trực", "")

    client = Client()
    client.force_login(office)
    url = reverse("conferences:ballot_forms", args=[conference.pk])
    assert f'name="edit_form" value="{form.pk}"' in client.get(url).content.decode()
    page = client.post(url, {"edit_form": form.pk, "name": "Thường trực HĐND", "color": "yellow"}, follow=True)
    assert "Ghi màu giấy bằng mã màu" in page.content.decode()
    client.post(url, {"edit_form": form.pk, "name": "  Thường trực HĐND ", "color": "FFE9A8"})
    form.refresh_from_db()
    assert (form.name, form.color) == ("Thường trực HĐND", "#ffe9a8")
    assert Event.objects.get(action="ballot_form.updated").data == {
        "form": form.pk,
        "name": "Thường trực HĐND",
        "color": "#ffe9a8",
    }
    assert ballots.render_ballots(form, copies=1)[:5] == b"%PDF-"  # printed with its band
    assert day.update_ballot_form(office, form, name="Thường trực", color="#abc").color == "#abc"
    with pytest.raises(PermissionDenied):
        day.update_ballot_form(make_user("observer", "quan-sat"), form, name="X", color="")
    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.IN_SESSION)
    with pytest.raises(ValidationError):
        day.update_ballot_form(office, form, name="X", color="")


def test_a_form_made_by_mistake_is_removed_before_the_conference_opens(office, make_user, conference):
    """Its persons go back to no form (to be put on another, or on the one form opening makes);
    its code cards go with it. Once the conference opens, forms are no longer removed."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from tinnhiem.audit.models import Event
    from tinnhiem.conferences.models import Conference
    from tinnhiem.conferences.usecases import day, rated
    from tinnhiem.voting.models import CodeCard

    a = rated.add_rated_person(office, conference, full_name="Lương Văn Hải", post="Chủ tịch")
    b = rated.add_rated_person(office, conference, full_name="Đỗ Thị Hà", post="Phó Chủ tịch")
    first = day.create_ballot_form(office, conference, name="Phiếu 1", people=[a])
    wrong = day.create_ballot_form(office, conference, name="Phiếu nhầm", people=[b])
    CodeCard.objects.create(form=wrong, code_hmac="x" * 64)
    with pytest.raises(PermissionDenied):
        day.remove_ballot_form(make_user("observer", "quan-sat"), wrong)

    client = Client()
    client.force_login(office)
    url = reverse("conferences:ballot_forms", args=[conference.pk])
    assert f'name="remove_form" value="{wrong.pk}"' in client.get(url).content.decode()
    page = client.post(url, {"remove_form": wrong.pk}, follow=True).content.decode()
    assert "Đã xoá mẫu phiếu “Phiếu nhầm”. Đưa những người của mẫu này vào một mẫu phiếu: Đỗ Thị Hà." in page
    b.refresh_from_db()
    assert b.ballot_form is None and list(conference.ballot_forms.all()) == [first]
    assert not CodeCard.objects.filter(form__conference=conference).exists()
    assert Event.objects.get(action="ballot_form.removed", conference_id=conference.pk).data == {
        "form": wrong.pk,
        "name": "Phiếu nhầm",
        "people": [b.pk],
    }
    # sent again (a double click): nothing more happens, nothing fails
    assert client.post(url, {"remove_form": wrong.pk}).status_code == 302
    assert Event.objects.filter(action="ballot_form.removed", conference_id=conference.pk).count() == 1
    # the last form: opening will make one with every person
    page = client.post(url, {"remove_form": first.pk}, follow=True).content.decode()
    assert (
        "hội nghị sẽ tạo một mẫu phiếu gồm tất cả những người trong danh sách" in page
        and not conference.ballot_forms.exists()
    )

    again = day.create_ballot_form(office, conference, name="Phiếu", people=[a, b])
    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.IN_SESSION)
    with pytest.raises(ValidationError):
        day.remove_ballot_form(office, again)
    assert 'name="remove_form"' not in client.get(url).content.decode()
    assert conference.ballot_forms.get() == again


def test_attendance_offers_no_change_once_voting_is_closed(demo):
    """Attendance changes until voting closes; after that the page shows it without the boxes and
    buttons whose use would be refused."""
    ready, finished = demo
    office = login("vanphong")
    page = office.get(reverse("conferences:attendance", args=[ready.pk])).content.decode()
    assert 'value="present"' in page and 'name="voter"' in page and "Ghi vắng mặt, hoặc sửa" in page
    page = office.get(reverse("conferences:attendance", args=[finished.pk])).content.decode()
    assert 'value="present"' not in page and 'name="voter"' not in page and "Ghi vắng mặt, hoặc sửa" not in page
    assert "Đã kết thúc bỏ phiếu; không thể thay đổi điểm danh." in page
    assert page.count('<span class="badge done">Có mặt</span>') == 178  # who was present, still shown


def test_the_invitations_page_shows_no_closed_link(demo):
    """Once the conference is finished the invitation links no longer open: the page says so
    instead of listing dead links, their QR codes and a button to renew them."""
    ready, finished = demo
    office = login("vanphong")
    page = office.get(reverse("conferences:invitations", args=[ready.pk])).content.decode()
    assert "/moi/" in page and "Thu hồi và cấp lại" in page and 'id="links-closed"' not in page
    page = office.get(reverse("conferences:invitations", args=[finished.pk])).content.decode()
    assert "/moi/" not in page and "Thu hồi và cấp lại" not in page
    assert "Các đường dẫn trong giấy mời không còn mở được: hội nghị đã kết thúc" in page


def test_the_committee_proposed_on_its_page_and_voted_on_by_the_chair(demo):
    """The office proposes the members on the committee page, and removes one proposed by mistake;
    the chair records the show of hands: short of more than half, the page says the conference did
    not approve it, and nothing is approved; the page sent twice records it once, a show of hands
    held again with the same figures records it again; then it is approved."""
    ready, _finished = demo
    chair, office = login("chutri"), login("vanphong")
    chair.post(reverse("conferences:chair", args=[ready.pk]), {"action": "open_conference", "held_today": "1"})
    voters = list(ready.voters.filter(rated_person__isnull=True).order_by("order"))
    day.check_in(get_user_model().objects.get(username="vanphong"), ready, voters[:122])
    page_url = reverse("conferences:committee", args=[ready.pk])
    accounts = list(get_user_model().objects.filter(username__startswith="kiemphieu").order_by("username"))
    ready.committee.all().delete()
    for voter, role, account in zip(
        voters[:4], ("head", "secretary", "member", "member"), [*accounts, None], strict=True
    ):
        page = office.post(
            page_url, {"voter": voter.pk, "role": role, "user": account.pk if account else ""}, follow=True
        ).content.decode()
        assert "Đã thêm." in page
    assert (
        "Hãy chọn một người có mặt."
        in office.post(page_url, {"voter": "0", "role": "member"}, follow=True).content.decode()
    )
    extra = ready.committee.get(voter=voters[3])
    office.post(page_url, {"remove": extra.pk})
    assert sorted(ready.committee.values_list("voter_id", flat=True)) == sorted(v.pk for v in voters[:3])

    url = reverse("conferences:chair", args=[ready.pk])

    def shown_submission():
        page = chair.get(url).content.decode()
        form = re.search(r'value="committee_vote">.*?</form>', page, re.S).group(0)
        return re.search(r'name="submission" value="([0-9a-f]{32})"', form).group(1)

    hands = {"action": "committee_vote", "votes_for": 61, "against": 50, "abstaining": 11}
    hands["submission"] = shown_submission()
    page = chair.post(url, hands, follow=True).content.decode()
    assert "Hội nghị chưa thông qua Ban kiểm phiếu: số tán thành chưa đủ." in page  # 61 of 122 is not more than half
    ready.refresh_from_db()
    assert not ready.committee_approved
    # the same page sent again (a double click): one show of hands, said so as information
    page = chair.post(url, hands, follow=True).content.decode()
    assert '<li class="info">Biểu quyết này đã được ghi nhận.</li>' in page and "chưa đủ" not in page
    votes = Event.objects.filter(conference_id=ready.pk, action="committee.vote")
    assert votes.count() == 1
    # a show of hands held again, from the page shown anew, may give the same figures: a second vote
    again = hands | {"submission": shown_submission()}
    assert again["submission"] != hands["submission"]
    assert "số tán thành chưa đủ" in chair.post(url, again, follow=True).content.decode()
    assert [e.data["for"] for e in votes] == [61, 61]
    hands.pop("submission")
    page = chair.post(url, hands | {"votes_for": 62, "against": 49}, follow=True).content.decode()
    assert "Đã ghi nhận." in page
    ready.refresh_from_db()
    assert ready.committee_approved
    # approved, the list no longer changes, on the page either
    office.post(page_url, {"remove": ready.committee.first().pk})
    assert ready.committee.count() == 3


def test_each_step_of_the_chair_sent_twice_is_done_once_and_said_so(demo):
    """A double click on a slow Wi-Fi, or the page sent again, on each of the chair's buttons: the
    step is done once, logged once, and the second press is told so as information, not as an
    error (red) that would leave the chair wondering whether the conference was opened or not. The
    same show of hands sent twice is the same; other figures after approval are refused. So too the
    committee's finalising, and its head's reopening for a correction."""
    ready, finished = demo
    chair = login("chutri")
    url = reverse("conferences:chair", args=[ready.pk])

    def twice(data, done):
        first = chair.post(url, data, follow=True).content.decode()
        assert '<li class="success">Đã ghi nhận.</li>' in first, re.findall(
            r'<ul class="messages">.*?</ul>', first, re.S
        )
        second = chair.post(url, data, follow=True).content.decode()
        assert f'<li class="info">{done}</li>' in second
        assert 'class="error"' not in second and "Đã ghi nhận." not in second
        return second

    twice({"action": "open_conference", "held_today": "1"}, "Hội nghị đã khai mạc.")
    office = get_user_model().objects.get(username="vanphong")
    voters = list(ready.voters.filter(rated_person__isnull=True).order_by("order")[:122])
    day.check_in(office, ready, voters)
    for voter, role in zip(voters, ("head", "secretary", "member"), strict=False):
        day.propose_member(office, ready, voter=voter, role=role, user=None)
    hands = {"action": "committee_vote", "votes_for": 120, "against": 0, "abstaining": 2}
    twice(hands, "Ban kiểm phiếu đã được thông qua.")
    other = chair.post(url, hands | {"votes_for": 119, "abstaining": 3}, follow=True).content.decode()
    assert '<li class="error">' in other and "Ban kiểm phiếu đã được thông qua." in other
    ready.refresh_from_db()
    assert (ready.committee_votes_for, ready.committee_votes_abstaining) == (120, 2)
    twice({"action": "open_voting"}, "Đã bắt đầu bỏ phiếu.")
    twice({"action": "close_voting"}, "Đã kết thúc bỏ phiếu.")
    steps = ["conference.opened", "committee.vote", "voting.opened", "voting.closed"]
    logged = list(Event.objects.filter(conference_id=ready.pk, action__in=steps).values_list("action", flat=True))
    assert sorted(logged) == sorted(steps)

    published = Event.objects.filter(conference_id=finished.pk, action="results.published").count()
    page = chair.post(
        reverse("conferences:chair", args=[finished.pk]), {"action": "publish"}, follow=True
    ).content.decode()
    assert '<li class="info">Kết quả đã được công bố.</li>' in page
    assert Event.objects.filter(conference_id=finished.pk, action="results.published").count() == published == 1
    form = finished.ballot_forms.get()
    finalised = Event.objects.filter(conference_id=finished.pk, action="count.finalised").count()
    page = (
        login("kiemphieu1")
        .post(reverse("voting:form", args=[finished.pk, form.pk]), {"action": "finalise"}, follow=True)
        .content.decode()
    )
    assert '<li class="info">Mẫu phiếu này đã chốt kết quả.</li>' in page and 'class="error"' not in page
    assert Event.objects.filter(conference_id=finished.pk, action="count.finalised").count() == finalised
    # the head of the committee reopens the count for a correction, with a double click
    correction = {"action": "reopen", "reason": "Khiếu nại về phiếu số 12, Ban kiểm phiếu kiểm tra lại"}
    head = login("kiemphieu1")
    form_url = reverse("voting:form", args=[finished.pk, form.pk])
    assert '<li class="success">Đã ghi nhận.</li>' in head.post(form_url, correction, follow=True).content.decode()
    page = head.post(form_url, correction, follow=True).content.decode()
    assert '<li class="info">Mẫu phiếu này đã được mở lại để điều chỉnh với lý do này.</li>' in page
    assert 'class="error"' not in page
    assert Event.objects.filter(conference_id=finished.pk, action="count.reopened").count() == 1
    assert form.results.filter(superseded=False).count() == 0 and form.results.count() == 1


def test_the_chair_s_page_says_what_the_next_step_still_needs(demo, conference):
    """Under "Open the conference" and "Open the vote", the chair reads what is still missing,
    instead of finding out from a refusal in the hall; the quorum part follows the attendance live."""
    ready, _finished = demo
    chair = login("chutri")
    empty = chair.get(reverse("conferences:chair", args=[conference.pk])).content.decode()
    assert 'id="opening-needs"' in empty
    assert "Chưa có người được lấy phiếu trên phiếu." in empty and "Danh sách người ghi phiếu đang trống." in empty
    url = reverse("conferences:chair", args=[ready.pk])
    assert 'id="opening-needs"' not in chair.get(url).content.decode()  # ready: nothing missing
    chair.post(url, {"action": "open_conference", "held_today": "1"})
    page = chair.get(url).content.decode()
    needs = re.search(r'<div class="needs" id="voting-needs">(.*?)</div>', page, re.S).group(1)
    assert "Không đủ số người có mặt: 0 người có mặt trên 183" in needs
    assert "Ban kiểm phiếu chưa được hội nghị biểu quyết thông qua." in needs
    office_user = get_user_model().objects.get(username="vanphong")
    voters = list(ready.voters.filter(rated_person__isnull=True).order_by("order")[:122])
    day.check_in(office_user, ready, voters)
    live = chair.get(reverse("conferences:attendance_count", args=[ready.pk]) + "?for=chair").content.decode()
    assert "Không đủ số người có mặt" not in live and "Ban kiểm phiếu chưa được hội nghị biểu quyết thông qua." in live
    assert (
        'id="voting-needs"' not in chair.get(reverse("conferences:attendance_count", args=[ready.pk])).content.decode()
    )
    for voter, role in zip(voters, ("head", "secretary", "member"), strict=False):
        day.propose_member(office_user, ready, voter=voter, role=role, user=None)
    chair_user = get_user_model().objects.get(username="chutri")
    day.record_committee_approval(chair_user, ready, votes_for=122, against=0, abstaining=0)
    assert 'id="voting-needs"' not in chair.get(url).content.decode()
    page = chair.post(url, {"action": "open_voting"}, follow=True).content.decode()
    assert '<li class="success">Đã ghi nhận.</li>' in page
