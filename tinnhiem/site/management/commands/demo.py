"""``tinnhiem demo``: a local SQLite database with the demo conference, served on 127.0.0.1."""

from __future__ import annotations

from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinnhiem.site import demo_folder
from tinnhiem.site.addresses import every_address
from tinnhiem.site.commands import TinnhiemCommand
from tinnhiem.site.demo import COUNCIL_TITLE, SCAN_TITLE, demo_summary, load_demo, write_demo_scans


class Command(TinnhiemCommand):
    help = gettext_lazy("Create (or reuse) the demo database with the seed conference and start the server.")

    def needs_database(self, options: dict) -> bool:
        return False  # it sets up its own database

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, metavar=_("PORT"), help=_("port (default: 8000)"))
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            metavar=_("ADDRESS"),
            help=_("address to listen on (default: this computer only)"),
        )
        parser.add_argument(
            "--no-input", "--noinput", action="store_true", dest="no_input", help=_("never ask anything")
        )
        parser.add_argument("--no-serve", action="store_true", help=_("load the demo data and stop"))
        parser.add_argument(
            "--reset",
            action="store_true",
            help=_("delete the demo data made before and start again from the beginning"),
        )

    def handle(self, *args, **options):
        server = None
        if not options["no_serve"]:  # the address first: a port in use is said before the data is loaded
            from tinnhiem.site.server import open_server

            server = open_server(options["host"], options["port"])
        call_command("migrate", interactive=False, verbosity=0)
        if (found := demo_folder.foreign_data()) is not None:
            raise CommandError(
                _(
                    "The data folder %(folder)s holds a site's own data (%(found)s). The demo adds accounts whose "
                    "password is public, so it does not load into it. Give the demo a data folder of its own: "
                    "TINNHIEM_DATA_DIR=%(suggested)s tinnhiem demo"
                )
                % {
                    "folder": settings.DATA_DIR,
                    "found": found,
                    "suggested": settings.DATA_DIR.with_name(settings.DATA_DIR.name + "-demo"),
                }
            )
        if options["reset"]:
            demo_folder.reset()
            call_command("migrate", interactive=False, verbosity=0)
        reused = demo_folder.loaded()
        conference = load_demo()
        demo_folder.mark()
        here = "127.0.0.1" if every_address(options["host"]) else options["host"]
        url = f"http://{here}:{options['port']}/"
        self.stdout.write(_("tinnhiem demo — database: %(db)s") % {"db": settings.DATABASES["default"]["NAME"]})
        self.stdout.write(_("Demo conference: %(title)s") % {"title": conference.title})
        if reused:
            self.stdout.write(
                _(
                    "The demo data made before is used again, with what was done in it. "
                    "To start again from the beginning: tinnhiem demo --reset"
                )
            )
        self.stdout.write(
            _(
                "It follows the real conference in Móng Cái on 29/09/2023, a district-level body, moved to "
                "the coming days; its pages therefore remind you that the district level ended on 01/7/2025."
            )
        )
        self.stdout.write(_("Open %(url)s and log in with one of these accounts:") % {"url": url})
        for line in demo_summary():
            self.stdout.write("  " + line)
        scans = write_demo_scans(settings.DATA_DIR / "phieu-quet-mau")
        if scans:
            self.stdout.write(
                _(
                    "Scanned ballots to try the scanner: %(folder)s (%(n)s files). Log in as kiemphieu1, "
                    "open “%(title)s” → Counting → Scan and review, and upload them."
                )
                % {"folder": scans[0].parent, "n": len(scans), "title": SCAN_TITLE}
            )
        self.stdout.write(
            _(
                "A People's Council session under NQ 96/2023: log in as vanphong, open “%(title)s” → Results: "
                "one result calls for a confidence vote, which the page prepares."
            )
            % {"title": COUNCIL_TITLE}
        )
        if server is None:
            return
        self._other_devices(options["host"], options["port"])
        self.stdout.write(_("Press Ctrl+C to stop."))
        self.stdout.flush()
        server.run()

    def _other_devices(self, host: str, port: int) -> None:
        """Listening beyond this computer (e.g. --host 0.0.0.0, to try voting on phones over the
        hall's Wi-Fi): the demo answers to this computer's addresses too, and says which to open."""
        from tinnhiem.site.addresses import loopback, reachable_addresses
        from tinnhiem.site.management.commands.serve import network_urls

        if loopback(host):
            return
        addresses = reachable_addresses(host)
        if not addresses:
            self.stdout.write(
                _("No address of this computer on a network was found: check that it is connected to the Wi-Fi.")
            )
            return
        if "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS.extend(a for a in addresses if a not in settings.ALLOWED_HOSTS)
        urls = network_urls(host, port)  # every one of them now answers
        self.stdout.write(_("Phones and other computers on the same network open: %(urls)s") % {"urls": urls})
