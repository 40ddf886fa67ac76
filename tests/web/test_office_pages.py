"""The office's buttons that only post: each page does what its use case does, says so in
Vietnamese, and a refused post changes nothing. (The use cases have their own tests; these are
of the pages, whose arguments a use case's test cannot check.)"""

from __future__ import annotations

import unicodedata

import pytest
from django.urls import reverse

from tinnhiem.conferences import links
from tinnhiem.conferences.models import Dossier, RatedPerson, Voter
from tinnhiem.conferences.usecases import dossiers, opinions, rated, roster


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


DELETE_BUTTON = '<button type="submit" name="delete" value="1" class="danger" formnovalidate>Xoá</button>'


def shown(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_a_voter_added_by_hand_edited_and_removed_on_the_roll_page(office_client, conference):
    add = reverse("conferences:voter_add", args=[conference.pk])
    typed = unicodedata.normalize("NFD", "Phạm Thị Hương")  # as some keyboards send it
    page = shown(office_client.post(add, {"full_name": typed, "post": "Chánh Văn phòng"}, follow=True))
    assert "Đã thêm Phạm Thị Hương vào danh sách người ghi phiếu." in page
    voter = conference.voters.get()
    assert voter.full_name == "Phạm Thị Hương" == unicodedata.normalize("NFC", typed)

    bad_phone = {"full_name": "Lê Văn Tâm", "post": "Phó Chánh Văn phòng", "phone": "gọi tôi"}
    page = shown(office_client.post(add, bad_phone, follow=True))
    assert "Điện thoại: Số điện thoại chỉ gồm chữ số, dấu cách và + . - ( )." in page
    bad_email = {"full_name": "Lê Văn Tâm", "post": "Phó Chánh Văn phòng", "email": "tam@", "note": "x" * 300}
    page = shown(office_client.post(add, bad_email, follow=True))
    # Django's own Vietnamese says "Nhập địa chỉ email." (as if none were typed) and "chỉ có tối đa"
    assert "Email: Địa chỉ email không đúng dạng (ví dụ: ten@coquan.gov.vn)." in page
    assert "Ghi chú: Nội dung này dài quá: tối đa 255 ký tự (đang có 300)." in page
    assert list(conference.voters.values_list("full_name", flat=True)) == ["Phạm Thị Hương"]  # nothing saved

    edit = reverse("conferences:voter_edit", args=[conference.pk, voter.pk])
    page = shown(office_client.get(edit))
    assert "Phạm Thị Hương" in page and DELETE_BUTTON in page
    fields = {
        "full_name": "Phạm Thị Hương",
        "post": "Chánh Văn phòng UBND",
        "unit": "Văn phòng",
        "phone": "0203 3881 234",
    }
    page = shown(office_client.post(edit, fields, follow=True))
    assert "Đã lưu." in page
    voter.refresh_from_db()
    assert (voter.post, voter.unit, voter.phone) == ("Chánh Văn phòng UBND", "Văn phòng", "0203 3881 234")

    page = shown(office_client.post(edit, {"delete": "1"}, follow=True))
    assert "Đã xoá." in page
    assert not Voter.objects.filter(pk=voter.pk).exists()


def test_the_office_says_whether_a_voter_is_the_rated_person_of_the_same_name(
    office, office_client, conference, person
):
    voter = roster.add_voter(office, conference, full_name=person.full_name, post=person.post)
    assert roster.unresolved_rated_matches(conference) == [(voter, person)]
    match = reverse("conferences:voter_match", args=[conference.pk, voter.pk])
    assert match in shown(office_client.get(reverse("conferences:roster", args=[conference.pk])))

    page = shown(office_client.post(match, {"same": "1"}, follow=True))
    assert "Đã ghi nhận." in page
    voter.refresh_from_db()
    assert voter.rated_person == person and not voter.rated_match_dismissed
    assert roster.unresolved_rated_matches(conference) == []

    office_client.post(match, {"same": "0"})
    voter.refresh_from_db()
    assert voter.rated_person is None and voter.rated_match_dismissed


def test_a_rated_person_removed_on_their_page(office_client, conference, person):
    edit = reverse("conferences:rated_edit", args=[conference.pk, person.pk])
    assert DELETE_BUTTON in shown(office_client.get(edit))
    page = shown(office_client.post(edit, {"delete": "1"}, follow=True))
    assert "Đã xoá." in page
    assert not RatedPerson.objects.filter(pk=person.pk).exists()


def test_a_dossier_uploaded_on_the_page_and_downloaded(office_client, conference, person, pdf_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = reverse("conferences:dossiers", args=[conference.pk])
    upload = SimpleUploadedFile("bao-cao.pdf", pdf_bytes, content_type="application/pdf")
    sent = {"rated_person": person.pk, "kind": "report", "title": "Báo cáo tự đánh giá", "file": upload}
    listing = shown(office_client.post(page, sent, follow=True))
    assert "Đã tải hồ sơ lên." in listing and "Báo cáo tự đánh giá" in listing
    dossier = person.dossiers.get()
    assert (dossier.title, dossier.original_name, dossier.from_person) == ("Báo cáo tự đánh giá", "bao-cao.pdf", False)
    download = office_client.get(reverse("conferences:dossier", args=[conference.pk, dossier.pk]))
    assert download["Content-Type"] == "application/pdf" and b"".join(download.streaming_content) == pdf_bytes
    assert download["Content-Disposition"] == f'inline; filename="ho-so-{dossier.pk}.pdf"'  # opened in the browser


def test_a_dossier_removed_before_it_is_sent_with_its_reason_and_kept_once_sent(
    office, office_client, conference, person, pdf_bytes
):
    """The list's "Xoá…" shows the dossier and asks why; removed only with a reason. Once sent to
    the voters it has no "Xoá…", and its page says it is kept."""
    first = dossiers.upload_dossier(
        office, person, kind="report", title="Báo cáo (bản nháp)", filename="a.pdf", data=pdf_bytes
    )
    remove = reverse("conferences:dossier_remove", args=[conference.pk, first.pk])
    listing = shown(office_client.get(reverse("conferences:dossiers", args=[conference.pk])))
    assert f'href="{remove}"' in listing
    page = shown(office_client.get(remove))
    assert "Xoá hồ sơ “Báo cáo (bản nháp)” của Trần Minh Đức?" in page and "Lý do xoá" in page
    assert Dossier.objects.filter(pk=first.pk).exists()  # shown, not removed
    page = shown(office_client.post(remove, {"reason": " "}))
    assert "Hãy ghi lý do xoá (tải nhầm tệp, bản nháp, …)." in page and Dossier.objects.filter(pk=first.pk).exists()
    page = shown(office_client.post(remove, {"reason": "Bản nháp, gửi nhầm"}, follow=True))
    assert "Đã xoá." in page
    assert not Dossier.objects.filter(pk=first.pk).exists()
    removed = page.split('id="da-xoa"')[1]  # listed under the table, as the log keeps it
    assert "1 hồ sơ đã xoá trước khi gửi người ghi phiếu" in removed
    assert "Trần Minh Đức" in removed and "Báo cáo (bản nháp)" in removed and "Bản nháp, gửi nhầm" in removed

    sent = dossiers.upload_dossier(
        office, person, kind="report", title="Báo cáo tự đánh giá", filename="b.pdf", data=pdf_bytes
    )
    dossiers.distribute_dossiers(office, conference)
    remove = reverse("conferences:dossier_remove", args=[conference.pk, sent.pk])
    assert remove not in shown(office_client.get(reverse("conferences:dossiers", args=[conference.pk])))
    assert "Hồ sơ này đã được gửi cho người ghi phiếu và được lưu giữ." in shown(office_client.get(remove))
    page = shown(office_client.post(remove, {"reason": "Nhầm"}, follow=True))
    assert "Đã xoá." not in page and "Hồ sơ này đã được gửi cho người ghi phiếu và được lưu giữ." in page
    assert Dossier.objects.filter(pk=sent.pk).exists()  # the voters have it: it stays in the record


def test_explanations_sent_to_the_voters_from_the_page_and_read_through_the_invitation(
    client, office, conference, person, voter
):
    explanation = opinions.record_explanation(office, person, text="Giải trình về việc chậm tiến độ dự án")
    invitation = links.invitation_url(voter)
    assert "Giải trình về việc chậm tiến độ" not in shown(client.get(invitation))  # not sent yet
    client.force_login(office)
    page = shown(client.post(reverse("conferences:explanations_distribute", args=[conference.pk]), follow=True))
    assert "Đã gửi 1 giải trình cho người ghi phiếu." in page
    explanation.refresh_from_db()
    assert explanation.distributed_on is not None
    client.logout()
    assert "Giải trình về việc chậm tiến độ" in shown(client.get(invitation))


def test_a_lost_invitation_is_revoked_and_a_new_one_works(client, office, conference, voter):
    old = links.invitation_url(voter)
    assert client.get(old).status_code == 200
    client.force_login(office)
    page = shown(client.post(reverse("conferences:invitation_revoke", args=[conference.pk, voter.pk]), follow=True))
    assert "Đường dẫn cũ của Nguyễn Văn An không còn dùng được; hãy in đường dẫn mới." in page
    client.logout()
    assert client.get(old).status_code != 200
    voter.refresh_from_db()
    new = links.invitation_url(voter)
    assert new != old and client.get(new).status_code == 200


def test_a_removal_sent_twice_comes_back_to_the_list_not_to_page_not_found(
    office, office_client, conference, person, pdf_bytes
):
    """A second click on "Delete" on a slow Wi-Fi: the first removed it; the second says so on the
    list instead of showing "page not found", and removes nothing else."""
    voter = roster.add_voter(office, conference, full_name="Phạm Thị Hương", post="Chuyên viên")
    other = rated.add_rated_person(office, conference, full_name="Trần Văn Bình", post="Phó Chủ tịch")
    dossier = dossiers.upload_dossier(office, person, kind="report", title="Báo cáo", filename="a.pdf", data=pdf_bytes)
    for url, listed in (
        (reverse("conferences:voter_edit", args=[conference.pk, voter.pk]), "conferences:roster"),
        (reverse("conferences:rated_edit", args=[conference.pk, other.pk]), "conferences:rated"),
        (reverse("conferences:dossier_remove", args=[conference.pk, dossier.pk]), "conferences:dossiers"),
    ):
        first = office_client.post(url, {"delete": "1", "reason": "Nhập nhầm"})
        second = office_client.post(url, {"delete": "1", "reason": "Nhập nhầm"}, follow=True)
        assert first.url == reverse(listed, args=[conference.pk])
        assert second.redirect_chain == [(first.url, 302)]
        assert "Không còn trong danh sách: đã được xoá trước đó." in shown(second)
    assert not Voter.objects.filter(pk=voter.pk).exists() and not Dossier.objects.filter(pk=dossier.pk).exists()
    assert list(conference.rated_persons.all()) == [person]
    # an edit page whose person is gone is still "not found": only a removal is answered this way
    assert office_client.get(reverse("conferences:voter_edit", args=[conference.pk, voter.pk])).status_code == 404


def test_a_name_on_the_ballot_of_more_places_than_allowed_is_warned_on_the_list(
    office, office_client, campaign, conference, person, today
):
    """QĐ 96 (Điều 1 khoản 3): at most 2 places a year. The same full name on one other ballot is
    said; on two others, warned."""
    from datetime import timedelta

    from tinnhiem.conferences.usecases import campaigns

    def elsewhere(title: str) -> None:
        other = campaigns.create_conference(
            office,
            campaign=campaign,
            title=title,
            date=today + timedelta(days=30),
            place="Hội trường",
            convening_body="Thành uỷ",
        )
        rated.add_rated_person(office, other, full_name=person.full_name, post="Uỷ viên Ban Thường vụ")

    page_url = reverse("conferences:rated", args=[conference.pk])
    elsewhere("Hội nghị Ban Chấp hành Đảng bộ thành phố")
    page = shown(office_client.get(page_url))
    assert "Cũng có tên trên phiếu của (trùng họ và tên):" in page and "Quá 2 nơi" not in page
    elsewhere("Hội nghị HĐND thành phố")
    page = shown(office_client.get(page_url))
    assert '<div class="warn">Cũng có tên trên phiếu của (trùng họ và tên):' in page and "Quá 2 nơi" in page


def test_an_explanation_recorded_by_the_office_on_the_page_and_opened(office_client, conference, person, pdf_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tinnhiem.conferences.models import Explanation

    record = reverse("conferences:explanation_record", args=[conference.pk, person.pk])
    assert "Giải trình:" in shown(office_client.get(record))
    upload = SimpleUploadedFile("giai-trinh.pdf", pdf_bytes, content_type="application/pdf")
    response = office_client.post(record, {"text": "Tôi xin giải trình như sau.", "file": upload})
    assert response.status_code == 302 and response["Location"] == reverse(
        "conferences:explanations", args=[conference.pk]
    )
    with_file = Explanation.objects.get()
    assert (with_file.rated_person, with_file.text) == (person, "Tôi xin giải trình như sau.")
    office_client.post(record, {"text": "Giải trình bằng lời."})
    text_only = Explanation.objects.get(text="Giải trình bằng lời.")
    opened = office_client.get(reverse("conferences:explanation", args=[conference.pk, with_file.pk]))
    assert opened["Content-Type"] == "application/pdf" and b"".join(opened.streaming_content) == pdf_bytes
    assert office_client.get(reverse("conferences:explanation", args=[conference.pk, text_only.pk])).status_code == 404
