"""``tinnhiem backup FILE``: the whole site (database and stored files) in one archive, the same
on SQLite and on PostgreSQL (``tinnhiem.site.backups``); ``tinnhiem restore FILE`` loads it."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinnhiem.site.backups import logged, make_backup
from tinnhiem.site.commands import TinnhiemCommand, output_path


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
        data = make_backup()
        self.write_output(path, data, private=True)
        logged(None, data, file=path.name)  # by "the system": whoever runs the commands on the server
