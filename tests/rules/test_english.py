"""The English of the rule sets' own words, for a page read in English (tinnhiem.rules.english)."""

from __future__ import annotations

import re

import pytest

from tinnhiem.rules import builtin_rule_set, builtin_rule_sets
from tinnhiem.rules.english import english_words, in_language
from tinnhiem.rules.model import consequence_alone


def test_every_rule_set_says_each_of_its_words_in_one_english():
    words = english_words()  # fails on a Vietnamese text given two English ones
    for rules in builtin_rule_sets():
        assert words[rules.name] == rules.name_en
        assert [words[lv.label] for lv in rules.levels] == [lv.label_en for lv in rules.levels]
        for reason in rules.validity.whole_ballot_reasons:
            assert words[reason.label] == reason.label_en
        for step in rules.outcomes:
            assert words[step.consequence] == step.consequence_en
            # as the results store it, with its article, and as a table shows it, without
            english = words[step.text()]
            assert english == f"{step.consequence_en} ({step.citation.text})."
            assert consequence_alone(english, step.citation.text) == step.consequence_en
    assert all(vietnamese != english for vietnamese, english in words.items())


@pytest.mark.parametrize("language", ["vi", "vi-vn", "", None])
def test_a_vietnamese_page_shows_the_rule_sets_own_words(language):
    rules = builtin_rule_set("nq96-2023")
    assert [in_language(lv.label, language) for lv in rules.levels] == ["Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp"]
    assert in_language(rules.outcomes[0].text(), language) == rules.outcomes[0].text()


def test_an_english_page_shows_their_english_and_any_other_text_as_it_is():
    rules = builtin_rule_set("nq96-2023")
    over_half = next(step for step in rules.outcomes if step.key == "over_half")
    assert [in_language(lv.label, "en") for lv in rules.levels] == ["High confidence", "Confidence", "Low confidence"]
    assert in_language(over_half.text(), "en-us") == (
        "More than half and less than two thirds low-confidence ratings: may resign; otherwise a confidence "
        "vote is held at that session or the next (Nghị quyết 96/2023/QH15, Điều 12 khoản 1)."
    )
    assert in_language(rules.name, "en") == "National Assembly Resolution 96/2023/QH15 — confidence rating"
    vote = builtin_rule_set("nq96-2023-bo-phieu")
    assert [in_language(lv.label, "en") for lv in vote.levels] == ["Confidence", "No confidence"]
    # what no built-in rule set says: a reason the committee typed, an article, a name
    for text in ("Phiếu bị rách đôi", "Nghị quyết 96/2023/QH15, Điều 12 khoản 1", "Mạc Đình Phong", ""):
        assert in_language(text, "en") == text


# a citation that names an article and says nothing more: the name of a law, in every language
ARTICLE_ALONE = re.compile(r"^(Quy định|Nghị quyết) [0-9][\w/-]*(, Điều \d+( khoản \d+)?)?$")


def test_every_citation_that_says_more_than_its_article_says_it_in_english():
    """What an article provides, or that a text was not checked, is read in English on a page in
    English; the laws, articles and clauses it names are named as they are."""
    from tinnhiem.rules.english import _citations

    words = english_words()
    seen = 0
    for rules in builtin_rule_sets():
        for citation in _citations(rules):
            seen += 1
            if ARTICLE_ALONE.match(citation.text):
                assert citation.text_en == "", citation.text
                continue
            assert citation.text_en and words[citation.text] == citation.text_en, citation.text
            for name in re.findall(r"\d+[/-][\w/-]+|Điều \d+|khoản [\d.]+", citation.text):
                assert name in citation.text_en, (name, citation.text_en)
            assert not re.search(
                "[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]",
                citation.text_en.replace("Điều", "")
                .replace("khoản", "")
                .replace("bước", "")
                .replace("Quy định", "")
                .replace("Nghị quyết", "")
                .replace("Hướng dẫn", ""),
            ), citation.text_en
    assert seen > 60
    base = builtin_rule_set("qd96-2023").base_citation.text
    assert in_language(base, "en") == "Quy định 96-QĐ/TW, Điều 6 khoản 3 (percentages over the ballots collected)"
    assert in_language(base, "vi") == base
