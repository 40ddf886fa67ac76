"""The English of a rule set's own words, for a page read in English.

What the rule sets say (a rule set's name, a level's label, a consequence, a reason that makes a
whole ballot invalid) is data in Vietnamese, with its English beside it (``name_en``,
``label_en``, ``consequence_en``). The minutes, the records and the results store the Vietnamese:
they are the official text, and stay so. A page shown in English looks each such text up here and
shows its English; a text no built-in rule set says (a reason the committee typed, a record of a
rule set of another site) is shown as it is. An article cited (``Nghị quyết 96/2023/QH15, Điều 12
khoản 1``) is the name of a law, in every language: a citation that says only that has no
English; one that says more (what the article provides, where the text is not checked) has its
English beside it (``text_en``), and keeps the article's name in it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from functools import cache
from typing import Any

from .loader import builtin_rule_sets
from .model import Citation, consequence_text


def _citations(value: Any) -> Iterator[Citation]:
    """Every citation a rule set holds, wherever it stands in it."""
    if isinstance(value, Citation):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _citations(getattr(value, field.name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _citations(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _citations(item)


@cache
def english_words() -> dict[str, str]:
    """Each Vietnamese text of the built-in rule sets → its English. A text said twice is said in
    one English everywhere, or this fails (a test builds it)."""
    pairs: list[tuple[str, str]] = []
    for rules in builtin_rule_sets():
        pairs.append((rules.name, rules.name_en))
        pairs += [(level.label, level.label_en) for level in rules.levels]
        pairs += [(reason.label, reason.label_en) for reason in rules.validity.whole_ballot_reasons]
        for step in rules.outcomes:
            pairs.append((step.consequence, step.consequence_en))
            # as results and minutes store it: the consequence with its article
            pairs.append((step.text(), consequence_text(step.consequence_en, step.citation.text)))
        pairs += [(c.text, c.text_en) for c in _citations(rules) if c.text_en]
    words: dict[str, str] = {}
    for vietnamese, english in pairs:
        if words.setdefault(vietnamese, english) != english:
            raise ValueError(f"two English texts for {vietnamese!r}: {words[vietnamese]!r}, {english!r}")
    return words


def in_language(text: str, language: str | None) -> str:
    """``text`` in ``language``: its English when the language is English and a built-in rule set
    says it; otherwise ``text`` as it is."""
    if not text or not language or language.lower().startswith("vi"):
        return text
    return english_words().get(text, text)
