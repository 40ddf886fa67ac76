"""How a test compares the ballots read from a synthetic stack with the stack's truth."""

from __future__ import annotations


def assert_read_as(ballots, truths: list[str]) -> None:
    """The ballots, in their places, read as ``truths``, box by box and page by page. A box the
    machine doubted ("?"), or ink on a printed name, sends its ballot to the committee, as a
    synthetic page may (its QR, and so the page, differs with the database ids of the run): such a
    ballot counts nothing before the committee rules, and every box the machine did read is the
    truth. Not every ballot may go to the committee."""
    ballots = list(ballots)
    assert len(ballots) == len(truths), [b.keys for b in ballots]
    for place, (ballot, truth) in enumerate(zip(ballots, truths, strict=True), start=1):
        pairs = zip(ballot.machine_keys, truth, strict=True)
        assert all(machine in ("?", true) for machine, true in pairs), (
            place,
            ballot.machine_keys,
            truth,
            _pages(ballot),
        )
        assert ballot.keys == ("" if ballot.needs_review else truth), (place, ballot.flags)
    assert sum(b.needs_review for b in ballots) < len(ballots), [b.flags for b in ballots]


def _pages(ballot) -> list[dict]:
    """What the machine saw on each page of a ballot, for a failure's message: the stored file's
    hash, the page number, the angle and each row's boxes (level, ink, faint, solid, state)."""
    from tinnhiem.scanning.models import ScannedPage

    if not hasattr(ballot, "pages"):  # tests/scanning/test_reading.py's stand-ins
        return []
    pages = {str(page.pk): page for page in ScannedPage.objects.filter(pk__in=ballot.pages)}
    return [
        {
            "sequence": page.sequence,
            "sha256": page.sha256[:12],
            "page": page.page_number,
            "rotated": page.reading.get("rotated"),
            "version": page.reading.get("version"),
            "rows": [(row["person"], row["key"], row["boxes"]) for row in page.reading["rows"]],
        }
        for page in (pages[pk] for pk in ballot.pages)
    ]
