"""Eligibility (who is not rated) and the preparation deadlines, per rule set."""

from datetime import date

import pytest

from tinnhiem.rules import builtin_rule_set, deadlines, exclusion_grounds
from tinnhiem.rules.eligibility import months_between

QD96 = builtin_rule_set("qd96-2023")
VOTE = date(2023, 9, 29)


def keys(rules, **kwargs):
    return [g.key for g in exclusion_grounds(rules, rating_date=VOTE, **kwargs)]


def test_retirement_notified_is_excluded():
    assert keys(QD96, retirement_notified=True, took_office_on=date(2019, 1, 1)) == ["retirement"]


def test_appointed_in_rating_year_is_excluded_only_that_year():
    assert keys(QD96, retirement_notified=False, took_office_on=date(2023, 1, 1)) == ["appointed_this_year"]
    assert keys(QD96, retirement_notified=False, took_office_on=date(2022, 12, 31)) == []
    assert keys(QD96, retirement_notified=False, took_office_on=None) == []


def test_nq85_nine_months_in_office():
    nq85 = builtin_rule_set("nq85-2014")
    assert keys(nq85, retirement_notified=False, took_office_on=date(2022, 12, 30)) == ["too_recent"]  # 8 months
    assert keys(nq85, retirement_notified=False, took_office_on=date(2022, 12, 29)) == []  # 9 months exactly


@pytest.mark.parametrize(
    "start, end, months",
    [
        (date(2023, 1, 31), date(2023, 2, 28), 0),
        (date(2023, 1, 15), date(2023, 10, 15), 9),
        (date(2024, 1, 1), date(2023, 1, 1), 0),
    ],
)
def test_months_between(start, end, months):
    assert months_between(start, end) == months


def test_qd96_deadlines_15_10_3_days():
    d = {x.key: x for x in deadlines(QD96, VOTE)}
    assert d["dossiers"].due == date(2023, 9, 14)
    assert d["questions"].due == date(2023, 9, 19)
    assert d["explanations"].due == date(2023, 9, 26)
    assert "Điều 9" in d["dossiers"].citation.text


def test_a_confidence_vote_at_the_session_has_no_deadline_before_it():
    """NQ 96/2023 Điều 12 khoản 1: the vote is held at that session or the next; 0 days = none."""
    from tinnhiem.rules import builtin_rule_set

    vote = builtin_rule_set("nq96-2023-bo-phieu")
    assert vote.deadlines.dossiers_days_before == 0 and "Điều 12 khoản 1" in vote.deadlines.citation.text
    assert deadlines(vote, VOTE) == ()
    assert [x.days_before for x in deadlines(builtin_rule_set("nq96-2023"), VOTE)] == [20, 10, 3]


def test_deadline_status():
    dossiers = deadlines(QD96, VOTE)[0]
    assert dossiers.status(date(2023, 9, 14), today=date(2023, 9, 20)) == "done"  # exactly 15 days before
    assert dossiers.status(date(2023, 9, 15), today=date(2023, 9, 20)) == "late"
    assert dossiers.status(None, today=date(2023, 9, 14)) == "pending"
    assert dossiers.status(None, today=date(2023, 9, 15)) == "missed"


def test_state_rules_allow_deputies_to_rate_themselves_party_rules_warn():
    assert builtin_rule_set("nq96-2023").rated_person_as_voter == "allow"
    assert QD96.rated_person_as_voter == "warn"
