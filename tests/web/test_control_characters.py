"""Control characters pasted into a field (a NUL from a damaged file, Word's line break): never
stored, never a server error. PostgreSQL refuses NUL in a text column and in JSON, and the Word
documents (XML) refuse every control character; on PostgreSQL the chair's reason for opening the
vote without a quorum, sent with a NUL, was a server error ("500")."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tinnhiem.audit.models import Event
from tinnhiem.conferences.usecases import day, roster
from tinnhiem.text import clean_block, clean_line


@pytest.mark.parametrize(
    "typed, line, block",
    [
        ("Nguyễn\x00 Văn An", "Nguyễn Văn An", "Nguyễn Văn An"),
        ("Dòng một\x0bDòng hai", "Dòng một Dòng hai", "Dòng một\nDòng hai"),  # Word's line break
        ("Trang một\x0cTrang hai\x7f", "Trang một Trang hai", "Trang một\nTrang hai"),
        ("a\x01\x02\x1b[31mb\tc", "a[31mb c", "a[31mb\tc"),
        # characters that show nothing, pasted from a web page, a chat or a PDF
        ("Nguyễn Văn\u200b An", "Nguyễn Văn An", "Nguyễn Văn An"),
        ("\ufeffNguyễn Văn An\u2060", "Nguyễn Văn An", "Nguyễn Văn An"),
        ("\u202bTrần Thị\u202c Bình\u200e", "Trần Thị Bình", "Trần Thị Bình"),
        ("Lê\u00ad Văn\u200d Cường", "Lê Văn Cường", "Lê Văn Cường"),
        # one between a letter and its tone marks (NFD), taken out before the marks are composed
        ("Nguye\u200b\u0302\u0303n", "Nguyễn", "Nguyễn"),
        # the Icelandic eth for Đ, as some web pages wrote Vietnamese
        ("\u00d0ặng Văn \u00d0ức, \u00f0ội 1", "Đặng Văn Đức, đội 1", "Đặng Văn Đức, đội 1"),
    ],
)
def test_control_characters_are_taken_out_of_every_text(typed, line, block):
    assert clean_line(typed) == line
    assert clean_block(typed) == block


@pytest.mark.parametrize("sent", ["Cấp trên\x00 đồng ý\x0bcho tiếp tục", "Cấp trên\u200b đồng ý\ncho tiếp tục"])
def test_a_reason_sent_with_a_nul_is_stored_without_it(office, make_user, conference, person, sent):
    chair = make_user("chair", "chu-tri")
    voters = [roster.add_voter(office, conference, full_name=f"Người {i}", post="Chuyên viên") for i in range(3)]
    day.open_conference(chair, conference, held_today=True)
    day.check_in(office, conference, voters[:1])  # 1 of 3: no quorum
    client = Client()
    client.force_login(chair)
    url = reverse("conferences:chair", args=[conference.pk])
    response = client.post(url, {"action": "override", "reason": sent}, follow=True)
    assert response.status_code == 200 and "Đã ghi nhận." in response.content.decode()
    conference.refresh_from_db()
    assert conference.quorum_override_reason == "Cấp trên đồng ý\ncho tiếp tục"
    event = Event.objects.filter(action="quorum.overridden").get()
    assert event.data["reason"] == "Cấp trên đồng ý\ncho tiếp tục"


def test_a_search_with_a_control_character_finds_what_it_would_without(office, conference, voter):
    client = Client()
    client.force_login(office)
    page = client.get(reverse("conferences:roster", args=[conference.pk]), {"q": "Nguyễn\x00 Văn"})
    assert page.status_code == 200 and "Nguyễn Văn An" in page.content.decode()


def test_a_name_pasted_with_words_line_break_is_stored_as_one_line(office, conference):
    voter = roster.add_voter(office, conference, full_name="Lê Thị\x0bHồng Nhung", post="Trưởng phòng\x00 Nội vụ")
    voter.refresh_from_db()
    assert (voter.full_name, voter.post) == ("Lê Thị Hồng Nhung", "Trưởng phòng Nội vụ")
