"""Pages through the Django test client: forms reach the use cases and errors come back in Vietnamese."""

import io
import re
import unicodedata
from datetime import date, timedelta

import pypdfium2 as pdfium
import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from tests.photos import photo
from tinnhiem.conferences import links
from tinnhiem.conferences.models import Campaign, Conference, Opinion, Voter


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.name = "ds.xlsx"
    out.seek(0)
    return out


NEW_CAMPAIGN = {
    "new_body_name": "UBND xã A",
    "new_body_level": "commune",
    "name": "Đợt 1",
    "legal_basis": "KH 1",
    "term": "2021–2026",
    "rule_set": "qd96-2023",
    "rating_year": 2026,
}


def test_create_campaign_and_conference_through_the_pages(office_client, roles):
    response = office_client.post(reverse("conferences:campaign_create"), NEW_CAMPAIGN)
    assert response.status_code == 302
    campaign_url = response["Location"]
    campaign_id = int(campaign_url.rstrip("/").split("/")[-1])
    response = office_client.post(
        reverse("conferences:conference_create", args=[campaign_id]),
        {"title": "Hội nghị", "date": "2020-01-01", "place": "Hội trường", "convening_body": "UBND xã A"},
    )
    assert response.status_code == 200 and "đã qua" in response.content.decode()
    assert Conference.objects.count() == 0


def test_a_number_or_a_choice_refused_is_said_in_plain_vietnamese_and_nothing_is_made(office_client, roles):
    """Django's own Vietnamese reads "Nhập một số tổng thể." (a sum) for a whole number, and
    "Đảm bảo giá trị này lớn hơn hoặc bằng với 2000 ." for a bound; tinnhiem's catalog says it."""
    url = reverse("conferences:campaign_create")
    said = {
        "2O26": "Hãy ghi một số nguyên.",  # a letter O typed for a zero
        "1999": "Giá trị này phải lớn hơn hoặc bằng 2000.",
        "2101": "Giá trị này phải nhỏ hơn hoặc bằng 2100.",
    }
    for year, error in said.items():
        page = office_client.post(url, {**NEW_CAMPAIGN, "rating_year": year}).content.decode()
        assert error in page, year
    page = office_client.post(url, {**NEW_CAMPAIGN, "rule_set": "qd96"}).content.decode()
    assert "“qd96” không có trong các lựa chọn: hãy chọn lại." in page
    assert Campaign.objects.count() == 0


def test_a_new_body_s_level_is_chosen_not_taken_from_the_top_of_the_list(office_client, roles):
    """The level sets the counting committee's minimum and what the pages warn of: the form once
    offered the first of the list (central) for a new body, and a body whose level nobody looked
    at was made at the centre. Now none is chosen until the office chooses."""
    url = reverse("conferences:campaign_create")
    html = office_client.get(url).content.decode()
    levels = re.search(r'<select[^>]*name="new_body_level"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)"', levels) == ["", "central", "province", "district", "commune"]
    assert re.search(r'<option value=""[^>]*selected>— chọn cấp —</option>', levels)
    refused = office_client.post(url, {k: v for k, v in NEW_CAMPAIGN.items() if k != "new_body_level"})
    assert refused.status_code == 200 and "Hãy chọn cấp của cơ quan mới." in refused.content.decode()
    assert Campaign.objects.count() == 0


def test_a_new_campaign_has_no_term_filled_in_and_rates_this_year(office_client, roles):
    """The term is printed on the minutes: a default would go stale at the next congress or election
    ("2020–2025" was offered in 2026), so it is typed; the rating year starts at this year."""
    from tinnhiem.conferences.models import Campaign

    url = reverse("conferences:campaign_create")
    html = office_client.get(url).content.decode()
    term = re.search(r'<input[^>]*name="term"[^>]*>', html).group(0)
    assert "value=" not in term and "2025–2030" in html  # the example in the help text
    year = re.search(r'<input[^>]*name="rating_year"[^>]*>', html).group(0)
    assert f'value="{date.today().year}"' in year
    data = {"new_body_name": "UBND xã A", "new_body_level": "commune", "name": "Đợt 1", "legal_basis": "KH 1"}
    response = office_client.post(url, {**data, "rule_set": "qd96-2023", "rating_year": date.today().year})
    assert response.status_code == 200 and Campaign.objects.count() == 0
    assert "Trường này là bắt buộc" in response.content.decode()


def test_editing_a_campaign_onto_a_new_body_makes_that_body(office_client, campaign):
    """ "— a new body —" on the edit form used to be ignored: "Saved.", and the old body stayed."""
    from tinnhiem.conferences.models import Body

    url = reverse("conferences:campaign_edit", args=[campaign.pk])
    data = {f: getattr(campaign, f) for f in ("name", "legal_basis", "term", "rule_set", "rating_year")}
    new = {"body": "", "new_body_name": "UBND xã Hải Hòa", "new_body_level": "commune", "new_body_system": "state"}
    response = office_client.post(url, {**data, **new})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.body.name, campaign.body.level) == ("UBND xã Hải Hòa", "commune")
    assert Body.objects.count() == 2
    # each body is offered with its level, so two of one name stay apart
    html = office_client.get(url).content.decode()
    assert f'<option value="{campaign.body.pk}" selected>UBND xã Hải Hòa — Cấp xã</option>' in html
    assert "UBND thành phố Móng Cái — Cấp huyện (đến 30/6/2025)" in html


def test_the_body_s_symbol_is_set_on_the_campaign_form_and_an_empty_field_keeps_it(office_client, campaign):
    """The symbol that ends the numbers of the body's documents: given with a new body, or for the
    body chosen (the demo's, made without one); left empty, kept; refused with a space or a “/”,
    nothing saved; each change in the log."""
    from tinnhiem.audit.describe import describe
    from tinnhiem.audit.models import Event
    from tinnhiem.conferences.models import Body

    create = reverse("conferences:campaign_create")
    response = office_client.post(create, {**NEW_CAMPAIGN, "body_symbol": "UBND"})
    assert response.status_code == 302 and Body.objects.get(name="UBND xã A").symbol == "UBND"
    edit = reverse("conferences:campaign_edit", args=[campaign.pk])
    data = {f: getattr(campaign, f) for f in ("name", "legal_basis", "term", "rule_set", "rating_year")}
    data["body"] = campaign.body.pk
    assert re.search(r'<input[^>]*name="body_symbol"[^>]*>', office_client.get(edit).content.decode())
    for typed in ("UB ND", "BC/UBND"):
        page = office_client.post(edit, {**data, "body_symbol": typed}).content.decode()
        assert "Ký hiệu viết liền, không có dấu cách hay dấu “/”" in page, typed
    campaign.body.refresh_from_db()
    assert campaign.body.symbol == ""
    assert office_client.post(edit, {**data, "body_symbol": "UBND"}).status_code == 302
    campaign.body.refresh_from_db()
    assert campaign.body.symbol == "UBND"
    html = office_client.get(edit).content.decode()
    assert re.search(r'<input[^>]*name="body_symbol"[^>]*value="UBND"', html)
    assert office_client.post(edit, {**data, "body_symbol": ""}).status_code == 302
    campaign.body.refresh_from_db()
    assert campaign.body.symbol == "UBND"
    changes = Event.objects.filter(action="body.updated")
    assert [e.data for e in changes] == [{"body": campaign.body.pk, "fields": ["symbol"], "symbol": "UBND"}]
    described = describe(changes.get())
    assert described.action == "Sửa thông tin cơ quan"
    assert [(d.label, d.value) for d in described.details][1:] == [
        ("nội dung sửa", "ký hiệu cơ quan trên số văn bản"),
        ("ký hiệu cơ quan trên số văn bản", "UBND"),
    ]


def test_the_body_is_mended_from_its_campaign_and_its_reports_go_to_the_authority_named(office_client, conference):
    """The office mends a body's name, and names the authority its reports go up to (“Kính gửi”),
    from the campaign's page; a refusal keeps what was typed. Once a conference has started, the
    name, level and kind are shown but not sent, and the page says why."""
    from tinnhiem.conferences.models import Body, Conference

    campaign = conference.campaign
    body = campaign.body
    url = reverse("conferences:body_edit", args=[body.pk]) + f"?dot={campaign.pk}"
    assert f'href="{url}"' in office_client.get(reverse("conferences:campaign", args=[campaign.pk])).content.decode()
    page = office_client.get(url).content.decode()
    assert re.search(r'<input[^>]*name="name"[^>]*value="UBND thành phố Móng Cái"', page)
    assert re.search(r'<input[^>]*name="reports_to"[^>]*list="id_reports_to-known"', page)  # the bodies known
    assert '<datalist id="id_reports_to-known"></datalist>' in page  # not itself: the one body known
    data = {
        "name": "UBND thành phố Móng Cái",
        "level": "district",
        "system": "state",
        "reports_to": "UBND thành phố móng cái",
    }
    refused = office_client.post(url, data).content.decode()
    assert "Cơ quan không báo cáo chính mình" in refused and 'value="UBND thành phố móng cái"' in refused
    assert not Body.objects.filter(name="UBND tỉnh Quảng Ninh").exists()
    saved = office_client.post(url, {**data, "reports_to": "UBND tỉnh Quảng Ninh"}, follow=True)
    assert saved.redirect_chain == [(reverse("conferences:campaign", args=[campaign.pk]), 302)]
    assert "Báo cáo gửi: UBND tỉnh Quảng Ninh" in saved.content.decode()
    assert "in lại" not in saved.content.decode()  # nothing printed changed: the authority is in the report only
    assert "“UBND tỉnh Quảng Ninh” chưa có trong danh sách cơ quan" in saved.content.decode()  # made: said
    again = office_client.post(url, {**data, "reports_to": "ubnd tỉnh quảng ninh"}, follow=True)
    assert "chưa có trong danh sách cơ quan" not in again.content.decode()  # found: not said
    assert Body.objects.get(pk=body.pk).parent.name == "UBND tỉnh Quảng Ninh"
    # the unit that drafts its documents, printed “Lưu: VT, NV.”: one word, or refused in Vietnamese
    data["reports_to"] = "UBND tỉnh Quảng Ninh"
    refused = office_client.post(url, {**data, "drafting_unit": "N V"}).content.decode()
    assert "Hãy ghi chữ viết tắt tên đơn vị soạn thảo liền một từ" in refused and 'value="N V"' in refused
    unit = office_client.post(url, {**data, "drafting_unit": " NV "}, follow=True).content.decode()
    assert Body.objects.get(pk=body.pk).drafting_unit == "NV"
    # what the papers printed while preparing carry changed: the conference's papers to print again
    assert (
        f"Giấy mời, phiếu và danh sách của “{conference.title}” đã in trước khi sửa vẫn mang thông tin cũ "
        "của cơ quan: hãy in lại những giấy tờ đã in."
    ) in unit
    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.IN_SESSION)
    page = office_client.get(url).content.decode()
    assert re.search(r'<input[^>]*name="name"[^>]*disabled', page)
    assert "đã diễn ra với tên, cấp, loại cơ quan và cơ quan chủ quản này" in page
    assert (
        office_client.post(
            url, {**data, "name": "Sai", "reports_to": "UBND tỉnh Quảng Ninh", "symbol": "UBND"}
        ).status_code
        == 302
    )
    body.refresh_from_db()
    assert (body.name, body.symbol) == ("UBND thành phố Móng Cái", "UBND")  # the name as held; the symbol set
    for dot in ("abc", "٣", "99999999999999999999", str(campaign.pk + 1000)):  # opened by a bad link: home after
        assert office_client.get(url.split("?")[0], {"dot": dot}).status_code == 200, dot


def test_the_bodies_known_are_listed_and_an_authority_typed_wrongly_is_mended_or_removed(office_client, conference):
    """An authority made from a name typed on a form has a page of its own, from the list of
    bodies: the office mends its level there, or removes it once the body that named it names
    another; a body with a campaign, or that others report to, is not removed, and says why."""
    from tinnhiem.audit.models import Event
    from tinnhiem.conferences.models import Body

    campaign = conference.campaign
    body = campaign.body
    bodies_url = reverse("conferences:bodies")
    assert f'href="{bodies_url}"' in office_client.get(reverse("conferences:home")).content.decode()  # in the menu
    edit = reverse("conferences:body_edit", args=[body.pk])
    data = {"name": body.name, "level": "district", "system": "state", "reports_to": "UBND tinh Quang Ninh"}
    office_client.post(edit + f"?dot={campaign.pk}", data)  # typed without its accents: made
    wrong = Body.objects.get(name="UBND tinh Quang Ninh")
    page = office_client.get(bodies_url).content.decode()
    rows = re.findall(r'<tr id="co-quan-(\d+)" data-search="[^"]*">(.*?)</tr>', page, re.S)
    assert [int(pk) for pk, _row in rows] == [body.pk, wrong.pk]  # Vietnamese order: “thành” before “tinh”
    listed = dict((int(pk), row) for pk, row in rows)
    assert "Nhận báo cáo của: UBND thành phố Móng Cái" in listed[wrong.pk] and "chưa có" in listed[wrong.pk]
    assert f'href="#co-quan-{wrong.pk}">UBND tinh Quang Ninh</a>' in listed[body.pk]
    assert f'href="{reverse("conferences:campaign", args=[campaign.pk])}">{campaign.name}</a>' in listed[body.pk]
    assert f'href="{reverse("conferences:body_edit", args=[wrong.pk])}"' in listed[wrong.pk]

    wrong_url = reverse("conferences:body_edit", args=[wrong.pk])
    page = office_client.get(wrong_url).content.decode()
    assert f'<div class="crumbs"><a href="{bodies_url}">Cơ quan</a></div>' in page
    assert 'name="remove"' not in page  # its body reports to it
    assert "UBND thành phố Móng Cái báo cáo lên cơ quan này" in page
    mended = office_client.post(
        wrong_url, {"name": "UBND tỉnh Quảng Ninh", "level": "province", "system": "state"}, follow=True
    )
    assert mended.redirect_chain == [(bodies_url, 302)]  # back to the list it was opened from
    wrong.refresh_from_db()
    assert (wrong.name, wrong.level) == ("UBND tỉnh Quảng Ninh", "province")

    # a second authority typed wrongly, then the right one chosen: the wrong one is left alone, removed
    office_client.post(edit, {**data, "reports_to": "UBND tỉnh QN"})
    office_client.post(edit, {**data, "reports_to": "UBND tỉnh Quảng Ninh"})
    stray = Body.objects.get(name="UBND tỉnh QN")
    stray_url = reverse("conferences:body_edit", args=[stray.pk])
    assert 'name="remove"' in office_client.get(stray_url).content.decode()
    office_client.post(stray_url, {"remove": "1"})  # the box not ticked
    assert Body.objects.filter(pk=stray.pk).exists()
    removed = office_client.post(stray_url, {"remove": "1", "confirm": "1"}, follow=True)
    assert removed.redirect_chain == [(bodies_url, 302)]
    assert "Đã xoá cơ quan “UBND tỉnh QN”." in removed.content.decode()
    assert not Body.objects.filter(pk=stray.pk).exists()
    assert Event.objects.get(action="body.removed").data == {
        "body": stray.pk,
        "name": "UBND tỉnh QN",
        "level": "province",
    }
    again = office_client.post(stray_url, {"remove": "1", "confirm": "1"}, follow=True)  # a second click
    assert again.redirect_chain == [(bodies_url, 302)] and "đã được xoá trước đó" in again.content.decode()
    assert Event.objects.filter(action="body.removed").count() == 1

    page = office_client.get(edit).content.decode()  # a body with a campaign
    assert 'name="remove"' not in page and "Cơ quan đã có 1 đợt lấy phiếu" in page
    refused = office_client.post(edit, {"remove": "1", "confirm": "1"}, follow=True)
    assert "Không xoá được cơ quan này. Cơ quan đã có 1 đợt lấy phiếu" in refused.content.decode()
    assert Body.objects.filter(pk=body.pk).exists()


def test_the_bodies_are_searched_by_name_as_an_office_types_it(office_client, office):
    """Past a few bodies the page has a search: without marks it finds a name with any ("quang
    ninh"), with them only itself; the governing body's and the authority's names are searched
    too, and the rows carry what the page's script filters on while it is typed."""
    from tinnhiem.conferences.usecases import campaigns

    bodies_url = reverse("conferences:bodies")
    province = campaigns.create_body(office, name="UBND tỉnh Quảng Ninh", level="province")
    assert 'data-filter="#bodies"' not in office_client.get(bodies_url).content.decode()  # one body: no search
    campaigns.create_body(office, name="Sở Nội vụ", level="province", governing_body="UBND tỉnh Quảng Ninh")
    campaigns.create_body(office, name="UBND phường Móng Cái 1", level="commune", parent=province)
    for name in ("UBND xã Hùng Sơn", "UBND xã Hưng Đạo", "Đảng ủy xã A", "Đảng ủy xã B", "HĐND tỉnh", "UBND xã C"):
        campaigns.create_body(office, name=name, level="commune")
    page = office_client.get(bodies_url).content.decode()
    assert 'data-filter="#bodies"' in page and 'data-search="UBND phường Móng Cái 1 UBND tỉnh Quảng Ninh"' in page

    def found(query):
        shown = office_client.get(bodies_url, {"q": query}).content.decode()
        return re.findall(r'<tr id="co-quan-\d+" data-search="[^"]*">\s*<td>([^<]+)', shown), shown

    names, shown = found("quang ninh")
    assert names == ["Sở Nội vụ", "UBND phường Móng Cái 1", "UBND tỉnh Quảng Ninh"]
    assert "Tìm thấy 3 cơ quan." in shown and 'value="quang ninh"' in shown
    assert found("Hùng")[0] == ["UBND xã Hùng Sơn"] and found("hung")[0] == ["UBND xã Hùng Sơn", "UBND xã Hưng Đạo"]
    names, shown = found("Bộ Nội vụ")
    assert names == [] and "Không có cơ quan nào mang tên này." in shown
    # a found body's authority, which the search may leave out, is linked on the whole list
    names, shown = found("phường")
    assert names == ["UBND phường Móng Cái 1"]
    assert f'<a href="{bodies_url}#co-quan-{province.pk}">UBND tỉnh Quảng Ninh</a>' in shown


def test_what_the_database_refuses_as_changed_meanwhile_is_said_not_a_server_error(office, conference, monkeypatch):
    """A race no use case foresaw (a row removed, or a key taken, by another request between the
    page's checks and the commit): the person is told that nothing was recorded and to look before
    doing it again (409), in the page's language; the scan page's script gets the words as JSON."""
    from django.db import IntegrityError

    from tinnhiem.conferences.models import Body
    from tinnhiem.conferences.usecases import campaigns

    def refused(*args, **kwargs):
        raise IntegrityError('insert or update on table "conferences_body" violates foreign key constraint')

    monkeypatch.setattr(campaigns, "update_body", refused)
    browser = Client(raise_request_exception=False)
    browser.force_login(office)
    body = conference.campaign.body
    edit = reverse("conferences:body_edit", args=[body.pk])
    data = {"name": "Tên mới", "level": body.level, "system": body.system}
    response = browser.post(edit, data)
    page = response.content.decode()
    assert response.status_code == 409 and "<h1>Dữ liệu vừa được người khác thay đổi</h1>" in page
    assert "Việc đồng chí vừa gửi chưa được ghi" in page and "Không có gì được ghi nửa chừng." in page
    assert Body.objects.get(pk=body.pk).name == body.name
    browser.cookies["django_language"] = "en"
    english = browser.post(edit, data)
    assert english.status_code == 409 and "What you just sent was not recorded" in english.content.decode()
    script = browser.post(edit, data, headers={"X-Requested-With": "upload"})
    assert script.status_code == 409 and script.json()["error"].startswith("What you just sent was not recorded")


def test_a_campaign_refused_leaves_no_new_body_behind(office_client, roles, monkeypatch):
    from django.core.exceptions import ValidationError

    from tinnhiem.conferences.models import Body, Campaign

    def refuse(*args, **kwargs):  # the campaign is refused after its new body was made
        assert Body.objects.count() == 1
        raise ValidationError("Từ chối (thử).")

    monkeypatch.setattr(Campaign, "full_clean", refuse)
    data = {"new_body_name": "UBND xã A", "new_body_level": "commune", "name": "Đợt 1", "legal_basis": "KH 1"}
    response = office_client.post(
        reverse("conferences:campaign_create"),
        {**data, "term": "2025–2030", "rule_set": "qd96-2023", "rating_year": date.today().year},
    )
    assert response.status_code == 200 and "Từ chối (thử)." in response.content.decode()
    assert Body.objects.count() == 0 and Campaign.objects.count() == 0


def test_a_new_body_is_made_with_the_authority_its_reports_go_to(office_client, roles):
    """A body made on the new campaign's form is given, with it, the line above its name and the
    authority its results go up to: its report is addressed from the start, not to “cấp có thẩm
    quyền quản lý” until someone finds the body's page. The form sent twice makes one body and one
    authority; an authority of the body's own name is refused, and nothing is made."""
    from tinnhiem.audit.models import Event
    from tinnhiem.conferences.models import Body

    url = reverse("conferences:campaign_create")
    page = office_client.get(url).content.decode()
    assert 'name="new_body_reports_to"' in page and 'name="new_body_governing_body"' in page
    submission = re.search(r'name="submission" value="([0-9a-f]{32})"', page).group(1)
    data = {
        **NEW_CAMPAIGN,
        "new_body_name": "Thành ủy Móng Cái",
        "new_body_level": "district",
        "new_body_system": "party",
        "new_body_governing_body": "Đảng bộ tỉnh Quảng Ninh",
        "new_body_reports_to": "Ban Thường vụ Tỉnh ủy Quảng Ninh",
        "submission": submission,
    }
    refused = office_client.post(url, {**data, "new_body_reports_to": "thành ủy móng cái"})
    assert refused.status_code == 200 and "Cơ quan không báo cáo chính mình" in refused.content.decode()
    assert 'value="thành ủy móng cái"' in refused.content.decode()
    assert Body.objects.count() == 0 and Campaign.objects.count() == 0
    first, second = office_client.post(url, data), office_client.post(url, data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    body = Body.objects.get(name="Thành ủy Móng Cái")
    assert (body.governing_body, body.parent.name, body.parent.level) == (
        "Đảng bộ tỉnh Quảng Ninh",
        "Ban Thường vụ Tỉnh ủy Quảng Ninh",
        "province",  # made at the tier above
    )
    assert Body.objects.count() == 2 and Campaign.objects.count() == 1
    made = Event.objects.filter(action="body.created").order_by("seq")
    assert [e.data.get("reports_to") for e in made] == [None, "Ban Thường vụ Tỉnh ủy Quảng Ninh"]
    campaign_page = office_client.get(first["Location"]).content.decode()
    assert "Báo cáo gửi: Ban Thường vụ Tỉnh ủy Quảng Ninh" in campaign_page
    added = "“Ban Thường vụ Tỉnh ủy Quảng Ninh” chưa có trong danh sách cơ quan: đã thêm cơ quan mới này"
    assert added in campaign_page  # said, so that a name typed otherwise than the one known is seen
    # a second new body reporting to the same authority finds it, whatever its case; the names of
    # the bodies known are offered as the office types it, so that it is not typed without accents
    page = office_client.get(url).content.decode()
    field = re.search(r'<input[^>]*name="new_body_reports_to"[^>]*>', page).group(0)
    assert 'list="id_new_body_reports_to-known"' in field
    offered = re.search(r'<datalist id="id_new_body_reports_to-known">(.*?)</datalist>', page).group(1)
    assert re.findall(r'<option value="([^"]*)">', offered) == ["Ban Thường vụ Tỉnh ủy Quảng Ninh", "Thành ủy Móng Cái"]
    found = office_client.post(
        url,
        {
            **data,
            "new_body_name": "Huyện ủy Hải Hà",
            "new_body_reports_to": "ban thường vụ tỉnh ủy quảng ninh",
            "submission": "",
        },
        follow=True,
    )
    assert Body.objects.get(name="Huyện ủy Hải Hà").parent == body.parent and Body.objects.count() == 3
    assert "chưa có trong danh sách cơ quan" not in found.content.decode()  # found: nothing added


def test_import_error_shown_and_nothing_saved(office_client, conference):
    upload = xlsx([["Họ và tên", "Chức vụ", "Xếp loại"], ["A", "B", "Tốt"]])
    response = office_client.post(
        reverse("conferences:roster_import", args=[conference.pk]), {"file": upload}, follow=True
    )
    page = response.content.decode()
    assert "Chưa nhập tệp, không có dữ liệu nào được lưu" in page and "Xếp loại" in page
    assert Voter.objects.count() == 0


def test_import_then_search(office_client, conference):
    upload = xlsx([["Họ và tên", "Chức vụ"], ["Nguyễn Văn An", "Trưởng phòng"], ["Lê Thị Bích", "Hiệu trưởng"]])
    response = office_client.post(
        reverse("conferences:roster_import", args=[conference.pk]), {"file": upload}, follow=True
    )
    assert "Đã nhập 2 người ghi phiếu" in response.content.decode()
    page = office_client.get(reverse("conferences:roster", args=[conference.pk]), {"q": "bích"}).content.decode()
    assert "Lê Thị Bích" in page and "Nguyễn Văn An" not in page


def test_importing_a_roll_that_holds_a_rated_person_asks_to_confirm_and_no_file_is_said(
    office_client, conference, person
):
    url = reverse("conferences:roster_import", args=[conference.pk])
    page = office_client.post(url, {}, follow=True).text
    assert "Hãy chọn tệp để nhập." in page and not conference.voters.exists()
    upload = xlsx([["Họ và tên", "Chức vụ"], ["Trần Minh Đức", "Phó Chủ tịch UBND thành phố"], ["Lê Thị Bích", "CV"]])
    page = office_client.post(url, {"file": upload}, follow=True).text
    assert "Đã nhập 2 người ghi phiếu" in page
    said = page.split('class="messages"')[1].split("</ul>")[0]
    assert "Người được lấy phiếu có tên trong danh sách người ghi phiếu: Trần Minh Đức — Trần Minh Đức." in said


def test_rated_person_with_grounds_asks_for_a_decision(office_client, conference):
    url = reverse("conferences:rated", args=[conference.pk])
    page = office_client.post(url, {"full_name": "A", "post": "B", "retirement_notified": "on"}).content.decode()
    assert "không thuộc diện lấy phiếu" in page and "Hãy chọn quyết định" in page
    response = office_client.post(
        url,
        {
            "full_name": "A",
            "post": "B",
            "retirement_notified": "on",
            "decision": "excluded",
            "decision_note": "TB số 5",
        },
    )
    assert response.status_code == 302


def test_voter_link_reads_dossiers_and_sends_an_unsigned_opinion(client, office, conference, person, voter, pdf_bytes):
    from tinnhiem.conferences.usecases import dossiers

    dossier = dossiers.upload_dossier(
        office, person, kind="report", title="Báo cáo tự đánh giá", filename="a.pdf", data=pdf_bytes
    )
    url = links.invitation_url(voter)
    page = client.get(url).content.decode()
    assert "Kính gửi đồng chí Nguyễn Văn An" in page and "Báo cáo tự đánh giá" not in page  # not yet distributed
    dossiers.distribute_dossiers(office, conference)
    response = client.get(url)
    assert "Báo cáo tự đánh giá" in response.content.decode()
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "same-origin"
    doc = client.get(
        reverse("conferences:invitation_document", args=[voter.pk, links.invitation_mac(voter), "ho-so", dossier.pk])
    )
    assert doc.status_code == 200 and b"".join(doc.streaming_content) == pdf_bytes
    once = re.search(r'name="submission" value="([0-9a-f]{32})"', response.content.decode()).group(1)
    sent = {"rated_person": person.pk, "text": "Đồng tình với báo cáo", "submission": once}
    response = client.post(url, sent, follow=True)
    assert "Ý kiến đã được gửi" in response.content.decode()
    client.post(url, sent)  # the phone sends it again (a double tap, a retry on the hall's Wi-Fi)
    opinion = Opinion.objects.get()
    assert opinion.voter is None and opinion.signed_by == ""


def test_a_voter_s_link_serves_only_what_was_sent_to_the_voters_and_only_while_its_links_are_open(
    client, office, conference, person, voter, pdf_bytes
):
    from tinnhiem.conferences.usecases import dossiers, opinions

    dossier = dossiers.upload_dossier(office, person, kind="report", title="Báo cáo", filename="a.pdf", data=pdf_bytes)
    with_file = opinions.record_explanation(
        office, person, text="Giải trình", filename="gt.pdf", data=pdf_bytes + b"%gt"
    )
    text_only = opinions.record_explanation(office, person, text="Giải trình bằng lời, không có tệp")
    mac = links.invitation_mac(voter)

    def get(kind, doc, key=mac):
        return client.get(reverse("conferences:invitation_document", args=[voter.pk, key, kind, doc.pk]))

    assert get("ho-so", dossier).status_code == 404 and get("giai-trinh", with_file).status_code == 404  # not sent
    dossiers.distribute_dossiers(office, conference)
    opinions.distribute_explanations(office, conference)
    assert get("ho-so", dossier).status_code == 200
    response = get("giai-trinh", with_file)
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf_bytes + b"%gt"
    assert get("giai-trinh", text_only).status_code == 404  # no file to give
    assert get("ho-so", dossier, key="0" * len(mac)).status_code == 404  # another voter's link is not made up
    Conference.objects.filter(pk=conference.pk).update(date=date(2020, 1, 1))  # the links closed
    assert get("ho-so", dossier).status_code == 404 and get("giai-trinh", with_file).status_code == 404


def test_a_rated_person_s_link_is_closed_with_the_conference_and_gives_no_document_without_a_file(
    client, office, conference, person, pdf_bytes
):
    from tinnhiem.conferences.usecases import dossiers, opinions

    dossier = dossiers.upload_dossier(office, person, kind="report", title="Báo cáo", filename="a.pdf", data=pdf_bytes)
    text_only = opinions.record_explanation(office, person, text="Giải trình bằng lời")
    mac = links.explanation_mac(person)

    def get(kind, doc):
        return client.get(reverse("conferences:explanation_link_document", args=[person.pk, mac, kind, doc.pk]))

    assert get("ho-so", dossier).status_code == 200 and get("giai-trinh", text_only).status_code == 404
    with_file = opinions.record_explanation(office, person, text="Giải trình", filename="gt.pdf", data=pdf_bytes)
    response = get("giai-trinh", with_file)
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf_bytes
    assert get("khac", with_file).status_code == 404  # a kind of document there is not
    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.FINISHED)
    page = client.get(links.explanation_url(person))
    assert page.status_code == 410 and "Hội nghị đã kết thúc; đường dẫn này không còn sử dụng được." in page.text
    assert get("ho-so", dossier).status_code == 404


def test_voter_link_after_the_conference(client, conference, voter):
    # its day passed and it was not held (moved, or dropped): told so, not that it is over
    Conference.objects.filter(pk=conference.pk).update(date=date(2020, 1, 1))
    response = client.get(links.invitation_url(voter))
    assert response.status_code == 410 and "Ngày họp ghi trong giấy mời đã qua" in response.content.decode()
    assert "đã kết thúc" not in response.content.decode()
    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.FINISHED)
    response = client.get(links.invitation_url(voter))
    assert response.status_code == 410 and "đã kết thúc" in response.content.decode()


def test_a_conference_whose_date_passed_unopened_is_flagged_on_its_pages(office_client, conference, today):
    """Moved without its date changed, or no longer held: the office sees it before the links it sent
    stop working unnoticed and before the minutes would print the planned day."""
    pages = {
        "overview": reverse("conferences:conference", args=[conference.pk]),
        "campaign": reverse("conferences:campaign", args=[conference.campaign_id]),
        "home": reverse("conferences:home"),
    }

    def shown():
        return {name: office_client.get(url).content.decode() for name, url in pages.items()}

    for page in shown().values():
        assert 'id="date-passed"' not in page and "đã qua ngày họp" not in page
    yesterday = today - timedelta(days=1)
    Conference.objects.filter(pk=conference.pk).update(date=yesterday)
    seen = shown()
    warning = seen["overview"].split('id="date-passed">')[1].split("</div>")[0]
    assert f"Ngày họp của hội nghị, {yesterday:%d/%m/%Y}, đã qua mà hội nghị chưa khai mạc." in warning
    assert reverse("conferences:conference_edit", args=[conference.pk]) in warning
    assert "đã qua ngày họp" in seen["campaign"] and "đã qua ngày họp" in seen["home"]
    # held on its day (open, adjourned, finished): nothing to say
    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.IN_SESSION)
    for page in shown().values():
        assert 'id="date-passed"' not in page and "đã qua ngày họp" not in page
    # moved to today and still to be opened: nothing either
    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.PREPARING, date=today)
    for page in shown().values():
        assert 'id="date-passed"' not in page and "đã qua ngày họp" not in page


def test_the_invitation_qr_code_is_an_svg_file_a_browser_draws(office_client, conference, voter):
    """Served as a file of its own, the SVG needs its namespace (without it the page showed a
    broken image); it carries a personal link, so no cache keeps it. The browser journey reads
    the drawn code back."""
    response = office_client.get(reverse("conferences:invitation_qr", args=[conference.pk, voter.pk]))
    assert response["Content-Type"] == "image/svg+xml"
    assert b'xmlns="http://www.w3.org/2000/svg"' in response.content
    assert "no-store" in response["Cache-Control"]


def test_rated_person_link_records_an_explanation(client, office, conference, person):
    from tinnhiem.conferences.usecases import opinions

    # before any request is forwarded: no empty "answers" heading, and an explanation can still be sent
    url = links.explanation_url(person)
    page = client.get(url).content.decode()
    assert "Chưa có yêu cầu giải trình nào" in page and "Trả lời các yêu cầu" not in page
    response = client.post(url, {"text": "Báo cáo bổ sung"}, follow=True)
    assert "Đã ghi nhận giải trình" in response.content.decode()
    o = opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đề nghị làm rõ dự án X")
    opinions.classify_opinion(office, o, tag="requests_explanation")
    opinions.forward_requests(office, conference)
    page = client.get(url).content.decode()
    assert "Đề nghị làm rõ dự án X" in page and "Trả lời các yêu cầu" in page
    response = client.post(url, {"text": "Dự án X đã hoàn thành", "answers": [str(o.pk)]}, follow=True)
    assert "Đã ghi nhận giải trình" in response.content.decode()
    assert person.explanations.get(text="Dự án X đã hoàn thành").answers.get() == o


def test_rated_persons_page_says_when_and_what_the_office_holds_of_them(client, office, conference, person, pdf_bytes):
    """The rated person's own page: the day and place, when the voters must have the report (QĐ 96:
    15 days before) and when explanations are due (3 days before), and what the office holds of
    them, sent to the voters or not. Another person's papers are not listed."""
    from datetime import timedelta

    from tinnhiem.conferences.usecases import dossiers, opinions, rated

    other = rated.add_rated_person(office, conference, full_name="Lê Văn Khác", post="Phó Chủ tịch")
    dossiers.upload_dossier(
        office, person, kind="report", title="Báo cáo tự đánh giá", filename="a.pdf", data=pdf_bytes
    )
    dossiers.upload_dossier(
        office, other, kind="report", title="Báo cáo của người khác", filename="b.pdf", data=pdf_bytes
    )
    url = links.explanation_url(person)
    page = client.get(url).content.decode()
    day = conference.date
    assert f"Hội nghị được tổ chức ngày {day:%d/%m/%Y} tại Hội trường." in page
    assert f"chậm nhất ngày {day - timedelta(days=15):%d/%m/%Y}: đề nghị đồng chí gửi cơ quan tham mưu" in page
    assert f"Hạn gửi giải trình: chậm nhất ngày {day - timedelta(days=3):%d/%m/%Y}." in page
    yours = page[page.index('id="yours"') :].split("</div>")[0]
    assert 'Báo cáo tự đánh giá</a> — <span class="muted">chưa gửi người ghi phiếu</span>' in yours
    assert "người khác" not in yours
    dossiers.distribute_dossiers(office, conference)
    client.post(url, {"text": "Báo cáo bổ sung về dự án kè biển"})
    yours = client.get(url).content.decode().split('id="yours"')[1].split("</div>")[0]
    today = date.today()
    assert f"Báo cáo tự đánh giá</a> — đã gửi người ghi phiếu ngày {today:%d/%m/%Y}" in yours
    assert f"Giải trình nhận ngày {today:%d/%m/%Y}: “Báo cáo bổ sung về dự án kè biển” — " in yours
    opinions.distribute_explanations(office, conference)
    yours = client.get(url).content.decode().split('id="yours"')[1].split("</div>")[0]
    assert yours.count(f"đã gửi người ghi phiếu ngày {today:%d/%m/%Y}") == 2 and "chưa gửi" not in yours


def test_a_rated_persons_page_says_what_the_office_deleted_of_theirs_when_and_why(
    client, office, conference, person, pdf_bytes
):
    """A dossier or an explanation the person sent, deleted by the office before the voters got
    it, does not vanish from their page without a word: it says so, with the day and the reason.
    Another person's deletions are not listed, nor what the office recorded for them by mistake
    (meant for another person maybe)."""
    from tinnhiem.conferences.usecases import dossiers, opinions, rated

    other = rated.add_rated_person(office, conference, full_name="Lê Văn Khác", post="Phó Chủ tịch")
    url = links.explanation_url(person)
    assert "Chưa có." in client.get(url).content.decode().split('id="yours"')[1].split("</div>")[0]
    draft = dossiers.upload_dossier(
        None, person, kind="report", title="Báo cáo (bản nháp)", filename="a.pdf", data=pdf_bytes
    )
    wrong = opinions.record_explanation(None, person, text="Giải trình gửi nhầm về việc khác")
    theirs = dossiers.upload_dossier(
        office, other, kind="report", title="Báo cáo của người khác", filename="b.pdf", data=pdf_bytes
    )
    dossiers.remove_dossier(office, draft, reason="Bản nháp; đề nghị gửi bản chính thức")
    opinions.remove_explanation(office, wrong, reason="Không đúng nội dung được đề nghị")
    dossiers.remove_dossier(office, theirs, reason="Nhầm người")
    misplaced = opinions.record_explanation(office, person, text="Giải trình của đồng chí Lê Văn Khác")
    opinions.remove_explanation(office, misplaced, reason="Ghi nhầm người")
    yours = client.get(url).content.decode().split('id="yours"')[1].split("</div>")[0]
    today = date.today()
    assert (
        f"“Báo cáo (bản nháp)”: cơ quan tham mưu đã xoá ngày {today:%d/%m/%Y}, không gửi người ghi phiếu — "
        "lý do: Bản nháp; đề nghị gửi bản chính thức" in yours
    )
    assert (
        f"Giải trình “Giải trình gửi nhầm về việc khác”: cơ quan tham mưu đã xoá ngày {today:%d/%m/%Y}, không gửi "
        "người ghi phiếu — lý do: Không đúng nội dung được đề nghị" in yours
    )
    assert "người khác" not in yours and "Nhầm người" not in yours and "Chưa có." not in yours
    assert "Lê Văn Khác" not in yours and "Ghi nhầm người" not in yours


def test_a_rated_person_sends_their_own_report_for_the_office_to_send_on(
    client, office_client, office, conference, person, pdf_bytes
):
    """Through their own link: the report is received, not sent to the voters; sent again, it is
    kept once; a file that is not a PDF is refused in Vietnamese and nothing is saved, and the
    explanation form beside it stays empty. The office sees who sent it and sends it on."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tinnhiem.audit.models import Event
    from tinnhiem.conferences.usecases import dossiers, rated

    url = links.explanation_url(person)

    def send(name, data, title="Báo cáo tự đánh giá năm 2026"):
        upload = SimpleUploadedFile(name, data, content_type="application/pdf")
        return client.post(
            url, {"what": "dossier", "hs-kind": "report", "hs-title": title, "hs-file": upload}, follow=True
        )

    page = send("bao-cao.pdf", pdf_bytes).content.decode()
    assert "Đã nhận. Cơ quan tham mưu sẽ xem rồi gửi người ghi phiếu." in page
    dossier = person.dossiers.get()
    assert dossier.from_person and dossier.distributed_on is None and dossier.title == "Báo cáo tự đánh giá năm 2026"
    assert 'Báo cáo tự đánh giá năm 2026</a> — <span class="muted">chưa gửi người ghi phiếu</span>' in page
    event = Event.objects.get(action="dossier.uploaded")
    assert event.actor == "explanation-link" and event.data["person"] == person.pk
    assert "Đã nhận." in send("bao-cao.pdf", pdf_bytes).content.decode()  # sent again (a second try): one copy
    assert person.dossiers.count() == 1 and Event.objects.filter(action="dossier.uploaded").count() == 1

    page = send("bao-cao.docx", b"PK\x03\x04 a Word file").content.decode()
    assert "“bao-cao.docx” không phải tệp PDF, cũng không phải ảnh chụp (JPEG, PNG)" in page
    assert person.dossiers.count() == 1
    assert "errorlist" not in page.split('id="id_text"')[1]  # the explanation form, after it: untouched

    listing = office_client.get(reverse("conferences:dossiers", args=[conference.pk])).content.decode()
    assert 'Báo cáo tự đánh giá năm 2026</a> <span class="badge">do người được lấy phiếu tự gửi</span>' in listing
    audit = office_client.get(reverse("audit:events")).content.decode()
    assert "đường dẫn riêng của người được lấy phiếu" in audit and "rated-person-link</td>" not in audit
    overview = reverse("conferences:conference", args=[conference.pk])
    count = office_client.get(overview).content.decode().split('id="dossier-count"')[1].split("</div>")[0]
    assert "(1 chưa gửi người ghi phiếu)" in count  # the office sees that something waits
    assert dossiers.distribute_dossiers(office, conference) == 1
    count = office_client.get(overview).content.decode().split('id="dossier-count"')[1].split("</div>")[0]
    assert "chưa gửi" not in count
    # the person opens what they sent, through their link; another person's document, never
    mac = url.rstrip("/").split("/")[-1]
    own = reverse("conferences:explanation_link_document", args=[person.pk, mac, "ho-so", dossier.pk])
    assert f'href="{own}"' in page
    response = client.get(own)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Cache-Control"] == "no-store"
    other = rated.add_rated_person(office, conference, full_name="Lê Văn Khác", post="Phó Chủ tịch")
    theirs = dossiers.upload_dossier(
        office, other, kind="report", title="Của người khác", filename="k.pdf", data=pdf_bytes + b"%k"
    )
    link = "conferences:explanation_link_document"
    assert client.get(reverse(link, args=[person.pk, mac, "ho-so", theirs.pk])).status_code == 404
    assert client.get(reverse(link, args=[person.pk, mac, "khac", dossier.pk])).status_code == 404
    assert client.get(reverse(link, args=[person.pk, "0" * 32, "ho-so", dossier.pk])).status_code == 404


def test_a_rated_person_sends_the_photos_of_a_signed_report(client, office_client, conference, person):
    """Two pages photographed, chosen at once on the phone: one PDF of two pages, named after the
    first photo; the office's page offers the same."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = links.explanation_url(person)
    page = client.get(url).content.decode()
    assert 'name="hs-file" accept=".pdf,application/pdf,image/jpeg,image/png" multiple required' in page
    assert "Hoặc ảnh chụp các trang của tài liệu (JPEG, PNG), chọn cùng một lần" in page
    photos = [SimpleUploadedFile(f"IMG_{i}.jpg", photo(), content_type="image/jpeg") for i in (1, 2)]
    page = client.post(url, {"what": "dossier", "hs-kind": "report", "hs-file": photos}, follow=True).content.decode()
    assert "Đã nhận." in page and "IMG_1.jpg và 1 ảnh khác" in page
    document = pdfium.PdfDocument(person.dossiers.get().file.read())
    assert len(document) == 2
    document.close()
    listing = office_client.get(reverse("conferences:dossiers", args=[conference.pk])).content.decode()
    assert 'name="file" accept=".pdf,application/pdf,image/jpeg,image/png"' in listing


def test_english_is_available(office_client, conference):
    office_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = office_client.get(reverse("conferences:conference", args=[conference.pk])).content.decode()
    assert "Preparation deadlines" in page
    office_client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert (
        "Thời hạn chuẩn bị"
        in office_client.get(reverse("conferences:conference", args=[conference.pk])).content.decode()
    )


def test_browser_asking_for_english_still_gets_vietnamese_by_default(client, office, conference):
    client.force_login(office)
    page = client.get(reverse("conferences:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Các đợt lấy phiếu tín nhiệm" in page


def test_oversized_upload_is_refused_before_it_is_read(office_client, conference, settings):
    settings.TINNHIEM_MAX_REQUEST_BYTES = 1024 * 1024
    big = io.BytesIO(b"PK\x03\x04" + b"0" * (2 * 1024 * 1024))
    big.name = "ds.xlsx"
    response = office_client.post(reverse("conferences:roster_import", args=[conference.pk]), {"file": big})
    assert response.status_code == 413 and "Tệp quá lớn" in response.content.decode()
    assert Voter.objects.count() == 0


def test_the_photos_of_a_document_may_together_be_larger_than_another_upload(
    client, office_client, conference, person, settings
):
    """The pages that take a document take the photos of its pages: up to 100 MB a request (a
    phone's photo is 2 to 6 MB), where any other page takes 25; beyond, refused before it is read."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.TINNHIEM_MAX_REQUEST_BYTES = 1024 * 1024
    settings.TINNHIEM_MAX_DOCUMENT_REQUEST_BYTES = 3 * 1024 * 1024

    def photos(size: int) -> list:  # two photos that do not decode: refused by the page, once read
        return [SimpleUploadedFile(f"IMG_{i}.jpg", b"\xff\xd8\xff" + b"0" * size) for i in (1, 2)]

    office_page = reverse("conferences:dossiers", args=[conference.pk])
    sent = {"rated_person": person.pk, "kind": "report", "title": "", "file": photos(700 * 1024)}
    assert "Không đọc được ảnh “IMG_1.jpg”" in office_client.post(office_page, sent).content.decode()
    own_page = links.explanation_url(person)
    sent = {"what": "dossier", "hs-kind": "report", "hs-file": photos(700 * 1024)}
    assert "Không đọc được ảnh “IMG_1.jpg”" in client.post(own_page, sent).content.decode()
    record = reverse("conferences:explanation_record", args=[conference.pk, person.pk])
    sent = {"text": "Giải trình", "file": photos(700 * 1024)}
    assert "Không đọc được ảnh “IMG_1.jpg”" in office_client.post(record, sent).content.decode()
    refused = office_client.post(office_page, {"file": photos(2 * 1024 * 1024)})
    assert refused.status_code == 413 and "Tệp quá lớn" in refused.content.decode()
    assert person.dossiers.count() == 0
    # the larger limit is for a signed-in account, or a valid link: anyone else's request is held
    # to any page's before it is read (its body would be written to the disk first)
    wrong_link = own_page.rstrip("/") + "x/"  # a key no link has (keys are hexadecimal)
    scan_page = reverse("scanning:scan", args=[conference.pk, 1])
    for page in (office_page, record, wrong_link, scan_page):
        sent = {"what": "dossier", "hs-kind": "report", "hs-file": photos(700 * 1024)}
        assert Client().post(page, sent).status_code == 413, page
    assert client.post(own_page, sent).status_code == 200  # the valid link, as above


def test_a_date_is_typed_day_first_and_a_time_24_hour_whatever_the_browsers_language(office_client, conference):
    """Chromium's own date field shows mm/dd/yyyy on an English system, where 05/02 is the 2nd of
    May: dates are text fields, day first (05/02 is the 5th of February), ISO also read."""
    from datetime import date

    url = reverse("conferences:conference_edit", args=[conference.pk])
    page = office_client.get(url).content.decode()
    shown = conference.date.strftime("%d/%m/%Y")
    assert f'type="text" name="date" value="{shown}"' in page and 'placeholder="ngày/tháng/năm"' in page
    assert 'type="date"' not in page
    fields = {"title": conference.title, "place": conference.place, "convening_body": conference.convening_body}
    year = conference.date.year + 1
    for typed in (f"05/02/{year}", f"5/2/{year}", f"05-02-{year}", f"05.02.{year}", f"{year}-02-05", f" 05/02/{year} "):
        conference.date = date(year, 3, 1)
        conference.save(update_fields=["date"])
        response = office_client.post(url, {**fields, "date": typed})
        assert response.status_code == 302, (typed, response.content.decode()[:2000])
        conference.refresh_from_db()
        assert conference.date == date(year, 2, 5), typed
    for typed in (f"02/30/{year}", f"13/13/{year}", "5 tháng 2", f"05/02/{str(year)[2:]}"):
        page = office_client.post(url, {**fields, "date": typed}).content.decode()
        assert "Ghi ngày theo dạng ngày/tháng/năm, ví dụ 29/09/2023." in page, typed
        conference.refresh_from_db()
        assert conference.date == date(year, 2, 5)  # nothing saved
    # a year with a key next to the right one (2923, 1923), or typed with zeros before it
    for typed in ("05/02/2923", "05/02/1923", "05/02/0023", "0023-02-05"):
        page = office_client.post(url, {**fields, "date": typed}).content.decode()
        assert "Năm phải từ 1950 đến 2100: hãy gõ đủ bốn chữ số của năm, ví dụ 29/09/2023." in page, typed
        conference.refresh_from_db()
        assert conference.date == date(year, 2, 5)
    # the start time, 24-hour: the browser's time field asks for AM/PM on an English system
    assert 'name="start_time"' in page and 'type="time"' not in page and 'placeholder="giờ:phút"' in page
    typings = (("14:30", "14:30"), ("8h", "08:00"), ("8.15", "08:15"), ("07h45", "07:45"), ("7g30", "07:30"))
    typings += (("14g", "14:00"), ("8 giờ 30", "08:30"), ("8 giờ 30 phút", "08:30"), ("14 giờ", "14:00"))
    typings += ((unicodedata.normalize("NFD", "9 giờ 15"), "09:15"),)  # Unikey's "Unicode tổ hợp"
    for typed, expected in typings:
        assert office_client.post(url, {**fields, "date": f"05/02/{year}", "start_time": typed}).status_code == 302
        conference.refresh_from_db()
        assert f"{conference.start_time:%H:%M}" == expected, typed
    page = office_client.post(url, {**fields, "date": f"05/02/{year}", "start_time": "2:30 PM"}).content.decode()
    assert "Ghi giờ theo dạng giờ:phút (24 giờ), ví dụ 14:00." in page


def test_paper_opinions_page_double_submit_sticky_fields_and_filters(office_client, office, conference, person):
    """The office types a pile of letters: a double click saves one opinion; the form comes back
    with the last letter's person and day; the list filters by person and by classification."""
    from datetime import timedelta

    from tinnhiem.conferences.usecases import opinions, rated

    other = rated.add_rated_person(office, conference, full_name="Lê Thị Hồng Nhung", post="Phó Chủ tịch")
    url = reverse("conferences:opinions", args=[conference.pk])
    page = office_client.get(url).content.decode()
    once = re.search(r'<input type="hidden" name="submission" value="([0-9a-f]{32})"', page).group(1)
    assert 'for="id_submission"' not in page  # a hidden field has no label
    day = (date.today() - timedelta(days=3)).strftime("%d/%m/%Y")
    letter = {"rated_person": other.pk, "text": "Nhất trí với báo cáo", "received_on": day, "submission": once}
    first = office_client.post(url, letter)
    assert first.status_code == 302 and first.url == url + "#nhap-y-kien"
    assert office_client.post(url, letter).status_code == 302  # the second click
    assert Opinion.objects.count() == 1
    page = office_client.get(url).content.decode()
    assert re.search(r'id="nhap-y-kien">.*Đã ghi nhận ý kiến\..*name="text"[^>]*autofocus', page, re.S)
    assert "Đã ghi nhận ý kiến" not in office_client.get(url).content.decode()  # said once
    assert f'<option value="{other.pk}" selected>' in page and f'value="{day}"' in page
    assert once not in page  # a new form, a new id
    opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đề nghị làm rõ dự án X")
    opinions.enter_paper_opinion(office, conference, rated_person=None, text="Ý kiến chung về hội nghị")
    shown = office_client.get(url, {"person": other.pk}).content.decode()
    assert "Nhất trí với báo cáo" in shown and "dự án X" not in shown and "1 ý kiến được hiển thị" in shown
    shown = office_client.get(url, {"person": "general"}).content.decode()
    assert "Ý kiến chung" in shown and "Nhất trí" not in shown and "dự án X" not in shown
    for bogus in ("' or 1=1", "²", "9" * 30):  # no filter, not an error
        assert "Nhất trí" in office_client.get(url, {"person": bogus}).content.decode()
    shown = office_client.get(url, {"person": "' or 1=1", "tag": "bogus"}).content.decode()
    assert "Nhất trí" in shown and "dự án X" in shown and "được hiển thị" not in shown
    # classifying from a filtered list comes back to it, at the row
    opinion = Opinion.objects.get(text="Nhất trí với báo cáo")
    response = office_client.post(
        reverse("conferences:opinion_classify", args=[conference.pk, opinion.pk]),
        {"tag": "agrees", "filter": "", "person_filter": str(other.pk)},
    )
    assert response.url == f"{url}?person={other.pk}#y-kien-{opinion.pk}"


@pytest.mark.django_db
def test_the_site_icon_is_served_from_the_site_itself(client, office_client):
    """Every page names its icon; a page that does not (the administration pages, a browser's own
    guess) gets it at /favicon.ico too: no 404 in the server's log on every page."""
    page = office_client.get(reverse("conferences:home")).content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    assert icon == "/static/tinnhiem/icon.svg"
    served = client.get(icon)
    assert served.status_code == 200 and b"<svg" in b"".join(served.streaming_content)
    guessed = client.get("/favicon.ico")  # without an account too
    assert guessed.status_code == 301 and guessed["Location"] == icon
