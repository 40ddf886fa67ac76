"""campaigns.cancel_conference: a conference that will not be held (the person to be put to the vote
resigned) is cancelled with its reason; what it holds is kept, and nothing of it changes or opens."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from tinnhiem.audit.models import Event
from tinnhiem.conferences import links
from tinnhiem.conferences.models import Conference
from tinnhiem.conferences.usecases import campaigns, day, dossiers, opinions, rated, roster
from tinnhiem.voting.models import CodeCard
from tinnhiem.voting.usecases import evote

REASON = "Đồng chí Trần Minh Đức đã có đơn xin từ chức, được cấp có thẩm quyền đồng ý"
CANCELLED = "Hội nghị đã bị huỷ"


@pytest.fixture
def held_back(office, conference, person, voter, pdf_bytes, today):
    """A conference whose preparation went out: a dossier, an opinion, code cards printed."""
    dossiers.upload_dossier(office, person, kind="report", title="Báo cáo", filename="b.pdf", data=pdf_bytes)
    opinions.enter_paper_opinion(
        office, conference, rated_person=person, text="Đề nghị làm rõ", signed_by="", received_on=today
    )
    form = day.create_single_form(office, conference)
    evote.generate_cards(office, form, count=3)
    return conference


def test_cancelled_with_its_reason_and_everything_kept(office, held_back, person):
    conference = campaigns.cancel_conference(office, held_back, reason=f" {REASON} ")
    conference.refresh_from_db()
    assert (conference.status, conference.cancel_reason) == (Conference.Status.CANCELLED, REASON)
    assert conference.is_closed and not conference.links_open
    assert person.dossiers.count() == 1 and conference.opinions.count() == 1 and conference.rated_persons.count() == 1
    assert not CodeCard.objects.exclude(state=CodeCard.State.VOID).exists()  # printed cards stop working
    event = Event.objects.get(action="conference.cancelled")
    assert event.data == {"reason": REASON, "voided": 3}


def test_nothing_of_a_cancelled_conference_changes(office, make_user, held_back, person, voter, pdf_bytes, today):
    conference = campaigns.cancel_conference(office, held_back, reason=REASON)
    chair = make_user("chair", "chutri")
    form = conference.ballot_forms.get()
    attempts = [
        lambda: rated.add_rated_person(office, conference, full_name="Lê Văn Bình", post="Phó Chủ tịch"),
        lambda: roster.add_voter(office, conference, full_name="Lê Văn Cường", post="Chuyên viên"),
        lambda: campaigns.update_conference(office, conference, place="Hội trường khác"),
        lambda: day.open_conference(chair, conference, held_today=True),
        lambda: day.check_in(office, conference, [voter]),
        lambda: evote.generate_cards(office, form, count=1),
        lambda: dossiers.upload_dossier(office, person, kind="report", title="B", filename="c.pdf", data=pdf_bytes),
        lambda: dossiers.distribute_dossiers(office, conference),
        lambda: opinions.enter_paper_opinion(
            office, conference, rated_person=None, text="Muộn", signed_by="", received_on=today
        ),
        lambda: opinions.submit_opinion(voter, rated_person=None, text="Muộn", sign=False),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as info:
            attempt()
        assert CANCELLED in info.value.messages[0] or "không còn dùng được" in info.value.messages[0]
    conference.refresh_from_db()
    assert conference.status == Conference.Status.CANCELLED and conference.place == "Hội trường"
    assert conference.rated_persons.count() == 1 and conference.voters.count() == 1
    assert conference.opinions.count() == 1 and not conference.voters.filter(attendance="present").exists()
    for url in (links.invitation_url(voter), links.explanation_url(person)):
        response = Client().get(url)
        assert response.status_code == 410 and "Hội nghị đã bị huỷ" in response.content.decode()


@pytest.mark.parametrize("reason", ["", "  \n"])
def test_refused_without_a_reason(office, conference, reason):
    with pytest.raises(ValidationError) as info:
        campaigns.cancel_conference(office, conference, reason=reason)
    assert "Nêu lý do huỷ hội nghị." in info.value.messages[0]
    conference.refresh_from_db()
    assert conference.status == Conference.Status.PREPARING


def test_an_opened_session_is_adjourned_first(office, make_user, conference, person, voter):
    chair = make_user("chair", "chutri")
    day.open_conference(chair, conference, held_today=True)
    with pytest.raises(ValidationError) as info:
        campaigns.cancel_conference(office, conference, reason=REASON)
    assert "phải hoãn phiên họp trước" in info.value.messages[0]
    client = Client()
    client.force_login(office)
    page = client.get(reverse("conferences:conference_edit", args=[conference.pk]), follow=True).content.decode()
    assert "Hội nghị đã bắt đầu" in page and 'id="cancel"' not in page


def test_sent_twice_it_is_recorded_once(office, conference):
    campaigns.cancel_conference(office, conference, reason=REASON)
    campaigns.cancel_conference(office, conference, reason=REASON)
    assert Event.objects.filter(action="conference.cancelled").count() == 1
    with pytest.raises(ValidationError):  # cancelled again with another reason: it is cancelled already
        campaigns.cancel_conference(office, conference, reason="Lý do khác")


def test_only_the_office(make_user, conference):
    with pytest.raises(PermissionDenied):
        campaigns.cancel_conference(make_user("observer", "quansat"), conference, reason=REASON)


def test_the_edit_page_cancels_and_the_overview_says_so(office, held_back):
    client = Client()
    client.force_login(office)
    url = reverse("conferences:conference_edit", args=[held_back.pk])
    page = client.get(url).content.decode()
    assert 'id="cancel"' in page
    page = client.post(url, {"cancel": "1", "reason": REASON}, follow=True).content.decode()
    assert "Đánh dấu vào ô để xác nhận." in page
    held_back.refresh_from_db()
    assert held_back.status == Conference.Status.PREPARING
    page = client.post(url, {"cancel": "1", "reason": REASON, "confirm_cancel": "1"}, follow=True).content.decode()
    assert "Đã huỷ hội nghị." in page
    assert f'<div class="warn" id="cancelled"><strong>Hội nghị đã bị huỷ</strong>: {REASON}</div>' in page
    page = client.get(url, follow=True)  # the edit page is not offered any more: back, saying why
    assert page.redirect_chain == [(reverse("conferences:conference", args=[held_back.pk]), 302)]
    assert f"Hội nghị đã bị huỷ ({REASON}); không thay đổi gì được nữa." in page.content.decode()
    assert "Sửa</a>" not in page.content.decode()
    dossier_page = client.get(reverse("conferences:dossiers", args=[held_back.pk])).content.decode()
    assert 'id="dossiers-closed"' in dossier_page and "Tải lên" not in dossier_page


def test_the_campaign_summary_lists_it_as_cancelled_not_as_waiting(office, conference, campaign):
    from tinnhiem.voting.summary import campaign_summary

    campaigns.cancel_conference(office, conference, reason=REASON)
    summary = campaign_summary(campaign)
    assert summary["pending"] == []
    assert [(c["id"], c["reason"]) for c in summary["cancelled"]] == [(conference.pk, REASON)]
    client = Client()
    client.force_login(office)
    page = client.get(reverse("voting:campaign_results", args=[campaign.pk])).content.decode()
    assert "Đã huỷ, không tổ chức:" in page and REASON in page


RESTORED = "Cấp có thẩm quyền không chấp thuận đơn xin từ chức"


def test_a_cancelled_conference_is_restored_with_what_it_held(office, held_back, person, voter):
    campaigns.cancel_conference(office, held_back, reason=REASON)
    conference = campaigns.restore_conference(office, held_back, reason=f" {RESTORED} ")
    conference.refresh_from_db()
    assert (conference.status, conference.cancel_reason) == (Conference.Status.PREPARING, "")
    assert conference.links_open and not conference.is_closed
    assert person.dossiers.count() == 1 and conference.opinions.count() == 1
    # the cards voided at the cancellation stay void; new ones can be made
    assert not CodeCard.objects.exclude(state=CodeCard.State.VOID).exists()
    evote.generate_cards(office, conference.ballot_forms.get(), count=2)
    assert CodeCard.objects.filter(state=CodeCard.State.UNUSED).count() == 2
    assert Event.objects.get(action="conference.restored").data == {"reason": RESTORED, "cancelled": REASON}
    # it changes again, and its links open
    campaigns.update_conference(office, conference, place="Hội trường khác")
    assert Client().get(links.invitation_url(voter)).status_code == 200
    assert Client().get(links.explanation_url(person)).status_code == 200
    # and it can be cancelled again
    campaigns.cancel_conference(office, conference, reason=REASON)
    assert Conference.objects.get(pk=conference.pk).status == Conference.Status.CANCELLED


def test_restoring_needs_a_cancelled_conference_a_reason_and_the_office(office, make_user, conference):
    with pytest.raises(ValidationError) as info:
        campaigns.restore_conference(office, conference, reason=RESTORED)
    assert "Chỉ khôi phục được hội nghị đã huỷ." in info.value.messages[0]
    campaigns.cancel_conference(office, conference, reason=REASON)
    with pytest.raises(ValidationError) as info:
        campaigns.restore_conference(office, conference, reason=" \n")
    assert "Nêu lý do khôi phục hội nghị." in info.value.messages[0]
    with pytest.raises(PermissionDenied):
        campaigns.restore_conference(make_user("chair", "chutri"), conference, reason=RESTORED)
    assert Conference.objects.get(pk=conference.pk).status == Conference.Status.CANCELLED
    # sent twice, recorded once
    campaigns.restore_conference(office, conference, reason=RESTORED)
    campaigns.restore_conference(office, conference, reason=RESTORED)
    assert Event.objects.filter(action="conference.restored").count() == 1


def test_the_overview_restores_a_cancelled_conference(office, make_user, held_back, campaign):
    from tinnhiem.voting.summary import campaign_summary

    campaigns.cancel_conference(office, held_back, reason=REASON)
    url = reverse("conferences:conference", args=[held_back.pk])
    observer = Client()
    observer.force_login(make_user("observer", "quansat"))
    assert 'id="restore"' not in observer.get(url).content.decode()
    assert observer.post(reverse("conferences:conference_restore", args=[held_back.pk]), {}).status_code == 403
    client = Client()
    client.force_login(office)
    assert 'id="restore"' in client.get(url).content.decode()
    restore = reverse("conferences:conference_restore", args=[held_back.pk])
    page = client.post(restore, {"reason": RESTORED}, follow=True).content.decode()
    assert "Đánh dấu vào ô để xác nhận." in page
    assert Conference.objects.get(pk=held_back.pk).status == Conference.Status.CANCELLED
    page = client.post(restore, {"reason": RESTORED, "confirm_restore": "1"}, follow=True).content.decode()
    assert "Hội nghị được chuẩn bị lại" in page and 'id="cancelled"' not in page and 'id="restore"' not in page
    assert Conference.objects.get(pk=held_back.pk).status == Conference.Status.PREPARING
    assert [c["id"] for c in campaign_summary(campaign)["pending"]] == [held_back.pk]
