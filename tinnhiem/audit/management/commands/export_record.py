"""``tinnhiem export_record CONFERENCE [-o FILE]``: the signed record of a finished conference."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinnhiem.audit.record import export_for_authority, public_key_b64
from tinnhiem.conferences.models import Conference
from tinnhiem.site.commands import TinnhiemCommand, output_path


class Command(TinnhiemCommand):
    help = gettext_lazy("Export the signed record of a finished conference (docs/record-format.md).")

    def add_arguments(self, parser):
        self.add_conference_argument(parser)
        self.add_output_argument(parser)

    def handle(self, *args, conference, output=None, **options):
        found = Conference.objects.filter(pk=conference).first()
        if found is None or found.status != Conference.Status.FINISHED:
            raise CommandError(_("There is no finished conference %(id)s.") % {"id": conference})
        path = output_path(output, f"ho-so-hoi-nghi-{conference}.zip")  # before the export is logged
        data = export_for_authority("system", found)
        self.write_output(path, data)
        self.stdout.write(_("Public key of this site: %(key)s") % {"key": public_key_b64()})
