"""The contrast check that every screenshot of the journeys passes (``LOW_CONTRAST``, in the
``shot`` fixture), on text of known colours."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LOW_CONTRAST

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_contrast_check_finds_pale_text_and_passes_what_is_readable(new_page):
    page = new_page()
    page.set_content(
        '<body style="background:#fff">'
        '<p style="color:#999">Xám nhạt</p>'  # 2.85 to 1 on white
        '<p style="color:#1f2937">Chữ thường</p>'
        '<p style="color:#fff;background:#a3161a">Chữ trắng trên nền đỏ</p>'
        '<p style="color:#777;font-size:24px">Chữ lớn</p>'  # 4.48 to 1: enough for large text
        '<p style="color:#777">Chữ nhỏ</p>'  # ... not for small
        '<div style="background:rgba(0,0,0,.5)"><span style="color:#555">Trên nền trong suốt</span></div>'
        '<p style="color:#1f2937;opacity:.3">Mờ đi</p>'
        '<button disabled style="color:#ccc">Nút đã tắt</button>'
        "</body>"
    )
    assert [text for text, *_ in page.evaluate(LOW_CONTRAST)] == [
        "Xám nhạt",
        "Chữ nhỏ",
        "Trên nền trong suốt",
        "Mờ đi",
    ]
