"""Use cases propose_member, remove_member, record_committee_approval."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinnhiem.conferences.usecases import day, roster


@pytest.fixture
def opened(office, chair, day_conference):
    conference, people, voters = day_conference
    day.open_conference(chair, conference, held_today=True)
    day.check_in(office, conference, voters[:10])
    return conference, people, voters


def test_members_are_present_voters_not_rated_persons(office, opened, counters):
    conference, people, voters = opened
    with pytest.raises(ValidationError) as info:
        day.propose_member(office, conference, voter=voters[11], role="head", user=counters[0])
    assert "có mặt" in info.value.messages[0]
    rated_voter = roster.Voter.objects.create(
        conference=conference, full_name=people[0].full_name, post="Phó Chủ tịch", attendance="present"
    )
    with pytest.raises(ValidationError) as info:
        day.propose_member(office, conference, voter=rated_voter, role="member", user=None)
    assert "người được lấy phiếu" in info.value.messages[0]
    # the roll writes a rank or a degree before the name, the list of rated persons does not
    for written in (f"Thượng tá {people[0].full_name}", f"PGS.TS. {people[0].full_name.upper()}"):
        titled = roster.Voter.objects.create(conference=conference, full_name=written, post="PCT", attendance="present")
        with pytest.raises(ValidationError) as info:
            day.propose_member(office, conference, voter=titled, role="member", user=None)
        assert info.value.messages[0] == f"{written} là người được lấy phiếu, không được làm thành viên Ban kiểm phiếu."


def test_one_head_and_accounts_with_the_role(office, opened, counters, make_user):
    conference, _people, voters = opened
    day.propose_member(office, conference, voter=voters[0], role="head", user=counters[0])
    with pytest.raises(ValidationError):
        day.propose_member(office, conference, voter=voters[1], role="head", user=counters[1])
    with pytest.raises(ValidationError):
        day.propose_member(office, conference, voter=voters[1], role="member", user=counters[0])
    with pytest.raises(ValidationError):
        day.propose_member(office, conference, voter=voters[1], role="member", user=make_user("observer", "obs"))


@pytest.mark.parametrize("votes_for, approved", [(6, True), (5, False)])  # 10 present: more than half = 6
def test_approval_needs_more_than_half_of_present(office, chair, opened, counters, votes_for, approved):
    conference, _people, voters = opened
    for voter, role, user in zip(voters[:3], ("head", "secretary", "member"), counters[:3], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    assert (
        day.record_committee_approval(chair, conference, votes_for=votes_for, against=10 - votes_for, abstaining=0)
        is approved
    )
    conference.refresh_from_db()
    assert conference.committee_approved is approved


def test_an_approved_committee_is_not_changed_and_its_vote_not_taken_twice(office, chair, opened, counters):
    """After the show of hands the list is what the conference approved. The same show of hands sent
    again is a repeat (nothing logged); a second, different one is refused."""
    from tinnhiem.audit.models import Event
    from tinnhiem.conferences.models import CommitteeMember
    from tinnhiem.once import AlreadyDone

    conference, _people, voters = opened
    for voter, role, user in zip(voters[:3], ("head", "secretary", "member"), counters[:3], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    assert day.record_committee_approval(chair, conference, votes_for=9, against=1, abstaining=0, submission="a" * 32)
    with pytest.raises(ValidationError) as info:
        day.propose_member(office, conference, voter=voters[3], role="member", user=counters[3])
    assert info.value.messages == ["Ban kiểm phiếu đã được thông qua; không thể thay đổi danh sách."]
    assert CommitteeMember.objects.filter(conference=conference).count() == 3
    votes = Event.objects.filter(action="committee.vote").count()
    with pytest.raises(AlreadyDone) as info:  # the same page sent twice
        day.record_committee_approval(chair, conference, votes_for=9, against=1, abstaining=0, submission="a" * 32)
    assert info.value.messages == ["Biểu quyết này đã được ghi nhận."]
    with pytest.raises(AlreadyDone):  # the same figures from a page opened again
        day.record_committee_approval(chair, conference, votes_for=9, against=1, abstaining=0, submission="b" * 32)
    with pytest.raises(ValidationError) as info:  # other figures: not a repeat, and too late
        day.record_committee_approval(chair, conference, votes_for=8, against=2, abstaining=0, submission="c" * 32)
    assert info.value.messages == ["Ban kiểm phiếu đã được thông qua."] and not isinstance(info.value, AlreadyDone)
    assert Event.objects.filter(action="committee.vote").count() == votes


def test_minimum_size_per_rule_set(office, chair, opened, counters):
    conference, _people, voters = opened
    day.propose_member(office, conference, voter=voters[0], role="head", user=counters[0])
    with pytest.raises(ValidationError) as info:
        day.record_committee_approval(chair, conference, votes_for=10, against=0, abstaining=0)
    assert "ít nhất 3" in info.value.messages[0]


def test_votes_cannot_exceed_present(office, chair, opened, counters):
    conference, _people, voters = opened
    for voter, role, user in zip(voters[:3], ("head", "secretary", "member"), counters[:3], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    with pytest.raises(ValidationError):
        day.record_committee_approval(chair, conference, votes_for=9, against=2, abstaining=0)


def test_only_the_chair_records_the_vote(office, opened):
    conference, *_ = opened
    with pytest.raises(PermissionDenied):
        day.record_committee_approval(office, conference, votes_for=1, against=0, abstaining=0)


def test_a_committee_without_a_head_is_not_put_to_the_vote(office, chair, opened, counters):
    conference, _people, voters = opened
    for voter, role, user in zip(voters[:3], ("secretary", "member", "member"), counters[:3], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    with pytest.raises(ValidationError) as info:
        day.record_committee_approval(chair, conference, votes_for=10, against=0, abstaining=0)
    assert info.value.messages == ["Ban kiểm phiếu cần đúng một Trưởng ban."]
    conference.refresh_from_db()
    assert not conference.committee_approved


def test_a_member_is_proposed_once_in_a_known_role_from_this_roll(office, opened, counters):
    from tinnhiem.conferences.models import CommitteeMember, Conference

    conference, _people, voters = opened
    day.propose_member(office, conference, voter=voters[0], role="head", user=counters[0])
    refusals = [
        ({"voter": voters[0], "role": "member", "user": None}, f"{voters[0].full_name} đã có trong Ban kiểm phiếu."),
        ({"voter": voters[1], "role": "chief", "user": None}, "Vai trò không hợp lệ."),
    ]
    other = Conference.objects.create(campaign=conference.campaign, title="Hội nghị khác", date=conference.date)
    stranger = roster.Voter.objects.create(conference=other, full_name="Người ngoài", post="CV", attendance="present")
    refusals.append(({"voter": stranger, "role": "member", "user": None}, "Có người không thuộc danh sách"))
    for kwargs, said in refusals:
        with pytest.raises(ValidationError) as info:
            day.propose_member(office, conference, **kwargs)
        assert info.value.messages[0].startswith(said), info.value.messages
    assert CommitteeMember.objects.filter(conference=conference).count() == 1
    with pytest.raises(ValidationError) as info:
        day.check_in(office, conference, [voters[11], stranger])
    assert info.value.messages[0].startswith("Có người không thuộc danh sách người ghi phiếu")
    voters[11].refresh_from_db()
    assert voters[11].attendance == ""  # nobody of the two checked in


def test_the_committee_page_offers_only_voters_present_not_on_it_and_not_rated(office, chair, opened, counters):
    import re

    from django.test import Client
    from django.urls import reverse

    conference, people, voters = opened  # 10 of 12 present
    day.propose_member(office, conference, voter=voters[0], role="head", user=counters[0])
    # a rated person on the roll: linked to them (under another spelling), or by the same name
    roster.Voter.objects.create(
        conference=conference, full_name="Lê T. Hồng Nhung", post="PCT", attendance="present", rated_person=people[1]
    )
    roster.Voter.objects.create(conference=conference, full_name=people[0].full_name, post="PCT", attendance="present")
    roster.Voter.objects.create(
        conference=conference, full_name=f"Đại tá {people[0].full_name}", post="CHT", attendance="present"
    )
    client = Client()
    client.force_login(office)
    page = client.get(reverse("conferences:committee", args=[conference.pk])).text
    select = page.split('id="c-voter"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\d+)">', select) == [str(v.pk) for v in voters[1:10]]
    assert 'class="warn notice"' not in page  # QĐ 96 sets no minimum of its own for the district level


def test_the_chair_is_asked_about_the_day_only_before_opening(office, chair, day_conference):
    from datetime import timedelta

    from django.test import Client
    from django.urls import reverse

    from tinnhiem.conferences.models import Conference

    conference, _people, _voters = day_conference
    client = Client()
    client.force_login(chair)
    url = reverse("conferences:chair", args=[conference.pk])
    Conference.objects.filter(pk=conference.pk).update(date=conference.date + timedelta(days=3))
    assert 'id="another-day"' in client.get(url).text
    day.open_conference(chair, conference, held_today=True)
    Conference.objects.filter(pk=conference.pk).update(date=conference.date + timedelta(days=3))
    assert 'id="another-day"' not in client.get(url).text  # opened: its day is settled
