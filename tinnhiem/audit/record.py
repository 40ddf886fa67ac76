"""The exported record of a finished conference, signed with the site's Ed25519 key
(docs/record-format.md). ``tinnhiem verify`` checks it with nothing but the archive and the key."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tinnhiem.accounts.roles import AUDIT, require
from tinnhiem.ballotfile import write_ballot_csv
from tinnhiem.conferences.models import Conference
from tinnhiem.conferences.usecases.rated import not_rated
from tinnhiem.i18n import official_language
from tinnhiem.voting.minutes import minutes_data

from . import log
from .models import Event
from .verify import FORMAT


def signing_key_path() -> Path:
    return Path(settings.DATA_DIR) / "signing_key.pem"


def signing_key():
    """The site's Ed25519 private key, made on first use in the data folder (mode 600)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = signing_key_path()
    if path.exists():
        return serialization.load_pem_private_key(path.read_bytes(), password=None)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pem)
    path.chmod(0o600)
    return key


def public_key_b64() -> str:
    from cryptography.hazmat.primitives import serialization

    raw = signing_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def public_key_fingerprint(key_b64: str | None = None) -> str:
    """This site's key's fingerprint (chain.key_fingerprint), or that of the key given."""
    from .chain import key_fingerprint

    return key_fingerprint(key_b64 if key_b64 is not None else public_key_b64())


def export_for_authority(actor: Any, conference: Conference) -> bytes:
    """The signed record of a finished conference, to send to the managing authority; the export
    is logged. ``actor``: a user with the right to read the audit log, or "system" (the command)."""
    if actor != "system":
        require(actor, AUDIT)
    conference = Conference.objects.get(pk=conference.pk)
    if conference.status != Conference.Status.FINISHED:
        raise ValidationError(_("The record is made once the conference is finished."))
    data = export_record(conference)
    with transaction.atomic():
        log.record(actor, "record.exported", conference=conference, data={"bytes": len(data)})
    return data


def export_record(conference: Conference) -> bytes:
    conference = Conference.objects.select_related("campaign").get(pk=conference.pk)
    if conference.status != Conference.Status.FINISHED:
        raise ValueError("the conference is not finished")
    from tinnhiem.documents.official import render_minutes_pdf
    from tinnhiem.voting.usecases.counting import anonymous_ballots, people_of, totals_issued_collected

    rules = conference.rules
    files: dict[str, bytes] = {}
    rules_file = f"rules/{rules.id}.toml"
    files[rules_file] = resources.files("tinnhiem.rules").joinpath("data", f"{rules.id}.toml").read_bytes()
    m = minutes_data(conference)
    repeated = {f["id"]: f["repeated"] for f in m["forms"]}
    forms = []
    for form in conference.ballot_forms.all():
        result = form.results.get(superseded=False)
        issued, collected = totals_issued_collected(form)
        entry = {
            "id": form.pk,
            "name": form.name,
            "issued": issued,
            "collected": collected,
            "result_file": f"results/form-{form.pk}.json",
            # the votes on this form discarded and held again: the reason and the ballots collected
            "repeated": repeated.get(form.pk, []),
        }
        files[entry["result_file"]] = json.dumps(result.data, ensure_ascii=False, sort_keys=True, indent=1).encode()
        ballots = anonymous_ballots(form)
        if ballots is None:
            entry.update(
                ballots_file="",
                whole_invalid=result.whole_invalid,
                totals=[{"label": p["label"], "counts": p["counts"]} for p in result.data["people"]],
            )
        else:
            entry["ballots_file"] = f"ballots/form-{form.pk}.csv"
            files[entry["ballots_file"]] = write_ballot_csv(
                rules, [p.full_name for p in people_of(form)], ballots
            ).encode("utf-8")
        # the stored scan images (blank back sides are not kept): each file's SHA-256
        entry["scanned_pages_sha256"] = sorted(
            form.scanned_pages.exclude(status="blank").values_list("sha256", flat=True)
        )
        forms.append(entry)
    events = []
    for event in Event.objects.order_by("seq"):
        stored = event.as_stored()
        if event.conference_id not in (None, conference.pk):
            stored = {"seq": stored["seq"], "prev": stored["prev"], "hash": stored["hash"], "redacted": True}
        events.append(stored)
    files["audit.json"] = json.dumps(events, ensure_ascii=False, indent=0).encode()
    files["minutes.pdf"] = render_minutes_pdf(conference, m)  # the same point of the chain as below
    with official_language():  # the persons of the list not rated, with the reason, as the report has them
        not_rated_list = not_rated(conference)
    record = {
        "format": FORMAT,
        "conference": m["conference"],
        "rules_id": rules.id,
        "rules_file": rules_file,
        "attendance": {
            k: m["attendance"][k]
            for k in ("convened", "present", "absent", "late", "quorum_required", "quorum_override")
        },
        # sessions adjourned before this one held the vote: when, to when, why, and how many were there
        "adjournments": m["adjournments"],
        "committee": m["committee"],
        "forms": forms,
        "not_rated": not_rated_list,
        "audit_head": events[-1]["hash"] if events else "0" * 64,
        # the event after which the minutes print the chain's fingerprint (audit.chain.minutes_point)
        "minutes_audit": {"event": m["audit"]["event"], "hash": m["audit"]["hash"]},
        "minutes_file": "minutes.pdf",
    }
    files["record.json"] = json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1).encode()
    manifest = json.dumps(
        {"format": FORMAT, "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}},
        sort_keys=True,
        indent=1,
    ).encode()
    signature = base64.b64encode(signing_key().sign(manifest))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
        archive.writestr("manifest.json", manifest)
        archive.writestr("manifest.sig", signature)
        archive.writestr("public_key.b64", public_key_b64())
    return out.getvalue()
