"""``tinnhiem restore FILE``: restore a backup into an empty database (after ``migrate``)."""

from __future__ import annotations

import gzip
import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinnhiem.conferences.models import Conference
from tinnhiem.site.backups import key_files
from tinnhiem.site.commands import TinnhiemCommand


def _extract(archive: tarfile.TarFile, folder: str, file: str) -> None:
    """Only plain files and folders inside ``folder`` (older Python 3.11 has no extraction filter)."""
    for member in archive.getmembers():
        parts = Path(member.name).parts
        if member.name.startswith("/") or ".." in parts or not (member.isfile() or member.isdir()):
            raise CommandError(_("%(file)s is not a tinnhiem backup.") % {"file": file})
    try:
        archive.extractall(folder, filter="data")
    except TypeError:  # Python before 3.11.4: the members were checked above
        archive.extractall(folder)


def _check_whole(file: str) -> None:
    """The whole file read once through gzip, whose checksum (CRC-32) covers every byte: a copy cut
    short or changed on the way is refused before anything is restored. Reading the tar alone
    stops at its last member and never reaches the checksum, so a changed byte of a stored file
    (a dossier, a scan image) would have been restored as it came."""
    with open(file, "rb") as head:
        if head.read(2) != b"\x1f\x8b":  # not a .tar.gz at all: another kind of file
            raise CommandError(_("%(file)s is not a tinnhiem backup.") % {"file": file})
    try:
        with gzip.open(file, "rb") as stream:
            while stream.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise CommandError(
            _("%(file)s is damaged (cut short or changed since it was made): it cannot be restored. Use another copy.")
            % {"file": file}
        ) from exc


class Command(TinnhiemCommand):
    help = gettext_lazy("Restore a backup made with “tinnhiem backup” into an empty database.")

    def needs_database(self, options: dict) -> bool:
        return False  # it sets up the database it loads

    def add_arguments(self, parser):
        parser.add_argument("file", metavar=_("FILE"), help=_("a backup made with “tinnhiem backup” (.tar.gz)"))

    def handle(self, *args, file, **options):
        if not Path(file).is_file():  # before the database is set up for it
            raise CommandError(_("There is no file “%(file)s”.") % {"file": file})
        _check_whole(file)  # before the database is set up for it, too
        call_command("migrate", interactive=False, verbosity=0)
        if Conference.objects.exists() or get_user_model().objects.exists():
            raise CommandError(_("The database is not empty: restore into a new database."))
        try:
            archive = tarfile.open(file, mode="r:gz")
        except (OSError, tarfile.TarError) as exc:
            raise CommandError(_("%(file)s is not a tinnhiem backup.") % {"file": file}) from exc
        with archive, tempfile.TemporaryDirectory() as folder:
            try:
                names = archive.getnames()
                if "database.json" not in names or "backup.json" not in names:
                    raise CommandError(_("%(file)s is not a tinnhiem backup.") % {"file": file})
                _extract(archive, folder, file)
            except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:  # whole gzip, but the tar cut short
                raise CommandError(_("%(file)s is not a tinnhiem backup.") % {"file": file}) from exc
            try:
                with transaction.atomic():  # all or nothing
                    Group.objects.all().delete()  # the roles come back from the backup, with their ids
                    call_command("loaddata", str(Path(folder) / "database.json"), verbosity=0)
            except (DatabaseError, DeserializationError) as exc:
                raise CommandError(
                    _("The backup could not be loaded; nothing was changed. Detail: %(detail)s") % {"detail": exc}
                ) from exc
            media = Path(folder) / "media"
            if media.exists():
                shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
            templates = Path(folder) / "templates"
            if templates.exists():
                shutil.copytree(templates, Path(settings.DATA_DIR) / "templates", dirs_exist_ok=True)
            for target in key_files():  # only the site's own keys, by name; nothing else from keys/
                key = Path(folder) / "keys" / target.name
                if key.is_file():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(key, target)
                    target.chmod(0o600)
        self.stdout.write(_("Restored from %(file)s.") % {"file": file})
