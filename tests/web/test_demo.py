"""The demo scenario and the ``tinnhiem demo`` command."""

from datetime import date

import pytest

from tests.conftest import shared_demo_open
from tinnhiem.audit import log
from tinnhiem.conferences.queries import checklist, opinion_summary
from tinnhiem.site.demo import load_demo


@pytest.fixture
def demo_ready(shared_demo, request, db):
    """The demo's ready conference (the demo loaded once per module, rolled back after each test)."""
    from tinnhiem.conferences.models import Conference

    shared_demo_open(request)
    return Conference.objects.get(pk=shared_demo)


def test_demo_loads_the_seed_structure(roles):
    today = date.today()
    conference = load_demo(today=today)
    assert conference.rules.id == "qd96-2023"
    assert conference.voters.count() == 183
    assert [p.post for p in conference.rated_persons.all()] == ["Phó Chủ tịch UBND thành phố"] * 2
    assert opinion_summary(conference).text() == "142 ý kiến, 0 yêu cầu giải trình"
    assert checklist(conference, today)[0].status == "done"
    assert conference.voters.filter(rated_person__isnull=False).count() == 2
    assert len({v.full_name for v in conference.voters.all()}) == 183
    assert log.verify() == []
    assert load_demo(today=today).pk == conference.pk  # idempotent


def test_the_demo_conference_raises_no_alarm_of_its_own_making(demo_ready, office):
    """The sample conferences beside the demo's own must not put its two persons on more ballots than
    QĐ 96 allows (Điều 1 khoản 3: at most 2 places): a user trying the demo would read a false alarm."""
    from django.test import Client
    from django.urls import reverse

    conference = demo_ready
    client = Client()
    client.force_login(office)
    page = client.get(reverse("conferences:rated", args=[conference.pk])).content.decode()
    assert "Trần Minh Đức" in page and "Lê Thị Hồng Nhung" in page
    assert "Quá 2 nơi" not in page and 'class="warn"' not in page
    assert page.count("Cũng có tên trên phiếu của") == 2  # the counted sample of the same case: said, not warned


def test_the_demo_holds_together_as_a_real_office_would(demo_ready):
    """A counting account's holder is the delegate on the committee (the header and the minutes
    name the same person); the chair, the office and the scanning demo's rated heads of department
    hold their posts on the roll of the 183 convened; no sample conference shows a deadline the
    office missed."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from tinnhiem.accounts.usecases import full_name_of
    from tinnhiem.conferences.models import CommitteeMember, Conference

    conference = demo_ready
    members = CommitteeMember.objects.filter(user__isnull=False).select_related("voter", "user")
    assert members.values("conference").distinct().count() == 3  # finished, scanning and council demos
    for member in members:
        assert member.voter.full_name == full_name_of(member.user), member.conference.title
        assert member.voter.conference_id == member.conference_id
    roll = {(v.post, v.unit): v.full_name for v in conference.voters.all()}
    assert roll[("Chủ tịch UBND thành phố", "UBND thành phố")] == "Đặng Quốc Khánh"
    assert conference.chair_name.startswith("Đặng Quốc Khánh — Chủ tịch UBND thành phố")
    assert roll[("Trưởng Phòng Nội vụ", "Phòng Nội vụ")] == "Đinh Thị Quỳnh Mai"
    assert roll[("Trưởng Phòng Tài chính - Kế hoạch", "Phòng Tài chính - Kế hoạch")] == "Phan Thanh Tùng"
    # the sample conferences held today sent their reports in time, as a real office would have
    for held in Conference.objects.all():
        assert {i.status for i in checklist(held, date.today())} <= {"done", "not_needed"}, held.title
        on_ballot = held.rated_persons.filter(decision="rated")
        assert on_ballot.filter(dossiers__distributed_on__isnull=False).count() == on_ballot.count()
    # the People's Council's list has one person elected this year, not rated: its report says why
    from tinnhiem.documents.official import report_context
    from tinnhiem.site.demo import COUNCIL_NOT_RATED, COUNCIL_TITLE

    council = Conference.objects.get(title=COUNCIL_TITLE)
    assert council.rated_persons.filter(decision="excluded").get().full_name == COUNCIL_NOT_RATED[0]
    assert (
        f"– {COUNCIL_NOT_RATED[0]}, {COUNCIL_NOT_RATED[1]}: được bầu, bổ nhiệm trong năm lấy phiếu — "
        "Nghị quyết 96/2023/QH15."
    ) in report_context(council)["closing"]
    # the minutes say when the conference began, as a real one does
    from tinnhiem.documents.official import minutes_context

    assert ", lúc 08:00, tại Hội trường" in minutes_context(conference)["opening"]
    # the committee page says whose account each member signs in with
    scan = Conference.objects.get(title__startswith="Hội nghị mẫu kiểm phiếu bằng máy quét")
    client = Client()
    client.force_login(get_user_model().objects.get(username="vanphong"))
    page = client.get(reverse("conferences:committee", args=[scan.pk])).content.decode()
    assert "kiemphieu1 (Vũ Thị Minh Ngọc)" in page


def test_finished_demo_conference_matches_tinnhiem_tally(demo_ready):
    import json
    from io import StringIO
    from pathlib import Path

    from tinnhiem.cli import run_core
    from tinnhiem.conferences.models import Conference
    from tinnhiem.site.demo import FINISHED_TITLE
    from tinnhiem.voting.minutes import minutes_data

    finished = Conference.objects.get(title=FINISHED_TITLE)
    assert finished.status == "finished" and finished.results_published
    examples = Path(__file__).resolve().parents[2] / "examples"
    package_copy = Path(__file__).resolve().parents[2] / "tinnhiem" / "site" / "data" / "mong-cai-2023-ballots.csv"
    assert package_copy.read_bytes() == (examples / "mong-cai-2023-ballots.csv").read_bytes()
    out = StringIO()
    assert (
        run_core(
            [
                "tally",
                str(examples / "mong-cai-2023-ballots.csv"),
                "--rules",
                "qd96-2023",
                "--issued",
                "178",
                "--format",
                "json",
            ],
            stdout=out,
        )
        == 0
    )
    cli = json.loads(out.getvalue())
    stored = finished.ballot_forms.get().results.get(superseded=False).data
    assert stored["ballots"] == cli["ballots"] and stored["base"]["value"] == cli["base"]["value"]
    for got, want in zip(stored["people"], cli["people"], strict=True):
        assert {k: got[k] for k in want} == want
    m = minutes_data(finished)
    assert m["attendance"] == {**m["attendance"], "convened": 183, "present": 178, "absent": 5}
    assert len(m["forms"][0]["rulings"]) == 2  # the two typing differences the committee resolved
    assert [c["role"] for c in m["committee"]["members"]] == ["head", "secretary", "member"]


def test_the_demo_council_offers_the_confidence_vote(demo_ready):
    """The city People's Council's rating under NQ 96/2023, counted and published: one person is
    over half "tín nhiệm thấp" and below two thirds (Điều 12 khoản 1)."""
    from tinnhiem.conferences.models import Conference
    from tinnhiem.site.demo import COUNCIL_TITLE
    from tinnhiem.voting.minutes import minutes_data
    from tinnhiem.voting.usecases import follow_up

    council = Conference.objects.get(title=COUNCIL_TITLE)
    assert council.status == "finished" and council.results_published and council.rules.id == "nq96-2023"
    assert council.campaign.body.parent.name == "HĐND tỉnh Quảng Ninh"
    m = minutes_data(council)
    assert m["attendance"] == {**m["attendance"], "convened": 35, "present": 33, "absent": 2}
    assert len(m["committee"]["members"]) == 5  # the district minimum (Hướng dẫn 883)
    found = follow_up.candidates(council)
    assert [(c["name"], c["adverse"], c["percent"]) for c in found] == [("Mạc Đình Phong", 18, "54,55%")]


def test_the_demo_scans_count_on_the_scan_demo_conference(demo_ready, tmp_path):
    """What the demo invites a user to try: the 28 scans read as 28 ballots, pages equal to the
    ballots collected; the smudge, the crossed-out name and the pencil ballot wait for the
    committee, and nothing else does. Made once: a second call writes nothing, unless the folder
    was left by another demo database."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from tinnhiem.conferences.models import Conference
    from tinnhiem.scanning import usecases as scan
    from tinnhiem.site.demo import SCAN_TITLE, write_demo_scans

    conference = Conference.objects.get(title=SCAN_TITLE)
    assert conference.status == "counting"
    files = write_demo_scans(tmp_path)
    form = conference.ballot_forms.get()
    assert len(files) == form.collected == 28
    made = files[0].stat().st_mtime_ns
    assert write_demo_scans(tmp_path) == files and files[0].stat().st_mtime_ns == made
    (tmp_path / ".mau-phieu").write_text("1 0123456789abcdef")  # left by another demo database
    (tmp_path / "phieu-029.jpg").write_bytes(b"old")
    files = write_demo_scans(tmp_path)
    assert len(files) == 28 and not (tmp_path / "phieu-029.jpg").exists() and files[0].stat().st_mtime_ns != made
    member = get_user_model().objects.get(username="kiemphieu1")
    # the way the demo tells: the counting tab leads a member straight to the scanner
    client = Client()
    client.force_login(member)
    scanner = reverse("scanning:scan", args=[conference.pk, form.pk])
    assert f'href="{scanner}"' in client.get(reverse("voting:overview", args=[conference.pk])).content.decode()
    client.force_login(get_user_model().objects.get(username="quansat"))  # who follows, does not count
    assert scanner not in client.get(reverse("voting:overview", args=[conference.pk])).content.decode()
    for path in files:
        scan.scan_file(member, form, name=path.name, data=path.read_bytes())
    assert form.scanned_ballots.count() == 28
    waiting = sorted(b.position for b in form.scanned_ballots.filter(needs_review=True))
    assert waiting == [6, 12, 19]  # the smudge, the crossed-out name, the pencil ballot (SCAN_SPECIAL)
    assert scan.scan_problems(form) == ["3 phiếu quét đang chờ Ban kiểm phiếu xem xét."]


def test_a_page_in_english_says_the_rule_sets_words_in_english_and_prints_the_documents_in_vietnamese(demo_ready):
    """The council's results, read in English: the levels, the consequence and the rule set in
    their English (the rule sets give it); the minutes, the report, the notices to the rated
    persons and the Word minutes downloaded from that page say word for word what they say
    downloaded from a Vietnamese page."""
    import io

    import docx
    from django.test import Client
    from django.urls import reverse

    from tests.documents.conftest import pdf_pages
    from tinnhiem.conferences.models import Conference
    from tinnhiem.site.demo import COUNCIL_TITLE

    council = Conference.objects.get(title=COUNCIL_TITLE)
    readers = {}
    for language in ("vi", "en"):
        readers[language] = client = Client()
        assert client.login(username="vanphong", password="tinnhiem-demo")
        client.post(reverse("set_language"), {"language": language, "next": "/"})
    english = readers["en"].get(reverse("voting:results", args=[council.pk])).content.decode()
    vietnamese = readers["vi"].get(reverse("voting:results", args=[council.pk])).content.decode()
    for words in ("High confidence", "Low confidence", "More than half and less than two thirds low-confidence"):
        assert words in english and words not in vietnamese
    assert "Tín nhiệm thấp</th>" in vietnamese and "Tín nhiệm thấp</th>" not in english
    assert "Có quá nửa đến dưới hai phần ba" in vietnamese and "Có quá nửa đến dưới hai phần ba" not in english
    assert "18 “Low confidence” (54.55%)" in english  # the person the confidence vote is prepared for
    # the percentages with the page's decimal separator, in the table as in that line
    assert '<span class="muted">54.55%</span>' in english and "54,55%" not in english
    assert '<span class="muted">54,55%</span>' in vietnamese and "54.55%" not in vietnamese
    # what an article provides, in the page's language; the article named as it is
    assert "Nghị quyết 96/2023/QH15, Điều 19 khoản 3 (the ballots collected)" in english
    assert "Nghị quyết 96/2023/QH15, Điều 19 khoản 3 (tổng số phiếu thu về)" in vietnamese
    attendance = readers["en"].get(reverse("conferences:attendance", args=[council.pk])).content.decode()
    assert "A session is held only when at least 2/3 of all deputies attend" in attendance
    # the committee's rulings: the minutes' words around them, and their readings' legend, in the
    # page's language; what the committee wrote, as written
    from tinnhiem.site.demo import FINISHED_TITLE

    finished = Conference.objects.get(title=FINISHED_TITLE)
    pages = {
        lang: readers[lang].get(reverse("voting:results", args=[finished.pk])).content.decode() for lang in readers
    }
    legend = "one digit per person, in the order of the ballot: 1 = High confidence, 2 = Confidence, 3 = Low confidence"
    assert "Ballot 12: " in pages["en"] and legend in pages["en"] and "Phiếu số 12: " not in pages["en"]
    assert "Phiếu số 12: " in pages["vi"] and "1 = Tín nhiệm cao, 2 = Tín nhiệm" in pages["vi"]
    # the scanner's "?" in the legend of a form read by the scanner only, in either language
    scanner = {"vi": "“?” = máy quét không tự quyết định", "en": "“?” = not decided by the scanner"}
    assert (scanner["en"] in pages["en"]) == (scanner["vi"] in pages["vi"])
    campaign = readers["en"].get(reverse("conferences:campaign", args=[council.campaign_id])).content.decode()
    assert "National Assembly Resolution 96/2023/QH15 — confidence rating" in campaign
    # the tables downloaded from that page: in one language each, the page's
    import openpyxl

    def table(client, name, pk) -> list[tuple]:
        book = openpyxl.load_workbook(io.BytesIO(client.get(reverse(name, args=[pk])).content))
        return list(book.worksheets[0].iter_rows(values_only=True))

    for name, pk in (("voting:results_xlsx", council.pk), ("voting:campaign_results_xlsx", council.campaign_id)):
        english, vietnamese = table(readers["en"], name, pk), table(readers["vi"], name, pk)
        assert {"High confidence", "Low confidence (%)", "Conclusion"} <= set(english[0])
        assert {"Tín nhiệm cao", "Tín nhiệm thấp (%)", "Kết luận"} <= set(vietnamese[0])
        phong = [row for row in english if "Mạc Đình Phong" in row]
        assert any(str(v).startswith("More than half and less than two thirds") for v in phong[0])
        assert len(english) == len(vietnamese) and english[1:] != vietnamese[1:]

    def texts(client) -> dict[str, object]:
        minutes_word = client.get(reverse("documents:minutes_docx", args=[council.pk])).content
        return {
            "minutes": pdf_pages(client.get(reverse("documents:minutes", args=[council.pk])).content),
            "report": pdf_pages(client.get(reverse("documents:report", args=[council.pk])).content),
            "notices": pdf_pages(client.get(reverse("documents:notices", args=[council.pk])).content),
            "minutes.docx": [p.text for p in docx.Document(io.BytesIO(minutes_word)).paragraphs],
        }

    printed = texts(readers["en"])
    assert printed == texts(readers["vi"])
    assert "Trưởng ban" in " ".join(printed["minutes"]) and "Head" not in " ".join(printed["minutes"])
