"""The comparison the scanning tests make between ballots read and a synthetic stack's truth."""

from types import SimpleNamespace

import pytest

from tests.scanning.reading import assert_read_as


def ballot(machine: str, *, review: bool = False):
    return SimpleNamespace(machine_keys=machine, keys="" if review else machine, needs_review=review, flags=[])


def test_a_doubted_box_sent_to_the_committee_passes_and_nothing_else_does():
    assert_read_as([ballot("123"), ballot("1?3", review=True)], ["123", "123"])
    assert_read_as([ballot("123"), ballot("123", review=True)], ["123", "123"])  # ink on a name
    wrong = [
        [ballot("123"), ballot("132")],  # a box read wrongly
        [ballot("1?3"), ballot("123")],  # a doubted box counted
        [ballot("123")],  # a ballot missing
        [ballot("12"), ballot("123")],  # a page missing
        [ballot("1?3", review=True), ballot("1?3", review=True)],  # every ballot to the committee
    ]
    for ballots in wrong:
        with pytest.raises((AssertionError, ValueError)):
            assert_read_as(ballots, ["123", "123"])
    # pages joined the wrong way round: a two-page ballot read page 2 first
    with pytest.raises(AssertionError):
        assert_read_as([ballot("456123"), ballot("123456")], ["123456", "123456"])
