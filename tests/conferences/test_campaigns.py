"""Use cases: create_body, create_campaign, update_campaign, create_conference, update_conference."""

import unicodedata
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import Campaign, Conference
from tinnhiem.conferences.usecases import campaigns


def test_campaign_records_legal_basis_term_and_rule_set(campaign):
    assert campaign.rules.id == "qd96-2023"
    assert campaign.term == "2020–2025"
    assert Event.objects.filter(action="campaign.created").count() == 1


def test_nfd_text_is_stored_as_nfc(office, today):
    nfd = unicodedata.normalize("NFD", "Ủy ban nhân dân thành phố Móng Cái")
    body = campaigns.create_body(office, name=nfd, level="district")
    body.refresh_from_db()
    assert body.name == unicodedata.normalize("NFC", nfd) and body.name != nfd


def test_unknown_rule_set_and_bad_year_are_refused(office):
    body = campaigns.create_body(office, name="X", level="commune")
    with pytest.raises(ValidationError):
        campaigns.create_campaign(
            office, body=body, name="a", legal_basis="b", term="c", rule_set="qd97", rating_year=2025
        )
    for year in (1999, 2101):
        with pytest.raises(ValidationError) as info:
            campaigns.create_campaign(
                office, body=body, name="a", legal_basis="b", term="c", rule_set="qd96-2023", rating_year=year
            )
        assert info.value.messages == ["Năm lấy phiếu phải từ 2000 đến 2100."]
    assert Campaign.objects.count() == 0
    for year in (2000, 2100):  # the bounds themselves
        campaigns.create_campaign(
            office, body=body, name=f"a{year}", legal_basis="b", term="c", rule_set="qd96-2023", rating_year=year
        )
    assert sorted(Campaign.objects.values_list("rating_year", flat=True)) == [2000, 2100]


def test_only_the_office_prepares(make_user, campaign, today):
    for role in ("chair", "committee", "observer", None):
        with pytest.raises(PermissionDenied):
            campaigns.create_conference(
                make_user(role, f"user-{role}"), campaign=campaign, title="t", date=today, place="p", convening_body="c"
            )


def test_conference_date_in_the_past_is_refused(office, campaign, today):
    with pytest.raises(ValidationError) as info:
        campaigns.create_conference(
            office, campaign=campaign, title="t", date=today - timedelta(days=1), place="p", convening_body="c"
        )
    assert "đã qua" in info.value.messages[0]
    assert Conference.objects.count() == 0


def test_conference_today_is_allowed(office, campaign, today):
    conference = campaigns.create_conference(
        office, campaign=campaign, title="t", date=today, place="p", convening_body="c"
    )
    assert conference.links_open


def test_rule_set_is_fixed_once_a_conference_started(office, campaign, conference):
    campaigns.update_campaign(office, campaign, rule_set="nq96-2023")
    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.IN_SESSION)
    with pytest.raises(ValidationError):
        campaigns.update_campaign(office, campaign, rule_set="qd96-2023")
    with pytest.raises(ValidationError):
        campaigns.update_conference(office, conference, place="Khác")


def test_the_body_is_fixed_once_a_conference_started_and_the_log_names_what_changed(office, campaign, conference):
    """The body heads the minutes and its level sets the counting committee's minimum."""
    commune = campaigns.create_body(office, name="UBND xã Hải Hòa", level="commune")
    campaigns.update_campaign(office, campaign, body=commune, name=campaign.name, term=campaign.term)
    campaign.refresh_from_db()
    assert campaign.body == commune
    assert Event.objects.filter(action="campaign.updated").latest("seq").data["fields"] == ["body"]
    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.IN_SESSION)
    district = campaigns.create_body(office, name="UBND thành phố Móng Cái", level="district")
    with pytest.raises(ValidationError):
        campaigns.update_campaign(office, campaign, body=district)
    campaigns.update_campaign(office, campaign, body=commune, term="2025–2030")  # the same body: not a change
    campaign.refresh_from_db()
    assert campaign.body == commune and campaign.term == "2025–2030"
    assert Event.objects.filter(action="campaign.updated").latest("seq").data["fields"] == ["term"]


def test_update_conference_records_an_event(office, conference):
    campaigns.update_conference(office, conference, place="Hội trường lớn")
    conference.refresh_from_db()
    assert conference.place == "Hội trường lớn"
    assert Event.objects.filter(action="conference.updated", conference_id=conference.pk).exists()


def test_moving_the_conference_checks_the_rated_persons_days_of_appointment(office, conference):
    """The rule set's grounds count from the conference's date (elected or appointed in its year),
    and no one is rated at a conference held before they took office. Moved before a person's
    day of appointment, the date is refused; moved so that grounds change, the page says for whom."""
    from datetime import date

    from django.test import Client
    from django.urls import reverse

    from tinnhiem.conferences.usecases import rated

    held = conference.date
    rated.add_rated_person(
        office, conference, full_name="Lương Văn Hải", post="Chủ tịch", took_office_on=date(held.year - 2, 5, 1)
    )
    rated.add_rated_person(
        office, conference, full_name="Tạ Thị Thu Hương", post="Phó Chủ tịch", took_office_on=held, decision="excluded"
    )
    with pytest.raises(ValidationError) as info:
        campaigns.update_conference(office, conference, date=held - timedelta(days=1))
    assert info.value.messages == [
        f"Đồng chí Tạ Thị Thu Hương được bầu, bổ nhiệm ngày {held:%d/%m/%Y}, sau ngày hội nghị này."
    ]
    conference.refresh_from_db()
    assert conference.date == held

    client = Client()
    client.force_login(office)
    fields = {"title": conference.title, "place": conference.place, "convening_body": conference.convening_body}
    url = reverse("conferences:conference_edit", args=[conference.pk])
    page = client.post(url, {**fields, "date": f"10/01/{held.year + 1}"}, follow=True).content.decode()
    assert "Đã lưu." in page
    assert (
        "Với ngày này, căn cứ không lấy phiếu theo quy định thay đổi đối với: Tạ Thị Thu Hương. "
        "Hãy xem lại quyết định của họ ở danh sách người được lấy phiếu."
    ) in page
    page = client.post(url, {**fields, "date": f"11/01/{held.year + 1}"}, follow=True).content.decode()
    assert "Đã lưu." in page and "căn cứ không lấy phiếu" not in page  # nothing changed for anyone


def test_changing_the_rule_set_names_whose_grounds_for_not_rating_change(office, campaign, conference):
    """QĐ 96 excludes whoever took office in the rating year; NQ 85/2014 whoever has held the post
    for less than 9 months. Moved from one to the other, a person appointed last December gains
    grounds: the page names them, as moving the conference's date does."""
    from datetime import date

    from django.test import Client
    from django.urls import reverse

    from tinnhiem.conferences.usecases import rated

    held = date(conference.date.year + 1, 3, 10)
    campaigns.update_conference(office, conference, date=held)
    rated.add_rated_person(
        office, conference, full_name="Lương Văn Hải", post="Chủ tịch", took_office_on=date(held.year - 3, 5, 1)
    )
    rated.add_rated_person(
        office, conference, full_name="Tạ Thị Thu Hương", post="Phó Chủ tịch", took_office_on=date(held.year - 1, 12, 1)
    )
    client = Client()
    client.force_login(office)
    url = reverse("conferences:campaign_edit", args=[campaign.pk])
    data = {f: getattr(campaign, f) for f in ("name", "legal_basis", "term", "rating_year")} | {
        "body": campaign.body.pk
    }
    page = client.post(url, {**data, "rule_set": "nq85-2014"}, follow=True).content.decode()
    assert "Đã lưu." in page
    assert (
        "Với quy định này, căn cứ không lấy phiếu thay đổi đối với: Tạ Thị Thu Hương. "
        "Hãy xem lại quyết định của họ ở danh sách người được lấy phiếu."
    ) in page
    page = client.post(url, {**data, "rule_set": "nq85-2014", "term": "2021–2026"}, follow=True).content.decode()
    assert "Đã lưu." in page and "căn cứ không lấy phiếu" not in page  # nothing changed for anyone


def test_a_conference_made_by_mistake_is_removed_with_its_lists(office, make_user, conference, person, voter):
    """While it is being prepared and nothing has gone out or come in. The log keeps the removal;
    the page asks for a ticked box first, and a second click finds it gone and fails nothing."""
    from django.test import Client
    from django.urls import reverse

    from tinnhiem.conferences.models import RatedPerson, Voter
    from tinnhiem.conferences.usecases import day

    day.create_single_form(office, conference)
    with pytest.raises(PermissionDenied):
        campaigns.remove_conference(make_user("observer", "quan-sat"), conference)
    client = Client()
    client.force_login(office)
    url = reverse("conferences:conference_edit", args=[conference.pk])
    assert 'name="remove"' in client.get(url).content.decode()
    page = client.post(url, {"remove": "1"}, follow=True).content.decode()
    assert "Đánh dấu vào ô để xác nhận xoá." in page and Conference.objects.filter(pk=conference.pk).exists()

    response = client.post(url, {"remove": "1", "confirm": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("conferences:campaign", args=[conference.campaign_id])
    assert "Đã xoá hội nghị “Hội nghị lấy phiếu tín nhiệm”." in response.content.decode()
    assert not Conference.objects.filter(pk=conference.pk).exists()
    assert not RatedPerson.objects.filter(pk=person.pk).exists() and not Voter.objects.filter(pk=voter.pk).exists()
    event = Event.objects.get(action="conference.removed")
    assert event.conference_id == conference.pk
    assert event.data == {
        "title": "Hội nghị lấy phiếu tín nhiệm",
        "date": conference.date.isoformat(),
        "campaign": conference.campaign_id,
        "listed_count": 1,
        "roll_count": 1,
    }
    again = client.post(url, {"remove": "1", "confirm": "1"}, follow=True)  # a second click: said, no 404
    assert again.redirect_chain == [(reverse("conferences:home"), 302)]
    assert "đã được xoá trước đó" in again.content.decode()
    assert campaigns.remove_conference(office, conference) == ""
    assert Event.objects.filter(action="conference.removed").count() == 1
    log = client.get(reverse("audit:events")).content.decode()
    assert "Xoá hội nghị" in log and "Hội nghị lấy phiếu tín nhiệm" in log


@pytest.mark.parametrize("held", ["dossier", "opinion", "attendance", "started"])
def test_a_conference_that_holds_what_went_out_or_came_in_is_not_removed(
    office, conference, person, voter, held, pdf_bytes
):
    from django.test import Client
    from django.urls import reverse

    from tinnhiem.conferences.usecases import day, dossiers, opinions

    if held == "dossier":
        dossiers.upload_dossier(office, person, kind="report", title="Báo cáo", filename="bc.pdf", data=pdf_bytes)
    elif held == "opinion":
        opinions.submit_opinion(voter, rated_person=person, text="Đồng tình", sign=False)
    elif held == "attendance":
        day.check_in(office, conference, [voter])
    else:
        Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.IN_SESSION)
    with pytest.raises(ValidationError) as info:
        campaigns.remove_conference(office, conference)
    assert "không xoá được" in info.value.messages[0]
    assert Conference.objects.filter(pk=conference.pk).exists() and person.conference_id == conference.pk
    assert not Event.objects.filter(action="conference.removed").exists()
    client = Client()
    client.force_login(office)
    url = reverse("conferences:conference_edit", args=[conference.pk])
    if held != "started":  # the page says why instead of offering the button
        page = client.get(url).content.decode()
        assert 'name="remove"' not in page and "Không xoá được nữa" in page


def test_a_campaign_made_by_mistake_is_removed_while_it_has_no_conference(office, campaign, conference):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(office)
    url = reverse("conferences:campaign_edit", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert 'name="remove"' not in page and "Không xoá được nữa: đợt này có 1 hội nghị." in page
    with pytest.raises(ValidationError) as info:
        campaigns.remove_campaign(office, campaign)
    assert info.value.messages == ["Đợt lấy phiếu có 1 hội nghị: không xoá được nữa."]

    campaigns.remove_conference(office, conference)
    assert 'name="remove"' in client.get(url).content.decode()
    assert Campaign.objects.filter(pk=campaign.pk).exists()
    client.post(url, {"remove": "1"})  # the box not ticked
    assert Campaign.objects.filter(pk=campaign.pk).exists()
    response = client.post(url, {"remove": "1", "confirm": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("conferences:home")
    assert f"Đã xoá đợt lấy phiếu “{campaign.name}”." in response.content.decode()
    assert not Campaign.objects.filter(pk=campaign.pk).exists()
    event = Event.objects.get(action="campaign.removed")
    assert event.data == {"campaign": campaign.pk, "name": campaign.name, "rule_set": campaign.rule_set}
    assert campaigns.remove_campaign(office, campaign) == ""  # a second click: nothing more
    again = client.post(url, {"remove": "1", "confirm": "1"}, follow=True)  # the page sent again: said, no 404
    assert again.redirect_chain == [(reverse("conferences:home"), 302)]
    assert "đã được xoá trước đó" in again.content.decode()


def test_a_body_is_removed_only_while_nothing_holds_it(office, campaign, make_user):
    """A body known by mistake is removed; one with a campaign, or that another body reports to,
    is refused with every reason, and nothing is removed or logged."""
    from tinnhiem.conferences.models import Body

    body = campaign.body
    authority = campaigns.create_body(office, name="UBND tỉnh QN", level="province")
    campaigns.update_body(office, body, name=body.name, level=body.level, system=body.system, reports_to="ubnd tỉnh qn")
    assert Body.objects.get(pk=body.pk).parent == authority
    with pytest.raises(PermissionDenied):
        campaigns.remove_body(make_user("chair"), authority)
    with pytest.raises(ValidationError) as info:
        campaigns.remove_body(office, authority)
    assert info.value.messages == [
        f"Không xoá được cơ quan này. {body.name} báo cáo lên cơ quan này: hãy chọn cấp có thẩm quyền quản lý "
        "khác cho các cơ quan đó trước."
    ]
    campaigns.create_body(office, name="Đảng ủy xã A", level="commune", parent=authority)
    with pytest.raises(ValidationError) as info:
        campaigns.remove_body(office, authority)
    assert f"Đảng ủy xã A, {body.name} báo cáo lên" in info.value.messages[0]  # every one, in Vietnamese order
    with pytest.raises(ValidationError) as info:
        campaigns.remove_body(office, body)
    assert info.value.messages == [
        "Không xoá được cơ quan này. Cơ quan đã có 1 đợt lấy phiếu: các đợt lấy phiếu và hội nghị đó gắn với cơ quan."
    ]
    assert not Event.objects.filter(action="body.removed").exists()

    stray = campaigns.create_body(office, name="UBND tinh QN", level="province")
    assert campaigns.remove_body(office, stray) == "UBND tinh QN"
    assert not Body.objects.filter(pk=stray.pk).exists()
    assert Event.objects.get(action="body.removed").data == {
        "body": stray.pk,
        "name": "UBND tinh QN",
        "level": "province",
    }
    assert campaigns.remove_body(office, stray) == ""  # a second click: nothing more
    assert Event.objects.filter(action="body.removed").count() == 1


def test_a_body_removed_after_a_page_offered_it_is_not_hung_on(office, campaign, monkeypatch):
    """One office removes a stray authority while another sends a form naming it, offered before
    the removal (on PostgreSQL the second waits for the removal's lock, then finds no row): the
    second is told to choose it again, nothing of its form saved, rather than an error page."""
    from tinnhiem.conferences.models import Body

    body = campaign.body
    stray = campaigns.create_body(office, name="UBND tinh QN", level="province")
    offered = Body.objects.get(pk=stray.pk)  # what the second page found
    campaigns.remove_body(office, stray)
    args = {"name": "Đợt 2", "legal_basis": "KH", "term": "2021–2026", "rule_set": "qd96-2023", "rating_year": 2026}
    with pytest.raises(ValidationError) as info:
        campaigns.create_campaign(office, body=offered, **args)
    again = "Cơ quan “UBND tinh QN” vừa được xoá khỏi danh sách cơ quan: hãy chọn hoặc gõ lại."
    assert info.value.messages == [again]
    assert list(Campaign.objects.all()) == [campaign]

    monkeypatch.setattr(campaigns, "bodies_named", lambda name, besides=None: [offered])
    with pytest.raises(ValidationError) as info:
        campaigns.update_body(
            office, body, name=body.name, level=body.level, system=body.system, reports_to="UBND tinh QN"
        )
    assert info.value.messages == [again]
    assert Body.objects.get(pk=body.pk).parent is None
    assert not Event.objects.filter(action__in=["body.updated", "campaign.created"], data__body=body.pk).exists()
    monkeypatch.undo()  # typed again: made anew, as a name not known
    campaigns.update_body(office, body, name=body.name, level=body.level, system=body.system, reports_to="UBND tinh QN")
    made = Body.objects.get(pk=body.pk).parent
    assert made.name == "UBND tinh QN" and made.pk != stray.pk


@pytest.mark.django_db(transaction=True)
def test_a_body_removed_while_another_request_names_it_as_authority(office, campaign):
    """Two requests at once, on the real database: one removes a stray authority, the other (its
    look-up made before the removal is committed) makes it a body's managing authority. On
    PostgreSQL the second waits for the removal's lock, then is told to choose again; on SQLite the
    writes go one at a time, and the second, after the removal, makes the name anew. Never an error
    page, never a body hung on one removed."""
    import threading
    import time

    from django.db import close_old_connections, connection

    from tinnhiem.conferences.models import Body

    body = campaign.body
    stray = campaigns.create_body(office, name="UBND tinh QN", level="province")
    removing, outcome = threading.Event(), []

    def remove() -> None:
        try:
            with transaction.atomic():
                campaigns.remove_body(office, stray)
                removing.set()
                if connection.vendor == "postgresql":  # hold the lock until the other waits on it
                    for _ in range(200):
                        with connection.cursor() as cursor:
                            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else one view a transaction
                            cursor.execute(
                                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                "AND datname = current_database()"
                            )
                            if cursor.fetchone()[0]:
                                break
                        time.sleep(0.05)
                    else:
                        raise AssertionError("the other request never waited for the removal's lock")
        finally:
            connection.close()

    def name_it() -> None:
        removing.wait(10)
        try:
            campaigns.update_body(
                office, body, name=body.name, level=body.level, system=body.system, reports_to="UBND tinh QN"
            )
            outcome.append("saved")
        except ValidationError as refused:
            outcome.extend(refused.messages)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=remove), threading.Thread(target=name_it)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not Body.objects.filter(pk=stray.pk).exists()
    parent = Body.objects.get(pk=body.pk).parent
    if connection.vendor == "postgresql":
        assert outcome == ["Cơ quan “UBND tinh QN” vừa được xoá khỏi danh sách cơ quan: hãy chọn hoặc gõ lại."]
        assert parent is None
    else:
        assert outcome == ["saved"] and parent.name == "UBND tinh QN" and parent.pk != stray.pk


def test_the_bodies_are_offered_in_the_order_of_a_vietnamese_list(office):
    """By code point (SQLite's order), "Đảng ủy …" came after "Ủy ban …", after every name in Z."""
    import re

    from django.test import Client
    from django.urls import reverse

    names = ["Ủy ban MTTQ thành phố", "UBND thành phố", "Đảng ủy phường Hải Hòa", "Đảng ủy phường Hà An"]
    names += ["HĐND thành phố", "Dân vận", "Ban Thường vụ Thành ủy", "Đảng ủy phường Hải Đông"]
    for name in names:
        campaigns.create_body(office, name=name, level="district")
    client = Client()
    client.force_login(office)
    page = client.get(reverse("conferences:campaign_create")).content.decode()
    select = page.split('name="body"')[1].split("</select>")[0]
    assert [label.split(" — ")[0] for label in re.findall(r'<option value="\d+">([^<]+)</option>', select)] == [
        "Ban Thường vụ Thành ủy",
        "Dân vận",
        "Đảng ủy phường Hà An",  # word by word: Hà before Hải
        "Đảng ủy phường Hải Đông",
        "Đảng ủy phường Hải Hòa",
        "HĐND thành phố",
        "UBND thành phố",
        "Ủy ban MTTQ thành phố",
    ]
    assert '<option value="" selected>' in select  # "a new body" first


def test_the_vietnamese_order_word_by_word_letters_then_tone():
    from tinnhiem.text import vietnamese_order

    ordered = ["a", "ă", "â", "ba", "ba lô", "bà", "bà con", "bả", "bã", "bá", "bạ", "Ban", "do", "đa", "u", "Ư", "ưu"]
    assert sorted(reversed(ordered), key=vietnamese_order) == ordered  # word by word, as a dictionary
    assert sorted(["Đỗ Văn B", "Đỗ Văn A", "Đồ Văn C"], key=vietnamese_order) == ["Đồ Văn C", "Đỗ Văn A", "Đỗ Văn B"]


def test_the_signer_of_the_body_s_documents_is_set_as_the_rules_on_documents_allow(office, conference, make_user):
    """Nghị định 30/2020/NĐ-CP, Điều 13 khoản 2 and 4: a deputy signs for the head of a State body,
    “KT.” and the head's post, the head of one of its offices by the head's order (“TL.”); a Party
    body's documents are signed “T/M” by the secretary or a deputy, without “K/T” (Hướng dẫn
    36-HD/VPTW, 1.7.1). Each refusal says why, and leaves the signer as it was; a change is logged
    once, with what changed; an edit that changes nothing is not."""
    from tinnhiem.audit.describe import describe

    def signer():
        c = Conference.objects.get(pk=conference.pk)
        return c.signer_name, c.signer_post, c.signer_for

    campaigns.set_signer(office, conference, name="  Nguyễn  Văn Bình ", post="Phó Chủ tịch", signing_for="Chủ tịch")
    assert signer() == ("Nguyễn Văn Bình", "Phó Chủ tịch", "Chủ tịch")
    refusals = {
        (
            "Phó Chủ tịch",
            "",
        ): "hãy ghi chức vụ người đứng đầu vào ô “Ký thay, thừa lệnh”, như “Chủ tịch” (KT. Chủ tịch)",
        ("PHÓ CHỦ TỊCH", ""): "như “CHỦ TỊCH” (KT. CHỦ TỊCH)",
        ("", "Chủ tịch"): "Hãy ghi chức vụ của người ký thay Chủ tịch.",
        ("Chủ tịch", "chủ tịch"): "ghi chức vụ của người đứng đầu, không phải chức vụ của chính người ký (Chủ tịch)",
        ("Chủ tịch", "x" * 101): "tối đa 100 ký tự (đang có 101)",
    }
    for (post, signing_for), message in refusals.items():
        with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
            campaigns.set_signer(office, conference, name="Trần Văn C", post=post, signing_for=signing_for)
        assert signer() == ("Nguyễn Văn Bình", "Phó Chủ tịch", "Chủ tịch"), post
    campaigns.set_signer(office, conference, post="Chủ tịch")  # the chair signs, under the chair's name
    campaigns.set_signer(office, conference, post="Chủ tịch")
    assert signer() == ("", "Chủ tịch", "")
    events = list(Event.objects.filter(action="conference.signer_set").order_by("seq"))
    assert [e.data for e in events] == [
        {"signer_name": "Nguyễn Văn Bình", "signer_post": "Phó Chủ tịch", "signer_for": "Chủ tịch"},
        {"signer_name": "", "signer_post": "Chủ tịch", "signer_for": ""},
    ]
    described = describe(events[0])
    assert described.action == "Đặt người ký văn bản của cơ quan"
    assert ("ký thay, thừa lệnh người đứng đầu (KT., TL.)", "Chủ tịch") in [
        (d.label, d.value) for d in described.details
    ]
    body = conference.campaign.body
    body.system = "party"
    body.save()
    with pytest.raises(ValidationError, match="không ghi “K/T” \\(Hướng dẫn 36-HD/VPTW"):
        campaigns.set_signer(office, conference, post="Phó Bí thư", signing_for="Bí thư")
    campaigns.set_signer(office, conference, post="Phó Bí thư")  # directly under “T/M”
    assert signer() == ("", "Phó Bí thư", "")
    with pytest.raises(PermissionDenied):
        campaigns.set_signer(make_user("committee", "kp-signer"), conference, post="Bí thư")
    campaigns.cancel_conference(office, conference, reason="Kế hoạch thay đổi")
    with pytest.raises(ValidationError, match="Hội nghị đã bị huỷ"):
        campaigns.set_signer(office, conference, post="Bí thư")


def test_the_body_s_details_are_mended_until_a_conference_is_held_under_them(office, conference):
    """A typo in the body's name is mended while its conferences are prepared; once one has started,
    its name, level, kind, place name and governing body stay as its minutes and record carry them
    (a renamed body is a new body), while its symbol and its managing authority, which the report goes up to after the
    count, still change. The managing authority is found by its name, whatever its case, or made at
    the tier above; a body cannot report to one of its own; each change is logged once."""
    from tinnhiem.audit.describe import describe
    from tinnhiem.conferences.models import Body

    body = conference.campaign.body
    details = {"name": "UBND thành phố Móng Cái", "level": "district", "system": "state"}
    campaigns.update_body(
        office, body, **{**details, "name": "UBND  thành phố Móng Cái ", "reports_to": "UBND tỉnh Quảng Ninh"}
    )
    body.refresh_from_db()
    province = body.parent
    assert (body.name, province.name, province.level) == ("UBND thành phố Móng Cái", "UBND tỉnh Quảng Ninh", "province")
    campaigns.update_body(office, body, **details, reports_to="ubnd TỈNH Quảng Ninh")  # the same, found
    assert Body.objects.count() == 2
    assert list(Event.objects.filter(action="body.created").values_list("data", flat=True))[-1] == {
        "body": province.pk,
        "name": "UBND tỉnh Quảng Ninh",
        "level": "province",
    }
    updated = Event.objects.filter(action="body.updated")
    assert [e.data for e in updated] == [{"body": body.pk, "fields": ["parent"], "reports_to": "UBND tỉnh Quảng Ninh"}]
    assert ("cấp có thẩm quyền quản lý (Kính gửi)", "UBND tỉnh Quảng Ninh") in [
        (d.label, d.value) for d in describe(updated.get()).details
    ]
    commune = campaigns.create_body(office, name="UBND xã Hải Hòa", level="commune", parent=body)
    with pytest.raises(ValidationError, match="là cơ quan cấp dưới của cơ quan này"):
        campaigns.update_body(office, body, **details, reports_to="UBND xã Hải Hòa")
    with pytest.raises(ValidationError, match="Cơ quan không báo cáo chính mình"):
        campaigns.update_body(office, body, **details, reports_to="ubnd thành phố Móng Cái")
    assert Body.objects.get(pk=body.pk).parent == province and commune.parent == body
    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.IN_SESSION)
    mended_details = (
        {"name": "UBND TP Móng Cái"},
        {"level": "province"},
        {"system": "party"},
        {"locality": "Móng Cái"},
        {"governing_body": "UBND tỉnh Quảng Ninh"},
    )
    for mended in mended_details:
        with pytest.raises(ValidationError, match="đã diễn ra với tên, cấp, loại cơ quan và cơ quan chủ quản này"):
            campaigns.update_body(office, body, **{**details, **mended}, reports_to="UBND tỉnh Quảng Ninh")
    campaigns.update_body(office, body, **details, symbol="UBND", reports_to="")  # after the count, as before it
    body.refresh_from_db()
    assert (body.name, body.symbol, body.parent) == ("UBND thành phố Móng Cái", "UBND", None)
    assert Event.objects.filter(action="body.updated").count() == 2
    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.CANCELLED)  # not held after all
    campaigns.update_body(office, body, **{**details, "name": "UBND thành phố Móng Cái, tỉnh Quảng Ninh"})
    assert Body.objects.get(pk=body.pk).name == "UBND thành phố Móng Cái, tỉnh Quảng Ninh"


def test_an_upgrade_keeps_the_line_printed_above_a_body_s_name(office):
    """Before the governing body was its own field, the line above a body's name was its parent's
    name: after the migration its documents print what they printed before."""
    import importlib

    from django.apps import apps

    from tinnhiem.conferences.models import Body

    migration = importlib.import_module("tinnhiem.conferences.migrations.0020_body_governing_body")
    province = campaigns.create_body(office, name="UBND tỉnh Quảng Ninh", level="province")
    city = campaigns.create_body(office, name="UBND thành phố Móng Cái", level="district", parent=province)
    migration.keep_the_printed_header(apps, None)
    assert Body.objects.get(pk=city.pk).governing_body == "UBND tỉnh Quảng Ninh"
    assert Body.objects.get(pk=province.pk).governing_body == ""
