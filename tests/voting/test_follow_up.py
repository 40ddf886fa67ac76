"""NQ 96/2023 Điều 12 khoản 1: a rated person with more than half and below two thirds "tín nhiệm
thấp" may resign; otherwise a confidence vote (bỏ phiếu tín nhiệm) is held. From the results page
the staff office prepares that vote for the persons it chooses: a new campaign and conference of
the same body under the vote's rule set, with the same voter roll."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import Campaign, Conference
from tinnhiem.site.demo import build_council_vote
from tinnhiem.voting.usecases import follow_up

pytestmark = pytest.mark.django_db

PRESENT = 58  # of 60 deputies; whole-ballot invalid 1, one row-invalid rating each


@pytest.fixture
def council(office, make_user):
    """People 1–5 (index 0–4): 30 (over half), 29 (exactly half), 38 (below two thirds), 39 (two
    thirds: dismissal, not a vote), 31 (over half) of 58 ballots "tín nhiệm thấp"."""
    chair = make_user("chair", "chair-hd")
    counters = [make_user("committee", f"kp-hd-{i}") for i in range(7)]
    return build_council_vote(office, chair, counters, n_people=6, lows={1: 29, 2: 38, 3: 39, 4: 31})


def test_the_candidates_are_those_over_half_and_below_two_thirds(council):
    found = follow_up.candidates(council)
    assert [(c["name"], c["adverse"], c["percent"]) for c in found] == [
        ("Người được lấy phiếu số 01", 30, "51,72%"),
        ("Người được lấy phiếu số 03", 38, "65,52%"),  # 38·3 = 114 < 2·58 = 116: below two thirds
        ("Người được lấy phiếu số 05", 31, "53,45%"),
    ]
    assert {c["citation"] for c in found} == {"Nghị quyết 96/2023/QH15, Điều 12 khoản 1"}
    assert not any(c["prepared"] for c in found)


def test_a_result_reopened_for_a_correction_calls_for_no_vote_until_finalised_again(council):
    """While a correction is under way the conference is counting again: the result in force is not
    final, so no one is offered for a confidence vote from it."""
    Conference.objects.filter(pk=council.pk).update(status=Conference.Status.COUNTING)
    council.refresh_from_db()
    assert follow_up.candidates(council) == []
    Conference.objects.filter(pk=council.pk).update(status=Conference.Status.FINISHED)
    council.refresh_from_db()
    assert len(follow_up.candidates(council)) == 3


def test_the_office_prepares_the_vote_for_those_who_did_not_resign(council, office):
    from tinnhiem.conferences.usecases import campaigns

    council = campaigns.set_signer(office, council, name="Lương Văn Hải", post="Phó Chủ tịch", signing_for="Chủ tịch")
    council = campaigns.set_signer(
        office, council, name="Vũ Thị Thu", post="Chánh Văn phòng", signing_for="Chủ tịch", invitations=True
    )
    found = follow_up.candidates(council)
    day = date.today() + timedelta(days=1)
    vote = follow_up.prepare_confidence_vote(office, council, people=[found[2]["person"], found[0]["person"]], day=day)
    assert vote.follows == council and vote.status == Conference.Status.PREPARING and vote.date == day
    assert vote.rules.id == "nq96-2023-bo-phieu" and vote.campaign.body == council.campaign.body
    assert vote.campaign.name == "Bỏ phiếu tín nhiệm — Kỳ họp thường lệ cuối năm"
    assert vote.title == "Bỏ phiếu tín nhiệm — Kỳ họp thứ 13 HĐND tỉnh"
    assert vote.campaign.legal_basis == (
        "Nghị quyết 96/2023/QH15 (bỏ phiếu tín nhiệm); Nghị quyết 96/2023/QH15, Điều 12 khoản 1; "
        f"Biên bản kiểm phiếu Kỳ họp thứ 13 HĐND tỉnh ngày {council.date:%d/%m/%Y}."
    )
    assert (vote.place, vote.convening_body, vote.chair_name) == (council.place, council.convening_body, "")
    # the same body's documents, signed as the rating's were
    assert (vote.signer_name, vote.signer_post, vote.signer_for) == ("Lương Văn Hải", "Phó Chủ tịch", "Chủ tịch")
    assert (vote.invitation_signer_name, vote.invitation_signer_post, vote.invitation_signer_for) == (
        "Vũ Thị Thu",
        "Chánh Văn phòng",
        "Chủ tịch",
    )
    # in ballot order, whatever order they were ticked in; the one who resigned (no. 03) is left out
    assert [(p.full_name, p.post) for p in vote.rated_persons.order_by("order")] == [
        ("Người được lấy phiếu số 01", "Ủy viên UBND tỉnh"),
        ("Người được lấy phiếu số 05", "Ủy viên UBND tỉnh"),
    ]
    old = list(council.voters.order_by("order").values_list("order", "full_name", "post"))
    assert list(vote.voters.order_by("order").values_list("order", "full_name", "post")) == old and len(old) == 60
    assert not vote.voters.exclude(attendance="").exists()  # attendance is the new conference's own
    event = Event.objects.get(action="conference.follow_up")
    assert event.conference_id == council.pk
    assert event.data == {
        "vote_conference": vote.pk,
        "people": ["Người được lấy phiếu số 01", "Người được lấy phiếu số 05"],
        "rows": 60,
    }
    assert Event.objects.get(action="roster.copied").data == {"roll_of_conference": council.pk, "rows": 60}
    assert [c["prepared"] for c in follow_up.candidates(council)] == [True, False, True]
    # the one left: prepared later, as its own conference
    second = follow_up.prepare_confidence_vote(office, council, people=[found[1]["person"]], day=day)
    assert list(council.follow_ups.order_by("pk")) == [vote, second]


@pytest.mark.parametrize(
    ("rating", "vote"),
    [
        ("Kỳ họp thứ 13 HĐND tỉnh", "Bỏ phiếu tín nhiệm — Kỳ họp thứ 13 HĐND tỉnh"),
        (
            "Lấy phiếu tín nhiệm tại kỳ họp cuối năm 2023 của HĐND tỉnh",
            "Bỏ phiếu tín nhiệm tại kỳ họp cuối năm 2023 của HĐND tỉnh",
        ),
        ("Kỳ họp thứ 7 — lấy phiếu tín nhiệm", "Kỳ họp thứ 7 — bỏ phiếu tín nhiệm"),
        ("KẾT QUẢ LẤY PHIẾU TÍN NHIỆM", "KẾT QUẢ BỎ PHIẾU TÍN NHIỆM"),
        ("x" * 250, "Bỏ phiếu tín nhiệm — " + "x" * 233 + "…"),  # still fits the column of 255
    ],
)
def test_the_vote_is_named_after_the_rating(rating, vote):
    assert follow_up._vote_name(rating) == vote and len(vote) <= 255


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ([], "Hãy chọn ít nhất một người (bỏ chọn người đã xin từ chức)."),
        ([1], "Chỉ bỏ phiếu tín nhiệm đối với người có kết quả lấy phiếu thuộc trường hợp phải bỏ phiếu tín nhiệm."),
        ([3], "Chỉ bỏ phiếu tín nhiệm đối với người có kết quả lấy phiếu thuộc trường hợp phải bỏ phiếu tín nhiệm."),
    ],
)
def test_a_refusal_says_why_and_saves_nothing(council, office, who, message):
    people = list(council.rated_persons.order_by("order").values_list("pk", flat=True))
    before = (Conference.objects.count(), Event.objects.count())
    with translation.override("vi"), pytest.raises(ValidationError) as info:
        follow_up.prepare_confidence_vote(office, council, people=[people[i] for i in who], day=date.today())
    assert info.value.messages == [message]
    assert (Conference.objects.count(), Event.objects.count()) == before


def test_other_refusals(council, office, make_user):
    first = follow_up.candidates(council)[0]["person"]
    with pytest.raises(PermissionDenied):
        follow_up.prepare_confidence_vote(make_user("committee", "kp-x"), council, people=[first], day=date.today())
    campaigns = Campaign.objects.count()
    yesterday = date.today() - timedelta(days=1)
    with translation.override("vi"), pytest.raises(ValidationError) as info:
        follow_up.prepare_confidence_vote(office, council, people=[first], day=yesterday)
    assert info.value.messages == [f"Ngày hội nghị {yesterday:%d/%m/%Y} đã qua."]
    assert Campaign.objects.count() == campaigns  # the campaign made before the date was refused is gone too
    follow_up.prepare_confidence_vote(office, council, people=[first], day=date.today())
    with translation.override("vi"), pytest.raises(ValidationError) as info:
        follow_up.prepare_confidence_vote(office, council, people=[first], day=date.today())
    assert info.value.messages == ["Đã chuẩn bị bỏ phiếu tín nhiệm đối với: Người được lấy phiếu số 01."]


def test_a_party_rating_or_an_unfinished_one_has_no_candidates(office, conference):
    assert follow_up.candidates(conference) == []  # QĐ 96, preparing
    with translation.override("vi"), pytest.raises(ValidationError) as info:
        follow_up.prepare_confidence_vote(office, conference, people=[1], day=date.today())
    assert info.value.messages == ["Không có kết quả nào của hội nghị này phải tiến hành bỏ phiếu tín nhiệm."]


def test_the_results_page_prepares_it_and_the_new_conference_says_what_it_follows(council, office, make_user):
    client = Client()
    client.force_login(office)
    url = reverse("voting:results", args=[council.pk])
    page = client.get(url).content.decode()
    assert "Bỏ phiếu tín nhiệm" in page and "trừ trường hợp người đó xin từ chức" in page
    assert page.count('name="person"') == 3
    people = [c["person"] for c in follow_up.candidates(council)]
    action = reverse("voting:follow_up", args=[council.pk])
    day = date.today() + timedelta(days=2)
    refused = client.post(action, {"person": people[:1], "date": "31/02/2027"}, follow=True).content.decode()
    assert "Cần ghi ngày bỏ phiếu tín nhiệm (ngày/tháng/năm)." in refused and not council.follow_ups.exists()
    odd = client.post(action, {"person": ["²", "x"], "date": f"{day:%d/%m/%Y}"}, follow=True).content.decode()
    assert "Hãy chọn ít nhất một người" in odd and not council.follow_ups.exists()  # said, not a server error
    response = client.post(action, {"person": people[:2], "date": f"{day:%d/%m/%Y}"}, follow=True)
    vote = council.follow_ups.get()
    assert response.redirect_chain[-1][0] == reverse("conferences:conference", args=[vote.pk])
    page = response.content.decode()
    assert "Đã chuẩn bị bỏ phiếu tín nhiệm: 2 người được đưa ra bỏ phiếu tín nhiệm" in page and "(60 người)" in page
    assert "Sau kết quả lấy phiếu tín nhiệm tại" in page and url + "#bo-phieu" in page
    # held at the session: no deadline before it, so nothing shows as overdue
    assert "Không có thời hạn trước ngày bỏ phiếu theo quy định này" in page and 'id="checklist"' not in page
    assert vote.date == day
    page = client.get(url).content.decode()
    assert reverse("conferences:conference", args=[vote.pk]) in page and page.count("đã chuẩn bị") == 2
    observer = Client()
    observer.force_login(make_user("observer", "qs-hd"))
    seen = observer.get(url).content.decode()
    assert "Bỏ phiếu tín nhiệm" in seen and 'name="person"' not in seen  # seen, not prepared
    assert observer.post(action, {"person": people[2:], "date": f"{day:%d/%m/%Y}"}).status_code == 403


def test_a_person_rated_for_two_posts_faces_one_vote_for_both(office, make_user):
    """NQ 96/2023 Điều 12 khoản 1: "trường hợp một người đã được lấy phiếu tín nhiệm cùng một lần với
    nhiều chức vụ thì việc bỏ phiếu tín nhiệm được thực hiện một lần đối với các chức vụ đó"."""
    chair = make_user("chair", "chair-2p")
    counters = [make_user("committee", f"kp-2p-{i}") for i in range(7)]
    names = {0: ("Trần Văn Bình", "Chủ tịch UBND tỉnh"), 2: ("Trần  Văn Bình", "Phó Bí thư Tỉnh ủy")}
    council = build_council_vote(office, chair, counters, n_people=3, lows={2: 33}, names=names)
    found = follow_up.candidates(council)
    assert [(c["name"], c["post"]) for c in found] == [
        ("Trần Văn Bình", "Chủ tịch UBND tỉnh"),
        ("Trần Văn Bình", "Phó Bí thư Tỉnh ủy"),  # the same person: the names fold alike
    ]
    vote = follow_up.prepare_confidence_vote(office, council, people=[c["person"] for c in found], day=date.today())
    assert [(p.full_name, p.post) for p in vote.rated_persons.all()] == [
        ("Trần Văn Bình", "Chủ tịch UBND tỉnh; Phó Bí thư Tỉnh ủy")
    ]
    assert Event.objects.get(action="conference.follow_up").data["people"] == ["Trần Văn Bình"]
    assert all(c["prepared"] for c in follow_up.candidates(council))


def test_the_pages_of_the_vote_name_its_persons_as_the_law_does(council, office):
    """NQ 96/2023 Điều 15: the ballot names "người được đưa ra bỏ phiếu tín nhiệm"; the rating's pages
    keep "người được lấy phiếu"."""
    vote = follow_up.prepare_confidence_vote(
        office, council, people=[follow_up.candidates(council)[0]["person"]], day=date.today()
    )
    client = Client()
    client.force_login(office)

    def page(name, conference):
        return client.get(reverse(name, args=[conference.pk])).content.decode()

    rated = page("conferences:rated", vote)
    assert "<title>Người được đưa ra bỏ phiếu tín nhiệm · tinnhiem</title>" in rated
    assert ">Người được đưa ra bỏ phiếu</a>" in rated and ">Người được lấy phiếu</a>" not in rated
    assert "<h2>Thêm người được đưa ra bỏ phiếu tín nhiệm</h2>" in rated
    assert '<span class="badge done">Đưa ra bỏ phiếu</span>' in rated  # the decision, in the list and the form
    assert '<option value="excluded">Không đưa ra bỏ phiếu</option>' in rated
    assert "1</span> người được đưa ra bỏ phiếu tín nhiệm" in page("conferences:conference", vote)
    assert "<th>Người được đưa ra bỏ phiếu tín nhiệm</th>" in page("conferences:dossiers", vote)
    assert "<legend>Người được đưa ra bỏ phiếu tín nhiệm</legend>" in page("conferences:ballot_forms", vote)
    rating = page("conferences:rated", council)
    assert "<title>Người được lấy phiếu · tinnhiem</title>" in rating and "đưa ra bỏ phiếu" not in rating
    assert '<span class="badge done">Lấy phiếu</span>' in rating
    # a confidence vote is not another place of rating (QĐ 96's limit of places counts ratings)
    assert "Cũng có tên trên phiếu của" not in rated and "Cũng có tên trên phiếu của" not in rating
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = page("conferences:rated", vote)
    assert ">Put to the vote</a>" in english and "<h2>Add a person put to the confidence vote</h2>" in english


def test_no_page_of_the_vote_speaks_of_a_rating(office, make_user, settings):
    """Every page of a confidence vote's conference names its persons as the vote does; the only
    'lấy phiếu' left are the menu (the list of campaigns) and the line saying which rating it follows."""
    import re

    chair = make_user("chair", "chair-sw")
    counters = [make_user("committee", f"kp-sw-{i}") for i in range(7)]
    names = {i: (f"Đại biểu {chr(65 + i)}", "Ủy viên UBND tỉnh") for i in range(3)}
    council = build_council_vote(office, chair, counters, n_people=3, lows={1: 33}, names=names)
    vote = follow_up.prepare_confidence_vote(
        office, council, people=[follow_up.candidates(council)[0]["person"]], day=date.today()
    )
    from tinnhiem.conferences.usecases import rated

    rated.add_rated_person(
        office, vote, full_name="Đại biểu Z", post="Ủy viên", decision="excluded", decision_note="Đã xin từ chức"
    )
    client = Client()
    client.force_login(office)
    pages = [
        "conferences:conference",
        "conferences:rated",
        "conferences:roster",
        "conferences:dossiers",
        "conferences:opinions",
        "conferences:explanations",
        "conferences:invitations",
        "conferences:attendance",
        "conferences:chair",
        "conferences:committee",
        "conferences:ballot_forms",
        "voting:cards",
        "voting:overview",
        "voting:results",
        "documents:list",
    ]
    said = {}
    for name in pages:
        html = client.get(reverse(name, args=[vote.pk])).content.decode()
        text = " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style).*?</\1>", "", html, flags=re.S)).split())
        text = text.replace("Các đợt lấy phiếu", "").replace(
            f"Sau kết quả lấy phiếu tín nhiệm tại: {council.title}", ""
        )
        said[name] = re.findall(r".{0,40}lấy phiếu.{0,40}", text, flags=re.I)
    assert {name: found for name, found in said.items() if found} == {}
    chair_page = client.get(reverse("conferences:chair", args=[vote.pk])).content.decode()
    assert "Người được đưa ra bỏ phiếu tín nhiệm trình bày ý kiến" in chair_page  # the agenda, NQ 96 Điều 16
    overview = client.get(reverse("conferences:conference", args=[vote.pk])).content.decode()
    assert "(1 không đưa ra bỏ phiếu)" in overview
    from tests.documents.conftest import pdf_pages
    from tinnhiem.documents import official

    settings.TINNHIEM_PUBLIC_URL = "http://192.168.1.10:8000"
    letter = pdf_pages(official.render_letters_pdf(vote, "invitations"))[0]
    assert "lấy phiếu" not in letter and "hồ sơ của người được đưa ra bỏ phiếu tín nhiệm và gửi ý kiến" in letter


def test_the_vote_is_held_and_its_papers_say_bo_phieu_tin_nhiem(council, office, make_user):
    """The whole chain: the rating → the vote prepared from it → held, counted, finalised; its
    resolution and report speak of a confidence vote (bỏ phiếu), not of a rating (lấy phiếu)."""
    from django.contrib.auth import get_user_model

    from tests.documents.conftest import pdf_pages
    from tinnhiem.conferences.usecases import day
    from tinnhiem.documents import official
    from tinnhiem.voting.usecases import counting

    first = follow_up.candidates(council)[0]["person"]
    vote = follow_up.prepare_confidence_vote(office, council, people=[first], day=date.today())
    users = get_user_model().objects
    chair, counters = users.get(username="chair-hd"), [users.get(username=f"kp-hd-{i}") for i in range(7)]
    day.open_conference(chair, vote, held_today=True)
    day.advance_agenda(chair, vote, step=1)  # the persons put to the vote speak (Điều 16)
    form = vote.ballot_forms.get()
    day.set_counting_mode(office, form, mode="totals")
    voters = list(vote.voters.order_by("order"))
    day.check_in(office, vote, voters[:58])
    for voter, role, user in zip(voters[:7], ["head", "secretary"] + ["member"] * 5, counters, strict=True):
        day.propose_member(office, vote, voter=voter, role=role, user=user)
    day.record_committee_approval(chair, vote, votes_for=58, against=0, abstaining=0)
    day.open_voting(chair, vote)
    counting.record_ballot_counts(counters[0], form, issued=58, collected=58)
    day.close_voting(chair, vote)
    person = vote.rated_persons.get()
    counting.record_hand_totals(
        counters[0], form, totals={person.pk: {"confidence": 28, "no_confidence": 29, "invalid": 1}}, whole_invalid=0
    )
    counting.finalise_form(counters[0], form)
    vote.refresh_from_db()
    assert vote.status == Conference.Status.FINISHED
    people = vote.ballot_forms.get().results.get(superseded=False).data["people"]
    assert people[0]["outcome"] == "none"  # 29 of 58 "không tín nhiệm" is exactly half: nothing follows
    resolution = " ".join(pdf_pages(official.render_resolution_pdf(vote)))
    assert "Xác nhận kết quả bỏ phiếu tín nhiệm — Bỏ phiếu tín nhiệm — Kỳ họp thứ 13 HĐND tỉnh" in resolution
    assert "Điều 1. Xác nhận kết quả bỏ phiếu tín nhiệm đối với những người sau đây:" in resolution
    assert "lấy phiếu tín nhiệm" not in resolution.lower()
    report = " ".join(pdf_pages(official.render_report_pdf(vote)))
    assert "Kết quả bỏ phiếu tín nhiệm — " in report
    assert "ý kiến góp ý" not in report  # a confidence vote asks for no opinions beforehand
    summary = " ".join(pdf_pages(official.render_summary_pdf(vote.campaign)))
    assert "Tổng hợp kết quả bỏ phiếu tín nhiệm — Bỏ phiếu tín nhiệm — Kỳ họp thường lệ cuối năm" in summary
    assert "đã tổ chức 1 hội nghị bỏ phiếu tín nhiệm của đợt" in summary
    roll = " ".join(pdf_pages(official.render_letters_pdf(vote, "roster")))
    assert "DANH SÁCH THÀNH PHẦN THAM GIA BỎ PHIẾU TÍN NHIỆM" in roll
    [notice] = pdf_pages(official.render_notices_pdf(vote))  # the person put to the vote is told its result
    assert "THÔNG BÁO Kết quả bỏ phiếu tín nhiệm" in notice and "Kết quả bỏ phiếu tín nhiệm đối với" in notice
    assert "lấy phiếu tín nhiệm" not in notice.lower()
    log = Client()
    log.force_login(make_user("observer", "qs-log"))
    page = log.get(reverse("audit:events"), {"conference": vote.pk}).content.decode()
    assert "Người được đưa ra bỏ phiếu tín nhiệm trình bày ý kiến" in page  # the agenda step, as the vote names it
    assert "Báo cáo về người được lấy phiếu" not in page
    rating = " ".join(pdf_pages(official.render_resolution_pdf(council)))
    assert "Xác nhận kết quả lấy phiếu tín nhiệm — Kỳ họp thứ 13 HĐND tỉnh" in rating  # the rating's own, unchanged

    # neither the campaign summaries nor the authority's summary of both records count the vote as
    # another place where the person was rated
    from tinnhiem.audit.received import check_record, received_summary
    from tinnhiem.audit.record import export_record, public_key_b64
    from tinnhiem.voting.summary import campaign_summary

    for campaign in (council.campaign, vote.campaign):
        assert all(row["other_places"] == [] for row in campaign_summary(campaign)["rows"])
    records = [check_record(f"{c.pk}.zip", export_record(c), [public_key_b64().encode()]) for c in (council, vote)]
    rows = [row for g in received_summary(records)["groups"] for row in g["rows"]]
    assert len(rows) == 7 and [r["name"] for r in rows].count(person.full_name) == 2
    assert all(row["other_places"] == [] for row in rows)


def test_a_name_fills_its_column_whole_and_is_cut_one_character_after():
    """A title of 255 characters fits its column as it is; one more, and it ends in "…" within 255."""
    assert follow_up._short("á" * 255) == "á" * 255
    assert follow_up._short("á" * 256) == "á" * 254 + "…"
