"""``tinnhiem backup FILE`` and ``tinnhiem restore FILE``: the whole site (database and stored
files) in one archive, the same on SQLite and on PostgreSQL."""

from __future__ import annotations

import io
import json
import tarfile
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinnhiem.audit.models import Event
from tinnhiem.audit.record import signing_key_path
from tinnhiem.site.commands import TinnhiemCommand, output_path

APPS = ["auth", "accounts", "audit", "conferences", "voting", "documents", "scanning"]


def key_files() -> list[Path]:
    """The site's keys: the secret key (sessions, sign-in) and the key that signs the records.
    A site restored without the signing key would sign with a new one, which the managing
    authority does not know."""
    return [Path(settings.SECRET_KEY_FILE), signing_key_path()]


def make_backup() -> bytes:
    with transaction.atomic():  # one consistent snapshot, even while phones are voting
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        records = _records()
    return _archive(records)


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


def _archive(records: list[dict]) -> bytes:
    out = io.BytesIO()
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
    return out.getvalue()


class Command(TinnhiemCommand):
    help = gettext_lazy("Back up the whole site (database, stored files, keys) into one .tar.gz file.")

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            metavar=_("FILE"),
            help=_("the backup file to write (.tar.gz), or a folder to write sao-luu-tinnhiem-DATE.tar.gz in"),
        )

    def handle(self, *args, file, **options):
        path = output_path(file, f"sao-luu-tinnhiem-{date.today():%Y-%m-%d}.tar.gz")
        # it holds the site's keys: readable by its owner only, from the first byte
        self.write_output(path, make_backup(), private=True)
