"""Validation of the tally: every inconsistent input is refused with a stable code."""

import pytest

from tinnhiem.rules import (
    Ballot,
    BallotCounts,
    PersonTotals,
    TallyError,
    builtin_rule_set,
    compute_result,
    tally_ballots,
)

QD96 = builtin_rule_set("qd96-2023")
NQ85 = builtin_rule_set("nq85-2014")


def code_of(fn, *args, **kwargs):
    with pytest.raises(TallyError) as info:
        fn(*args, **kwargs)
    return info.value.code


def test_issued_fewer_than_collected():
    assert code_of(tally_ballots, QD96, ["A"], [Ballot.marked("high")] * 3, issued=2) == "issued_below_collected"


def test_members_missing_for_members_base():
    assert code_of(tally_ballots, NQ85, ["A"], [Ballot.marked("high")]) == "members_missing"


def test_members_fewer_than_collected():
    assert code_of(tally_ballots, NQ85, ["A"], [Ballot.marked("high")] * 3, members=2) == "members_below_collected"


def test_no_ballots():
    assert code_of(tally_ballots, QD96, ["A"], []) == "no_ballots"


def test_level_unknown_to_rule_set():
    assert code_of(tally_ballots, QD96, ["A"], [Ballot.marked("no_confidence")]) == "unknown_level"
    bo_phieu = builtin_rule_set("nq96-2023-bo-phieu")
    assert code_of(tally_ballots, bo_phieu, ["A"], [Ballot.marked("high")]) == "unknown_level"


def test_ballot_with_wrong_number_of_rows():
    assert code_of(tally_ballots, QD96, ["A", "B"], [Ballot.marked("high")]) == "row_count"


def test_hand_counted_totals_must_reconcile():
    counts = BallotCounts(issued=10, collected=10, invalid=1)
    good = PersonTotals({"high": 5, "confidence": 2, "low": 1}, row_invalid=1)  # 8 + 1 = 9 valid
    assert compute_result(QD96, ["A"], [good], counts).people[0].rated == 8
    bad = PersonTotals({"high": 5, "confidence": 2, "low": 1}, row_invalid=0)
    assert code_of(compute_result, QD96, ["A"], [bad], counts) == "person_not_reconciled"
    assert code_of(compute_result, QD96, ["A"], [good], BallotCounts(10, 10, 11)) == "invalid_over_collected"
    assert (
        code_of(compute_result, QD96, ["A"], [PersonTotals({"high": -1, "low": 10}, 0)], BallotCounts(9, 9))
        == "negative"
    )


def test_totals_that_do_not_fit_the_people_or_the_levels():
    counts = BallotCounts(issued=10, collected=10)
    one = PersonTotals({"high": 10})
    assert code_of(compute_result, QD96, ["A", "B"], [one], counts) == "people_mismatch"
    assert code_of(compute_result, QD96, [], [], counts) == "no_people"
    assert code_of(compute_result, QD96, ["A"], [PersonTotals({"no_confidence": 10})], counts) == "unknown_level"
    assert code_of(compute_result, QD96, ["A"], [PersonTotals({"high": 11}, row_invalid=-1)], counts) == "negative"


@pytest.mark.parametrize("counts", [BallotCounts(-1, 0), BallotCounts(10, -1), BallotCounts(10, 10, -1)])
def test_negative_ballot_counts(counts):
    assert code_of(compute_result, QD96, ["A"], [PersonTotals({"high": 10})], counts) == "negative"


def test_an_invalid_ballot_needs_its_reason():
    with pytest.raises(ValueError):
        Ballot.invalid("  ")
    assert Ballot.invalid("Ghi thêm tên").invalid_reason == "Ghi thêm tên"


def test_error_message_is_translatable():
    with pytest.raises(TallyError) as info:
        tally_ballots(QD96, ["A"], [Ballot.marked("high")] * 3, issued=2)
    catalog = {info.value.message: "Số phiếu phát ra (%(issued)s) không thể ít hơn số phiếu thu về (%(collected)s)."}
    assert info.value.translated(catalog.get) == "Số phiếu phát ra (2) không thể ít hơn số phiếu thu về (3)."


def test_row_problems():
    from tinnhiem.rules import read_row

    assert read_row(QD96, frozenset()) == (None, "no_mark")
    assert read_row(QD96, frozenset({"high", "low"})) == (None, "several_marks")
    assert read_row(QD96, frozenset({"low"})) == ("low", None)


def test_signature_does_not_invalidate_under_qd96():
    """QĐ 96 Điều 6 k2: the voter may sign or not — there is no 'signed' whole-ballot reason."""
    assert "signed" not in {r.key for r in QD96.validity.whole_ballot_reasons}
    assert QD96.validity.signature_citation.text.startswith("Quy định 96-QĐ/TW, Điều 6 khoản 2")
