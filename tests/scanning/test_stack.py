"""The pages of multi-page ballots put together in stack order (tinnhiem/scanning/stack.py), in
the order the committee says: first page first, or last page first."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tinnhiem.scanning.stack import Assembler, wrong_order


def feed(pages, last=3, *, last_page_first=False, waiting=()):
    """pages: (voter, page number); returns (ballots as lists of (voter, page), set aside, waiting)."""
    stack = Assembler(
        lambda version: last, last_page_first=last_page_first, waiting=[("v", n, item) for item, n in waiting]
    )
    ballots, aside = [], []
    for voter, number in pages:
        step = stack.add("v", number, (voter, number))
        aside += step.aside
        if step.ballot:
            ballots.append(step.ballot)
    return ballots, aside, stack.waiting


def stack_of(voters, last, *, reverse=False):
    pages = range(last, 0, -1) if reverse else range(1, last + 1)
    return [(voter, n) for voter in voters for n in pages]


def test_a_stack_first_page_first():
    ballots, aside, waiting = feed(stack_of("ab", 3))
    assert ballots == [[("a", 1), ("a", 2), ("a", 3)], [("b", 1), ("b", 2), ("b", 3)]]
    assert (aside, waiting) == ([], [])


def test_a_stack_last_page_first_gives_each_ballot_in_page_order():
    ballots, aside, waiting = feed(stack_of("ab", 3, reverse=True), last_page_first=True)
    assert ballots == [[("a", 1), ("a", 2), ("a", 3)], [("b", 1), ("b", 2), ("b", 3)]]
    assert (aside, waiting) == ([], [])


def test_a_two_page_stack_read_in_the_wrong_order_would_join_two_voters_which_is_why_the_order_is_checked():
    """…2, 1, 2, 1… read first page first joins each voter's page 1 to the next voter's page 2:
    the reason the order is the committee's to say, and a stack that begins in the other order is
    refused (scan_files)."""
    ballots, aside, _waiting = feed(stack_of("abc", 2, reverse=True), last=2)
    assert ballots == [[("a", 1), ("b", 2)], [("b", 1), ("c", 2)]] and aside == [("a", 2)]
    assert wrong_order(2, 1, 2, last_page_first=False)


def test_the_first_two_pages_show_the_other_order():
    for last in (2, 3, 4):
        assert wrong_order(last, last - 1, last, last_page_first=False)
        assert not wrong_order(1, 2, last, last_page_first=False)
        assert wrong_order(1, 2, last, last_page_first=True)
        assert not wrong_order(last, last - 1, last, last_page_first=True)
    # a stack beginning with a lost page, or one-page ballots: nothing to say
    assert not wrong_order(2, 3, 4, last_page_first=False) and not wrong_order(3, 1, 4, last_page_first=True)
    assert not wrong_order(1, 1, 1, last_page_first=False) and not wrong_order(1, 1, 1, last_page_first=True)


def test_a_missing_page_sets_its_ballot_aside_in_either_order():
    pages = [p for p in stack_of("abc", 3, reverse=True) if p != ("b", 2)]
    ballots, aside, _waiting = feed(pages, last_page_first=True)
    assert ballots == [[("a", 1), ("a", 2), ("a", 3)], [("c", 1), ("c", 2), ("c", 3)]]
    assert aside == [("b", 3), ("b", 1)]  # b's last page when b's page 1 came out of turn, then page 1 alone
    pages = [p for p in stack_of("abc", 3) if p != ("b", 1)]
    ballots, aside, _waiting = feed(pages)
    assert [b[0][0] for b in ballots] == ["a", "c"] and aside == [("b", 2), ("b", 3)]


def test_a_ballot_split_across_files_continues_in_the_order_it_began():
    """The pages waiting from an earlier file keep their order, whatever this file is read in."""
    ballots, aside, waiting = feed([("a", 1)], last=3, waiting=[(("a", 3), 3), (("a", 2), 2)])
    assert ballots == [[("a", 1), ("a", 2), ("a", 3)]] and aside == waiting == []
    ballots, aside, waiting = feed([("a", 3)], last=3, last_page_first=True, waiting=[(("a", 1), 1), (("a", 2), 2)])
    assert ballots == [[("a", 1), ("a", 2), ("a", 3)]] and aside == waiting == []
    ballots, aside, waiting = feed([("b", 3), ("b", 2)], last=3, last_page_first=True)
    assert ballots == aside == [] and waiting == [("b", 3), ("b", 2)]


def test_another_layout_version_ends_the_run():
    stack = Assembler(lambda version: 2)
    assert stack.add("old", 1, "a1").aside == []
    step = stack.add("new", 2, "b2")
    assert step.aside == ["a1", "b2"] and step.ballot is None


@given(
    last=st.integers(1, 5),
    voters=st.integers(1, 12),
    reverse=st.booleans(),
    lost=st.sets(st.integers(0, 59), max_size=6),
)
def test_every_page_is_in_one_ballot_or_set_aside_or_waiting_and_whole_ballots_are_never_mixed(
    last, voters, reverse, lost
):
    pages = stack_of(range(voters), last, reverse=reverse)
    kept = [p for i, p in enumerate(pages) if i not in lost]
    ballots, aside, waiting = feed(kept, last=last, last_page_first=reverse)
    placed = [p for b in ballots for p in b] + aside + waiting
    assert sorted(placed) == sorted(kept)  # each page exactly once
    for ballot in ballots:
        assert [n for _voter, n in ballot] == list(range(1, last + 1))
    damaged = {voter for i, (voter, _n) in enumerate(pages) if i in lost}
    for ballot in ballots:
        voters_of = {voter for voter, _n in ballot}
        # a ballot joins two voters only where both lost pages (the reconciliation shows it)
        assert len(voters_of) == 1 or voters_of <= damaged
    if not lost:
        assert aside == waiting == [] and [b[0][0] for b in ballots] == list(range(voters))


def test_files_in_the_order_the_scanner_numbered_them():
    from tinnhiem.scanning.stack import file_order

    names = ["Scan 10.jpg", "Scan 2.jpg", "scan 1.jpg", "Scan 9.jpg"]
    assert sorted(names, key=file_order) == ["scan 1.jpg", "Scan 2.jpg", "Scan 9.jpg", "Scan 10.jpg"]
    assert sorted(["IMG_0010.png", "IMG_0009.png", "IMG_0100.png"], key=file_order) == [
        "IMG_0009.png",
        "IMG_0010.png",
        "IMG_0100.png",
    ]
    assert sorted(["lo-2.pdf", "lo-1b.pdf", "lo-1.pdf", "lo-12.pdf"], key=file_order) == [
        "lo-1.pdf",
        "lo-1b.pdf",
        "lo-2.pdf",
        "lo-12.pdf",
    ]
