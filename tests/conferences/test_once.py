"""A campaign, a conference or a body made from a form sent twice is made once.

A second click on a slow Wi-Fi, or a page sent again, posts the same form (the same one-time id)
a second time; before, each post made another campaign or conference. A page brought back with the
browser's Back button and changed is a new one, as the person who changed it means."""

import re
from datetime import date, timedelta

import pytest
from django.db.models import QuerySet
from django.urls import reverse

from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import Body, Campaign, Conference
from tinnhiem.conferences.usecases import campaigns


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def _submission(html: str) -> str:
    return re.search(r'name="submission" value="([0-9a-f]{32})"', html).group(1)


def _new_campaign(office_client) -> dict:
    submission = _submission(office_client.get(reverse("conferences:campaign_create")).content.decode())
    return {
        "new_body_name": "UBND xã Hải Hòa",
        "new_body_level": "commune",
        "new_body_system": "state",
        "name": "Đợt 2026",
        "legal_basis": "Kế hoạch số 1",
        "term": "2021–2026",
        "rule_set": "qd96-2023",
        "rating_year": date.today().year,
        "submission": submission,
    }


def _actions(name: str) -> int:
    return Event.objects.filter(action=name).count()


def test_a_campaign_form_sent_twice_makes_one_campaign_and_one_body(office_client, roles):
    data = _new_campaign(office_client)
    first = office_client.post(reverse("conferences:campaign_create"), data)
    second = office_client.post(reverse("conferences:campaign_create"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Campaign.objects.count() == 1 and Body.objects.count() == 1
    assert _actions("campaign.created") == 1 and _actions("body.created") == 1


def test_a_campaign_form_brought_back_and_changed_makes_another_campaign_of_the_same_new_body(office_client, roles):
    data = _new_campaign(office_client)
    office_client.post(reverse("conferences:campaign_create"), data)
    response = office_client.post(reverse("conferences:campaign_create"), {**data, "name": "Đợt bổ sung 2026"})
    assert response.status_code == 302
    assert sorted(Campaign.objects.values_list("name", flat=True)) == ["Đợt 2026", "Đợt bổ sung 2026"]
    assert Body.objects.count() == 1  # the body described the same way is the one made the first time
    # another body described on the page brought back is another body
    office_client.post(reverse("conferences:campaign_create"), {**data, "new_body_name": "UBND xã Hải Xuân"})
    assert Body.objects.count() == 2 and Campaign.objects.count() == 3


def test_each_new_campaign_page_is_a_new_form(office_client, roles):
    """The same content typed on two pages is two campaigns: the id is new each time the page is shown."""
    office_client.post(reverse("conferences:campaign_create"), _new_campaign(office_client))
    office_client.post(reverse("conferences:campaign_create"), _new_campaign(office_client))
    assert Campaign.objects.count() == 2 and Body.objects.count() == 2


def test_a_new_body_on_the_campaign_edit_form_sent_twice_is_made_once(office_client, campaign):
    url = reverse("conferences:campaign_edit", args=[campaign.pk])
    submission = _submission(office_client.get(url).content.decode())
    data = {f: getattr(campaign, f) for f in ("name", "legal_basis", "term", "rule_set", "rating_year")}
    data |= {"body": "", "new_body_name": "UBND xã Hải Hòa", "new_body_level": "commune", "new_body_system": "state"}
    for _ in range(2):
        assert office_client.post(url, {**data, "submission": submission}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.body.name == "UBND xã Hải Hòa"
    assert Body.objects.filter(name="UBND xã Hải Hòa").count() == 1


def test_a_conference_form_sent_twice_makes_one_conference(office_client, campaign):
    url = reverse("conferences:conference_create", args=[campaign.pk])
    submission = _submission(office_client.get(url).content.decode())
    day = (date.today() + timedelta(days=10)).strftime("%d/%m/%Y")
    data = {"title": "Hội nghị", "date": day, "place": "Hội trường", "convening_body": "UBND", "submission": submission}
    first = office_client.post(url, data)
    second = office_client.post(url, data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert Conference.objects.count() == 1 and _actions("conference.created") == 1
    # brought back and changed: another conference
    assert office_client.post(url, {**data, "title": "Hội nghị (phiên 2)"}).status_code == 302
    assert sorted(Conference.objects.values_list("title", flat=True)) == ["Hội nghị", "Hội nghị (phiên 2)"]


def test_a_conference_form_refused_then_corrected_is_made(office_client, campaign):
    """The id is kept when the form comes back with an error; nothing was made under it."""
    url = reverse("conferences:conference_create", args=[campaign.pk])
    submission = _submission(office_client.get(url).content.decode())
    data = {"title": "Hội nghị", "date": "01/01/2020", "place": "Hội trường", "convening_body": "UBND"}
    refused = office_client.post(url, {**data, "submission": submission})
    assert refused.status_code == 200 and _submission(refused.content.decode()) == submission
    day = (date.today() + timedelta(days=10)).strftime("%d/%m/%Y")
    assert office_client.post(url, {**data, "date": day, "submission": submission}).status_code == 302
    assert Conference.objects.count() == 1


def test_the_conference_sent_again_after_its_day_is_the_one_made(office, campaign):
    """The date must not be past for a new conference; the same form sent again is not new."""
    today = date.today()
    args = {"campaign": campaign, "title": "Hội nghị", "place": "Hội trường", "convening_body": "UBND"}
    made = campaigns.create_conference(office, date=today, today=today, submission="a" * 32, **args)
    again = campaigns.create_conference(
        office, date=today, today=today + timedelta(days=1), submission="a" * 32, **args
    )
    assert again == made and Conference.objects.count() == 1


def test_without_a_one_time_id_each_call_makes_one(office, campaign):
    """The command line, the demo and the tests call without an id: nothing is merged."""
    day = date.today() + timedelta(days=3)
    args = {"campaign": campaign, "title": "Hội nghị", "date": day, "place": "Hội trường", "convening_body": "UBND"}
    campaigns.create_conference(office, **args)
    campaigns.create_conference(office, **args)
    assert Conference.objects.count() == 2
    assert set(Conference.objects.values_list("submission", flat=True)) == {""}


def test_a_request_that_loses_the_race_returns_the_winners_campaign(office, roles, monkeypatch):
    """Two requests with the same form at the same moment both find nothing made yet; the unique
    key lets one save, and the other gets what the first made, with nothing of its own kept."""
    args = {"name": "Đợt 2026", "legal_basis": "KH", "term": "2021–2026", "rule_set": "qd96-2023", "rating_year": 2026}
    new_body = {"name": "UBND xã Hải Hòa", "level": "commune"}
    winner = campaigns.create_campaign(office, new_body=new_body, submission="b" * 32, **args)
    real_first = QuerySet.first
    missed = []

    def first(queryset):  # the loser looked before the winner had saved
        if not missed:
            missed.append(queryset.model)
            return None
        return real_first(queryset)

    monkeypatch.setattr(QuerySet, "first", first)
    loser = campaigns.create_campaign(office, new_body=new_body, submission="b" * 32, **args)
    monkeypatch.setattr(QuerySet, "first", real_first)
    assert missed == [Campaign]
    assert loser == winner
    assert Campaign.objects.count() == 1 and Body.objects.count() == 1
    assert _actions("campaign.created") == 1 and _actions("body.created") == 1


def test_a_campaign_needs_a_body_or_a_new_one(office, roles):
    args = {"name": "Đợt", "legal_basis": "KH", "term": "2021–2026", "rule_set": "qd96-2023", "rating_year": 2026}
    with pytest.raises(ValueError):
        campaigns.create_campaign(office, **args)
    body = campaigns.create_body(office, name="UBND", level="commune")
    with pytest.raises(ValueError):
        campaigns.create_campaign(office, body=body, new_body={"name": "UBND", "level": "commune"}, **args)
