"""Use cases: add_rated_person, update_rated_person, remove_rated_person — with the exclusions."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import RatedPerson
from tinnhiem.conferences.usecases import rated


def test_add_person_without_grounds_is_rated(office, conference):
    person = rated.add_rated_person(office, conference, full_name="Lê Thị Hồng Nhung", post="Phó Chủ tịch")
    assert person.on_ballot and person.order == 1


def test_retirement_notified_needs_a_decision(office, conference):
    with pytest.raises(rated.DecisionNeeded) as info:
        rated.add_rated_person(office, conference, full_name="A", post="B", retirement_notified=True)
    message = info.value.messages[0]
    assert "nghỉ công tác chờ nghỉ hưu" in message and "Quy định 96-QĐ/TW" in message
    assert message.endswith(". Hãy ghi quyết định.")  # what the office must do, in Vietnamese
    assert RatedPerson.objects.count() == 0
    person = rated.add_rated_person(
        office,
        conference,
        full_name="A",
        post="B",
        retirement_notified=True,
        decision="excluded",
        decision_note="Theo thông báo số 12",
    )
    assert not person.on_ballot


def test_appointed_in_rating_year_rated_anyway_needs_a_reason(office, conference):
    appointed = date(conference.date.year, 1, 15)
    with pytest.raises(ValidationError) as info:
        rated.add_rated_person(office, conference, full_name="A", post="B", took_office_on=appointed, decision="rated")
    assert "lý do" in info.value.messages[0]
    person = rated.add_rated_person(
        office,
        conference,
        full_name="A",
        post="B",
        took_office_on=appointed,
        decision="rated",
        decision_note="Cấp trên quyết định",
    )
    assert person.on_ballot


def test_excluding_without_grounds_needs_a_reason(office, conference, person):
    with pytest.raises(ValidationError):
        rated.update_rated_person(
            office,
            person,
            full_name=person.full_name,
            post=person.post,
            group="",
            retirement_notified=False,
            took_office_on=None,
            decision="excluded",
        )
    rated.update_rated_person(
        office,
        person,
        full_name=person.full_name,
        post=person.post,
        group="",
        retirement_notified=False,
        took_office_on=None,
        decision="excluded",
        decision_note="Được lấy phiếu ở nơi khác (tối đa 2 nơi)",
    )
    person.refresh_from_db()
    assert person.decision == "excluded"


def test_editing_according_to_the_rule_set_follows_its_grounds(office, conference, person):
    """In the edit form, "— according to the rule set —" is chosen on purpose (the form shows the
    decision recorded): with grounds, the person is not rated, without a reason to give; without
    grounds, rated. It used to mean "rated", then asked for the reason for rating despite them."""
    client = Client()
    client.force_login(office)
    url = reverse("conferences:rated_edit", args=[conference.pk, person.pk])
    fields = {"full_name": person.full_name, "post": person.post, "decision": ""}
    response = client.post(url, {**fields, "retirement_notified": "on"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.decision, person.decision_note) == ("excluded", "")
    assert Event.objects.filter(action="rated_person.updated").last().data["grounds"] == ["retirement"]
    assert client.post(url, fields).status_code == 302  # the notice withdrawn: no grounds left
    person.refresh_from_db()
    assert person.decision == "rated"


def test_a_person_with_records_cannot_be_deleted(office, conference, person):
    from tinnhiem.conferences.usecases import opinions

    opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đồng tình")
    with pytest.raises(ValidationError):
        rated.remove_rated_person(office, person)
    assert RatedPerson.objects.filter(pk=person.pk).exists()


def test_remove_person(office, person):
    rated.remove_rated_person(office, person)
    assert not RatedPerson.objects.filter(pk=person.pk).exists()


def test_the_same_person_twice_is_refused(office, conference, person):
    """A form sent twice, or a name typed again (even in NFD or another case), would put one
    person on the ballot twice."""
    import unicodedata

    from tinnhiem.audit.models import Event

    events = Event.objects.count()
    for name, post in [
        ("Trần Minh Đức", "Phó Chủ tịch UBND thành phố"),
        (unicodedata.normalize("NFD", "TRẦN MINH ĐỨC"), "phó chủ tịch UBND thành phố"),
    ]:
        with pytest.raises(ValidationError) as info:
            rated.add_rated_person(office, conference, full_name=name, post=post)
        assert info.value.messages[0] == (
            "Trần Minh Đức (Phó Chủ tịch UBND thành phố) đã có trong danh sách này (STT 1)."
        )
    assert RatedPerson.objects.count() == 1 and Event.objects.count() == events
    # a namesake with another post is another person; an edit cannot make them the same
    other = rated.add_rated_person(office, conference, full_name="Trần Minh Đức", post="Trưởng phòng Nội vụ")
    as_first = dict(
        full_name="Trần Minh Đức",
        post="Phó Chủ tịch UBND thành phố",
        group="",
        retirement_notified=False,
        took_office_on=None,
        decision="rated",
    )
    with pytest.raises(ValidationError):
        rated.update_rated_person(office, other, **as_first)
    rated.update_rated_person(office, person, **as_first)  # editing a person leaves them equal to themselves


def test_once_the_conference_has_started_its_lists_offer_no_edit(office, conference, person):
    """The lists can no longer change once the conference has started: their pages offer no Edit,
    and an edit address sends back to the list saying why, instead of a form that would be refused
    on saving."""
    from tinnhiem.conferences.models import Conference
    from tinnhiem.conferences.usecases import roster

    voter = roster.add_voter(office, conference, full_name="Đinh Thị Quỳnh Mai", post="Trưởng phòng")
    client = Client()
    client.force_login(office)
    pages = {
        "rated": reverse("conferences:rated_edit", args=[conference.pk, person.pk]),
        "roster": reverse("conferences:voter_edit", args=[conference.pk, voter.pk]),
    }
    for name, url in pages.items():
        assert url in client.get(reverse(f"conferences:{name}", args=[conference.pk])).content.decode()
    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.VOTING)
    for name, url in pages.items():
        assert url not in client.get(reverse(f"conferences:{name}", args=[conference.pk])).content.decode()
        response = client.get(url, follow=True)
        assert response.redirect_chain == [(reverse(f"conferences:{name}", args=[conference.pk]), 302)]
        assert "Hội nghị đã bắt đầu" in response.content.decode()


def test_once_the_conference_is_finished_no_dossier_or_explanation_is_offered(office, conference, person):
    """Both would be refused once the conference is finished: the pages no longer offer them."""
    from tinnhiem.conferences.models import Conference

    client = Client()
    client.force_login(office)
    record = reverse("conferences:explanation_record", args=[conference.pk, person.pk])
    dossiers = reverse("conferences:dossiers", args=[conference.pk])
    explanations = reverse("conferences:explanations", args=[conference.pk])
    assert 'enctype="multipart/form-data"' in client.get(dossiers).content.decode()
    assert record in client.get(explanations).content.decode()
    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.FINISHED)
    page = client.get(dossiers).content.decode()
    assert 'enctype="multipart/form-data"' not in page and "Hội nghị đã kết thúc." in page
    page = client.get(explanations).content.decode()
    assert record not in page and 'id="explanations-closed"' in page
    response = client.get(record, follow=True)
    assert response.redirect_chain == [(explanations, 302)] and "Hội nghị đã kết thúc:" in response.content.decode()
