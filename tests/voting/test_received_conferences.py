"""The managing authority sees how each conference was held, from its signed record: present
against the quorum its rule set requires, the chair's reason for going on without it, the
sessions adjourned before the vote, and the votes discarded and held again."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.voting.conftest import ROLES
from tests.voting.test_repeat_vote import type_stack
from tinnhiem.audit.chain import fingerprint
from tinnhiem.audit.log import minutes_point
from tinnhiem.audit.received import check_record, received_summary, received_xlsx
from tinnhiem.audit.record import export_record, public_key_b64
from tinnhiem.conferences.usecases import day
from tinnhiem.voting.usecases import counting, repeat

ADJOURNED = "Chỉ 7 trong 12 đại biểu có mặt do mưa lũ"
OVERRIDE = "Cấp ủy cấp trên đồng ý cho tiến hành"
REPEATED = "Hòm phiếu có 8 phiếu trong khi chỉ phát ra 7 phiếu"


def _record(data: bytes, name: str = "ho-so.zip"):
    record = check_record(name, data, [public_key_b64().encode()])
    assert record.ok, record.verdict.problems
    return record


@pytest.fixture
def held_hard(office, chair, counters, day_conference, today):
    """Adjourned once with 7 of 12 present; held with 7 of 12 on the chair's decision; the vote on
    its form held again after the box had more ballots than issued; counted and finished."""
    conference, _people, voters = day_conference
    day.open_conference(chair, conference, held_today=True)
    day.check_in(office, conference, voters[:7])
    day.adjourn_conference(chair, conference, reason=ADJOURNED, new_date=today + timedelta(days=7), today=today)
    day.open_conference(chair, conference, today=today + timedelta(days=7))  # held again on its new day
    day.check_in(office, conference, voters[:7])
    day.override_quorum(chair, conference, reason=OVERRIDE)
    for voter, role, user in zip(voters[:3], ROLES[:3], counters[:3], strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=user)
    day.record_committee_approval(chair, conference, votes_for=7, against=0, abstaining=0)
    day.open_voting(chair, conference)
    form = conference.ballot_forms.get()
    day.close_voting(chair, conference)
    counting.record_ballot_counts(counters[0], form, issued=7, collected=7)
    type_stack(counters, form, ["11", "22"])
    repeat.repeat_form_vote(chair, form, reason=REPEATED)
    day.close_voting(chair, conference)
    counting.record_ballot_counts(counters[0], form, issued=7, collected=7)
    type_stack(counters, form, ["11"] * 7, devices=("c", "d"))
    counting.finalise_form(counters[0], form)
    conference.refresh_from_db()
    assert conference.status == conference.Status.FINISHED
    return conference


def test_the_authority_sees_the_quorum_the_adjournment_and_the_vote_held_again(held_hard, office, client):
    data = export_record(held_hard)
    summary = received_summary([_record(data)])
    [hard] = summary["conferences"]
    assert (hard["convened"], hard["present"], hard["quorum_required"], hard["short_of_quorum"]) == (12, 7, 8, True)
    assert hard["quorum_override"] == OVERRIDE
    assert [(a["present"], a["convened"], a["reason"]) for a in hard["adjournments"]] == [(7, 12, ADJOURNED)]
    form_name = held_hard.ballot_forms.get().name
    assert hard["repeated"] == [{"form": form_name, "reason": REPEATED, "collected": 7}]
    session, later = hard["adjournments"][0]["session_date_text"], hard["adjournments"][0]["new_date_text"]
    assert later == held_hard.date.strftime("%d/%m/%Y") and session != later
    assert hard["notes"] == [
        "Số người có mặt ít hơn quy định: có mặt 7, cần 8.",
        f"Chủ trì hội nghị quyết định tiến hành khi không đủ số người có mặt: {OVERRIDE}",
        f"Phiên họp ngày {session} (có mặt 7/12) đã hoãn sang ngày {later}: {ADJOURNED}",
        f"Mẫu phiếu “{form_name}”: đã bỏ phiếu lại, không tính lần bỏ phiếu trước (đã thu 7 phiếu): {REPEATED}",
    ]

    # the minutes, which go up with the record, say the same of the session adjourned
    from tinnhiem.documents.official import minutes_context

    intro = minutes_context(held_hard)["intro"]
    assert hard["notes"][2] + "." in intro and f"Chủ trì hội nghị quyết định tiến hành: {OVERRIDE}." in intro

    book = load_workbook(io.BytesIO(received_xlsx(summary)))
    assert book.sheetnames == ["qd96-2023", "Hội nghị"]
    rows = [[c.value for c in row] for row in book["Hội nghị"].iter_rows()]
    assert rows[0] == [
        "Hội nghị",
        "Ngày",
        "Địa điểm",
        "Tệp hồ sơ",
        "Dấu vân tay trên biên bản",
        "Triệu tập",
        "Có mặt",
        "Số cần có mặt",
        "Cần xem",
    ]
    # the fingerprint that the unit's paper minutes print, to compare with them
    printed = fingerprint(minutes_point(held_hard)[1])
    assert rows[1][3:8] == ["ho-so.zip", printed, 12, 7, 8] and rows[1][8] == "\n".join(hard["notes"])
    assert book["Hội nghị"].cell(row=2, column=9).alignment.wrap_text

    client.force_login(office)
    page = client.post(
        reverse("audit:received"),
        {"records": [SimpleUploadedFile("ho-so.zip", data)], "keys": public_key_b64()},
    ).content.decode()
    assert "1 hội nghị đã bỏ phiếu khi số người có mặt ít hơn quy định" in page
    table = page[page.index('id="conferences"') :]
    assert all(note in table for note in hard["notes"])
    assert f'Dấu vân tay trên biên bản: <strong class="fingerprint">{printed}</strong>' in table


def test_a_record_made_before_these_were_kept_has_no_adjournment_nor_vote_held_again(held_hard):
    """A record exported by an earlier version has no ``adjournments`` nor ``repeated`` per form:
    read as none, not refused; what its attendance says is still shown."""
    import json
    import zipfile

    from tinnhiem.audit.received import Received

    record = _record(export_record(held_hard))
    source = zipfile.ZipFile(io.BytesIO(record.data))
    data = json.loads(source.read("record.json"))
    del data["adjournments"]
    for form in data["forms"]:
        del form["repeated"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as older:
        for name in source.namelist():
            older.writestr(name, json.dumps(data) if name == "record.json" else source.read(name))
    [conference] = received_summary([Received("cu.zip", record.verdict, 0, out.getvalue())])["conferences"]
    assert (conference["adjournments"], conference["repeated"]) == ([], [])
    assert len(conference["notes"]) == 2 and conference["notes"][1].endswith(OVERRIDE)


def test_a_vote_held_again_before_any_ballot_was_recorded_gives_no_count():
    """The box held more than were issued, so the count was refused and nothing recorded: the note
    does not say "0 ballots collected"."""
    from tinnhiem.audit.received import conference_notes

    held = {"short_of_quorum": False, "quorum_override": "", "adjournments": []}
    once = [{"form": "Phiếu tín nhiệm", "reason": REPEATED, "collected": 0}]
    assert conference_notes({**held, "repeated": once}) == [
        f"Mẫu phiếu “Phiếu tín nhiệm”: đã bỏ phiếu lại, không tính lần bỏ phiếu trước: {REPEATED}"
    ]
    assert conference_notes({**held, "repeated": []}) == []


def test_the_office_summary_and_its_report_say_the_same(held_hard, office, client):
    """The campaign's summary, its page and its report to the authority name what the authority's
    page of received records names, in the same words."""
    from tests.documents.conftest import pdf_pages
    from tinnhiem.documents.official import render_summary_pdf
    from tinnhiem.text import full_stop
    from tinnhiem.voting.summary import campaign_summary

    [record] = received_summary([_record(export_record(held_hard))])["conferences"]
    [conference] = campaign_summary(held_hard.campaign)["conferences"]
    assert conference["notes"] == record["notes"] and len(conference["notes"]) == 4
    assert (conference["short_of_quorum"], conference["quorum_required"]) == (True, 8)
    client.force_login(office)
    page = client.get(reverse("voting:campaign_results", args=[held_hard.campaign_id])).content.decode()
    assert all(note in page for note in record["notes"])
    text = " ".join(" ".join(pdf_pages(render_summary_pdf(held_hard.campaign))).split())
    assert all(full_stop(note) in text for note in record["notes"])  # each its own sentence
    assert f"{record['notes'][0]} Chủ trì hội nghị" in text  # one sentence after another


@pytest.mark.parametrize("present, short", [(122, False), (121, True), (183, False)])
def test_a_conference_is_short_of_quorum_only_below_the_number_required(present, short):
    """183 convened: 122 is exactly two thirds, enough (QĐ 96: "ít nhất 2/3"); 121 is not."""
    from tinnhiem.audit.received import how_held

    held = how_held({"present": present, "quorum_required": 122}, [], [])
    assert held["short_of_quorum"] is short
    assert bool(held["notes"]) is short


def test_keys_pasted_one_per_line_are_taken_only_when_each_is_a_whole_key():
    """A key copied with a stray character, cut short, or two run together is refused by its line
    number, not read as some other key."""
    import base64

    from tinnhiem.audit.received import parse_public_keys

    key = base64.b64encode(bytes(range(32))).decode()
    assert parse_public_keys(f"\n  {key}  \n\n{key}\n") == [key.encode(), key.encode()]
    for text, line in (
        (f"{key}\n{key[:-4]}", 2),
        (f"{key[:10]}!{key[10:]}", 1),
        (key + key, 1),
        (f"{key}\nđiện tử: {key[:-2]}= (dấu vân tay 42E6-C79F-023C-2E9F).", 2),
        ("Khoá công khai ký hồ sơ", 1),
    ):
        with pytest.raises(ValueError) as info:
            parse_public_keys(text)
        assert info.value.args == (line,)
    # a line copied from a unit's report, with the words around the key; two keys on one line
    other = base64.b64encode(bytes(range(32, 64))).decode()
    copied = f"điện tử: {key} (dấu vân tay 42E6-C79F-023C-2E9F).\r\n{key}, {other}"
    assert parse_public_keys(copied) == [key.encode(), key.encode(), other.encode()]
