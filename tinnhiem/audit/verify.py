"""Independent verification of an exported conference record (docs/record-format.md).

Uses nothing but the archive and the site's public key: the signature of the manifest, the hash of
every file, the audit hash chain, a recount of every ballot form with the counting core, and the
fingerprint printed in the minutes. No database, no Django.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field

from tinnhiem.ballotfile import parse_ballot_csv
from tinnhiem.rules import BallotCounts, PersonTotals, RulesError, compute_result, load_rule_set_text, tally_ballots
from tinnhiem.rules.report import result_to_json

from .chain import fingerprint, verify_chain

FORMAT = "tinnhiem-record/1"


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

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


def verify_record(data: bytes, public_key: bytes | None, scans: dict[str, str] | None = None) -> Verdict:
    """``public_key``: the raw 32-byte Ed25519 key (or its base64) published by the site.
    ``scans``: the SHA-256 of each file of a copy of the scan images, by file name; when given,
    they must be exactly the images listed in the record."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    verdict = Verdict()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        verdict.problems.append("archive: not a ZIP file")
        return verdict
    names = set(archive.namelist())
    for required in ("manifest.json", "manifest.sig", "record.json", "audit.json"):
        if required not in names:
            verdict.problems.append(f"archive: {required} is missing")
    if verdict.problems:
        return verdict
    manifest_bytes = archive.read("manifest.json")
    signature = archive.read("manifest.sig")
    key = public_key if public_key is not None else archive.read("public_key.b64") if "public_key.b64" in names else b""
    try:
        raw = base64.b64decode(key) if len(key) != 32 else key
        Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(signature), manifest_bytes)
        verdict.checked.append(
            "signature of the manifest"
            + ("" if public_key is not None else " (with the key inside the archive: not independent)")
        )
    except (InvalidSignature, ValueError):
        verdict.problems.append("signature: the manifest is not signed by this key")
    manifest = json.loads(manifest_bytes)
    for name, digest in manifest["files"].items():
        if name not in names:
            verdict.problems.append(f"{name}: listed in the manifest but missing")
        elif hashlib.sha256(archive.read(name)).hexdigest() != digest:
            verdict.problems.append(f"{name}: altered (SHA-256 does not match the manifest)")
    for name in names - set(manifest["files"]) - {"manifest.json", "manifest.sig", "public_key.b64"}:
        verdict.problems.append(f"{name}: not listed in the manifest")
    verdict.checked.append(f"{len(manifest['files'])} files against the manifest")

    record = json.loads(archive.read("record.json"))
    if record.get("format") != FORMAT:
        verdict.problems.append(f"record.json: unknown format {record.get('format')!r}")
        return verdict
    events = json.loads(archive.read("audit.json"))
    for problem in verify_chain(events):
        verdict.problems.append(f"audit event {problem.seq}: {problem.reason} broken")
    head = events[-1]["hash"] if events else "0" * 64
    if head != record["audit_head"]:
        verdict.problems.append("audit: the chain head differs from the one recorded")
    verdict.checked.append(f"audit chain of {len(events)} events, fingerprint {fingerprint(head)}")

    rules = load_rule_set_text(archive.read(record["rules_file"]).decode("utf-8"))
    for form in record["forms"]:
        label = f"form {form['id']} ({form['name']})"
        try:
            if form["ballots_file"]:
                parsed = parse_ballot_csv(archive.read(form["ballots_file"]).decode("utf-8"), rules)
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
        except RulesError as exc:
            verdict.problems.append(f"{label}: cannot be recounted ({exc})")
            continue
        stored = json.loads(archive.read(form["result_file"]))
        if result_to_json(result) != _contract(stored):
            verdict.problems.append(f"{label}: the recount differs from the published result")
        else:
            verdict.checked.append(f"{label}: recount equals the published result")
    if scans is not None:
        _check_scans(record, scans, verdict)
    if record.get("minutes_file"):
        text = _pdf_text(archive.read(record["minutes_file"]))
        if fingerprint(head) not in text:
            verdict.problems.append("minutes: the audit fingerprint printed in the minutes differs")
        else:
            verdict.checked.append("fingerprint printed in the minutes")
    return verdict


def _check_scans(record: dict, scans: dict[str, str], verdict: Verdict) -> None:
    """Every scan image the record lists is in the copy, and the copy holds no other image."""
    listed: set[str] = set()
    present = set(scans.values())
    for form in record["forms"]:
        hashes = set(form.get("scanned_pages_sha256", []))
        if not hashes:
            continue
        listed |= hashes
        label = f"form {form['id']} ({form['name']})"
        missing = hashes - present
        if missing:
            verdict.problems.append(f"{label}: {len(missing)} of {len(hashes)} scan images are missing or altered")
        else:
            verdict.checked.append(f"{label}: {len(hashes)} scan images match the record")
    for name, digest in sorted(scans.items()):
        if digest not in listed:
            verdict.problems.append(f"{name}: a scan image that is not in the record (altered, or of another record)")


def _pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return ""
    try:
        return " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in document)
    finally:
        document.close()
