"""Quorum (QĐ 96: at least 2/3 of those convened) and the committee approval vote."""

import pytest

from tinnhiem.rules import TallyError, builtin_rule_set, check_committee_approval, check_quorum

QD96 = builtin_rule_set("qd96-2023")


@pytest.mark.parametrize(
    "present, convened, quorate",
    [
        (122, 183, True),
        (121, 183, False),
        (120, 180, True),
        (119, 180, False),
        (2, 3, True),
        (1, 3, False),
        (183, 183, True),
        (0, 183, False),  # before anyone is checked in: the chair's page asks already
    ],
)
def test_quorum_two_thirds(present, convened, quorate):
    check = check_quorum(QD96, present, convened)
    assert check.quorate is quorate
    assert check.required == -(-2 * convened // 3)
    assert "2/3" in check.citation.text


@pytest.mark.parametrize(
    "rule_id", ["qd96-2023", "qd262-2014", "nq96-2023", "nq96-2023-bo-phieu", "nq85-2014", "nq35-2012"]
)
def test_quorum_boundary_every_rule_set(rule_id):
    rules = builtin_rule_set(rule_id)
    assert check_quorum(rules, 120, 180).quorate
    assert not check_quorum(rules, 119, 180).quorate


def test_quorum_bad_numbers():
    with pytest.raises(TallyError):
        check_quorum(QD96, 184, 183)
    with pytest.raises(TallyError):
        check_quorum(QD96, 0, 0)
    with pytest.raises(TallyError):
        check_quorum(QD96, -1, 183)


@pytest.mark.parametrize("votes_for, approved", [(91, True), (90, False)])
def test_committee_approval_needs_more_than_half_of_present(votes_for, approved):
    check = check_committee_approval(QD96, votes_for, 180 - votes_for, 0, 180)
    assert check.approved is approved
    assert check.required == 91


def test_committee_votes_cannot_exceed_present():
    with pytest.raises(TallyError) as info:
        check_committee_approval(QD96, 100, 50, 40, 180)
    assert info.value.code == "votes_over_present"


def test_no_one_present_approves_no_committee():
    """With no one present, 0 of 0 is not "more than half": no committee, and one vote is asked for."""
    check = check_committee_approval(QD96, 0, 0, 0, 0)
    assert not check.approved and check.required == 1


def test_committee_votes_cannot_be_negative():
    with pytest.raises(TallyError) as info:
        check_committee_approval(QD96, 10, -1, 0, 180)
    assert info.value.code == "votes_over_present"


def test_a_rule_set_without_a_quorum_rule_never_refuses_for_quorum():
    """A body's own rule set may say nothing of a quorum: any number present is enough, and the
    check cites nothing rather than an article of another rule set."""
    from tests.rules.test_loader import own_rules
    from tinnhiem.rules import load_rule_set_text

    block = next(b for b in own_rules().split("\n\n") if b.startswith("[quorum]"))
    rules = load_rule_set_text(own_rules(**{block: ""}))
    assert rules.quorum is None
    check = check_quorum(rules, 1, 183)
    assert check.quorate and check.required == 0 and check.citation is None
