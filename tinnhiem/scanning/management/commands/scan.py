"""``tinnhiem scan CONFERENCE SCANS... --user NAME``: read scanned ballots from the command line.

Files are PNG, JPEG, TIFF or multi-page PDF; a folder is read in name order. The output (text or
``--format json``) is documented in docs/scanning.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tinnhiem.conferences.models import BallotForm, Conference
from tinnhiem.scanning.models import ignored_groups
from tinnhiem.scanning.stack import file_order
from tinnhiem.scanning.stats import review_statistics
from tinnhiem.scanning.usecases import (
    DiskFullError,
    ScanInputError,
    StackOrderError,
    check_file_size,
    counted_ballots,
    scan_files,
    scan_problems,
)
from tinnhiem.site.commands import TinnhiemCommand

# .heic: an iPhone's photos copied into the folder are refused with what to do, not left out unseen
SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pdf", ".heic", ".heif"}
BATCH = 8  # files read together


def _file_order(path: Path) -> tuple:
    return file_order(path.name)


class Command(TinnhiemCommand):
    help = gettext_lazy(
        "Read scanned ballots (PNG, JPEG, TIFF, PDF files or folders) into a ballot form counted by scanning."
    )

    def add_arguments(self, parser):
        self.add_conference_argument(parser)
        parser.add_argument(
            "scans", nargs="+", metavar=_("SCANS"), help=_("scanned files or folders, in the order of the stack")
        )
        parser.add_argument(
            "--user",
            required=True,
            metavar=_("USER"),
            help=_("the counting committee member doing the scan (user name)"),
        )
        parser.add_argument(
            "--form",
            type=int,
            metavar=_("FORM"),
            help=_("ballot form counted by scanning (default: the conference's only one)"),
        )
        parser.add_argument(
            "--format", choices=("text", "json"), default="text", help=_("output: text (default) or json")
        )
        parser.add_argument(
            "--last-page-first",
            action="store_true",
            help=_("the stack was fed last page first: each ballot's pages come last to first"),
        )
        parser.add_argument(
            "--take-over",
            action="store_true",
            help=_(
                "these files continue the stack another member was scanning, whose last ballot waits for its "
                "other pages (the scanning was handed over)"
            ),
        )

    def handle(
        self,
        *args,
        conference,
        scans,
        user,
        form=None,
        format="text",
        last_page_first=False,
        take_over=False,
        **options,
    ):
        found = Conference.objects.filter(pk=conference).first()
        if found is None:
            raise CommandError(_("There is no conference %(id)s.") % {"id": conference})
        forms = found.ballot_forms.filter(mode=BallotForm.Mode.SCAN)
        if not forms:
            raise CommandError(
                _(
                    "Conference %(id)s has no ballot form counted by scanning (each form's counting mode is chosen "
                    "on the page “Ballot forms”, before counting)."
                )
                % {"id": found.pk}
            )
        chosen = forms.filter(pk=form).first() if form else (forms.first() if forms.count() == 1 else None)
        if chosen is None:
            raise CommandError(
                _("Choose a ballot form counted by scanning with --form: %(forms)s")
                % {"forms": ", ".join(f"{f.pk} ({f.name})" for f in forms) or "—"}
            )
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(_("There is no user %(user)s.") % {"user": user})
        files = []
        for name in scans:
            path = Path(name)
            if path.is_dir():  # in the order of the stack, as the scanner numbered the files
                files.extend(sorted((p for p in path.iterdir() if p.suffix.lower() in SUFFIXES), key=_file_order))
            else:
                files.append(path)
        output = {"form": chosen.pk, "files": []}
        for first in range(0, len(files), BATCH):  # a few files at a time: their pages are read on all cores
            batch, entries = [], []  # the same file named twice is read twice (then a duplicate)
            for path in files[first : first + BATCH]:
                entry = {"file": str(path)}
                entries.append((path, entry))
                try:
                    check_file_size(path.name, path.stat().st_size)  # not read into memory when too large
                    batch.append((path, path.read_bytes(), entry))
                except ScanInputError as exc:
                    entry.update(status="refused", message=" ".join(exc.messages))
                except FileNotFoundError:
                    entry.update(status="refused", message=_("There is no file “%(file)s”.") % {"file": path})
                except OSError as exc:
                    entry.update(
                        status="refused",
                        message=_("“%(file)s” cannot be read (%(error)s).") % {"file": path, "error": exc.strerror},
                    )
            try:
                results = scan_files(
                    actor,
                    chosen,
                    [(path.name, data) for path, data, _entry in batch],
                    progress=self._progress(first, len(files)) if format == "text" and sys.stderr.isatty() else None,
                    last_page_first=last_page_first,
                    take_over=take_over,
                )
            except PermissionDenied as exc:
                raise CommandError(
                    _("%(user)s is not an approved member of this conference's counting committee.") % {"user": user}
                ) from exc
            except ValidationError as exc:  # the form cannot be scanned now
                raise CommandError(" ".join(exc.messages)) from exc
            for (_path, _data, entry), result in zip(batch, results, strict=True):
                if isinstance(result, ValidationError):
                    entry.update(status="refused", message=" ".join(result.messages))
                else:
                    entry.update(
                        status="read",
                        pages=result.pages,
                        ballots=result.ballots,
                        to_review=result.to_review,
                        waiting=result.waiting,
                        ignored=result.ignored,
                    )
            for path, entry in entries:
                output["files"].append(entry)
                if format == "text":
                    self._write(path, entry)
            if any(isinstance(result, (StackOrderError, DiskFullError)) for result in results):
                # pages in the other order than the committee said, or the disk full: the rest is not read either
                for path in files[first + BATCH :]:
                    entry = {"file": str(path), "status": "not_read"}
                    output["files"].append(entry)
                    if format == "text":
                        self._write(path, entry)
                break
        chosen.refresh_from_db()
        output["scanned"] = counted_ballots(chosen).count()
        output["to_review"] = counted_ballots(chosen).filter(needs_review=True).count()
        output["collected"] = chosen.collected
        output["problems"] = scan_problems(chosen)
        output["review"] = review_statistics(chosen).as_dict()
        if format == "json":
            self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
        else:
            for problem in output["problems"]:
                self.stdout.write(problem)
        unread = sum(1 for entry in output["files"] if entry["status"] != "read")
        if unread:  # exit status 1, after the output: a script sees that files were left out
            raise CommandError(
                ngettext(
                    "%(n)s file was not read (see above); the files read are counted.",
                    "%(n)s files were not read (see above); the files read are counted.",
                    unread,
                )
                % {"n": unread}
            )

    def _write(self, path: Path, entry: dict) -> None:
        if sys.stderr.isatty():
            sys.stderr.write("\r\033[K")  # clear the progress line
        if entry["status"] == "read":
            self.stdout.write(
                _("%(file)s: %(pages)s pages, %(ballots)s ballots, %(review)s to review")
                % {"file": path, "pages": entry["pages"], "ballots": entry["ballots"], "review": entry["to_review"]}
            )
            # by reason; the back sides of a duplex scan are counted, on one line
            blank = sum(1 for item in entry["ignored"] if item["reason"] == "blank")
            for group in ignored_groups((i["sequence"], i["reason"], i["text"]) for i in entry["ignored"]):
                many = ngettext("%(n)s page", "%(n)s pages", group["count"]) % {"n": group["count"]}
                self.stdout.write(f"  {group['pages']}{f' ({many})' if group['count'] > 1 else ''}: {group['text']}")
            if blank:
                self.stdout.write("  " + _("%(n)s blank pages ignored") % {"n": blank})
        elif entry["status"] == "not_read":
            self.stdout.write(_("%(file)s: not read") % {"file": path})
        else:
            self.stdout.write(f"{path}: {entry['message']}")

    @staticmethod
    def _progress(first: int, files: int):
        """A line on the terminal that the results overwrite: files begun, and pages of the batch."""

        def show(done: int, total: int) -> None:
            sys.stderr.write(f"\r{min(first + BATCH, files)}/{files} … {done}/{total}")
            sys.stderr.flush()

        return show
