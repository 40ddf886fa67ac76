"""``tinnhiem restore FILE``: restore a backup into an empty database (after ``migrate``)."""

from __future__ import annotations

import shutil
import tarfile
import tempfile
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
from tinnhiem.site.commands import TinnhiemCommand
from tinnhiem.site.management.commands.backup import key_files


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


class Command(TinnhiemCommand):
    help = gettext_lazy("Restore a backup made with “tinnhiem backup” into an empty database.")

    def needs_database(self, options: dict) -> bool:
        return False  # it sets up the database it loads

    def add_arguments(self, parser):
        parser.add_argument("file", metavar=_("FILE"), help=_("a backup made with “tinnhiem backup” (.tar.gz)"))

    def handle(self, *args, file, **options):
        if not Path(file).is_file():  # before the database is set up for it
            raise CommandError(_("There is no file “%(file)s”.") % {"file": file})
        call_command("migrate", interactive=False, verbosity=0)
        if Conference.objects.exists() or get_user_model().objects.exists():
            raise CommandError(_("The database is not empty: restore into a new database."))
        try:
            archive = tarfile.open(file, mode="r:gz")
        except (OSError, tarfile.TarError) as exc:
            raise CommandError(_("%(file)s is not a tinnhiem backup.") % {"file": file}) from exc
        with archive, tempfile.TemporaryDirectory() as folder:
            names = archive.getnames()
            if "database.json" not in names or "backup.json" not in names:
                raise CommandError(_("%(file)s is not a tinnhiem backup.") % {"file": file})
            _extract(archive, folder, file)
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
