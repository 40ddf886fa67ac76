"""``{{ tracking|code_groups }}``: a receipt code shown large, as its groups ("16QTK-53CZZ").

Where the line is too short for the whole code (a small phone with its text set large), each
group goes on a line of its own and the dash is not shown (app.css), rather than the code being
broken inside a group ("16QTK" / "-53CZ" / "Z"), which a voter copying it down could misread.
"""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def code_groups(code: str) -> SafeString:
    dash = mark_safe('<span class="dash">-</span>')
    return format_html_join(dash, '<span class="group">{}</span>', ((group,) for group in str(code).split("-")))
