"""Downloads from the documents page."""

import io
import re

import docx
import pytest
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from .conftest import pdf_pages


def login(username="vanphong"):
    client = Client()
    assert client.login(username=username, password="tinnhiem-demo")
    return client


def test_documents_page_and_downloads(seed, settings):
    settings.ALLOWED_HOSTS = ["testserver", "192.168.1.10"]
    client = login()
    page = client.get(reverse("documents:list", args=[seed.pk])).content.decode()
    assert "Biên bản kiểm phiếu (PDF)" in page
    form = seed.ballot_forms.get()
    response = client.get(reverse("documents:ballots", args=[seed.pk, form.pk]), {"copies": 3})
    assert response["Content-Type"] == "application/pdf" and len(pdf_pages(response.content)) == 3
    minutes = client.get(reverse("documents:minutes", args=[seed.pk]))
    assert "BIÊN BẢN KIỂM PHIẾU" in pdf_pages(minutes.content)[0]
    document = docx.Document(io.BytesIO(client.get(reverse("documents:minutes_docx", args=[seed.pk])).content))
    assert document.tables
    invitations = client.get(reverse("documents:invitations", args=[seed.pk]), HTTP_HOST="192.168.1.10:8000")
    assert "http://192.168.1.10:8000/moi/" in pdf_pages(invitations.content)[0]


def test_invitations_print_their_registered_number_on_every_copy(seed, settings):
    """Invitations go out by the hundred: once the letter is registered, its number is printed on
    every copy (“Số: 125/GM-UBND”), not written on each by hand; anything but digits is refused in
    words, nothing printed, on the page as on the command line. A body with no symbol prints no
    number, and is not asked for one."""
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver", "192.168.1.10"]
    client = login()
    page = client.get(reverse("documents:list", args=[seed.pk])).content.decode()
    assert 'name="so"' in page and "Số: …/GM-UBND" in page
    url = reverse("documents:invitations", args=[seed.pk])
    response = client.get(url, {"so": " 125 "}, HTTP_HOST="192.168.1.10:8000")
    pages = pdf_pages(response.content)
    assert len(pages) == seed.voters.count() and all("Số: 125/GM-UBND" in p for p in pages)
    assert response["Content-Disposition"].endswith(f'giay-moi-{seed.pk}-so-125.pdf"')
    for typed in ("125/GM", "12a", "1234567", "١٢٥"):
        refused = client.get(url, {"so": typed}, follow=True).content.decode()
        assert "không phải là số văn bản: chỉ ghi các chữ số, như 125" in refused, typed
    with pytest.raises(CommandError, match="không phải là số văn bản: chỉ ghi các chữ số, như 125"):
        call_command(
            "documents", str(seed.pk), "invitations", "--number", "12a", "--base-url", "http://192.168.1.10:8000"
        )
    with pytest.raises(CommandError, match="--number là số đã đăng ký của giấy mời"):
        call_command("documents", str(seed.pk), "attendance", "--number", "125")
    body = seed.campaign.body
    body.symbol = ""
    body.save()
    assert 'name="so"' not in client.get(reverse("documents:list", args=[seed.pk])).content.decode()


def test_a_conference_without_a_start_time_is_warned_about_before_printing_invitations(seed):
    from datetime import time

    from tinnhiem.conferences.models import Conference

    url = reverse("documents:list", args=[seed.pk])
    warning = "Hội nghị chưa có giờ bắt đầu: giấy mời sẽ để trống giờ"
    Conference.objects.filter(pk=seed.pk).update(start_time=None)
    assert warning not in login().get(url).content.decode()  # finished: no invitation is sent any more
    Conference.objects.filter(pk=seed.pk).update(status=Conference.Status.PREPARING)
    assert warning in login().get(url).content.decode()
    Conference.objects.filter(pk=seed.pk).update(start_time=time(8, 0))
    assert warning not in login().get(url).content.decode()


def test_loopback_address_is_warned(seed, settings):
    from tinnhiem.conferences.models import Conference

    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
    url = reverse("documents:list", args=[seed.pk])
    assert "không mở được" not in login().get(url, HTTP_HOST="127.0.0.1:8000").content.decode()  # finished
    Conference.objects.filter(pk=seed.pk).update(status=Conference.Status.PREPARING)
    page = login().get(reverse("documents:list", args=[seed.pk])).content.decode()
    assert "http://testserver" in page and "không mở được" not in page  # the printed address is shown
    page = login().get(reverse("documents:list", args=[seed.pk]), HTTP_HOST="127.0.0.1:8000").content.decode()
    assert "http://127.0.0.1:8000" in page and "điện thoại trong hội trường không mở được" in page


def test_minutes_only_when_finished_and_resolution_only_for_state_votes(seed):
    from tinnhiem.conferences.models import Conference
    from tinnhiem.site.demo import COUNCIL_TITLE

    unfinished = list(Conference.objects.exclude(status="finished"))  # in preparation; voting closed, not counted
    assert sorted(c.status for c in unfinished) == ["counting", "preparing"]
    client = login("quansat")
    for conference in unfinished:
        assert client.get(reverse("documents:minutes", args=[conference.pk])).status_code == 404
        assert client.get(reverse("documents:notices", args=[conference.pk])).status_code == 404
        page = client.get(reverse("documents:list", args=[conference.pk])).content.decode()
        assert reverse("documents:notices", args=[conference.pk]) not in page  # no result to tell yet
    assert client.get(reverse("documents:resolution", args=[seed.pk])).status_code == 404  # QĐ 96: Party rule
    council = Conference.objects.get(title=COUNCIL_TITLE)  # the demo's People's Council, NQ 96/2023
    resolution = client.get(reverse("documents:resolution", args=[council.pk]))
    assert resolution.status_code == 200
    assert "Xác nhận kết quả lấy phiếu tín nhiệm" in " ".join(pdf_pages(resolution.content))
    # the draft resolution in Word, for the secretariat to complete; as for the PDF, State votes only
    assert client.get(reverse("documents:resolution_docx", args=[seed.pk])).status_code == 404
    word = client.get(reverse("documents:resolution_docx", args=[council.pk]))
    assert word["Content-Disposition"] == f'attachment; filename="du-thao-nghi-quyet-{council.pk}.docx"'
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    assert "NGHỊ QUYẾT" in text and "QUYẾT NGHỊ:" in text and "(Dự thảo, cơ quan tham mưu hoàn thiện.)" in text
    assert "– Mạc Đình Phong: Có quá nửa đến dưới hai phần ba" in text  # the one result with a consequence
    assert "– Lương Văn Hải:" not in text and "{{" not in text and "{%" not in text
    page = client.get(reverse("documents:list", args=[council.pk])).content.decode()
    assert reverse("documents:resolution_docx", args=[council.pk]) in page
    assert reverse("documents:report_docx", args=[council.pk]) in page
    assert reverse("documents:notices", args=[council.pk]) in page
    assert (
        reverse("documents:resolution_docx", args=[seed.pk])
        not in client.get(reverse("documents:list", args=[seed.pk])).content.decode()
    )


def test_command_line(seed, tmp_path, capsys):
    from django.core.management import call_command

    out = tmp_path / "bb.pdf"
    call_command("documents", str(seed.pk), "minutes", "-o", str(out))
    assert "BIÊN BẢN KIỂM PHIẾU" in pdf_pages(out.read_bytes())[0]
    geometry = tmp_path / "g.json"
    call_command("documents", str(seed.pk), "geometry", "-o", str(geometry))
    import json

    data = json.loads(geometry.read_text())
    assert data["n_people"] == 2 and len(data["pages"][0]["boxes"]) == 6
    ballots = tmp_path / "p.pdf"
    call_command("documents", str(seed.pk), "ballots", "--copies", "5", "-o", str(ballots))
    assert len(pdf_pages(ballots.read_bytes())) == 5
    report = tmp_path / "bc.docx"
    call_command("documents", str(seed.pk), "report-docx", "-o", str(report))
    document = docx.Document(str(report))
    assert [c.text for c in document.tables[1].rows[0].cells] == ["STT", "Họ và tên, chức vụ", "Kết quả"]
    assert document.tables[1].rows[1].cells[1].text.startswith("Trần Minh Đức")
    assert "Tín nhiệm cao: 141 (79,66%)" in document.tables[1].rows[1].cells[2].text
    text = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO" in text and "Kính gửi: UBND tỉnh Quảng Ninh." in text and "{{" not in text
    signature = document.tables[-1].rows[0].cells
    assert signature[0].text.startswith("Nơi nhận:") and signature[1].text.startswith("TM. ")  # on the right
    notices = tmp_path / "tb.pdf"
    call_command("documents", str(seed.pk), "notices", "-o", str(notices))
    assert [page.split(" Kính gửi: Đồng chí ")[1][:13] for page in pdf_pages(notices.read_bytes())] == [
        "Trần Minh Đức",
        "Lê Thị Hồng N",
    ]
    with pytest.raises(CommandError, match="Hội đồng nhân dân"):  # QĐ 96: no resolution
        call_command("documents", str(seed.pk), "resolution-docx", "-o", str(tmp_path / "nq.docx"))


def test_ballots_printed_for_an_earlier_list_are_warned_about(office, conference):
    """Printed during preparation, then a person is no longer rated: the documents page says the
    printed ballots must be printed again (the scanner refuses them). A corrected name does not."""
    from tests.voting.conftest import build
    from tinnhiem.conferences.usecases import day, rated

    people, _voters = build(office, conference, 3)
    form = day.create_ballot_form(office, conference, name="Phiếu tín nhiệm", people=people)
    client = Client()
    client.force_login(office)
    address = reverse("documents:list", args=[conference.pk])
    warning = "hãy in lại phiếu và huỷ phiếu cũ"
    assert client.get(reverse("documents:ballots", args=[conference.pk, form.pk]), {"copies": 2}).status_code == 200
    assert warning not in client.get(address).content.decode()

    def edit(person, **changes):
        fields = dict(full_name=person.full_name, post=person.post, group=person.group, decision=person.decision)
        rated.update_rated_person(
            office, person, retirement_notified=False, took_office_on=None, **{**fields, **changes}
        )

    edit(people[0], full_name="Trần Minh Đức", post="Phó Chủ tịch Ủy ban nhân dân")  # a corrected post
    assert warning not in client.get(address).content.decode()
    edit(people[1], decision="excluded", decision_note="Có quyết định điều động")
    page = client.get(address).content.decode()
    assert "Phiếu “Phiếu tín nhiệm” đã được in (" in page and warning in page


def test_a_ballot_whose_post_cannot_fit_is_refused_in_words_on_the_page_and_the_command_line(
    office, conference, tmp_path
):
    from django.core.management import call_command

    from tinnhiem.conferences.usecases import day, rated

    rated.add_rated_person(office, conference, full_name="Trần Văn Bình", post="Phó Chủ tịch Hội đồng nhân dân " * 8)
    form = day.create_single_form(office, conference)
    client = Client()
    client.force_login(office)
    page = client.get(reverse("documents:list", args=[conference.pk])).content.decode()
    assert "Chức vụ của “Trần Văn Bình”" in page and "chưa sửa thì phiếu này chưa in được" in page
    response = client.get(reverse("documents:ballots", args=[conference.pk, form.pk]), {"copies": 5}, follow=True)
    assert response.redirect_chain == [(reverse("documents:list", args=[conference.pk]), 302)]
    page = response.content.decode()
    assert "Chức vụ của “Trần Văn Bình”" in page and "Phiếu chưa được in." in page
    with pytest.raises(CommandError, match=r"^Chức vụ của “Trần Văn Bình” .* Phiếu chưa được in\.$"):
        call_command("documents", str(conference.pk), "ballots", "--copies", "5", "-o", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_the_signer_is_set_on_the_documents_page_and_a_refusal_keeps_what_was_typed(seed, client, make_user):
    """The office says who signs the body's documents, before or after the count (the report is
    printed after it), and sees the signature as they will print it. A refusal comes back with what
    was typed and why, nothing saved; a Party body is not offered “K/T”; the committee cannot set it."""
    office = login()
    page_url = reverse("documents:list", args=[seed.pk])
    url = reverse("documents:signer", args=[seed.pk])
    preview = "TM. ỦY BAN NHÂN DÂN THÀNH PHỐ MÓNG CÁI<br>CHỦ TỊCH</strong><br>Đặng Quốc Khánh"
    page = office.get(page_url).content.decode()
    assert preview in page and 'name="signing_for"' in page and "Để trống: người chủ trì, Đặng Quốc Khánh." in page
    typed = {"name": "Nguyễn Văn Bình", "post": "Phó Chủ tịch", "signing_for": ""}
    refused = office.post(url, typed)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "hãy ghi chức vụ người đứng đầu vào ô “Ký thay, thừa lệnh”, như “Chủ tịch”" in html
    assert f'action="{url}#signer"' in html  # the page again, at the form
    assert 'value="Nguyễn Văn Bình"' in html and 'value="Phó Chủ tịch"' in html and preview in html
    too_long = office.post(url, {**typed, "signing_for": "Chủ tịch", "post": "P" * 101})
    assert too_long.status_code == 400
    assert "Nội dung này dài quá: tối đa 100 ký tự (đang có 101)." in too_long.content.decode()
    seed.refresh_from_db()
    assert (seed.signer_name, seed.signer_post, seed.signer_for) == ("", "Chủ tịch", "")
    saved = office.post(url, {**typed, "signing_for": "Chủ tịch"}, follow=True)
    assert saved.redirect_chain == [(page_url, 302)]
    html = saved.content.decode()
    assert "Đã lưu." in html
    assert "TM. ỦY BAN NHÂN DÂN THÀNH PHỐ MÓNG CÁI<br>KT. CHỦ TỊCH<br>PHÓ CHỦ TỊCH</strong><br>Nguyễn Văn Bình" in html
    # the invitations' own signer: a refusal at its form, with what was typed; saved, its signature shown
    assert "Giấy mời sẽ in:" not in html  # signed alike: said once
    own = {"invitations": "1", "inv-name": "Lê Văn Dũng", "inv-post": "Chánh Văn phòng", "inv-signing_for": ""}
    refused = office.post(url, {**own, "inv-post": "Phó Chủ tịch"})
    html = refused.content.decode()
    assert refused.status_code == 400 and "Ký thay, thừa lệnh" in html
    assert re.search(r'name="inv-post"[^>]*value="Phó Chủ tịch"', html)
    assert re.search(r'name="post"[^>]*value="Phó Chủ tịch"', html)  # the documents' own form: as saved
    saved = office.post(url, {**own, "inv-signing_for": "Chủ tịch"}, follow=True)
    assert saved.redirect_chain == [(page_url + "#invitation-signer", 302)]
    html = saved.content.decode()
    assert "Giấy mời sẽ in:</p>" in html and "TL. CHỦ TỊCH<br>CHÁNH VĂN PHÒNG</strong><br>Lê Văn Dũng" in html
    assert "TM. ỦY BAN NHÂN DÂN THÀNH PHỐ MÓNG CÁI<br>KT. CHỦ TỊCH<br>PHÓ CHỦ TỊCH</strong><br>Nguyễn Văn Bình" in html
    seed.refresh_from_db()
    assert (seed.invitation_signer_name, seed.invitation_signer_post, seed.invitation_signer_for) == (
        "Lê Văn Dũng",
        "Chánh Văn phòng",
        "Chủ tịch",
    )
    assert (seed.signer_name, seed.signer_post) == ("Nguyễn Văn Bình", "Phó Chủ tịch")
    committee = Client()
    assert committee.login(username="kiemphieu1", password="tinnhiem-demo")
    assert 'id="signer"' not in committee.get(page_url).content.decode()
    assert committee.post(url, {"post": "Chủ tịch"}).status_code == 403
    body = seed.campaign.body
    body.system = "party"
    body.save()
    page = office.get(page_url).content.decode()
    assert 'name="signing_for"' not in page and 'name="post"' in page
    assert office.post(url, {"post": "Phó Bí thư", "signing_for": "Bí thư"}).status_code == 302  # no K/T: not read
    seed.refresh_from_db()
    assert (seed.signer_post, seed.signer_for) == ("Phó Bí thư", "")
