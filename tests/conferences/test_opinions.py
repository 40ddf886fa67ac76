"""Use cases submit_opinion, enter_paper_opinion, classify_opinion, forward_requests,
record_explanation, distribute_explanations; and the opinion summary."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tinnhiem.audit.models import Event
from tinnhiem.conferences import links
from tinnhiem.conferences.models import Conference, Opinion
from tinnhiem.conferences.queries import checklist, opinion_summary
from tinnhiem.conferences.usecases import opinions


def test_unsigned_opinion_keeps_no_link_to_the_voter(voter, person):
    opinion = opinions.submit_opinion(voter, rated_person=person, text="Đồng tình", sign=False)
    opinion.refresh_from_db()
    assert opinion.voter is None and opinion.signed_by == ""
    event = Event.objects.get(action="opinion.received")
    assert str(voter.pk) not in str(event.data) and voter.full_name not in str(event.data)
    assert event.actor == "invitation-link"
    # the stored fields carry no time of day and the id is random
    field_names = {f.name for f in Opinion._meta.get_fields()}
    assert not {"created_at", "submitted_at", "ip", "user_agent"} & field_names
    assert opinion.pk.version == 4
    # the form's one-time id is random per page, not derived from the voter or their link
    from tinnhiem.conferences.forms import VoterOpinionForm

    ids = {VoterOpinionForm(conference=voter.conference)["submission"].initial for _ in range(3)}
    assert len(ids) == 3 and not any(str(voter.pk) == i or voter.full_name in i for i in ids)


def test_signed_opinion_names_the_voter(voter, person):
    opinion = opinions.submit_opinion(voter, rated_person=person, text="Đề nghị làm rõ", sign=True)
    assert opinion.voter == voter and opinion.signed_by == voter.full_name


def test_an_opinion_of_the_longest_length_is_kept_and_one_character_more_refused(voter, person):
    text = ("Đề nghị làm rõ. " * 625).rstrip() + "!"  # 10,000 characters
    assert len(text) == opinions.MAX_OPINION_CHARS == 10_000
    assert opinions.submit_opinion(voter, rated_person=person, text=text, sign=False).text == text
    with pytest.raises(ValidationError) as info:
        opinions.submit_opinion(voter, rated_person=person, text=text + "x", sign=False)
    assert info.value.messages == ["Nội dung dài quá 10.000 ký tự."]  # grouped as Vietnamese writes it
    with translation.override("en"), pytest.raises(ValidationError) as info:
        opinions.submit_opinion(voter, rated_person=person, text=text + "x", sign=False)
    assert info.value.messages == ["The text is longer than 10,000 characters."]
    assert Opinion.objects.count() == 1


def test_link_after_the_conference_is_refused(voter, person, conference):
    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.FINISHED)
    with pytest.raises(ValidationError) as info:
        opinions.submit_opinion(voter, rated_person=person, text="x", sign=False)
    assert "đã kết thúc" in info.value.messages[0]
    assert Opinion.objects.count() == 0


def test_once_the_conference_is_finished_its_opinions_and_explanations_are_kept(office, conference, person):
    """Opinions and explanations prepare the vote: once the conference is finished, neither the
    use cases nor the pages change them (a late letter would otherwise change the record)."""
    agrees = opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đồng tình")
    asks = opinions.enter_paper_opinion(office, conference, rated_person=None, text="Đề nghị làm rõ")
    opinions.classify_opinion(office, asks, tag="requests_explanation")
    opinions.record_explanation(office, person, text="Giải trình")  # not yet sent to the voters
    client = Client()
    client.force_login(office)
    page = reverse("conferences:opinions", args=[conference.pk])
    explanations = reverse("conferences:explanations", args=[conference.pk])
    classify = reverse("conferences:opinion_classify", args=[conference.pk, agrees.pk])
    address = reverse("conferences:opinion_address", args=[conference.pk, asks.pk])
    distribute = reverse("conferences:explanations_distribute", args=[conference.pk])
    before = client.get(page).content.decode()
    assert all(url in before for url in (classify, address, 'id="nhap-y-kien"')) and "opinions-closed" not in before
    letter = {"text": "Thư trên giấy", "received_on": "01/01/2020"}
    client.post(page, letter | {"submission": "a"})
    assert Opinion.objects.count() == 3  # the page's form saves while the conference is not finished
    assert distribute in client.get(explanations).content.decode()

    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.FINISHED)
    conference.refresh_from_db()
    attempts = {
        "enter": lambda: opinions.enter_paper_opinion(office, conference, rated_person=person, text="Thư đến muộn"),
        "classify": lambda: opinions.classify_opinion(office, agrees, tag="other"),
        "classify ticked": lambda: opinions.classify_opinions(office, conference, [agrees], tag="other"),
        "address": lambda: opinions.address_request(office, asks, rated_person=person),
        "forward": lambda: opinions.forward_requests(office, conference),
        "explain": lambda: opinions.record_explanation(None, person, text="Giải trình muộn"),
        "distribute": lambda: opinions.distribute_explanations(office, conference),
    }
    for name, attempt in attempts.items():
        with pytest.raises(ValidationError) as info:
            attempt()
        assert info.value.messages[0].startswith("Hội nghị đã kết thúc:"), name
    assert Opinion.objects.count() == 3 and person.explanations.count() == 1
    agrees.refresh_from_db()
    asks.refresh_from_db()
    assert (agrees.tag, asks.rated_person, asks.forwarded_on) == ("new", None, None)
    assert person.explanations.get().distributed_on is None

    after = client.get(page).content.decode()
    assert 'id="opinions-closed"' in after and "Đồng tình" in after  # the opinions are still read
    assert not any(url in after for url in (classify, address, 'id="nhap-y-kien"'))
    page_after = client.get(explanations).content.decode()
    assert distribute not in page_after and 'id="explanations-closed"' in page_after
    # a form kept open from before is refused, and saves nothing
    response = client.post(page, letter | {"submission": "b"})
    assert response.status_code == 200 and Opinion.objects.count() == 3


def test_nothing_is_hung_on_a_rated_person_removed_after_the_page_was_shown(
    office, conference, person, voter, pdf_bytes
):
    """The office removes a person listed by mistake while a voter's page, the person's own page
    or another office page still shows them (on PostgreSQL the second request waits for the
    removal's lock, then finds no row): an opinion, a dossier or an explanation for them is refused
    in words, and nothing is saved, rather than failing on the database's foreign key."""
    from tinnhiem.conferences.models import Dossier, RatedPerson
    from tinnhiem.conferences.usecases import dossiers, rated

    shown = RatedPerson.objects.get(pk=person.pk)  # what the pages were given
    rated.remove_rated_person(office, person)
    attempts = {
        "paper": lambda: opinions.enter_paper_opinion(office, conference, rated_person=shown, text="Đồng tình"),
        "link": lambda: opinions.submit_opinion(voter, rated_person=shown, text="Đồng tình", sign=False),
        "dossier": lambda: dossiers.upload_dossier(
            office, shown, kind="report", title="Báo cáo", filename="bc.pdf", data=pdf_bytes
        ),
        "explanation": lambda: opinions.record_explanation(None, shown, text="Giải trình"),
    }
    for name, attempt in attempts.items():
        with pytest.raises(ValidationError) as info:
            attempt()
        assert info.value.messages == [
            f"“{person.full_name}” vừa được xoá khỏi danh sách những người có tên trên phiếu: hãy mở lại trang."
        ], name
    assert not Opinion.objects.exists() and not Dossier.objects.exists()


def test_an_opinion_sent_through_the_link_of_a_voter_removed_meanwhile_is_refused_in_words(
    office, conference, person, voter
):
    """The office takes a voter off the list while their link's page is open (on PostgreSQL the
    opinion's request waits for the removal's lock, then finds no voter): the opinion is refused in
    words, signed or not, and nothing is saved, rather than a server error."""
    from tinnhiem.conferences.models import Voter
    from tinnhiem.conferences.usecases import roster

    shown = Voter.objects.get(pk=voter.pk)  # what the link's page was given
    roster.remove_voter(office, voter)
    for sign in (True, False):
        with pytest.raises(ValidationError) as info:
            opinions.submit_opinion(shown, rated_person=person, text="Đồng tình", sign=sign, submission=str(sign))
        assert info.value.messages == [
            "Đường dẫn mời này không còn dùng được: tên đồng chí đã được đưa ra khỏi danh sách người ghi phiếu. "
            "Đồng chí hãy hỏi văn phòng."
        ]
    assert not Opinion.objects.exists()


def test_the_opinions_ticked_are_classified_at_once(office, conference, person, make_user):
    """Of a pile of letters most agree: the office shows those not yet classified, ticks them and
    saves once. A request already forwarded has no box, and a page older than the forwarding that
    ticks it is refused whole; each change is logged as one classified alone is."""
    import re

    letters = [
        opinions.enter_paper_opinion(office, conference, rated_person=person, text=f"Đồng tình {i}") for i in range(4)
    ]
    asks = opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đề nghị làm rõ việc X")
    opinions.classify_opinion(office, asks, tag="requests_explanation")
    other = Conference.objects.create(
        campaign=conference.campaign, title="Khác", date=conference.date, place="P", convening_body="UBND"
    )
    elsewhere = opinions.enter_paper_opinion(office, other, rated_person=None, text="Ý kiến hội nghị khác")
    client = Client()
    client.force_login(office)
    page = reverse("conferences:opinions", args=[conference.pk])
    bulk = reverse("conferences:opinions_classify", args=[conference.pk])
    shown = client.get(page + "?tag=new").content.decode()
    assert f'<form method="post" id="phan-loai" action="{bulk}"' in shown
    boxes = re.findall(r'<input type="checkbox" name="opinions" value="([0-9a-f-]+)" form="phan-loai"', shown)
    assert sorted(boxes) == sorted(str(o.pk) for o in letters)  # those shown, the request not among them
    assert 'data-select-all="#opinions"' in shown

    ticked = [str(o.pk) for o in letters[:3]]
    done = client.post(bulk, {"opinions": ticked, "tag": "agrees", "filter": "new"}, follow=True)
    assert done.redirect_chain == [(page + "?tag=new#opinions", 302)]
    assert "Đã phân loại 3 ý kiến là “Đồng tình”." in done.content.decode()
    agree = sorted(Opinion.objects.filter(tag="agrees").values_list("pk", flat=True))
    assert agree == sorted(o.pk for o in letters[:3])
    logged = Event.objects.filter(action="opinion.classified", data__tag="agrees")
    assert sorted(e.data["opinion"] for e in logged) == sorted(ticked)
    again = client.post(bulk, {"opinions": ticked, "tag": "agrees"}, follow=True)
    assert "Các ý kiến đã đánh dấu đã được phân loại như vậy từ trước." in again.content.decode()
    assert logged.count() == 3

    nothing = client.post(bulk, {"tag": "agrees"}, follow=True)
    assert "Hãy đánh dấu các ý kiến cần phân loại trước." in nothing.content.decode()
    foreign = client.post(bulk, {"opinions": [str(letters[3].pk), str(elsewhere.pk)], "tag": "other"}, follow=True)
    assert "Có ý kiến đã đánh dấu không còn trong danh sách: hãy mở lại trang." in foreign.content.decode()
    assert Opinion.objects.get(pk=letters[3].pk).tag == "new" and Opinion.objects.get(pk=elsewhere.pk).tag == "new"

    opinions.forward_requests(office, conference)
    assert f'value="{asks.pk}" form="phan-loai"' not in client.get(page).content.decode()  # forwarded: no box
    stale = client.post(bulk, {"opinions": [str(letters[3].pk), str(asks.pk)], "tag": "other"}, follow=True)
    assert (
        "1 ý kiến đã đánh dấu là yêu cầu giải trình đã chuyển cho người được lấy phiếu, giữ nguyên phân loại: "
        "chưa có gì thay đổi." in stale.content.decode()
    )
    assert Opinion.objects.get(pk=letters[3].pk).tag == "new"
    assert Opinion.objects.get(pk=asks.pk).tag == "requests_explanation"
    with pytest.raises(PermissionDenied):
        opinions.classify_opinions(make_user("chair"), conference, letters, tag="other")


def test_the_opinions_download_as_excel_person_by_person(office, conference, person, voter, make_user):
    """To compile them for the conference: person by person in the order of the list, general
    ones last; an unsigned opinion names no one, and a text that a spreadsheet would run as a
    formula is written as text."""
    import io

    from openpyxl import load_workbook

    from tinnhiem.conferences.usecases import rated

    first = rated.add_rated_person(office, conference, full_name="Lê Văn An", post="Chủ tịch UBND thành phố")
    from tinnhiem.conferences.models import RatedPerson

    RatedPerson.objects.filter(pk=first.pk).update(order=0)  # first on the list
    opinions.submit_opinion(voter, rated_person=person, text="Đồng tình", sign=False)
    opinions.submit_opinion(voter, rated_person=None, text="=1+1 cần công khai hơn", sign=True)
    asks = opinions.enter_paper_opinion(office, conference, rated_person=first, text="Đề nghị làm rõ", signed_by="Hà")
    opinions.classify_opinion(office, asks, tag="requests_explanation")
    opinions.forward_requests(office, conference)

    client = Client()
    client.force_login(make_user("observer", "quan-sat"))  # who may read the page may download it
    url = reverse("conferences:opinions_xlsx", args=[conference.pk])
    assert url in client.get(reverse("conferences:opinions", args=[conference.pk])).content.decode()
    response = client.get(url)
    assert response["Content-Disposition"] == f'attachment; filename="y-kien-{conference.pk}.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Ý kiến", "Tổng hợp"]
    rows = [[c.value for c in row] for row in workbook["Ý kiến"].iter_rows()]
    assert rows[0] == [
        "STT",
        "Về người",
        "Chức vụ",
        "Ý kiến",
        "Người ký tên",
        "Ngày nhận",
        "Nhận qua",
        "Phân loại",
        "Ngày chuyển",
    ]
    body = [row[:5] + row[6:8] for row in rows[1:]]
    assert body == [
        [1, "Lê Văn An", "Chủ tịch UBND thành phố", "Đề nghị làm rõ", "Hà", "Văn bản giấy", "Đề nghị giải trình"],
        [
            2,
            "Trần Minh Đức",
            "Phó Chủ tịch UBND thành phố",
            "Đồng tình",
            "không ký tên",
            "Đường dẫn giấy mời",
            "Chưa phân loại",
        ],
        [3, "— chung —", None, "'=1+1 cần công khai hơn", "Nguyễn Văn An", "Đường dẫn giấy mời", "Chưa phân loại"],
    ]
    assert rows[1][8] is not None and rows[2][8] is None  # forwarded on, for the request only
    # how many each person has, by classification: the figures of the compilation
    assert [[c.value for c in row] for row in workbook["Tổng hợp"].iter_rows()] == [
        [
            "STT",
            "Về người",
            "Chức vụ",
            "Ý kiến",
            "Đồng tình",
            "Đề nghị giải trình",
            "Khác",
            "Chưa phân loại",
            "Đã chuyển",
        ],
        [1, "Lê Văn An", "Chủ tịch UBND thành phố", 1, 0, 1, 0, 0, 1],
        [2, "Trần Minh Đức", "Phó Chủ tịch UBND thành phố", 1, 0, 0, 0, 1, 0],
        [None, "— chung —", None, 1, 0, 0, 0, 1, 0],
        [None, "Tổng cộng", None, 3, 0, 1, 0, 2, 1],
    ]
    assert client.get(reverse("conferences:opinions_xlsx", args=[conference.pk + 1000])).status_code == 404


def test_empty_and_foreign_person_refused(office, voter, person, conference):
    with pytest.raises(ValidationError):
        opinions.submit_opinion(voter, rated_person=person, text="   ", sign=False)
    person.decision = "excluded"
    person.save()
    with pytest.raises(ValidationError):
        opinions.enter_paper_opinion(office, conference, rated_person=person, text="x")


def test_paper_opinion_cannot_be_from_the_future(office, conference, person, today):
    with pytest.raises(ValidationError):
        opinions.enter_paper_opinion(
            office, conference, rated_person=person, text="x", received_on=today + timedelta(days=1)
        )


def test_request_forward_explain_distribute(office, conference, person, pdf_bytes, today):
    a = opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đồng tình")
    b = opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đề nghị làm rõ việc X")
    opinions.classify_opinion(office, a, tag="agrees")
    opinions.classify_opinion(office, b, tag="requests_explanation")
    summary = opinion_summary(conference)
    assert (summary.total, summary.requests, summary.forwarded) == (2, 1, 0)
    assert summary.text() == "2 ý kiến, 1 yêu cầu giải trình"
    client = Client()
    client.force_login(office)
    opinions_page = reverse("conferences:opinions", args=[conference.pk])
    forward = reverse("conferences:requests_forward", args=[conference.pk])
    assert forward in client.get(opinions_page).content.decode()
    questions = checklist(conference, today)[1]
    assert questions.status == "pending"

    assert opinions.forward_requests(office, conference, on=today) == 1
    assert forward not in client.get(opinions_page).content.decode()  # nothing left to forward
    assert checklist(conference, today)[1].status == "done"
    with pytest.raises(ValidationError):
        opinions.classify_opinion(office, b, tag="agrees")  # forwarded requests keep their tag
    with pytest.raises(ValidationError):
        opinions.record_explanation(office, person, text="x", answers=[a])  # a was never forwarded

    assert checklist(conference, today)[2].status == "pending"
    explanation = opinions.record_explanation(
        None, person, text="Xin giải trình như sau…", answers=[b], filename="gt.pdf", data=pdf_bytes
    )
    assert explanation.recorded_by == person.full_name
    assert checklist(conference, today)[2].status == "done"
    assert opinion_summary(conference).answered == 1
    # the page offers to send what waits, and nothing once it is sent
    page = reverse("conferences:explanations", args=[conference.pk])
    send = reverse("conferences:explanations_distribute", args=[conference.pk])
    assert send in client.get(page).content.decode()
    assert opinions.distribute_explanations(office, conference) == 1
    with pytest.raises(ValidationError):
        opinions.distribute_explanations(office, conference)
    assert send not in client.get(page).content.decode()


def test_request_without_person_cannot_be_forwarded(office, conference):
    o = opinions.enter_paper_opinion(office, conference, rated_person=None, text="Chung")
    opinions.classify_opinion(office, o, tag="requests_explanation")
    with pytest.raises(ValidationError):
        opinions.forward_requests(office, conference)


def test_a_general_request_goes_to_the_person_the_office_chooses(office, conference, person, voter):
    """A voter may ask for an explanation without naming anyone. It blocks the forwarding (every
    request must go to someone) until the office chooses the person, on the opinions page; the
    opinion then shows that the office chose, and the choice is in the audit log."""
    from tinnhiem.conferences.usecases import rated

    other = rated.add_rated_person(office, conference, full_name="Lê Thị Hoa", post="Phó Chủ tịch UBND thành phố")
    general = opinions.submit_opinion(voter, rated_person=None, text="Đề nghị giải trình việc cấp phép", sign=False)
    named = opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đề nghị làm rõ")
    thanks = opinions.enter_paper_opinion(office, conference, rated_person=None, text="Cảm ơn")
    for o in (general, named):
        opinions.classify_opinion(office, o, tag="requests_explanation")
    with pytest.raises(ValidationError, match="Gửi tới"):
        opinions.forward_requests(office, conference)

    client = Client()
    client.force_login(office)
    page = reverse("conferences:opinions", args=[conference.pk])
    address = reverse("conferences:opinion_address", args=[conference.pk, general.pk])
    html = client.get(page).content.decode()
    assert address in html  # offered for the general request only
    assert reverse("conferences:opinion_address", args=[conference.pk, named.pk]) not in html
    assert reverse("conferences:opinion_address", args=[conference.pk, thanks.pk]) not in html
    shown = client.post(address, {"rated_person": ""}, follow=True).content.decode()
    assert "Hãy chọn người được lấy phiếu mà yêu cầu này gửi tới." in shown
    assert client.post(address, {"rated_person": other.pk}).status_code == 302
    general.refresh_from_db()
    assert general.rated_person == other and general.addressed_by_office
    event = Event.objects.get(action="opinion.addressed")
    assert event.data == {"opinion": str(general.pk), "person": other.pk} and event.actor == office.username
    assert "người viết không nêu tên; văn phòng chọn" in client.get(page).content.decode()
    opinions.address_request(office, general, rated_person=person)  # changed again before forwarding
    general.refresh_from_db()
    assert general.rated_person == person

    with pytest.raises(ValidationError, match="đã nêu người"):
        opinions.address_request(office, named, rated_person=other)  # the writer's own choice stands
    with pytest.raises(ValidationError, match="yêu cầu giải trình"):
        opinions.address_request(office, thanks, rated_person=other)
    assert opinions.forward_requests(office, conference) == 2
    with pytest.raises(ValidationError, match="đã được chuyển"):
        opinions.address_request(office, general, rated_person=other)
    assert (
        reverse("conferences:opinion_address", args=[conference.pk, general.pk])
        not in client.get(page).content.decode()
    )
    assert list(person.opinions.filter(forwarded_on__isnull=False).order_by("text")) == [general, named]
    # the rated person sees both, and which one the office sent without its writer naming them
    own = Client().get(links.explanation_url(person)).content.decode()
    assert own.count("người viết không nêu tên: văn phòng gửi tới đồng chí") == 1
    assert (
        own.index("Đề nghị giải trình việc cấp phép")
        < own.index("người viết không nêu tên")
        < own.index("Đề nghị làm rõ")
    )


def test_only_the_office_chooses_the_person_of_a_request(office, conference, person, voter, make_user):
    general = opinions.submit_opinion(voter, rated_person=None, text="Đề nghị giải trình", sign=False)
    opinions.classify_opinion(office, general, tag="requests_explanation")
    chair = make_user("chair", "chu-toa")
    with pytest.raises(PermissionDenied):
        opinions.address_request(chair, general, rated_person=person)
    person.decision = "excluded"
    person.save()
    with pytest.raises(ValidationError, match="không được lấy phiếu tại hội nghị này"):
        opinions.address_request(office, general, rated_person=person)
    general.refresh_from_db()
    assert general.rated_person is None and not general.addressed_by_office
    assert not Event.objects.filter(action="opinion.addressed").exists()


def test_no_requests_means_not_needed(conference, today):
    statuses = [item.status for item in checklist(conference, today)]
    assert statuses[1:] == ["not_needed", "not_needed"]


def test_the_same_form_sent_twice_is_one_opinion(office, conference, person, voter):
    """A double click, or a page sent again: the form's one-time id is kept once. Two forms of the
    same words are two opinions (many voters write "Đồng tình"). The form brought back (the
    browser's Back) and changed is what the voter writes now: a new opinion, not dropped as a
    repeat under a "sent"."""
    first = opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đồng tình", submission="a" * 32)
    again = opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đồng tình", submission="a" * 32)
    other = opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đồng tình", submission="b" * 32)
    assert again.pk == first.pk and other.pk != first.pk
    by_link = opinions.submit_opinion(voter, rated_person=None, text="Đồng tình", sign=False, submission="c" * 32)
    twice = opinions.submit_opinion(voter, rated_person=None, text="Đồng tình", sign=False, submission="c" * 32)
    assert twice.pk == by_link.pk
    assert Opinion.objects.count() == 3
    assert Event.objects.filter(action__in=["opinion.entered", "opinion.received"]).count() == 3
    changed = opinions.submit_opinion(
        voter, rated_person=None, text="Đồng tình, đề nghị làm rõ thêm việc X", sign=False, submission="c" * 32
    )
    signed = opinions.submit_opinion(voter, rated_person=None, text="Đồng tình", sign=True, submission="c" * 32)
    assert len({by_link.pk, changed.pk, signed.pk}) == 3 and signed.signed_by == voter.full_name
    assert Opinion.objects.count() == 5
    # without an id (the command line, an old page) nothing is merged
    opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đồng tình")
    opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đồng tình")
    assert Opinion.objects.count() == 7


def test_two_requests_of_the_same_form_at_once_keep_one_opinion(office, conference, person):
    """The second of two concurrent requests gets past the look-up and meets the constraint."""
    from tinnhiem.conferences.usecases.opinions import _save_once

    first = opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đồng tình", submission="d" * 32)
    kept, new = _save_once(
        Opinion(
            conference=conference,
            rated_person=person,
            text="Đồng tình",
            source=Opinion.Source.PAPER,
            received_on=first.received_on,
            submission="d" * 32,
        )
    )
    assert (kept.pk, new) == (first.pk, False) and Opinion.objects.count() == 1


def test_an_explanation_sent_twice_is_recorded_once(office, conference, person, pdf_bytes):
    """The rated person's page sent twice (a double click, a retry on a slow Wi-Fi): one
    explanation, one event. Other words, other answers or another file are a new explanation."""
    b = opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đề nghị làm rõ việc X")
    opinions.classify_opinion(office, b, tag="requests_explanation")
    opinions.forward_requests(office, conference)
    first = opinions.record_explanation(None, person, text="Việc X đã xong", answers=[b])
    assert opinions.record_explanation(None, person, text="Việc X đã xong", answers=[b]).pk == first.pk
    with_file = opinions.record_explanation(
        None, person, text="Việc X đã xong", answers=[b], filename="gt.pdf", data=pdf_bytes
    )
    assert with_file.pk != first.pk
    again = opinions.record_explanation(
        None, person, text="Việc X đã xong", answers=[b], filename="gt.pdf", data=pdf_bytes
    )
    assert again.pk == with_file.pk
    other_file = opinions.record_explanation(
        None, person, text="Việc X đã xong", answers=[b], filename="gt2.pdf", data=pdf_bytes + b"\n%"
    )
    no_answer = opinions.record_explanation(None, person, text="Việc X đã xong", answers=[])
    other_words = opinions.record_explanation(None, person, text="Bổ sung: việc X", answers=[b])
    assert len({first.pk, with_file.pk, other_file.pk, no_answer.pk, other_words.pk}) == 5
    assert person.explanations.count() == 5
    assert Event.objects.filter(action="explanation.recorded").count() == 5


def test_opinions_entered_by_mistake_are_removed_with_their_reason_and_the_log_keeps_them(
    office, conference, person, voter, make_user
):
    """A letter typed twice, or about the wrong person, is removed with the reason; the log keeps
    what it said. The office cannot remove what a voter sent through their link, nor a request
    already forwarded: either refuses the whole removal, nothing removed."""
    twice = [
        opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đồng tình với báo cáo.")
        for _ in range(2)
    ]
    asks = opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đề nghị làm rõ việc X")
    sent = opinions.submit_opinion(voter, rated_person=person, text="Ý kiến qua đường dẫn", sign=False)
    assert opinion_summary(conference).total == 4

    for ticked, reason, expected in (
        ([twice[1]], "  ", "Hãy ghi lý do xoá (nhập hai lần, ghi nhầm người, …)."),
        ([], "Nhập hai lần", "Hãy đánh dấu các ý kiến cần xoá trước."),
        (
            [twice[1], sent],
            "Nhập hai lần",
            "1 ý kiến đã đánh dấu do người ghi phiếu gửi qua đường dẫn của mình: văn phòng không xoá ý kiến của "
            "người ghi phiếu. Chưa xoá ý kiến nào; hãy bỏ đánh dấu ý kiến đó rồi xoá lại.",
        ),
    ):
        with pytest.raises(ValidationError) as info:
            opinions.remove_opinions(office, conference, ticked, reason=reason)
        assert info.value.messages == [expected]
    with pytest.raises(PermissionDenied):
        opinions.remove_opinions(make_user("chair"), conference, [twice[1]], reason="Nhập hai lần")
    opinions.classify_opinion(office, asks, tag="requests_explanation")
    opinions.forward_requests(office, conference)
    with pytest.raises(ValidationError, match="là yêu cầu đã chuyển cho người được lấy phiếu: được giữ nguyên"):
        opinions.remove_opinions(office, conference, [twice[1], asks], reason="Nhập hai lần")
    assert Opinion.objects.count() == 4 and not Event.objects.filter(action="opinion.removed").exists()

    assert opinions.remove_opinions(office, conference, [twice[1]], reason="  Nhập hai lần ") == 1
    assert set(Opinion.objects.values_list("pk", flat=True)) == {twice[0].pk, asks.pk, sent.pk}
    removed = Event.objects.get(action="opinion.removed")
    assert removed.actor == office.username and removed.data == {
        "opinion": str(twice[1].pk),
        "person": person.pk,
        "name": person.full_name,
        "text": "Đồng tình với báo cáo.",
        "signed_by": "",
        "received_on": twice[1].received_on.isoformat(),
        "source": "paper",
        "reason": "Nhập hai lần",
    }
    assert opinion_summary(conference).total == 3
    with pytest.raises(ValidationError) as info:  # a page shown before that removal
        opinions.remove_opinions(office, conference, [twice[1]], reason="Nhập hai lần")
    assert info.value.messages == ["Có ý kiến đã đánh dấu không còn trong danh sách: hãy mở lại trang."]

    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.FINISHED)
    with pytest.raises(ValidationError):
        opinions.remove_opinions(office, conference, [twice[0]], reason="Nhập hai lần")
    assert Opinion.objects.count() == 3


def test_the_opinions_of_one_removal_are_logged_in_the_list_s_order(office, conference, person):
    """The log and the list of removed opinions give them in the order the page lists them (the
    day received, the ballot's order, the words), not in that of their random ids."""
    from datetime import date

    from tinnhiem.conferences.usecases import rated

    second = rated.add_rated_person(office, conference, full_name="Lê Thị Hồng Nhung", post="Phó Chủ tịch")
    made = [
        opinions.enter_paper_opinion(office, conference, rated_person=who, text=text, received_on=day)
        for who, text, day in (
            (second, "Bốn", date(2026, 11, 2)),
            (person, "Ba", date(2026, 11, 2)),
            (person, "Hai", date(2026, 11, 1)),
            (second, "An", date(2026, 11, 1)),
            (person, "Một", date(2026, 11, 1)),
        )
    ]
    listed = [o.text for o in conference.opinions.all()]  # the page's order
    assert listed == ["Hai", "Một", "An", "Ba", "Bốn"]
    for _ in range(3):  # whatever order the ids fall in
        opinions.remove_opinions(office, conference, made, reason="Nhập nhầm hội nghị")
        removed = Event.objects.filter(action="opinion.removed").order_by("-seq")[: len(made)]
        assert [e.data["text"] for e in reversed(removed)] == listed
        made = [
            opinions.enter_paper_opinion(
                office, conference, rated_person=o.rated_person, text=o.text, received_on=o.received_on
            )
            for o in made
        ]


def test_a_table_whose_opinions_were_all_removed_may_be_imported_again(office, conference, person):
    """A table imported by mistake (before the unit's corrections, say) is removed whole: the same
    file may then come in again. While one of its opinions remains, it is refused as imported."""
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    for row in (["Về người", "Ý kiến"], ["Trần Minh Đức", "Một"], ["chung", "Hai"]):
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    made = opinions.import_opinions(office, conference, filename="a.xlsx", data=out.getvalue())
    assert opinions.remove_opinions(office, conference, made[:1], reason="Nhập nhầm bảng") == 1
    with pytest.raises(ValidationError, match="Tệp này đã được nhập trước đó"):
        opinions.import_opinions(office, conference, filename="a.xlsx", data=out.getvalue())
    opinions.remove_opinions(office, conference, made[1:], reason="Nhập nhầm bảng")
    again = opinions.import_opinions(office, conference, filename="a.xlsx", data=out.getvalue())
    assert [o.text for o in again] == ["Một", "Hai"] and Opinion.objects.count() == 2


def test_the_page_shows_the_opinions_ticked_then_removes_them_once_a_reason_is_given(
    office, conference, person, make_user
):
    """The bar's second button sends the ticked opinions to a page that lists them and asks why;
    removed when that is sent, back on the list as it was filtered."""
    import re

    letters = [
        opinions.enter_paper_opinion(office, conference, rated_person=person, text=f"Thư số {i}") for i in range(3)
    ]
    client = Client()
    client.force_login(office)
    page = reverse("conferences:opinions", args=[conference.pk])
    remove = reverse("conferences:opinions_remove", args=[conference.pk])
    listed = client.get(page + "?tag=new").content.decode()
    assert f'formaction="{remove}">Xoá ý kiến nhập nhầm…</button>' in listed

    ticked = {"opinions": [str(letters[0].pk), str(letters[2].pk)], "filter": "new", "tag": "agrees"}
    shown = client.post(remove, ticked)
    text = shown.content.decode()
    assert shown.status_code == 200 and "Xoá 2 ý kiến nhập nhầm?" in text
    rows = re.findall(r"<tr><td>.*?</tr>", text.split('id="opinions-to-remove"')[1], re.S)
    assert sorted(re.findall(r"Thư số \d", "".join(rows))) == ["Thư số 0", "Thư số 2"] and "Thư số 1" not in text
    assert Opinion.objects.count() == 3  # nothing removed yet

    no_reason = client.post(remove, {**ticked, "confirm": "1", "reason": ""})
    assert no_reason.status_code == 200 and "Hãy ghi lý do xoá" in no_reason.content.decode()
    assert Opinion.objects.count() == 3
    done = client.post(remove, {**ticked, "confirm": "1", "reason": "Nhập hai lần"}, follow=True)
    assert done.redirect_chain == [(page + "?tag=new#opinions", 302)]
    assert "Đã xoá 2 ý kiến." in done.content.decode()
    assert list(Opinion.objects.values_list("text", flat=True)) == ["Thư số 1"]
    again = client.post(remove, {**ticked, "confirm": "1", "reason": "Nhập hai lần"}, follow=True)  # sent twice
    assert "Các ý kiến đã đánh dấu đã được xoá." in again.content.decode()
    assert "không còn trong danh sách" not in again.content.decode()
    assert Event.objects.filter(action="opinion.removed").count() == 2
    stale = client.post(remove, {"opinions": [str(letters[0].pk), str(letters[1].pk)], "confirm": "1"}, follow=True)
    assert "Có ý kiến đã đánh dấu không còn trong danh sách: hãy mở lại trang." in stale.content.decode()
    nothing = client.post(remove, {"filter": "new"}, follow=True)
    assert "Hãy đánh dấu các ý kiến cần xoá trước." in nothing.content.decode()

    # the page lists what was removed, under the list, for anyone who may see the opinions
    office.first_name, office.last_name = "Thu Trang", "Phạm Thị"
    office.save()
    observer = Client()
    observer.force_login(make_user("observer"))
    listed = observer.get(page).content.decode()
    assert "2 ý kiến đã xoá vì nhập nhầm" in listed
    rows = re.findall(r"<tr><td>.*?</tr>", listed.split('id="removed"')[1], re.S)
    found = sorted(re.findall(r"Thư số \d|Phạm Thị Thu Trang|Nhập hai lần|Trần Minh Đức", row) for row in rows)
    assert found == [  # removed at once, in no order (the opinions' ids)
        ["Phạm Thị Thu Trang", "Trần Minh Đức", f"Thư số {i}", "Nhập hai lần"] for i in (0, 2)
    ]
    assert "Thư số 1" not in listed.split('id="da-xoa"')[1]


def test_an_explanation_not_yet_sent_is_removed_and_its_requests_wait_again(
    office, conference, person, pdf_bytes, make_user, django_capture_on_commit_callbacks
):
    """An explanation recorded for the wrong person or with the wrong file, or sent through the
    person's link and not fit to send on, is removed before the voters get it: its file goes, the
    requests it answered wait for an answer again, the log keeps what it said. Once sent to the
    voters it stays."""
    from tinnhiem.conferences.models import Explanation

    asks = opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đề nghị làm rõ việc X")
    opinions.classify_opinion(office, asks, tag="requests_explanation")
    opinions.forward_requests(office, conference)
    wrong = opinions.record_explanation(
        office, person, text="Giải trình nhầm", answers=[asks], filename="a.pdf", data=pdf_bytes
    )
    storage, name = wrong.file.storage, wrong.file.name
    assert storage.exists(name)
    client = Client()
    client.force_login(office)
    page = reverse("conferences:explanations", args=[conference.pk])
    remove = reverse("conferences:explanation_remove", args=[conference.pk, wrong.pk])
    listed = client.get(page).content.decode()
    assert f'href="{remove}"' in listed
    day = wrong.received_on
    answered = f'<span class="badge done">đã trả lời bằng giải trình nhận ngày {day:%d/%m/%Y}</span>'
    assert answered in listed and "chưa có giải trình trả lời" not in listed
    assert answered in Client().get(links.explanation_url(person)).content.decode()  # the person's own page
    asked = client.get(remove).content.decode()
    assert "Xoá báo cáo giải trình của Trần Minh Đức nhận ngày" in asked and "Giải trình nhầm" in asked
    chair = Client()
    chair.force_login(make_user("chair"))
    assert chair.post(remove, {"reason": "Nhầm"}).status_code == 403 and chair.get(remove).status_code == 403
    assert "Hãy ghi lý do xoá (ghi nhầm người, nhầm tệp, …)." in client.post(remove).content.decode()
    assert Explanation.objects.filter(pk=wrong.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(remove, {"reason": "Ghi nhầm tệp"}, follow=True)
    assert not Explanation.objects.filter(pk=wrong.pk).exists() and not storage.exists(name)
    assert "Đã xoá." in done.content.decode()
    removed = done.content.decode().split('id="da-xoa"')[1]  # listed under the persons, as the log keeps it
    assert "1 giải trình đã xoá trước khi gửi người ghi phiếu" in removed
    assert "Giải trình nhầm" in removed and "Ghi nhầm tệp" in removed
    assert not asks.explanations.exists()
    waits = '<span class="badge pending">chưa có giải trình trả lời</span>'
    assert waits in done.content.decode() and "đã trả lời bằng" not in done.content.decode()
    assert waits in Client().get(links.explanation_url(person)).content.decode()
    event = Event.objects.get(action="explanation.removed")
    assert event.data == {
        "explanation": wrong.pk,
        "person": person.pk,
        "name": person.full_name,
        "text": "Giải trình nhầm",
        "recorded_by": wrong.recorded_by,
        "received_on": wrong.received_on.isoformat(),
        "reason": "Ghi nhầm tệp",
        "from_person": False,  # recorded by the office: not said on the person's page
    }
    assert "đã xoá" not in Client().get(links.explanation_url(person)).content.decode()
    again = client.post(remove, {"reason": "Ghi nhầm tệp"}, follow=True)  # sent twice
    assert "Không còn trong danh sách: đã được xoá trước đó." in again.content.decode()

    right = opinions.record_explanation(office, person, text="Giải trình đúng", answers=[asks])
    opinions.distribute_explanations(office, conference)
    with pytest.raises(ValidationError) as info:
        opinions.remove_explanation(office, right, reason="Nhầm")
    assert info.value.messages == ["Báo cáo giải trình này đã được gửi cho người ghi phiếu và được lưu giữ."]
    kept = client.get(page).content.decode()
    assert reverse("conferences:explanation_remove", args=[conference.pk, right.pk]) not in kept
