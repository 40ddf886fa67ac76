"""The exported conference record and ``tinnhiem verify``: accepted as exported, rejected after
any single-byte change to a ballot, an event, a result, or with another key."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from tinnhiem.audit.record import export_record, public_key_b64
from tinnhiem.audit.verify import verify_record


def rewrite(data: bytes, name: str, change) -> bytes:
    """The archive with one member changed (the manifest is left as signed)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.namelist():
            content = source.read(item)
            target.writestr(item, change(content) if item == name else content)
    return out.getvalue()


def flip(position):
    def change(content: bytes) -> bytes:
        i = position(content)
        return content[:i] + bytes([content[i] ^ 0x01]) + content[i + 1 :]

    return change


@pytest.fixture
def archive(seed):
    return export_record(seed)


def test_exported_record_verifies(archive):
    verdict = verify_record(archive, public_key_b64().encode())
    assert verdict.ok, verdict.problems
    assert any("recount equals the published result" in c for c in verdict.checked)
    assert any("fingerprint printed in the minutes" in c for c in verdict.checked)
    record = json.loads(zipfile.ZipFile(io.BytesIO(archive)).read("record.json"))
    assert record["attendance"]["convened"] == 183 and "voters" not in record  # counts, not who voted what


@pytest.mark.parametrize(
    "member, where, expected",
    [
        ("ballots/form-{form}.csv", lambda c: c.index(b"\n") + 3, "ballots/form-{form}.csv: altered"),
        ("audit.json", lambda c: c.index(b'"actor"') + 10, "audit.json: altered"),
        ("results/form-{form}.json", lambda c: c.index(b'"high"') + 9, "results/form-{form}.json: altered"),
        ("record.json", lambda c: c.index(b'"convened"') + 13, "record.json: altered"),
    ],
)
def test_any_single_byte_change_is_caught(seed, archive, member, where, expected):
    form = seed.ballot_forms.get().pk
    tampered = rewrite(archive, member.format(form=form), flip(where))
    verdict = verify_record(tampered, public_key_b64().encode())
    assert not verdict.ok
    assert any(expected.format(form=form) in p for p in verdict.problems), verdict.problems


def test_a_resigned_forgery_is_caught_by_the_recount(seed, archive, tmp_path, settings):
    """Someone who rewrites a result and re-signs with their own key: the signature check with the
    site's key fails, and the recount differs from the result."""
    import base64
    import hashlib

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    form = seed.ballot_forms.get().pk
    source = zipfile.ZipFile(io.BytesIO(archive))
    files = {n: source.read(n) for n in source.namelist()}
    result = json.loads(files[f"results/form-{form}.json"])
    result["people"][0]["counts"]["high"] += 1
    files[f"results/form-{form}.json"] = json.dumps(result).encode()
    manifest = json.loads(files["manifest.json"])
    manifest["files"][f"results/form-{form}.json"] = hashlib.sha256(files[f"results/form-{form}.json"]).hexdigest()
    files["manifest.json"] = json.dumps(manifest).encode()
    forger = Ed25519PrivateKey.generate()
    files["manifest.sig"] = base64.b64encode(forger.sign(files["manifest.json"]))
    files["public_key.b64"] = base64.b64encode(
        forger.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, content in files.items():
            target.writestr(name, content)
    verdict = verify_record(out.getvalue(), public_key_b64().encode())
    assert any(p.startswith("signature") for p in verdict.problems)
    assert any("recount differs" in p for p in verdict.problems)


def test_command_line(seed, tmp_path, capsys):
    path = tmp_path / "hs.zip"
    call_command("export_record", str(seed.pk), "-o", str(path))
    call_command("verify", str(path), "--public-key", public_key_b64())
    assert "Hồ sơ hợp lệ" in capsys.readouterr().out
    path.write_bytes(rewrite(path.read_bytes(), "audit.json", flip(lambda c: c.index(b'"action"') + 12)))
    with pytest.raises(CommandError):
        call_command("verify", str(path), "--public-key", public_key_b64())
