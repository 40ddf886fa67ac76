"""``{{ text|in_language }}``: a rule set's own words (a level, a consequence, a rule set's name, a
reason that voids a ballot) in the language of the page: in English, their English
(``tinnhiem.rules.english``); in Vietnamese, and for any text no rule set says, the text itself.

Loaded in every template (``TEMPLATES``' ``builtins``). Never for a value a form sends back to be
stored (the list of reasons to choose from): what is stored is the official Vietnamese.

``{{ lv.percent|percent }}``: a percentage the tally wrote with the decimal comma, with the page's
decimal separator (``tinnhiem.i18n.percent_in_language``)."""

from django import template

from tinnhiem.i18n import percent_in_language, rule_words

register = template.Library()


@register.filter
def in_language(text) -> str:
    return rule_words(str(text) if text is not None else "")


@register.filter
def percent(text) -> str:
    """``{{ lv.percent|percent }}``: "79,66%" with the page's decimal separator ("79.66%" in English)."""
    return percent_in_language(str(text) if text is not None else "")
