"""The demo scenario: Móng Cái City People's Committee rates its two Vice-Chairmen (seed article,
29/09/2023), with 183 convened leaders and 142 opinions. Every person's name is invented; no
result is attributed to a real person. Everything is created through the use cases, so the audit
log of the demo is real.

Three conferences: the one in preparation (``load_demo``), one counted and published
(``load_finished_demo``), and one whose vote is closed, to be counted by scanning
(``load_scan_demo``; ``write_demo_scans`` makes its stack of scanned ballots). And the city
People's Council's own rating under NQ 96/2023 (``load_council_demo``), counted and published,
whose results call for a confidence vote for one person.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
from datetime import date, time, timedelta
from importlib import resources

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from tinnhiem.accounts.usecases import full_name_of
from tinnhiem.conferences.models import Conference, RatedPerson
from tinnhiem.conferences.usecases import campaigns, dossiers, opinions, rated, roster
from tinnhiem.documents.render import render_pdf

DEMO_PASSWORD = "tinnhiem-demo"
DEMO_USERS = [
    # username, role, full name (invented)
    ("vanphong", "office", "Phạm Thị Thu Trang"),
    ("chutri", "chair", "Đặng Quốc Khánh"),
    ("kiemphieu1", "committee", "Vũ Thị Minh Ngọc"),
    ("kiemphieu2", "committee", "Hoàng Văn Lâm"),
    ("kiemphieu3", "committee", "Ngô Thị Bích Hạnh"),
    ("quansat", "observer", "Bùi Đức Thắng"),
    ("quantri", "admin", "Quản trị hệ thống"),
]
CAMPAIGN_NAME = "Lấy phiếu tín nhiệm Phó Chủ tịch UBND thành phố (không phải Ủy viên Ban Thường vụ), nhiệm kỳ 2020–2025"
LEGAL_BASIS = (
    "Quy định số 96-QĐ/TW ngày 02/02/2023 của Bộ Chính trị;\n"
    "Kế hoạch số 274-KH/TU của Ban Thường vụ Thành ủy về lấy phiếu tín nhiệm đối với các chức danh, chức vụ "
    "lãnh đạo, quản lý trong hệ thống chính trị thành phố, nhiệm kỳ 2020–2025;\n"
    "Kế hoạch số 267/KH-UBND của UBND thành phố về lấy phiếu tín nhiệm đối với 2 đồng chí Phó Chủ tịch UBND "
    "thành phố (không phải là Ủy viên Ban Thường vụ)."
)
RATED = [("Trần Minh Đức", "Phó Chủ tịch UBND thành phố"), ("Lê Thị Hồng Nhung", "Phó Chủ tịch UBND thành phố")]

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Phan",
    "Đinh",
    "Lương",
    "Tạ",
    "Mai",
]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Hữu", "Thanh", "Ngọc", "Xuân", "Hồng", "Anh", "Bảo", "Kim"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Hương",
    "Khoa",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phong",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Thủy",
    "Trung",
    "Tú",
    "Tuấn",
    "Vân",
    "Việt",
    "Yến",
]
DEPARTMENTS = [
    "Phòng Nội vụ",
    "Phòng Tài chính - Kế hoạch",
    "Phòng Tư pháp",
    "Phòng Kinh tế",
    "Phòng Quản lý đô thị",
    "Phòng Tài nguyên và Môi trường",
    "Phòng Văn hóa và Thông tin",
    "Phòng Giáo dục và Đào tạo",
    "Phòng Y tế",
    "Phòng Lao động - Thương binh và Xã hội",
    "Thanh tra thành phố",
    "Văn phòng HĐND và UBND thành phố",
    "Ban Quản lý dự án đầu tư xây dựng",
    "Trung tâm Truyền thông và Văn hóa",
    "Trung tâm Phát triển quỹ đất",
    "Ban Quản lý Khu kinh tế cửa khẩu (bộ phận thành phố)",
]
WARDS = [
    "Ka Long",
    "Trần Phú",
    "Hòa Lạc",
    "Ninh Dương",
    "Hải Yên",
    "Hải Hòa",
    "Bình Ngọc",
    "Trà Cổ",
    "Hải Xuân",
    "Hải Đông",
    "Hải Tiến",
    "Hải Sơn",
    "Quảng Nghĩa",
    "Bắc Sơn",
    "Vạn Ninh",
    "Vĩnh Trung",
    "Vĩnh Thực",
]
# the last nine of WARDS are communes (xã), the others wards (phường)
COMMUNES = frozenset(WARDS[WARDS.index("Hải Xuân") :])
SCHOOLS = ["Trường THCS", "Trường Tiểu học", "Trường Mầm non"]
AGREEMENTS = [
    "Đồng tình với báo cáo tự đánh giá; không có ý kiến đề nghị giải trình.",
    "Nhất trí với nội dung báo cáo của đồng chí.",
    "Đồng chí hoàn thành tốt nhiệm vụ được giao; không có ý kiến khác.",
    "Đồng ý với báo cáo; đề nghị tiếp tục phát huy.",
    "Không có ý kiến đề nghị làm rõ thêm.",
]


def _posts() -> list[tuple[str, str]]:
    """(post, unit) of the 183 leaders convened, as in Kế hoạch 267 (chairs, heads of offices, schools…)."""
    posts = [
        ("Chủ tịch UBND thành phố", "UBND thành phố"),
        ("Phó Chủ tịch Thường trực UBND thành phố", "UBND thành phố"),
    ]
    posts += [(post, "UBND thành phố") for _name, post in RATED]
    for dept in DEPARTMENTS:
        head = (
            "Chánh Thanh tra"
            if dept.startswith("Thanh tra")
            else "Chánh Văn phòng"
            if dept.startswith("Văn phòng")
            else "Trưởng"
        )
        deputy = (
            "Phó Chánh Thanh tra"
            if head == "Chánh Thanh tra"
            else "Phó Chánh Văn phòng"
            if head == "Chánh Văn phòng"
            else "Phó Trưởng"
        )
        posts.append((f"{head} {dept}" if head == "Trưởng" else head, dept))
        posts += [(f"{deputy} {dept}" if deputy == "Phó Trưởng" else deputy, dept)] * 2
    for ward in WARDS:
        kind = "xã" if ward in COMMUNES else "phường"
        posts.append((f"Chủ tịch UBND {kind} {ward}", f"UBND {kind} {ward}"))
        posts.append((f"Phó Chủ tịch UBND {kind} {ward}", f"UBND {kind} {ward}"))
    n = 0
    while len(posts) < 183:
        school = SCHOOLS[n % len(SCHOOLS)]
        ward = WARDS[(n // len(SCHOOLS)) % len(WARDS)]
        posts.append(("Hiệu trưởng" if n % 2 == 0 else "Phó Hiệu trưởng", f"{school} {ward}"))
        n += 1
    return posts[:183]


def _names(count: int, rng: random.Random) -> list[str]:
    taken = {name for name, _post in RATED + SCAN_RATED} | {u[2] for u in DEMO_USERS}
    out = []
    while len(out) < count:
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def ensure_users() -> None:
    User = get_user_model()
    hashed = None  # the accounts share the demo's public password: hashed once (each hash takes a third of a second)
    for username, role, full_name in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            first, _sep, last = full_name.rpartition(" ")
            user.first_name, user.last_name = last, first
            hashed = hashed or make_password(DEMO_PASSWORD)
            user.password = hashed
            user.is_staff = role == "admin"
            user.save()
        user.groups.add(Group.objects.get(name=role))


# A sample conference held today sent its reports three weeks before, within every rule set's
# time limit (QĐ 96: 15 days; NQ 96/2023: 20), as a real office would have.
REPORTS_SENT_BEFORE = timedelta(days=21)


def _send_reports(office, conference, *, on: date, body: str = "UBND thành phố Móng Cái") -> None:
    """Each rated person's self-assessment report, uploaded and sent to the voters ``on`` that day."""
    place_date = f"Móng Cái, ngày {on.day} tháng {on.month} năm {on.year}"
    for person in conference.rated_persons.all():
        pdf = _report_pdf(person.full_name, person.post, place_date, body)
        dossiers.upload_dossier(
            office, person, kind="report", title="Báo cáo tự đánh giá", filename="bao-cao-tu-danh-gia.pdf", data=pdf
        )
    dossiers.distribute_dossiers(office, conference, on=on)


def _report_pdf(name: str, post: str, place_date: str, body: str) -> bytes:
    return render_pdf(
        "self_report",
        {
            "body": body,
            "name": name,
            "post": post,
            "place_date": place_date,
            "sections": [
                {
                    "title": "1. Về phẩm chất chính trị, đạo đức, lối sống",
                    "text": "Luôn chấp hành nghiêm chủ trương, đường lối của Đảng, chính sách, pháp luật của Nhà nước. (Nội dung mẫu của bản trình diễn.)",
                },
                {
                    "title": "2. Kết quả thực hiện chức trách, nhiệm vụ được giao",
                    "text": "Chỉ đạo hoàn thành các chỉ tiêu được giao trong lĩnh vực phụ trách. (Nội dung mẫu.)",
                },
                {
                    "title": "3. Hạn chế, khuyết điểm và hướng khắc phục",
                    "text": "Một số nhiệm vụ còn chậm tiến độ; sẽ tăng cường kiểm tra, đôn đốc. (Nội dung mẫu.)",
                },
            ],
        },
    )


@transaction.atomic
def load_demo(today: date | None = None) -> Conference:
    """Create the demo conference (idempotent: returns the existing one if already loaded)."""
    existing = Conference.objects.filter(campaign__name=CAMPAIGN_NAME).first()
    if existing is not None:
        ensure_users()
        return existing
    ensure_users()
    office = get_user_model().objects.get(username="vanphong")
    today = today or date.today()
    vote_day = today + timedelta(days=16)
    rng = random.Random(20230929)

    province = campaigns.create_body(
        office, name="UBND tỉnh Quảng Ninh", level="province", locality="Quảng Ninh", symbol="UBND"
    )
    city = campaigns.create_body(
        office,
        name="UBND thành phố Móng Cái",
        level="district",
        parent=province,
        locality="Móng Cái",
        symbol="UBND",
        drafting_unit="NV",  # the city's Phòng Nội vụ prepares the rating (the Móng Cái article)
    )
    campaign = campaigns.create_campaign(
        office,
        body=city,
        name=CAMPAIGN_NAME,
        legal_basis=LEGAL_BASIS,
        term="2020–2025",
        rule_set="qd96-2023",
        rating_year=vote_day.year,
    )
    conference = campaigns.create_conference(
        office,
        campaign=campaign,
        title="Hội nghị lấy phiếu tín nhiệm đối với chức danh Phó Chủ tịch UBND thành phố Móng Cái",
        date=vote_day,
        start_time=time(8, 0),
        place="Hội trường UBND thành phố Móng Cái",
        convening_body="Ủy ban nhân dân thành phố Móng Cái",
        chair_name="Đặng Quốc Khánh — Chủ tịch UBND thành phố",
        today=today,
    )
    campaigns.set_signer(office, conference, post="Chủ tịch")
    people = [
        rated.add_rated_person(
            office,
            conference,
            full_name=name,
            post=post,
            group="Phó Chủ tịch UBND thành phố",
            took_office_on=date(2021, 6, 1),
        )
        for name, post in RATED
    ]
    roster.import_roster(office, conference, filename="danh-sach-183.csv", data=_roster_csv())
    for voter, _person in roster.unresolved_rated_matches(conference):
        roster.resolve_rated_match(office, voter, same_person=True)

    _send_reports(office, conference, on=today)

    _import_opinions(office, conference, people, today, rng)
    load_finished_demo(campaign, today)
    load_scan_demo(campaign, today)
    load_council_demo(office, today)
    return conference


FINISHED_TITLE = "Hội nghị lấy phiếu tín nhiệm Phó Chủ tịch UBND thành phố — hội nghị mẫu đã kiểm phiếu"
ABSENT_REASONS = ["Đi công tác", "Nghỉ phép", "Ốm", "Họp tại tỉnh", "Bận việc gia đình"]


def _stack() -> tuple[list[str], list]:
    """The seed ballots (examples/mong-cai-2023-ballots.csv, invented): what the committee reads."""
    from tinnhiem.ballotfile import parse_ballot_csv
    from tinnhiem.rules import builtin_rule_set

    text = resources.files(__package__).joinpath("data", "mong-cai-2023-ballots.csv").read_text(encoding="utf-8")
    parsed = parse_ballot_csv(text, builtin_rule_set("qd96-2023"))
    return list(parsed.labels), list(parsed.ballots)


def _keys(rules, ballot) -> tuple[str, str]:
    if ballot.whole_invalid:
        return "", ballot.invalid_reason
    out = ""
    for marks in ballot.rows:
        out += "0" if not marks else "9" if len(marks) > 1 else str(rules.level(next(iter(marks))).digit)
    return out, ""


def _held_today(campaign, today: date, title: str, place: str):
    """A conference of the demo campaign held today: (conference, office, chair, committee users)."""
    User = get_user_model()
    office, chair = User.objects.get(username="vanphong"), User.objects.get(username="chutri")
    counters = [User.objects.get(username=f"kiemphieu{i}") for i in (1, 2, 3)]
    conference = campaigns.create_conference(
        office,
        campaign=campaign,
        title=title,
        date=today,
        start_time=time(8, 0),
        place=place,
        convening_body="Ủy ban nhân dân thành phố Móng Cái",
        chair_name="Đặng Quốc Khánh — Chủ tịch UBND thành phố",
        today=today,
    )
    campaigns.set_signer(office, conference, post="Chủ tịch")
    return conference, office, chair, counters


def _open_with_absent(office, chair, conference, *, absent: int) -> tuple[list, list]:
    """Open the conference; the last ``absent`` voters of the roll are away, with a reason."""
    from tinnhiem.conferences.usecases import day

    day.open_conference(chair, conference, today=conference.date)  # held on its day, the demo's "today"
    voters = list(conference.voters.order_by("order"))
    present = voters[:-absent]
    day.check_in(office, conference, present)
    for voter, reason in zip(voters[-absent:], ABSENT_REASONS[:absent], strict=True):
        day.mark_absent(office, voter, reason=reason)
    return voters, present


def _import_opinions(office, conference: Conference, people: list, today: date, rng: random.Random) -> None:
    """142 opinions reached the Home Affairs office; none asked for an explanation (seed article).
    The office compiled and classified them in a table, and imported it."""
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["STT", "Về người", "Ý kiến", "Ngày nhận", "Phân loại"])
    for i in range(142):
        person = people[i % 2] if i % 7 else None
        text, day = rng.choice(AGREEMENTS), today - timedelta(days=rng.randint(0, 3))
        writer.writerow([i + 1, person.full_name if person else "chung", text, f"{day:%d/%m/%Y}", "Đồng tình"])
    opinions.import_opinions(office, conference, filename="tong-hop-y-kien.csv", data=table.getvalue().encode())


def load_finished_demo(campaign, today: date) -> Conference:
    """A second conference, already counted on paper by double entry, with two typing differences
    resolved by the committee; its numbers equal ``tinnhiem tally`` on the example ballots file."""
    from tinnhiem.conferences.usecases import day
    from tinnhiem.voting.usecases import counting

    conference, office, chair, counters = _held_today(
        campaign, today, FINISHED_TITLE, "Hội trường UBND thành phố Móng Cái"
    )
    labels, ballots = _stack()
    if labels != [name for name, _post in RATED]:
        raise RuntimeError("the demo ballots file does not name the demo's rated persons")
    people = [
        rated.add_rated_person(
            office,
            conference,
            full_name=name,
            post=post,
            group="Phó Chủ tịch UBND thành phố",
            took_office_on=date(2021, 6, 1),
        )
        for name, post in RATED
    ]
    _send_reports(office, conference, on=today - REPORTS_SENT_BEFORE)
    # the opinions received before it, as its report says (before the day, or the import says "a day to come")
    _import_opinions(office, conference, people, today - timedelta(days=4), random.Random(20230929))
    roster.import_roster(office, conference, filename="danh-sach-183.csv", data=_roster_csv())
    for voter, _person in roster.unresolved_rated_matches(conference):
        roster.resolve_rated_match(office, voter, same_person=True)
    voters, _present = _open_with_absent(office, chair, conference, absent=5)
    by_name = {v.full_name: v for v in voters}
    members = [by_name[full_name_of(user)] for user in counters]  # the accounts' holders, on the roll
    for voter, role, user in zip(members, ("head", "secretary", "member"), counters, strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    present = len(voters) - 5
    day.record_committee_approval(chair, conference, votes_for=present - 2, against=0, abstaining=2)
    day.open_voting(chair, conference)
    form = conference.ballot_forms.get()
    rules = conference.rules
    counting.record_ballot_counts(
        counters[0],
        form,
        issued=present,
        collected=len(ballots),
        note="Một đại biểu ra về trước khi bỏ phiếu, không nộp phiếu.",
    )
    day.close_voting(chair, conference)
    a = counting.start_entry(counters[0], form, device_key="demo-a")
    b = counting.start_entry(counters[1], form, device_key="demo-b")
    typos = {12: "21", 101: "13"}
    for position, ballot in enumerate(ballots, start=1):
        keys, reason = _keys(rules, ballot)
        counting.enter_ballot(counters[0], a, device_key="demo-a", position=position, marks=keys, invalid_reason=reason)
        typed = typos.get(position, keys) if not reason else keys
        counting.enter_ballot(
            counters[1], b, device_key="demo-b", position=position, marks=typed, invalid_reason=reason
        )
    for d in counting.open_differences(form):
        keys, reason = _keys(rules, ballots[d["position"] - 1])
        counting.resolve_difference(
            counters[2], form, position=d["position"], marks=keys, invalid_reason=reason, reason="Đối chiếu phiếu gốc"
        )
    counting.finalise_form(counters[0], form)
    day.publish_results(chair, conference)
    return conference


SCAN_TITLE = "Hội nghị mẫu kiểm phiếu bằng máy quét — Trưởng phòng chuyên môn UBND thành phố"
SCAN_VOTERS, SCAN_ABSENT = 30, 2
# Persons of their own: rating the Vice-Chairmen a third time in the year would put them on more
# ballots than QĐ 96 allows (Điều 1 khoản 3), and the demo's own conference would warn of it.
SCAN_RATED = [
    ("Phan Thanh Tùng", "Trưởng phòng Tài chính - Kế hoạch"),
    ("Đinh Thị Quỳnh Mai", "Trưởng phòng Nội vụ"),
]
# The demo stack: ballot number → how it was marked (the rest: pen, ✗ or ✓). Three of them need the
# committee: a smudge in a box, a crossed-out name, a ballot marked in light pencil.
SCAN_SPECIAL = {
    6: {"style": "cross", "smudged": True},
    12: {"style": "check", "crossed_name": True},
    19: {"style": "pencil"},
    23: {"style": "cross", "photo": True},
    25: {"style": "check", "upside_down": True},
}


def load_scan_demo(campaign, today: date) -> Conference:
    """A third conference, voting closed and waiting to be counted by scanning; ``write_demo_scans``
    makes its stack of scanned ballots, to try the scanner page."""
    from tinnhiem.conferences.usecases import day
    from tinnhiem.documents import ballots
    from tinnhiem.voting.usecases import counting

    conference, office, chair, counters = _held_today(
        campaign, today, SCAN_TITLE, "Phòng họp số 1, UBND thành phố Móng Cái"
    )
    for name, post in SCAN_RATED:
        rated.add_rated_person(office, conference, full_name=name, post=post, group="Trưởng phòng chuyên môn")
    _send_reports(office, conference, on=today - REPORTS_SENT_BEFORE)
    names = _names(SCAN_VOTERS, random.Random(29092023))
    names[:3] = [full_name_of(user) for user in counters]  # the committee's accounts are delegates present
    lines = "STT,Họ và tên,Chức vụ\n" + "".join(
        f"{i},{name},Trưởng phòng chuyên môn\n" for i, name in enumerate(names, start=1)
    )
    roster.import_roster(office, conference, filename="danh-sach-30.csv", data=lines.encode())
    _voters, present = _open_with_absent(office, chair, conference, absent=SCAN_ABSENT)
    for voter, role, user in zip(present[:3], ("head", "secretary", "member"), counters, strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    day.record_committee_approval(chair, conference, votes_for=len(present), against=0, abstaining=0)
    form = conference.ballot_forms.get()
    day.set_counting_mode(office, form, mode="scan")
    ballots.register_layout(form, ballots.layout_for(form))  # as when printed: the scanner knows it
    day.open_voting(chair, conference)
    counting.record_ballot_counts(counters[0], form, issued=len(present), collected=len(present))
    day.close_voting(chair, conference)
    return conference


def write_demo_scans(folder) -> list:
    """The scan demo's stack, one JPEG per ballot as a scanner saves to a folder (phieu-001.jpg…),
    made once. Synthetic scans of the real printed ballot (tinnhiem/scanning/synthetic.py)."""
    from pathlib import Path

    import cv2

    from tinnhiem.documents import ballots
    from tinnhiem.scanning import synthetic

    folder = Path(folder)
    conference = Conference.objects.filter(title=SCAN_TITLE).first()
    if conference is None:
        return []
    form = conference.ballot_forms.get()
    # the scans belong to this site and this form (their QR is signed with the site's key): a
    # folder left from an earlier demo database is made again, not offered to a scanner that
    # would refuse every page
    stamp = folder / ".mau-phieu"
    owner = f"{form.pk} {hashlib.sha256(ballots.qr_key()).hexdigest()[:16]}"
    existing = sorted(folder.glob("phieu-*.jpg"))
    if existing and stamp.exists() and stamp.read_text() == owner:
        return existing
    for path in existing:
        path.unlink()
    pdf, layout = ballots.render_one(form)
    geometry, blank = layout.as_dict(), synthetic.render_blank(pdf, 0, 200)
    digits = {lv.key: str(lv.digit) for lv in conference.rules.levels}
    rng = random.Random(20230929)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number in range(1, form.collected + 1):
        options = SCAN_SPECIAL.get(number, {"style": rng.choice(("cross", "check"))})
        image, _truth = synthetic.synthesize(blank, geometry, 1, 200, rng, digits=digits, **options)
        path = folder / f"phieu-{number:03d}.jpg"
        cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 85])
        written.append(path)
    stamp.write_text(owner)
    return written


# The posts, by (post, unit) on the roll of the 183, of the three counting committee accounts' holders.
COUNTER_POSTS = [
    ("Chánh Thanh tra", "Thanh tra thành phố"),
    ("Phó Chánh Văn phòng", "Văn phòng HĐND và UBND thành phố"),
    ("Trưởng Phòng Tư pháp", "Phòng Tư pháp"),
]


def _named_posts() -> dict[tuple[str, str], str]:
    """The leaders convened who are also someone else in the demo: the chair, the office's account
    holder (a deputy head of Home Affairs), the three counting committee accounts' holders, and the
    two heads of department rated at the scanning demo's conference. Each holds the same post on
    every page of the demo."""
    users = {username: full_name for username, _role, full_name in DEMO_USERS}
    return {
        ("Chủ tịch UBND thành phố", "UBND thành phố"): users["chutri"],
        ("Phó Trưởng Phòng Nội vụ", "Phòng Nội vụ"): users["vanphong"],
        **{post: users[f"kiemphieu{i}"] for i, post in enumerate(COUNTER_POSTS, start=1)},
        ("Trưởng Phòng Tài chính - Kế hoạch", "Phòng Tài chính - Kế hoạch"): SCAN_RATED[0][0],
        ("Trưởng Phòng Nội vụ", "Phòng Nội vụ"): SCAN_RATED[1][0],
    }


def _roster_csv() -> bytes:
    rng = random.Random(20230929)
    posts = _posts()
    names = _names(len(posts), rng)
    named = _named_posts()
    rated_iter = iter(RATED)  # both hold the same post
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["STT", "Họ và tên", "Chức vụ", "Đơn vị"])
    for n, ((post, unit), name) in enumerate(zip(posts, names, strict=True), start=1):
        if post in {p for _n, p in RATED} and unit == "UBND thành phố":
            name = next(rated_iter)[0]
        writer.writerow([n, named.pop((post, unit), name), post, unit])
    if named:
        raise RuntimeError(f"the demo roster has no post for {sorted(named)}")
    return buffer.getvalue().encode("utf-8")


def build_council_vote(
    office,
    chair,
    counters,
    *,
    n_people: int = 44,
    n_voters: int = 60,
    name: str = "Hội đồng nhân dân tỉnh (mẫu)",
    lows: dict[int, int] | None = None,
    names: dict[int, tuple[str, str]] | None = None,
) -> Conference:
    """A People's Council-size vote (NQ 96/2023, province) with ``n_people`` rated persons, counted
    by hand totals and finalised: used by the document tests and the benchmarks. Invented names.
    ``lows``: the "tín nhiệm thấp" count of some persons (by index), instead of the default;
    ``names``: the (name, post) of some persons, instead of the invented default."""
    today = date.today()
    body = campaigns.create_body(office, name=name, level="province", locality="Vĩnh Phúc")
    campaign = campaigns.create_campaign(
        office,
        body=body,
        name="Kỳ họp thường lệ cuối năm",
        legal_basis="Nghị quyết 96/2023/QH15",
        term="2021–2026",
        rule_set="nq96-2023",
        rating_year=today.year,
    )
    conference = campaigns.create_conference(
        office,
        campaign=campaign,
        title="Kỳ họp thứ 13 HĐND tỉnh",
        date=today,
        place="Hội trường",
        convening_body="HĐND tỉnh",
        today=today,
    )
    people = []
    for i in range(n_people):
        name, post = (names or {}).get(i, (f"Người được lấy phiếu số {i + 1:02d}", "Ủy viên UBND tỉnh"))
        people.append(rated.add_rated_person(office, conference, full_name=name, post=post))
    lines = "STT,Họ và tên,Chức vụ\n" + "".join(
        f"{i},Đại biểu {i:03d},Đại biểu HĐND tỉnh\n" for i in range(1, n_voters + 1)
    )
    roster.import_roster(office, conference, filename="dai-bieu.csv", data=lines.encode())
    return _count_by_totals(office, chair, counters, conference, people, absent={}, lows=lows)


def _count_by_totals(office, chair, counters, conference, people, *, absent: dict[int, str], lows) -> Conference:
    """Hold a People's Council session's rating and count it by hand totals, then finalise: all
    voters but two present (``absent``: order → reason, or "not checked in"), a committee of the
    level's minimum size (members beyond ``counters`` have no account), whole-ballot invalid 1,
    one row-invalid rating each; by default the first person just over half "tín nhiệm thấp"."""
    from tinnhiem.conferences.usecases import day
    from tinnhiem.voting.usecases import counting

    day.open_conference(chair, conference)
    form = conference.ballot_forms.get()
    day.set_counting_mode(office, form, mode="totals")
    voters = list(conference.voters.order_by("order"))
    present = len(voters) - 2
    day.check_in(office, conference, voters[:present])
    for voter in voters[present:]:
        if voter.order in absent:
            day.mark_absent(office, voter, reason=absent[voter.order])
    size = conference.rules.committee.minimum_for(conference.campaign.body.level)
    users = [*counters, *[None] * size][:size]  # members beyond the accounts given have none
    for voter, role, user in zip(voters[:size], ["head", "secretary"] + ["member"] * (size - 2), users, strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    day.record_committee_approval(chair, conference, votes_for=present, against=0, abstaining=0)
    day.open_voting(chair, conference)
    counting.record_ballot_counts(counters[0], form, issued=present, collected=present)
    day.close_voting(chair, conference)
    totals = {}
    for i, person in enumerate(people):
        low = present // 2 + 1 if i == 0 else i % 7  # the first person: just over half "tín nhiệm thấp"
        low = (lows or {}).get(i, low)
        confidence = i % 3
        totals[person.pk] = {"high": present - 2 - low - confidence, "confidence": confidence, "low": low, "invalid": 1}
    counting.record_hand_totals(counters[0], form, totals=totals, whole_invalid=1)
    counting.finalise_form(counters[0], form)
    return Conference.objects.get(pk=conference.pk)


COUNCIL_TITLE = "Kỳ họp HĐND thành phố Móng Cái — lấy phiếu tín nhiệm (hội nghị mẫu đã kiểm phiếu)"
# Invented people. NQ 96/2023 Điều 2 khoản 2: a district People's Council rates its chair, vice-chair
# and committee heads, and the People's Committee's chair, vice-chairs and members.
COUNCIL_RATED = [
    ("Lương Văn Hải", "Chủ tịch HĐND thành phố"),
    ("Tạ Thị Thu Hương", "Phó Chủ tịch HĐND thành phố"),
    ("Mạc Đình Phong", "Trưởng Ban Kinh tế - Xã hội HĐND thành phố"),
    ("Kiều Thị Yến", "Trưởng Ban Pháp chế HĐND thành phố"),
    ("Châu Văn Sáng", "Ủy viên UBND thành phố, Trưởng Công an thành phố"),
]


COUNCIL_NOT_RATED = ("Hoàng Minh Tuấn", "Phó Trưởng Ban Pháp chế HĐND thành phố")


def load_council_demo(office, today: date) -> Conference:
    """The city People's Council's rating under NQ 96/2023 at its year-end session, counted by hand
    totals and published: one person (index 2) is over half "tín nhiệm thấp" and below two
    thirds, so the results page offers to prepare the confidence vote (Điều 12 khoản 1)."""
    from tinnhiem.conferences.usecases import day

    parent = campaigns.create_body(
        office, name="HĐND tỉnh Quảng Ninh", level="province", locality="Quảng Ninh", symbol="HĐND"
    )
    council = campaigns.create_body(
        office, name="HĐND thành phố Móng Cái", level="district", parent=parent, locality="Móng Cái", symbol="HĐND"
    )
    campaign = campaigns.create_campaign(
        office,
        body=council,
        name="Lấy phiếu tín nhiệm tại kỳ họp cuối năm của HĐND thành phố, nhiệm kỳ 2021–2026",
        legal_basis="Nghị quyết số 96/2023/QH15 ngày 23/6/2023 của Quốc hội;\nKế hoạch số 05/KH-HĐND (mẫu)",
        term="2021–2026",
        rule_set="nq96-2023",
        rating_year=today.year,
    )
    conference = campaigns.create_conference(
        office,
        campaign=campaign,
        title=COUNCIL_TITLE,
        date=today,
        start_time=time(8, 0),
        place="Hội trường HĐND thành phố Móng Cái",
        convening_body="Thường trực HĐND thành phố Móng Cái",
        chair_name="Lương Văn Hải — Chủ tịch HĐND thành phố",
        today=today,
    )
    campaigns.set_signer(office, conference, post="Chủ tịch")
    people = [rated.add_rated_person(office, conference, full_name=n, post=p) for n, p in COUNCIL_RATED]
    _send_reports(office, conference, on=today - REPORTS_SENT_BEFORE, body="HĐND thành phố Móng Cái")
    # elected this year: not rated (NQ 96/2023); the list, the report and the record say so and why
    rated.add_rated_person(
        office,
        conference,
        full_name=COUNCIL_NOT_RATED[0],
        post=COUNCIL_NOT_RATED[1],
        took_office_on=today.replace(day=1),
        decision=RatedPerson.Decision.EXCLUDED,
    )
    users = get_user_model().objects
    chair = users.get(username="chutri")
    counters = [users.get(username=f"kiemphieu{i}") for i in (1, 2, 3)]
    names = _names(35, random.Random(20231212))
    names[:3] = [full_name_of(user) for user in counters]  # delegates too: the first members of its committee
    lines = "STT,Họ và tên,Chức vụ\n" + "".join(
        f"{i},{name},Đại biểu HĐND thành phố\n" for i, name in enumerate(names, start=1)
    )
    roster.import_roster(office, conference, filename="dai-bieu-hdnd.csv", data=lines.encode())
    conference = _count_by_totals(
        office, chair, counters, conference, people, absent={34: "Đi công tác", 35: "Ốm"}, lows={0: 1, 2: 18}
    )
    day.publish_results(chair, conference)
    return conference


def demo_summary() -> list[str]:
    from tinnhiem.accounts.roles import role_label

    return [f"{username:<11} / {DEMO_PASSWORD}   ({role_label(role)})" for username, role, _n in DEMO_USERS]
