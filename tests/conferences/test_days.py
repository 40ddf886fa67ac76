"""A date typed (day/month/year, or ISO) and the years it may fall in, 1950 to 2100: the year is
read with four digits, so "0023" or a key next to the right one (2923, 1923) is refused, not kept."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tinnhiem.conferences.forms import DayField
from tinnhiem.text import parse_day


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("01/01/1950", date(1950, 1, 1)),
        ("31/12/2100", date(2100, 12, 31)),
        ("2100-12-31", date(2100, 12, 31)),
        ("31/12/1949", None),
        ("01/01/2101", None),
        ("29/09/0023", None),
        ("0023-09-29", None),
        ("29/09/23", None),
    ],
)
def test_the_years_a_typed_date_may_fall_in(typed, day):
    assert parse_day(typed) == day
    if day is None and typed != "29/09/23":
        assert parse_day(typed, any_year=True) is not None  # a date, of a year out of bounds
    field = DayField()
    if day is not None:
        assert field.clean(typed) == day
        return
    with pytest.raises(ValidationError) as info:
        field.clean(typed)
    expected = "Năm phải từ 1950 đến 2100" if typed != "29/09/23" else "Ghi ngày theo dạng ngày/tháng/năm"
    assert info.value.messages[0].startswith(expected)


def test_an_empty_day_left_empty_is_no_day():
    assert DayField(required=False).clean("") is None
