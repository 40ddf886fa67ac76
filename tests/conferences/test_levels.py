"""The district level ended on 01/7/2025 (Nghị quyết 203/2025/QH15, Điều 2). tinnhiem keeps it to replay
and check the votes held before; a conference of a district-level body on or after that day is told so
on its pages, with the article."""

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
    assert 'id="level-notice"' in _page(office_client, "campaign", campaign.pk)  # before any conference
    day = today + timedelta(days=10)
    conference = campaigns.create_conference(
        office, campaign=campaign, title="Kỳ họp", date=day, place="Hội trường", convening_body="HĐND", today=today
    )
    for name in ("campaign", "conference", "committee"):
        html = _page(office_client, name, conference.pk if name != "campaign" else campaign.pk)
        assert 'id="level-notice"' in html, name
        assert day.strftime("%d/%m/%Y") in html.split('id="level-notice"')[1].split("</div>")[0]


def test_other_levels_and_rule_sets_without_a_district_minimum_are_not_told(office_client, office, today):
    province = _campaign(office, "province", "nq96-2023", today)
    party = _campaign(office, "district", "qd96-2023", today)  # QĐ 96 has one minimum for every level
    for campaign in (province, party):
        conference = campaigns.create_conference(
            office, campaign=campaign, title="Hội nghị", date=today, place="Hội trường", convening_body="X", today=today
        )
        committee = _page(office_client, "committee", conference.pk)
        assert 'id="level-notice"' not in committee
        said = campaign is party
        assert ('id="level-notice"' in _page(office_client, "conference", conference.pk)) is said
        assert ('id="level-notice"' in _page(office_client, "campaign", campaign.pk)) is said


def test_the_level_is_offered_with_its_end(office_client):
    html = office_client.get(reverse("conferences:campaign_create")).content.decode()
    assert '<option value="district">Huyện (đến 30/6/2025)</option>' in html
