"""``tinnhiem verify ARCHIVE --public-key KEY``: re-check a conference record independently."""

import hashlib
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinnhiem.audit.verify import verify_record
from tinnhiem.site.commands import TinnhiemCommand


class Command(TinnhiemCommand):
    help = gettext_lazy("Verify an exported conference record with nothing but the archive and the site's public key.")

    def needs_database(self, options: dict) -> bool:
        return False  # it reads the record file alone

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar=_("ARCHIVE"), help=_("the exported record (.zip)"))
        parser.add_argument(
            "--public-key",
            metavar=_("KEY"),
            help=_("the site's Ed25519 public key (base64), published by the site"),
        )
        parser.add_argument(
            "--scans",
            metavar=_("FOLDER"),
            help=_(
                "a copy of the conference's scan images (any file names, sub-folders allowed): "
                "they must be exactly the images the record lists"
            ),
        )
        parser.add_argument(
            "--paper-fingerprint",
            metavar=_("FINGERPRINT"),
            help=_(
                "the audit fingerprint printed on the signed paper minutes: whether what they say "
                "changed after they were printed, and what did"
            ),
        )

    def handle(self, *args, archive, public_key=None, scans=None, paper_fingerprint=None, **options):
        try:
            data = Path(archive).read_bytes()
        except FileNotFoundError as exc:
            raise CommandError(_("There is no file “%(file)s”.") % {"file": archive}) from exc
        except OSError as exc:
            raise CommandError(
                _("“%(file)s” cannot be read (%(error)s).") % {"file": archive, "error": exc.strerror}
            ) from exc
        images = None
        if scans is not None:
            folder = Path(scans)
            if not folder.is_dir():
                raise CommandError(_("%(folder)s is not a folder.") % {"folder": scans})
            images = {
                str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
                for path in sorted(folder.rglob("*"))
                if path.is_file()
            }
        verdict = verify_record(data, public_key.encode() if public_key else None, images, paper_fingerprint)
        for line in verdict.checked:
            self.stdout.write("  " + _("correct: %(what)s") % {"what": line.translated(_)})
        for line in verdict.problems:
            self.stdout.write("  " + _("WRONG: %(what)s") % {"what": line.translated(_)})
        if not verdict.ok:
            raise CommandError(_("The record is NOT valid: %(n)s discrepancies.") % {"n": len(verdict.problems)})
        self.stdout.write(_("The record is valid: every check is correct."))
