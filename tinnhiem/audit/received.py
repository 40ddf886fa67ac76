"""Results received by the managing authority: the signed records of several conferences, from
several sites (docs/record-format.md), each verified, then put in one table with nothing retyped.

Needs no database: the authority may run it on its own machine with the archives and the public
keys the sites sent it by another channel. A record that does not verify stops the whole summary:
a table that silently left one out would be read as complete.
"""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from tinnhiem.documents.dates import short_date
from tinnhiem.rules import format_percent
from tinnhiem.rules.errors import gettext_noop
from tinnhiem.rules.loader import load_rule_set_text
from tinnhiem.rules.model import consequence_alone
from tinnhiem.rules.report import rule_set_summary
from tinnhiem.text import person_key

from .chain import fingerprint
from .verify import Finding, Verdict, verify_record


@dataclass
class Received:
    """One archive: its verdict and, when it verified, which of the given keys signed it."""

    name: str
    verdict: Verdict
    key_index: int | None  # index in the given keys; None = the archive's own key (not independent)
    data: bytes
    key: bytes = b""  # the given key that signed it (base64), when one did

    @property
    def ok(self) -> bool:
        return self.verdict.ok


def check_record(name: str, data: bytes, keys: list[bytes]) -> Received:
    """Verified with each given key in turn; with no key, with the archive's own (said in the verdict)."""
    if not keys:
        return Received(name, verify_record(data, None), None, data)
    first = None
    for index, key in enumerate(keys):
        verdict = verify_record(data, key)
        if verdict.ok:
            return Received(name, verdict, index, data, key)
        first = first or verdict
    if len(keys) == 1:
        return Received(name, first, None, data)
    verdict = verify_record(data, None)  # the content checks, then: no given key signed it
    verdict.problems = [p for p in verdict.problems if not p.message.startswith("signature")]
    verdict.checked = [c for c in verdict.checked if not c.message.startswith("signature")]
    verdict.problems.insert(0, Finding(gettext_noop("signature: the manifest is not signed by any of the given keys")))
    return Received(name, verdict, None, data)


def _identity(received: Received, keys: list[bytes]) -> tuple[tuple[bytes, int], dict[str, Any]]:
    """(the key that signed it, the conference id on its site): one conference of one site; and
    the record's ``record.json``."""
    archive = zipfile.ZipFile(io.BytesIO(received.data))
    if received.key_index is not None:
        key = keys[received.key_index]
    else:
        key = archive.read("public_key.b64") if "public_key.b64" in archive.namelist() else b""
    raw = base64.b64decode(key) if len(key) != 32 else key
    record = json.loads(archive.read("record.json"))
    return (raw, record["conference"]["id"]), record


def minutes_fingerprint(record: dict[str, Any]) -> str:
    """The fingerprint that a record's minutes print, as the unit's signed paper minutes do
    (docs/audit.md); a record made before "minutes_audit" was kept: its chain's head."""
    return fingerprint(record.get("minutes_audit", {}).get("hash", record["audit_head"]))


def same_conference(records: list[Received], keys: list[bytes]) -> list[tuple[str, str]]:
    """Pairs of files that are records of the same conference of the same site (sent twice, or
    exported again after a correction), each named with the fingerprint its minutes print: the
    authority keeps one, knowingly, that of the signed paper minutes."""
    seen: dict[tuple[bytes, int], str] = {}
    pairs = []
    for received in records:
        identity, record = _identity(received, keys)
        label = _("%(file)s (minutes' fingerprint %(fingerprint)s)") % {
            "file": received.name,
            "fingerprint": minutes_fingerprint(record),
        }
        if identity in seen:
            pairs.append((seen[identity], label))
        else:
            seen[identity] = label
    return pairs


def how_held(
    attendance: dict[str, Any], adjournments: list[dict[str, Any]], forms: list[dict[str, Any]]
) -> dict[str, Any]:
    """What to look at in how a conference was held, from its record (``attendance``,
    ``adjournments``, ``forms``) or its minutes' data, which have the same shape: the quorum, the
    chair's reason for going on, the sessions adjourned, the votes held again, and their ``notes``.
    A record made before one of these was kept has none of it."""
    held = {
        "present": attendance["present"],
        "quorum_required": attendance.get("quorum_required") or 0,
        "quorum_override": attendance.get("quorum_override") or "",
        "adjournments": [
            a | {"session_date_text": short_date(a["session_date"]), "new_date_text": short_date(a["new_date"])}
            for a in adjournments
        ],
        "repeated": [
            {"form": form["name"], "reason": r["reason"], "collected": r["collected"]}
            for form in forms
            for r in form.get("repeated", [])
        ],
    }
    held["short_of_quorum"] = held["present"] < held["quorum_required"]
    held["notes"] = conference_notes(held)
    return held


def adjourned_sentence(adjournment: dict[str, Any]) -> str:
    """A session adjourned, as the record and the minutes' data keep it (days in ISO), in one
    sentence: for the authority's notes and the minutes alike."""
    return _("The session of %(date)s (%(present)s of %(convened)s present) was adjourned to %(new)s: %(reason)s") % {
        "date": short_date(adjournment["session_date"]),
        "present": adjournment["present"],
        "convened": adjournment["convened"],
        "new": short_date(adjournment["new_date"]),
        "reason": adjournment["reason"],
    }


def conference_notes(conference: dict[str, Any]) -> list[str]:
    """What the authority should look at in how a conference was held, one sentence each: a vote
    held without the quorum the rule set requires (and the chair's reason for going on), the
    sessions adjourned before it, and the votes discarded and held again. Empty when none."""
    notes = []
    if conference["short_of_quorum"]:
        notes.append(
            _("Fewer present than the rule set requires: %(present)s present, %(required)s required.")
            % {"present": conference["present"], "required": conference["quorum_required"]}
        )
    if conference["quorum_override"]:
        notes.append(
            _("The chair decided to proceed without the quorum: %(reason)s") % {"reason": conference["quorum_override"]}
        )
    notes.extend(adjourned_sentence(a) for a in conference["adjournments"])
    for r in conference["repeated"]:
        if r["collected"]:  # 0: none recorded (refused, say, as more than were issued)
            text = _(
                "Ballot form “%(form)s”: the vote was held again, the earlier vote (%(collected)s ballots "
                "collected) not counted: %(reason)s"
            )
        else:
            text = _("Ballot form “%(form)s”: the vote was held again, the earlier vote not counted: %(reason)s")
        notes.append(text % {"form": r["form"], "collected": r["collected"], "reason": r["reason"]})
    return notes


def _percent(count: int, base: int) -> str:
    return format_percent(count, base, ",") + "%"


def received_summary(records: list[Received]) -> dict[str, Any]:
    """The verified records in one structure, grouped by rule set (their levels differ): per group the
    rows of every person, as ``voting.summary.summary_table`` writes them, and the other places of a
    name found in several records (never added up)."""
    if not all(r.ok for r in records):
        raise ValueError("every record must verify first")
    groups: dict[str, dict[str, Any]] = {}
    conferences = []
    parsed: dict[str, Any] = {}
    for n, received in enumerate(records):
        archive = zipfile.ZipFile(io.BytesIO(received.data))
        record = json.loads(archive.read("record.json"))
        text = archive.read(record["rules_file"]).decode("utf-8")
        if text not in parsed:  # the units send the same few rule sets
            parsed[text] = load_rule_set_text(text)
        rules = parsed[text]
        c = record["conference"]
        conference = {
            "index": n,
            "file": received.name,
            "title": c["title"],
            "body": c.get("body", ""),
            "date": c["date"],
            "date_text": short_date(c["date"]),
            "place": c.get("place", ""),
            "rules": rules.id,
            "convened": record["attendance"]["convened"],
            "present": record["attendance"]["present"],
            "fingerprint": minutes_fingerprint(record),  # as the unit's signed paper minutes print it
            "key": received.key_index,
            "published": c.get("published"),
            "not_rated": record.get("not_rated", []),  # a record made before it was kept has none
            # what the authority checks of the conference itself (docs/record-format.md)
            **how_held(record["attendance"], record.get("adjournments", []), record["forms"]),
        }
        conferences.append(conference)
        group = groups.setdefault(rules.id, {"rules": rule_set_summary(rules), "rows": []})
        if rules.places and group["rules"]["places_max"] is None:  # a record made before the rule had it
            group["rules"] = rule_set_summary(rules)
        for form in record["forms"]:
            result = json.loads(archive.read(form["result_file"]))
            base = result["base"]["value"]
            for no, person in enumerate(result["people"], start=1):
                group["rows"].append(
                    {
                        "record": n,
                        "procedure": rules.procedure,
                        "conference_title": c["title"],
                        "date_text": conference["date_text"],
                        "form": form["name"],
                        "base": base,
                        "no": no,
                        "name": person.get("name", person["label"]),
                        "post": person.get("post", ""),
                        "levels": [
                            {
                                "key": lv.key,
                                "label": lv.label,
                                "count": person["counts"][lv.key],
                                "percent": _percent(person["counts"][lv.key], base),
                                "percent_dot": person["percent"][lv.key],
                            }
                            for lv in rules.levels
                        ],
                        "valid": person.get("rated", sum(person["counts"][k] for k in rules.level_keys)),
                        "invalid": person.get("invalid_total", person["counts"]["invalid"]),
                        "outcome": person["outcome"],
                        "consequence": consequence_alone(person["consequence"], person.get("citation", "")),
                        "citation": person.get("citation", ""),
                    }
                )
    # the rows of the same full name, in the order of the records: looked up once per row (a
    # province sends a thousand records; comparing every row with every other took minutes)
    same_name: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for g in groups.values():
        for row in g["rows"]:  # a confidence vote is not another place of rating: by procedure
            same_name.setdefault((row["procedure"], person_key(row["name"])), []).append(row)
    for g in groups.values():
        limit = g["rules"]["places_max"]
        for row in g["rows"]:
            row["other_places"] = [
                {"title": o["conference_title"], "post": o["post"], "status_label": ""}
                for o in same_name[(row["procedure"], person_key(row["name"]))]
                if o["record"] != row["record"]
            ]
            row["too_many_places"] = limit is not None and 1 + len(row["other_places"]) > limit
        outcomes: dict[str, dict[str, Any]] = {}
        for row in g["rows"]:
            if row["outcome"] != "none":
                entry = outcomes.setdefault(
                    row["outcome"], {"consequence": row["consequence"], "citation": row["citation"], "names": []}
                )
                entry["names"].append(row["name"])
        g["outcomes"] = outcomes
    return {"conferences": conferences, "groups": list(groups.values())}


MAX_RECORD_BYTES = 50 * 1024 * 1024  # one archive; a record is 0.1 to a few MB (its audit log grows with the site)


@dataclass
class Checked:
    """Every archive received, checked: the summary only when all verified and no conference
    came twice (``twice``: pairs of file names)."""

    records: list[Received]
    twice: list[tuple[str, str]]
    summary: dict[str, Any] | None

    @property
    def wrong(self) -> int:
        return sum(1 for r in self.records if not r.ok)


def check_records(files: list[tuple[str, bytes]], keys: list[bytes]) -> Checked:
    """The one check of the received archives, for the command and the page: each verified with
    the given keys; then, only if all are right, the same-conference test and the summary."""
    records = [check_record(name, data, keys) for name, data in files]
    if not all(r.ok for r in records):
        return Checked(records, [], None)
    twice = same_conference(records, keys)
    return Checked(records, twice, None if twice else received_summary(records))


# a whole key (base64 of 32 bytes: 43 characters and "="), not part of a longer run of base64
_KEY_IN_TEXT = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{43}=(?![A-Za-z0-9+/=])")


def parse_public_keys(text: str) -> list[bytes]:
    """Public keys typed or pasted one per line (base64 of 32 bytes, as export_record prints them),
    or with the words around them, as a line copied from a unit's report reads ("…hồ sơ điện tử:
    <key> (dấu vân tay …)."). A line that holds no whole key raises ValueError with its number."""
    keys = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        found = _KEY_IN_TEXT.findall(line)
        if not found:
            raise ValueError(number)
        keys.extend(key.encode() for key in found)
    return keys


def signer_text(received: Received) -> str:
    """Which given key signed a verified archive, as the reader says it."""
    from django.utils.translation import gettext as _

    from .chain import key_fingerprint

    if received.key_index is not None:
        return _("signed by key %(n)s (fingerprint %(fingerprint)s)") % {
            "n": received.key_index + 1,
            "fingerprint": key_fingerprint(received.key),
        }

    inside = zipfile.ZipFile(io.BytesIO(received.data)).read("public_key.b64").decode("ascii", "replace")
    return _(
        "with the key inside the archive, fingerprint %(fingerprint)s: not independent unless it is the "
        "fingerprint on the unit's signed report"
    ) % {"fingerprint": key_fingerprint(inside)}


def received_xlsx(summary: dict[str, Any]) -> bytes:
    """The received records' table: one sheet per rule set (their levels differ); then, if any
    record has them, a sheet of the persons of the lists not rated, with the reason."""
    from tinnhiem.conferences.roster_file import write_sheets_xlsx
    from tinnhiem.voting.summary import summary_table

    sheets = [(g["rules"]["id"], summary_table(g)) for g in summary["groups"]]
    header = [
        _("Conference"),
        _("Date"),
        _("Place"),
        _("Record file"),
        _("Fingerprint in the minutes"),
        _("Convened"),
        _("Present"),
        _("Required present"),
        _("To look at"),
    ]
    held = [
        [
            c["title"],
            c["date_text"],
            c["place"],
            c["file"],
            c["fingerprint"],
            c["convened"],
            c["present"],
            c["quorum_required"] or "",
            "\n".join(c["notes"]),
        ]
        for c in summary["conferences"]
    ]
    sheets.append((_("Conferences"), [header, *held]))
    not_rated = [
        [c["title"], c["date_text"], p["name"], p["post"], p["reason"]]
        for c in summary["conferences"]
        for p in c["not_rated"]
    ]
    if not_rated:
        header = [_("Conference"), _("Date"), _("Full name"), _("Post"), _("Reason")]
        sheets.append((_("Not rated"), [header, *not_rated]))
    return write_sheets_xlsx(sheets)
