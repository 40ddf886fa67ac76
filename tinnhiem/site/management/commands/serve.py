"""``tinnhiem serve``: the production server (waitress) for a hall laptop or a small server.

Refuses to start in debug mode or with an open ALLOWED_HOSTS. For several workers on Linux use
gunicorn behind nginx (docs/deploy.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinnhiem.site.commands import TinnhiemCommand
from tinnhiem.site.demo_folder import refusal_to_serve


def first_account_hint() -> str | None:
    """On a site with no account yet, how its administrator makes the first one."""
    from django.contrib.auth import get_user_model
    from django.db import DatabaseError

    try:
        if get_user_model().objects.exists():
            return None
    except DatabaseError:  # not migrated yet: Django says so on the first request
        return None
    return _("No account yet: make the administrator's, in another window: tinnhiem account quantri --role admin")


def allowed_hosts_warning(host: str) -> str | None:
    """Listening beyond this computer while answering only to loopback names: every phone and
    laptop in the hall would get "Request refused". Said at start, not found out in the hall."""
    from tinnhiem.site.addresses import loopback, loopback_only, reachable_addresses, suggested_hosts

    if loopback(host) or not loopback_only(settings.ALLOWED_HOSTS):
        return None
    return _(
        "Warning: the server listens on %(host)s, but TINNHIEM_ALLOWED_HOSTS allows only %(allowed)s: phones and "
        "other computers will be refused. Set TINNHIEM_ALLOWED_HOSTS=%(suggested)s and start again."
    ) % {
        "host": host,
        "allowed": ", ".join(settings.ALLOWED_HOSTS) or "—",
        "suggested": suggested_hosts(reachable_addresses(host)),
    }


def network_urls(host: str, port: int) -> str:
    """The addresses phones and other computers open, among those the server answers to."""
    from django.http.request import validate_host

    from tinnhiem.site.addresses import reachable_addresses

    return ", ".join(
        f"http://{a}:{port}/" for a in reachable_addresses(host) if validate_host(a, settings.ALLOWED_HOSTS)
    )


def check_production_settings() -> list[str]:
    problems = []
    if settings.DEBUG:
        problems.append(_("Debug mode is on (TINNHIEM_DEBUG=1): never in a hall."))
    if "*" in settings.ALLOWED_HOSTS:
        problems.append(_("TINNHIEM_ALLOWED_HOSTS must name the server's addresses, not “*”."))
    key = settings.SECRET_KEY
    if len(key) < 40 or "insecure" in key or "not-for-production" in key:
        problems.append(_("The secret key is missing or weak: set TINNHIEM_SECRET_KEY, or let tinnhiem generate one."))
    if demo := refusal_to_serve():
        problems.append(demo)
    return problems


class Command(TinnhiemCommand):
    help = gettext_lazy("Serve tinnhiem with waitress (production settings are checked first).")

    def needs_database(self, options: dict) -> bool:
        return not options["migrate"]  # --migrate sets it up first

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            metavar=_("ADDRESS"),
            help=_("address to listen on, e.g. 0.0.0.0 for the hall network"),
        )
        parser.add_argument("--port", type=int, default=8000, metavar=_("PORT"), help=_("port (default: 8000)"))
        parser.add_argument(
            "--threads", type=int, default=4, metavar=_("N"), help=_("worker threads (4 suit SQLite on 2 cores)")
        )
        parser.add_argument("--migrate", action="store_true", help=_("apply database migrations first"))

    def handle(self, *args, host: str, port: int, threads: int, migrate: bool, **options):
        problems = check_production_settings()
        if problems:
            raise CommandError(" ".join(problems))
        if migrate:
            call_command("migrate", interactive=False, verbosity=0)
        from tinnhiem.voting.usecases.evote import erase_left_traces

        erase_left_traces()  # nothing else uses the database yet: SQLite's log empties at once
        warning = allowed_hosts_warning(host)
        if warning:
            self.stderr.write(warning)
        hint = first_account_hint()
        if hint:
            self.stdout.write(hint)
        from tinnhiem.site.server import serve

        def ready() -> None:
            self.stdout.write(
                _("tinnhiem is serving on http://%(host)s:%(port)s/ (Ctrl+C to stop)") % {"host": host, "port": port}
            )
            urls = network_urls(host, port)
            if urls:
                self.stdout.write(_("Phones and other computers on the same network open: %(urls)s") % {"urls": urls})
            self.stdout.flush()

        serve(host, port, threads=threads, ready=ready)
