"""``tinnhiem erase_traces``: erase what the database's files keep of closed electronic votes, as
``tinnhiem serve`` does at its start; for a server run otherwise (gunicorn under systemd:
docs/deploy.md), before it starts."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinnhiem.site.commands import TinnhiemCommand


class Command(TinnhiemCommand):
    help = gettext_lazy(
        "Erase what the database's files still keep of the closed electronic votes (the ballots as they were "
        "cast, in the order of voting), should the erasing after a close not have been done. Run it before "
        "the server starts; tinnhiem serve does it itself."
    )

    def handle(self, *args, **options):
        from tinnhiem.voting.usecases.evote import erase_left_traces

        erased = erase_left_traces()
        if erased is None:
            self.stdout.write(_("No electronic vote was ever closed in this database: nothing to erase."))
        elif erased:
            self.stdout.write(
                _("Erased: the database's files keep nothing of the closed electronic votes' rows as cast.")
            )
        else:
            raise CommandError(
                _(
                    "The database's files could not be erased of the closed electronic votes (the log above says "
                    "why: another transaction was using the database, or tinnhiem's role may not rewrite the "
                    "ballot tables, which tinnhiem preflight checks). Run it again when nothing else uses the database."
                )
            )
