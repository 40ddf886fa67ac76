"""Searching a list of names as a Vietnamese office types: often without the marks of the
letters ("nguyen van hung"), sometimes with them ("Hùng", to tell it from "Hưng")."""

from __future__ import annotations

import unicodedata

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tinnhiem.conferences.usecases import roster
from tinnhiem.text import matches, strip_marks


@pytest.mark.parametrize(
    ("typed", "text", "found"),
    [
        ("nguyen van hung", "Nguyễn Văn Hùng", True),
        ("NGUYEN", "Nguyễn Văn Hùng", True),
        ("dinh", "Đinh Thị Lan", True),  # đ is typed d
        ("hùng", "Nguyễn Văn Hùng", True),
        ("hùng", "Lê Văn Hưng", False),  # a letter typed with its marks finds only itself
        ("hưng", "Lê Văn Hưng", True),
        ("nguyễn van", "Nguyễn Văn Hùng", True),  # marks on some letters only
        ("nguyễn vắn", "Nguyễn Văn Hùng", False),
        ("đinh", "Dinh Văn A", False),
        ("van  hung ", "Nguyễn Văn Hùng", True),  # spaces as the list has them
        ("truong phong", "Lê Thị Bích Trưởng phòng", True),
        ("hung van", "Nguyễn Văn Hùng", False),
        ("", "Nguyễn Văn Hùng", True),
        ("Nguyễn Văn Hùng An", "Nguyễn Văn Hùng", False),
    ],
)
def test_a_letter_without_marks_finds_it_with_any(typed, text, found):
    assert matches(typed, text) is found


LETTERS = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
names = st.lists(st.text(alphabet=LETTERS, min_size=1, max_size=7), min_size=1, max_size=4).map(" ".join)


@given(name=names, data=st.data())
def test_a_name_is_found_by_any_part_of_it_typed_with_or_without_marks(name, data):
    start = data.draw(st.integers(0, len(name) - 1))
    end = data.draw(st.integers(start + 1, len(name)))
    part = name[start:end]
    for typed in (part, part.upper(), strip_marks(part), unicodedata.normalize("NFD", part)):
        assert matches(typed, name.title()), typed


def test_the_roll_and_check_in_find_a_name_typed_without_marks(office, conference):
    for full_name in ("Nguyễn Văn Hùng", "Lê Văn Hưng", "Đỗ Thu Hà", "Phạm Quốc Hải"):
        roster.add_voter(office, conference, full_name=full_name, post="Trưởng phòng")
    client = Client()
    client.force_login(office)

    def shown(name: str, typed: str) -> list[str]:
        page = client.get(reverse(name, args=[conference.pk]), {"q": typed}).content.decode()
        return [n for n in ("Nguyễn Văn Hùng", "Lê Văn Hưng", "Đỗ Thu Hà", "Phạm Quốc Hải") if n in page]

    for name in ("conferences:roster", "conferences:attendance"):
        assert shown(name, "nguyen van hung") == ["Nguyễn Văn Hùng"]
        assert shown(name, "van hung") == ["Nguyễn Văn Hùng", "Lê Văn Hưng"]
        assert shown(name, "hưng") == ["Lê Văn Hưng"]
        assert shown(name, "do thu") == ["Đỗ Thu Hà"]
        assert shown(name, "ha") == ["Đỗ Thu Hà", "Phạm Quốc Hải"]
        assert shown(name, "hà") == ["Đỗ Thu Hà"]
        assert shown(name, "truong phong") == ["Nguyễn Văn Hùng", "Lê Văn Hưng", "Đỗ Thu Hà", "Phạm Quốc Hải"]
