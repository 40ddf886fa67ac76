"""A backup of the whole site (database, stored files, keys) in one .tar.gz archive, the same on
SQLite and on PostgreSQL: written by ``tinnhiem backup FILE`` on the server, or downloaded by an
administrator from the page "Sao lưu" (``back_up``), and loaded into an empty site by
``tinnhiem restore``."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from tinnhiem.accounts.roles import BACKUP, require
from tinnhiem.audit.log import record
from tinnhiem.audit.models import Event
from tinnhiem.audit.record import signing_key_path

APPS = ["auth", "accounts", "audit", "conferences", "voting", "documents", "scanning"]


def key_files() -> list[Path]:
    """The site's keys: the secret key (sessions, sign-in) and the key that signs the records.
    A site restored without the signing key would sign with a new one, which the managing
    authority does not know."""
    return [Path(settings.SECRET_KEY_FILE), signing_key_path()]


def make_backup() -> bytes:
    """The archive, for ``tinnhiem backup`` (which logs it with ``logged``)."""
    out = io.BytesIO()
    write_backup(out)
    return out.getvalue()


def logged(actor: Any, data: bytes | BinaryIO, **more: Any) -> Event:
    """Log a backup taken (``site.backed_up``): its size and SHA-256, which tell the file later."""
    digest = hashlib.sha256()
    if isinstance(data, bytes):
        size = len(data)
        digest.update(data)
    else:
        size = data.tell()
        data.seek(0)
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
        data.seek(0)
    with transaction.atomic():
        return record(actor, "site.backed_up", data={"bytes": size, "sha256": digest.hexdigest(), **more})


def write_backup(out: BinaryIO) -> None:
    """Write the archive into ``out``: the stored files (the scans of a conference, hundreds of MB)
    go from the disk into it, not through memory."""
    nested = connection.in_atomic_block  # a caller's transaction (a test's): its snapshot is the caller's
    with transaction.atomic():  # one consistent snapshot, even while phones are voting
        if connection.vendor == "postgresql" and not nested:  # its first statement, as PostgreSQL requires
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        records = _records()
    _archive(records, out)


def back_up(actor: Any, out: BinaryIO) -> Event:
    """An administrator's backup, downloaded from the site (the page checks their password first):
    written into ``out`` (a temporary file), then logged with its size and SHA-256, so that the
    log says who took a copy of everything, when, and which archive it is."""
    require(actor, BACKUP)
    write_backup(out)
    return logged(actor, out)


PREPARATION_DAYS = 7  # the changes of a preparation wait no longer than this for a backup


def backup_due() -> dict[str, Any] | None:
    """Why a backup is due, if it is: the administrator is reminded to back up after each
    conference counted, and during a preparation of weeks. Either the latest count finalised or
    results announced after the last backup (from the page, or ``tinnhiem backup``), with its
    conference; or else, when the first change recorded after it is ``PREPARATION_DAYS`` old or
    more (the lists, the opinions, the dossiers entered since), how many changes, since when."""
    from tinnhiem.conferences.models import Conference

    last = Event.objects.filter(action="site.backed_up").order_by("-seq").first()
    since = Event.objects.filter(seq__gt=last.seq if last else 0).exclude(action__startswith="site.")
    counted = (
        since.filter(action__in=("count.finalised", "results.published"))
        .exclude(conference_id=None)
        .order_by("-seq")
        .first()
    )
    if counted is not None:
        conference = Conference.objects.filter(pk=counted.conference_id).first()
        return {"conference": conference, "at": counted.at, "last": last.at if last else None}
    first = since.order_by("seq").first()
    if first is None or first.at > timezone.now() - timedelta(days=PREPARATION_DAYS):
        return None
    return {"changes": since.count(), "since": first.at, "last": last.at if last else None}


def _records() -> list[dict]:
    data = io.StringIO()
    call_command(
        "dumpdata",
        *APPS,
        "--natural-foreign",
        "--indent",
        "0",
        stdout=data,
        exclude=["auth.permission", "contenttypes"],
    )
    records = json.loads(data.getvalue())
    # Django's serialiser cuts times to milliseconds; the audit chain hashes them to the
    # microsecond, so the events keep their exact stored time or the chain would break.
    exact = {pk: event.at_text for pk, event in Event.objects.in_bulk().items()}
    for item in records:
        if item["model"] == "audit.event":
            item["fields"]["at"] = exact[item["pk"]]
    return records


def _archive(records: list[dict], out: BinaryIO) -> None:
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        payload = json.dumps(records, ensure_ascii=False).encode("utf-8")
        info = tarfile.TarInfo("database.json")
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
        meta = json.dumps({"format": "tinnhiem-backup/1"}).encode()
        info = tarfile.TarInfo("backup.json")
        info.size = len(meta)
        archive.addfile(info, io.BytesIO(meta))
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            archive.add(media, arcname="media")
        templates = Path(settings.DATA_DIR) / "templates"  # the office's own Word template
        if templates.exists():
            archive.add(templates, arcname="templates")
        for path in key_files():
            if path.exists():
                archive.add(path, arcname=f"keys/{path.name}")
