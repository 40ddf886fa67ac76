"""Independent verification of an exported conference record (docs/record-format.md).

Uses nothing but the archive and the site's public key: the signature of the manifest, the hash of
every file, the audit hash chain, a recount of every ballot form with the counting core, and the
fingerprint printed in the minutes. No database, no Django: its findings are English message
ids with their values, which the command line translates (``Finding.translated``).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tinnhiem.ballotfile import parse_ballot_csv
from tinnhiem.rules import BallotCounts, PersonTotals, RulesError, compute_result, load_rule_set_text, tally_ballots
from tinnhiem.rules.errors import gettext_noop
from tinnhiem.rules.report import result_to_json

from .chain import fingerprint, in_minutes, minutes_point, result_sha256, verify_chain

FORMAT = "tinnhiem-record/1"


class Finding(str):
    """One line of the verdict: its English text (a ``str``, for scripts and tests), and the message
    id and values from which the command line shows it in the user's language."""

    message: str
    values: dict[str, Any]

    def __new__(cls, message: str, **values: Any) -> Finding:
        finding = super().__new__(cls, message % values)
        finding.message, finding.values = message, values
        return finding

    def translated(self, gettext: Callable[[str], str]) -> str:
        """As ``RulesError.translated``: a value that can be translated (an error) is, too."""
        values = {k: v.translated(gettext) if hasattr(v, "translated") else v for k, v in self.values.items()}
        return gettext(self.message) % values


CHAIN = {  # audit.chain.Problem.reason
    "hash": gettext_noop("audit event %(seq)s: its content was altered (hash broken)"),
    "link": gettext_noop("audit event %(seq)s: it does not follow the event before it (link broken)"),
    "gap": gettext_noop("audit event %(seq)s: an event before it is missing (gap)"),
}


@dataclass
class Verdict:
    problems: list[Finding] = field(default_factory=list)
    checked: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _contract(result: dict) -> dict:
    """The part of a stored result that the counting core's JSON contract defines."""
    return {
        "rules": result["rules"],
        "ballots": result["ballots"],
        "base": {"kind": result["base"]["kind"], "value": result["base"]["value"]},
        "people": [
            {k: p[k] for k in ("label", "counts", "percent", "outcome", "consequence")} for p in result["people"]
        ],
    }


MAX_MEMBER_BYTES = 512 * 1024 * 1024  # an archive member unpacked; a real record's largest is a few MB


def verify_record(
    data: bytes, public_key: bytes | None, scans: dict[str, str] | None = None, paper: str | None = None
) -> Verdict:
    """``public_key``: the raw 32-byte Ed25519 key (or its base64) published by the site.
    ``scans``: the SHA-256 of each file of a copy of the scan images, by file name; when given,
    they must be exactly the images listed in the record. ``paper``: the fingerprint printed on a
    paper copy of the minutes (the signed one); when given, whether what the minutes say changed
    after it. A damaged archive (a member that does not unpack) is a finding, not an error."""
    try:
        return _verify_record(data, public_key, scans, paper)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        verdict = Verdict()
        verdict.problems.append(
            Finding(gettext_noop("archive: damaged, it does not unpack (%(error)s)"), error=str(exc))
        )
        return verdict


def _verify_record(data: bytes, public_key: bytes | None, scans: dict[str, str] | None, paper: str | None) -> Verdict:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    verdict = Verdict()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        verdict.problems.append(Finding(gettext_noop("archive: not a ZIP file")))
        return verdict
    names = set(archive.namelist())
    for info in archive.infolist():
        if info.file_size > MAX_MEMBER_BYTES:  # a "zip bomb" would exhaust the memory of the check
            verdict.problems.append(
                Finding(gettext_noop("archive: %(file)s is too large to be a record's"), file=info.filename)
            )
            return verdict
    for required in ("manifest.json", "manifest.sig", "record.json", "audit.json"):
        if required not in names:
            verdict.problems.append(Finding(gettext_noop("archive: %(file)s is missing"), file=required))
    if verdict.problems:
        return verdict
    manifest_bytes = archive.read("manifest.json")
    signature = archive.read("manifest.sig")
    key = public_key if public_key is not None else archive.read("public_key.b64") if "public_key.b64" in names else b""
    try:
        raw = _base64(key) if len(key) != 32 else key
        Ed25519PublicKey.from_public_bytes(raw).verify(_base64(signature), manifest_bytes)
        verdict.checked.append(
            Finding(gettext_noop("signature of the manifest"))
            if public_key is not None
            else Finding(gettext_noop("signature of the manifest (with the key inside the archive: not independent)"))
        )
    except (InvalidSignature, ValueError):
        verdict.problems.append(Finding(gettext_noop("signature: the manifest is not signed by this key")))
    try:
        _check_contents(archive, names, manifest_bytes, verdict, scans, paper)
    except _Unreadable as exc:  # the check stops there, with what it found before
        verdict.problems.append(exc.finding)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:  # a file read, not as the format says
        verdict.problems.append(
            Finding(gettext_noop("record: not in the record format, the check stopped (%(error)s)"), error=_what(exc))
        )
    return verdict


def _what(exc: Exception) -> Finding:
    """What a file not in the record format lacked, in words, not as a Python exception."""
    if isinstance(exc, KeyError):
        return Finding(gettext_noop("an entry “%(key)s” is missing"), key=exc.args[0] if exc.args else "")
    if isinstance(exc, IndexError):
        return Finding(gettext_noop("a list is shorter than the format says"))
    return Finding(gettext_noop("a value is not of the kind the format says"))  # Python's own words are English


_MISSING = gettext_noop("%(file)s: missing from the archive; what depends on it was not checked")
_NOT_JSON = gettext_noop("%(file)s: not valid JSON; what depends on it was not checked")


def _base64(text: bytes | str) -> bytes:
    """Strict base64 (around it, white space only): a signature or key with other bytes added is
    not read as if they were not there. binascii.Error is a ValueError."""
    return base64.b64decode(text.strip(), validate=True)


class _Unreadable(Exception):
    """A file the record names cannot be read: what depends on it is not checked."""

    def __init__(self, finding: Finding):
        super().__init__(str(finding))
        self.finding = finding


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    """A member the record names: a missing one stops the check with a finding, not a crash."""
    try:
        return archive.read(name)
    except KeyError:
        raise _Unreadable(Finding(_MISSING, file=name)) from None


def _json(archive: zipfile.ZipFile, name: str) -> Any:
    try:
        return json.loads(_read(archive, name))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _Unreadable(Finding(_NOT_JSON, file=name)) from None


def _check_contents(
    archive: zipfile.ZipFile,
    names: set[str],
    manifest_bytes: bytes,
    verdict: Verdict,
    scans: dict[str, str] | None,
    paper: str | None = None,
) -> None:
    """The files against the manifest, the audit chain, the recount, the minutes' fingerprint,
    and those of a paper copy of the minutes when given."""
    try:
        manifest = json.loads(manifest_bytes)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _Unreadable(Finding(_NOT_JSON, file="manifest.json")) from None
    for name, digest in manifest["files"].items():
        if name not in names:
            verdict.problems.append(Finding(gettext_noop("%(file)s: listed in the manifest but missing"), file=name))
        elif hashlib.sha256(archive.read(name)).hexdigest() != digest:
            verdict.problems.append(
                Finding(gettext_noop("%(file)s: altered (SHA-256 does not match the manifest)"), file=name)
            )
    for name in sorted(names - set(manifest["files"]) - {"manifest.json", "manifest.sig", "public_key.b64"}):
        verdict.problems.append(Finding(gettext_noop("%(file)s: not listed in the manifest"), file=name))
    verdict.checked.append(Finding(gettext_noop("%(n)s files against the manifest"), n=len(manifest["files"])))

    record = _json(archive, "record.json")
    if record.get("format") != FORMAT:
        verdict.problems.append(
            Finding(gettext_noop("record.json: unknown format %(format)s"), format=repr(record.get("format")))
        )
        return
    events = _json(archive, "audit.json")
    for problem in verify_chain(events):
        verdict.problems.append(Finding(CHAIN[problem.reason], seq=problem.seq))
    head = events[-1]["hash"] if events else "0" * 64
    if head != record["audit_head"]:
        verdict.problems.append(Finding(gettext_noop("audit: the chain head differs from the one recorded")))
    verdict.checked.append(
        Finding(
            gettext_noop("audit chain of %(n)s events, the head's fingerprint %(fingerprint)s"),
            n=len(events),
            fingerprint=fingerprint(head),
        )
    )

    rules = load_rule_set_text(_read(archive, record["rules_file"]).decode("utf-8"))
    for form in record["forms"]:
        label = {"form": form["id"], "name": form["name"]}
        try:
            if form["ballots_file"]:
                parsed = parse_ballot_csv(_read(archive, form["ballots_file"]).decode("utf-8"), rules)
                result = tally_ballots(
                    rules, list(parsed.labels), parsed.ballots, issued=form["issued"], members=form.get("members")
                )
            else:  # counted by hand totals: recompute from the totals
                totals = [
                    PersonTotals({k: p["counts"][k] for k in rules.level_keys}, p["counts"]["invalid"])
                    for p in form["totals"]
                ]
                result = compute_result(
                    rules,
                    [p["label"] for p in form["totals"]],
                    totals,
                    BallotCounts(form["issued"], form["collected"], form["whole_invalid"]),
                )
            stored = _json(archive, form["result_file"])
        except RulesError as exc:
            verdict.problems.append(
                Finding(gettext_noop("form %(form)s (%(name)s): cannot be recounted (%(error)s)"), **label, error=exc)
            )
            continue
        except _Unreadable as exc:  # this form is not recounted; the others and the minutes still are
            verdict.problems.append(exc.finding)
            continue
        if result_to_json(result) != _contract(stored):
            verdict.problems.append(
                Finding(
                    gettext_noop("form %(form)s (%(name)s): the recount differs from the published result"), **label
                )
            )
        else:
            verdict.checked.append(
                Finding(gettext_noop("form %(form)s (%(name)s): recount equals the published result"), **label)
            )
        _check_finalised(events, record, form, stored, verdict)
    if scans is not None:
        _check_scans(record, scans, verdict)
    if record.get("minutes_file"):
        # a record made before "minutes_audit" was kept: its minutes printed the chain's head
        printed = _minutes_point(events, record, verdict) if "minutes_audit" in record else head
        text = _pdf_text(_read(archive, record["minutes_file"]))
        if printed is None or fingerprint(printed) not in text:
            verdict.problems.append(
                Finding(gettext_noop("minutes: the audit fingerprint printed in the minutes differs"))
            )
        else:
            verdict.checked.append(Finding(gettext_noop("fingerprint printed in the minutes")))
    if paper is not None:
        _check_paper(events, record, paper, verdict)


def _check_finalised(events: list[dict], record: dict, form: dict, stored: Any, verdict: Verdict) -> None:
    """The published result against the log: the form's last ``count.finalised`` records the
    SHA-256 of the result it finalised (``audit.chain.result_sha256``). Ballots and a result
    changed together still recount alike, and the minutes' fingerprint is still the paper's, so
    this is what ties the numbers to the chain the signed paper vouches for."""
    label = {"form": form["id"], "name": form["name"]}
    conference = record["conference"]["id"]
    finalised = next(
        (
            e
            for e in reversed(events)
            if not e.get("redacted")
            and e["conference"] == conference
            and e["action"] == "count.finalised"
            and isinstance(e["data"], dict)
            and e["data"].get("form") == form["id"]
        ),
        None,
    )
    if finalised is None:
        verdict.problems.append(
            Finding(gettext_noop("form %(form)s (%(name)s): the audit log does not record its finalising"), **label)
        )
    elif finalised["data"].get("result_sha256") != result_sha256(stored):
        verdict.problems.append(
            Finding(
                gettext_noop(
                    "form %(form)s (%(name)s): the published result is not the one finalised in the audit log "
                    "(event %(seq)s)"
                ),
                seq=finalised["seq"],
                **label,
            )
        )
    else:
        verdict.checked.append(
            Finding(
                gettext_noop(
                    "form %(form)s (%(name)s): the published result is the one finalised in the audit log "
                    "(event %(seq)s)"
                ),
                seq=finalised["seq"],
                **label,
            )
        )


def _minutes_point(events: list[dict], record: dict, verdict: Verdict) -> str | None:
    """The hash of the event whose fingerprint the minutes print, checked: in the chain, and the
    last event of the chain that may change what the minutes say (audit.chain.minutes_point)."""
    point = record["minutes_audit"]
    named = next((e for e in events if e["seq"] == point["event"]), None)
    if named is None or named.get("redacted") or named["hash"] != point["hash"]:
        verdict.problems.append(
            Finding(
                gettext_noop("minutes: event %(seq)s, after which they print the fingerprint, is not in the audit log"),
                seq=point["event"],
            )
        )
        return None
    last = minutes_point(reversed(events), record["conference"]["id"], record["conference"].get("campaign_id"))
    if last is not None and last["seq"] > named["seq"]:
        verdict.problems.append(
            Finding(
                gettext_noop(
                    "minutes: event %(seq)s of the audit log (%(action)s), after those they record, may change what they say"
                ),
                seq=last["seq"],
                action=last["action"],
            )
        )
    elif last is None or last["seq"] != named["seq"]:
        verdict.problems.append(
            Finding(
                gettext_noop(
                    "minutes: they print the fingerprint after event %(seq)s, which is not one that they record"
                ),
                seq=named["seq"],
            )
        )
    else:
        verdict.checked.append(
            Finding(
                gettext_noop(
                    "minutes: they record the audit log up to event %(seq)s, fingerprint %(fingerprint)s (compare it "
                    "with the paper minutes), and no later event changes them"
                ),
                seq=named["seq"],
                fingerprint=fingerprint(named["hash"]),
            )
        )
    return named["hash"]


def _check_paper(events: list[dict], record: dict, paper: str, verdict: Verdict) -> None:
    """The fingerprint printed on a paper copy of the minutes: the event of the record's log after
    which it was printed (any event: a copy printed by a version before "minutes_audit" gave the
    head), and each later event that may change what the minutes say."""
    wanted = "".join(paper.split()).replace("-", "").lower()
    if len(wanted) not in (16, 64) or any(c not in "0123456789abcdef" for c in wanted):
        verdict.problems.append(
            Finding(
                gettext_noop(
                    "paper minutes: “%(paper)s” is not a fingerprint (four groups of four digits and letters "
                    "A to F, as 3F2A-91C0-7B44-E1D2)"
                ),
                paper=paper,
            )
        )
        return
    named = next((e for e in events if e["hash"].startswith(wanted)), None)
    if named is None:
        verdict.problems.append(
            Finding(
                gettext_noop(
                    "paper minutes: %(fingerprint)s is not the fingerprint of any event of this record's audit log "
                    "(minutes of another record, or a mistyped fingerprint)"
                ),
                fingerprint=fingerprint(wanted),
            )
        )
        return
    conference, campaign = record["conference"]["id"], record["conference"].get("campaign_id")
    later = [e for e in events if e["seq"] > named["seq"] and in_minutes(e, conference, campaign)]
    for event in later:
        verdict.problems.append(
            Finding(
                gettext_noop(
                    "paper minutes: printed after event %(paper)s, and what they say changed after it: event "
                    "%(seq)s, %(action)s, at %(at)s (UTC)"
                ),
                paper=named["seq"],
                seq=event["seq"],
                action=event["action"],
                at=event["at"][:19].replace("T", " "),
            )
        )
    if not later:
        verdict.checked.append(
            Finding(
                gettext_noop(
                    "paper minutes: printed after event %(seq)s, and nothing they say changed after it: "
                    "the paper and this record agree"
                ),
                seq=named["seq"],
            )
        )


def _check_scans(record: dict, scans: dict[str, str], verdict: Verdict) -> None:
    """Every scan image the record lists is in the copy, and the copy holds no other image."""
    listed: set[str] = set()
    present = set(scans.values())
    for form in record["forms"]:
        hashes = set(form.get("scanned_pages_sha256", []))
        if not hashes:
            continue
        listed |= hashes
        label = {"form": form["id"], "name": form["name"], "total": len(hashes)}
        missing = hashes - present
        if missing:
            verdict.problems.append(
                Finding(
                    gettext_noop(
                        "form %(form)s (%(name)s): %(missing)s of %(total)s scan images are missing or altered"
                    ),
                    **label,
                    missing=len(missing),
                )
            )
        else:
            verdict.checked.append(
                Finding(gettext_noop("form %(form)s (%(name)s): %(total)s scan images match the record"), **label)
            )
    for name, digest in sorted(scans.items()):
        if digest not in listed:
            verdict.problems.append(
                Finding(
                    gettext_noop("%(file)s: a scan image that is not in the record (altered, or of another record)"),
                    file=name,
                )
            )


def _pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    from tinnhiem.pdfium_lock import LOCK

    with LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            return ""
        try:
            texts = []
            for index in range(len(document)):
                page = document[index]
                try:
                    textpage = page.get_textpage()
                    try:
                        texts.append(" ".join(textpage.get_text_range().split()))
                    finally:
                        textpage.close()  # under the lock, even when reading it fails
                finally:
                    page.close()
            return " ".join(texts)
        except pdfium.PdfiumError:  # the file opens, but a page of it does not (its page tree damaged)
            return ""
        finally:
            document.close()
