"""Use cases add_voter, update_voter, remove_voter, resolve_rated_match, revoke_invitation."""

import pytest
from django.core.exceptions import ValidationError

from tinnhiem.conferences import links
from tinnhiem.conferences.models import Voter
from tinnhiem.conferences.usecases import campaigns, rated, roster


def test_add_and_duplicate(office, conference, voter):
    assert voter.order == 1
    with pytest.raises(ValidationError) as info:
        roster.add_voter(office, conference, full_name=" nguyễn  văn an ", post="TRƯỞNG PHÒNG NỘI VỤ")
    assert "đã có trong danh sách" in info.value.messages[0]


def test_update_and_remove(office, voter):
    roster.update_voter(office, voter, unit="Phòng Nội vụ")
    voter.refresh_from_db()
    assert voter.unit == "Phòng Nội vụ"
    roster.remove_voter(office, voter)
    assert not Voter.objects.filter(pk=voter.pk).exists()


def test_warn_policy_needs_confirmation(office, conference, person):
    voter = roster.add_voter(office, conference, full_name=person.full_name, post=person.post)
    assert roster.unresolved_rated_matches(conference) == [(voter, person)]
    roster.resolve_rated_match(office, voter, same_person=True)
    voter.refresh_from_db()
    assert voter.rated_person == person
    assert roster.unresolved_rated_matches(conference) == []


def test_dismissed_match_stays_dismissed(office, conference, person):
    voter = roster.add_voter(office, conference, full_name=person.full_name, post="Giáo viên")
    roster.resolve_rated_match(office, voter, same_person=False)
    assert roster.unresolved_rated_matches(conference) == []


def test_a_match_dismissed_then_confirmed_is_asked_again_when_its_person_is_listed_anew(office, conference, person):
    """The office said "not the same person", then "the same": the link is what holds. Once that
    rated person is removed from the list and listed again, the office is asked again."""
    voter = roster.add_voter(office, conference, full_name=person.full_name, post="Giáo viên")
    roster.resolve_rated_match(office, voter, same_person=False)
    roster.resolve_rated_match(office, voter, same_person=True)
    voter.refresh_from_db()
    assert voter.rated_person == person
    rated.remove_rated_person(office, person)
    again = rated.add_rated_person(office, conference, full_name=person.full_name, post=person.post)
    assert [(v.pk, p.pk) for v, p in roster.unresolved_rated_matches(conference)] == [(voter.pk, again.pk)]


def test_allow_policy_links_deputies_automatically(office, today):
    body = campaigns.create_body(office, name="HĐND tỉnh", level="province")
    campaign = campaigns.create_campaign(
        office,
        body=body,
        name="Kỳ họp",
        legal_basis="NQ",
        term="2021–2026",
        rule_set="nq96-2023",
        rating_year=today.year,
    )
    conference = campaigns.create_conference(
        office, campaign=campaign, title="Kỳ họp", date=today, place="p", convening_body="HĐND"
    )
    person = rated.add_rated_person(office, conference, full_name="Lê Duy An", post="Chủ tịch UBND tỉnh")
    voter = roster.add_voter(office, conference, full_name="Lê Duy An", post="Đại biểu HĐND tỉnh")
    assert voter.rated_person == person
    assert roster.unresolved_rated_matches(conference) == []


def test_a_voter_named_as_two_rated_namesakes_is_linked_to_the_one_of_the_same_post(office, conference, person):
    """Two rated persons of one name: a voter of that name and of one's post is that one (it was the
    last of the two, whatever the post); of neither's post, the first on the ballot, to confirm."""
    chair = rated.add_rated_person(office, conference, full_name=person.full_name, post="Chủ tịch HĐND xã")
    second = roster.add_voter(office, conference, full_name=person.full_name, post="chủ tịch hđnd xã")
    first = roster.add_voter(office, conference, full_name=person.full_name, post=person.post)
    other = roster.add_voter(office, conference, full_name=person.full_name, post="Giáo viên")
    assert dict((v.pk, p) for v, p in roster.unresolved_rated_matches(conference)) == {
        second.pk: chair,
        first.pk: person,
        other.pk: person,
    }
    roster.resolve_rated_match(office, second, same_person=True)
    second.refresh_from_db()
    assert second.rated_person == chair


def test_revoked_invitation_link_stops_working(office, voter):
    old = links.invitation_mac(voter)
    assert links.check_invitation(voter.pk, old) == voter
    roster.revoke_invitation(office, voter)
    assert links.check_invitation(voter.pk, old) is None
    voter.refresh_from_db()
    assert links.check_invitation(voter.pk, links.invitation_mac(voter)) == voter
