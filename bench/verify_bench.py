"""Benchmark: exporting and independently verifying the record of a finished conference.

A conference of 500 voters rating 44 persons, voting electronically (500 ballots cast through the
use case, as the phones do), closed and finalised; then ``export_record`` and ``verify_record``
(what ``tinnhiem export_record`` and ``tinnhiem verify ARCHIVE`` run), best of 3. Then the managing
authority's side with ``--records N``: ``check_records`` on N copies of that record, as the page
'Hồ sơ nhận được' and ``tinnhiem summary --records`` run it (every record verified, then the
same-conference test, which these copies fail by construction), and ``received_summary`` on them
and its Excel file (which the page carries as a data: link), with the memory peak. Each copy has
its persons renamed, as if from another unit, so that no name is shared; as another unit's record
would, its log then records that result finalised (the chain from there made again) and its
minutes print that chain's fingerprint (a one-line PDF stands for them), and it is signed again.

Run: .venv/bin/python bench/verify_bench.py [--voters 500] [--people 44] [--records 1000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import machine, setup
from bench.evote_burst import prepare


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--people", type=int, default=44)
    parser.add_argument("--records", type=int, default=0)
    args = parser.parse_args()
    setup()
    from django.contrib.auth import get_user_model

    from tinnhiem.audit.record import export_record, public_key_b64
    from tinnhiem.audit.verify import verify_record
    from tinnhiem.conferences.models import Conference
    from tinnhiem.conferences.usecases import day
    from tinnhiem.voting.usecases import counting, evote

    conference_id, people, codes = prepare(args.voters, n_people=args.people)
    conference = Conference.objects.get(pk=conference_id)
    rng = random.Random(5)
    start = time.perf_counter()
    for code in codes:
        choices = {pk: rng.choice("1123") for pk in people}  # level digits
        evote.cast_ballot(conference, code_text=code, choices=choices, tracking_code=evote.codes.new_tracking_code())
    cast = time.perf_counter() - start
    users = get_user_model().objects
    day.close_voting(users.get(username="chair"), conference)
    form = conference.ballot_forms.get()
    counting.finalise_form(users.get(username="kp0"), form)
    conference.refresh_from_db()
    exports, verifies = [], []
    for _ in range(3):
        start = time.perf_counter()
        archive = export_record(conference)
        exports.append(time.perf_counter() - start)
        start = time.perf_counter()
        verdict = verify_record(archive, public_key_b64())
        verifies.append(time.perf_counter() - start)
        assert verdict.ok, verdict.problems
    print(f"machine: {machine()}")
    print(
        f"{args.voters} voters × {args.people} persons (e-voting): casting {cast:.1f} s; "
        f"export_record {min(exports):.2f} s ({len(archive) / 1e6:.1f} MB); verify {min(verifies):.2f} s; verdict OK"
    )
    if args.records:
        received(archive, args.records, public_key_b64())


def renamed(archive: bytes, unit: int) -> bytes:
    """The record as another unit would send it: each person's name made its own (in the results'
    names, which the recount does not compare), the manifest signed again with this site's key."""
    import base64
    import hashlib
    import io
    import json
    import zipfile

    from tinnhiem.audit.chain import GENESIS, fingerprint, result_sha256, stored_event_hash
    from tinnhiem.audit.record import signing_key
    from tinnhiem.audit.verify import FORMAT

    source = zipfile.ZipFile(io.BytesIO(archive))
    files = {name: source.read(name) for name in source.namelist()}
    extra = {name: files.pop(name) for name in ("manifest.json", "manifest.sig", "public_key.b64")}
    record = json.loads(files["record.json"])
    digests = {}
    for form in record["forms"]:
        result = json.loads(files[form["result_file"]])
        for person in result["people"]:
            person["name"] = f"{person.get('name', person['label'])} — đơn vị {unit}"
        files[form["result_file"]] = json.dumps(result, ensure_ascii=False, sort_keys=True, indent=1).encode()
        digests[form["id"]] = result_sha256(result)
    # the unit's own log: the result finalised is this one, and every event after it links to it
    events = json.loads(files["audit.json"])
    first = min(
        n for n, e in enumerate(events) if e.get("action") == "count.finalised" and e["data"]["form"] in digests
    )
    prev = events[first - 1]["hash"] if first else GENESIS
    for event in events[first:]:
        assert not event.get("redacted"), "the benchmark's site holds this conference alone"
        if event["action"] == "count.finalised" and event["data"]["form"] in digests:
            event["data"]["result_sha256"] = digests[event["data"]["form"]]
        event["prev"] = prev
        event["hash"] = prev = stored_event_hash(event)
    files["audit.json"] = json.dumps(events, ensure_ascii=False, indent=0).encode()
    record["audit_head"] = prev
    point = record["minutes_audit"]
    point["hash"] = next(e["hash"] for e in events if e["seq"] == point["event"])
    files["record.json"] = json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1).encode()
    files[record["minutes_file"]] = one_line_minutes(
        f"Biên bản kiểm phiếu, đơn vị {unit}: {fingerprint(point['hash'])}"
    )
    manifest = json.dumps(
        {"format": FORMAT, "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}},
        sort_keys=True,
        indent=1,
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in sorted(files.items()):
            target.writestr(name, data)
        target.writestr("manifest.json", manifest)
        target.writestr("manifest.sig", base64.b64encode(signing_key().sign(manifest)))
        target.writestr("public_key.b64", extra["public_key.b64"])
    return out.getvalue()


def one_line_minutes(text: str) -> bytes:
    """A PDF of one line, made with Typst as the minutes are."""
    import tempfile

    import typst

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "bien-ban.typ"
        source.write_text(text, encoding="utf-8")
        return typst.compile(str(source))


def received(archive: bytes, n: int, key: str) -> None:
    import tracemalloc

    from tinnhiem.audit.received import check_records, received_summary, received_xlsx

    files = [(f"don-vi-{i:04d}.zip", renamed(archive, i)) for i in range(n)]
    timings = []
    for traced in (False, True):  # the times without tracemalloc (it slows Python down), then the peak
        if traced:
            tracemalloc.start()
        start = time.perf_counter()
        checked = check_records(files, [key.encode()])
        check = time.perf_counter() - start
        assert checked.wrong == 0 and len(checked.twice) == n - 1  # copies: one conference, n times
        start = time.perf_counter()
        summary = received_summary(checked.records)
        table = received_xlsx(summary)
        timings.append((check, time.perf_counter() - start))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    check, build = timings[0]
    rows = sum(len(g["rows"]) for g in summary["groups"])
    print(
        f"{n} records received: check_records {check:.1f} s; table of {rows} rows and its Excel file "
        f"{build:.1f} s ({len(table) / 1e6:.2f} MB, {len(table) * 4 / 3 / 1e6:.2f} MB in the page); "
        f"memory peak {peak / 1e6:.0f} MB"
    )


if __name__ == "__main__":
    main()
