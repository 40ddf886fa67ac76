"""A body's level against the law. The district level ended on 01/7/2025 (Nghị quyết 203/2025/QH15,
Điều 2): tinnhiem keeps it to replay and check the votes held before, and a conference of a district-level
body on or after that day is told so on its pages, with the article. A rule set that lists the bodies
holding it (NQ 96/2023 Điều 2: no commune-level People's Council rates) tells a body not among them, and
a State rule set tells a Party body (QĐ 96-QĐ/TW and NQ 96/2023 share the number 96)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from tinnhiem.conferences.models import Body
from tinnhiem.conferences.usecases import campaigns


@pytest.mark.parametrize(
    ("level", "day", "said"),
    [
        ("district", date(2025, 6, 30), False),  # the last day of the district level
        ("district", date(2025, 7, 1), True),  # the first day without it
        ("district", date(2023, 9, 29), False),  # the seed's conference
        ("province", date(2026, 12, 2), False),
        ("commune", date(2026, 12, 2), False),
        ("central", date(2026, 12, 2), False),
    ],
)
def test_the_notice_starts_on_the_day_the_district_level_ended(level, day, said):
    notice = Body(name="X", level=level).level_notice(day)
    assert bool(notice) is said
    if said:
        assert "Nghị quyết 203/2025/QH15, Điều 2" in notice and "01/7/2025" in notice
        assert day.strftime("%d/%m/%Y") in notice
        assert "cấp huyện" in notice  # in Vietnamese by default


def _page(client, name, pk):
    return client.get(reverse(f"conferences:{name}", args=[pk])).content.decode()


def _notices(html: str) -> list[str]:
    return [part.split("</div>")[0] for part in html.split('<div class="warn notice">')[1:]]


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def _campaign(office, level, rule_set, today):
    body = campaigns.create_body(office, name=f"HĐND {level}", level=level)
    campaign = campaigns.create_campaign(
        office, body=body, name="Đợt", legal_basis="NQ", term="2021–2026", rule_set=rule_set, rating_year=today.year
    )
    return campaign


def test_a_district_body_meeting_today_is_told_on_its_pages(office_client, office, today):
    campaign = _campaign(office, "district", "nq96-2023", today)
    assert _notices(_page(office_client, "campaign", campaign.pk))  # before any conference
    day = today + timedelta(days=10)
    conference = campaigns.create_conference(
        office, campaign=campaign, title="Kỳ họp", date=day, place="Hội trường", convening_body="HĐND", today=today
    )
    for name in ("campaign", "conference", "committee"):
        notices = _notices(_page(office_client, name, conference.pk if name != "campaign" else campaign.pk))
        assert len(notices) == 1 and day.strftime("%d/%m/%Y") in notices[0], name
        assert "Nghị quyết 203/2025/QH15, Điều 2" in notices[0]


def test_other_levels_and_rule_sets_without_a_district_minimum_are_not_told(office_client, office, today):
    province = _campaign(office, "province", "nq96-2023", today)
    party = _campaign(office, "district", "qd96-2023", today)  # QĐ 96 has one minimum for every level
    for campaign in (province, party):
        conference = campaigns.create_conference(
            office, campaign=campaign, title="Hội nghị", date=today, place="Hội trường", convening_body="X", today=today
        )
        assert _notices(_page(office_client, "committee", conference.pk)) == []
        said = 1 if campaign is party else 0
        assert len(_notices(_page(office_client, "conference", conference.pk))) == said
        assert len(_notices(_page(office_client, "campaign", campaign.pk))) == said


def test_the_level_is_offered_with_its_end(office_client):
    html = office_client.get(reverse("conferences:campaign_create")).content.decode()
    assert '<option value="district">Cấp huyện (đến 30/6/2025)</option>' in html
    # the law's names of the tiers, and what each covers since 01/7/2025
    assert '<option value="commune">Cấp xã</option>' in html and '<option value="province">Cấp tỉnh</option>' in html
    assert "Cấp tỉnh: tỉnh, thành phố trực thuộc trung ương. Cấp xã: xã, phường, đặc khu." in html


@pytest.mark.parametrize(
    ("level", "rule_set", "said"),
    [
        ("commune", "nq96-2023", True),  # NQ 96/2023 Điều 2 khoản 2: province and district People's Councils rate
        ("province", "nq96-2023", False),
        ("central", "nq96-2023", False),  # khoản 1: the National Assembly
        ("commune", "nq96-2023-bo-phieu", False),  # the confidence vote lists no bodies in tinnhiem
        ("commune", "qd96-2023", False),  # the Party's rating: every level
    ],
)
def test_a_body_not_among_those_the_rule_set_lists_is_told(office_client, office, today, level, rule_set, said):
    campaign = _campaign(office, level, rule_set, today)
    notice = campaign.held_by_notice()
    assert bool(notice) is said
    if said:
        assert "Nghị quyết 96/2023/QH15, Điều 2 khoản 1 và khoản 2" in notice
        assert "Cơ quan này thuộc cấp xã, không có trong số đó" in notice
        conference = campaigns.create_conference(
            office, campaign=campaign, title="Kỳ họp", date=today, place="Hội trường", convening_body="X", today=today
        )
        assert _notices(_page(office_client, "conference", conference.pk)) == [notice]
        assert _notices(_page(office_client, "campaign", campaign.pk)) == [notice]


def test_the_notices_in_english(office, today):
    from django.utils import translation

    campaign = _campaign(office, "commune", "nq96-2023", today)
    with translation.override("en"):
        assert "This body is at commune level, which is not among them" in campaign.held_by_notice()
        district = Body(name="X", level="district").level_notice(date(2026, 1, 5))
        assert district.startswith("District-level units ended on 01/7/2025") and "05/01/2026" in district


@pytest.mark.parametrize(
    ("system", "rule_set", "said"),
    [
        ("party", "nq96-2023", True),  # "96" in both names: the Party's rule is Quy định 96-QĐ/TW
        ("party", "nq35-2012", True),
        ("party", "qd96-2023", False),
        ("state", "qd96-2023", False),  # the seed: the Party's rule, in a People's Committee
        ("state", "nq96-2023", False),
    ],
)
def test_a_party_body_with_the_states_rule_set_is_told(office_client, office, today, system, rule_set, said):
    body = campaigns.create_body(office, name="Đảng ủy tỉnh", level="province", system=system)
    campaign = campaigns.create_campaign(
        office, body=body, name="Đợt", legal_basis="KH", term="2025–2030", rule_set=rule_set, rating_year=today.year
    )
    notice = campaign.kind_notice()
    assert bool(notice) is said
    if said:
        assert "Quy định 96-QĐ/TW" in notice and "cơ quan của Đảng" in notice
        assert _notices(_page(office_client, "campaign", campaign.pk)) == [notice]
