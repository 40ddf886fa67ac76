"""Serving with waitress (pure Python; also runs on a Windows laptop in a hall)."""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from waitress.server import create_server

from .wsgi import application


def bind_problem(error: OSError, host: str, port: int) -> str:
    """What a staff officer should read when the server cannot open its address, instead of a
    traceback: a port already taken (tinnhiem running in another window), an address this
    computer does not have, or a port below 1024."""
    if isinstance(error, socket.gaierror):
        return _(
            "“%(host)s” is not an address of this computer or network. Use 127.0.0.1 (this computer only) or 0.0.0.0 (every network of this computer)."
        ) % {"host": host}
    if error.errno == errno.EADDRINUSE:
        return _(
            "Port %(port)s on %(host)s is already used by another program (perhaps tinnhiem is already running in "
            "another window). Stop that program, or choose another port, e.g. --port %(other)s."
        ) % {"port": port, "host": host, "other": port + 1 if port < 65535 else 8000}
    if error.errno == errno.EADDRNOTAVAIL:
        return _(
            "This computer has no address %(host)s. Use 0.0.0.0 to accept connections on every network of this "
            "computer, or the address the hall router gave it."
        ) % {"host": host}
    if error.errno == errno.EACCES:
        return _(
            "Not allowed to open port %(port)s (ports below 1024 need administrator rights). Choose a port of 1024 or more, e.g. 8000."
        ) % {"port": port}
    return _("The server could not open %(host)s:%(port)s: %(error)s") % {
        "host": host,
        "port": port,
        "error": error.strerror or error,
    }


def loopback(host: str) -> bool:
    return host in ("localhost", "::1", "[::1]") or host.startswith("127.")


def machine_addresses() -> list[str]:
    """This computer's IPv4 addresses on its networks (not loopback), found without sending
    anything: the address a UDP socket would leave from toward a private network (connecting one
    sends no packet), and the addresses of its host name."""
    found = set()
    for probe in ("10.254.254.254", "192.168.254.254", "172.31.254.254"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.connect((probe, 9))
                found.add(udp.getsockname()[0])
        except OSError:
            pass  # no route to that network
    try:
        found.update(info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET))
    except OSError:
        pass
    return sorted(a for a in found if not loopback(a) and a != "0.0.0.0")


def reachable_addresses(host: str) -> list[str]:
    """The addresses other devices use to reach a server listening on ``host``: none for a
    loopback address, this computer's addresses for 0.0.0.0 (or ::), else ``host`` itself."""
    if loopback(host):
        return []
    if host in ("0.0.0.0", "::", "[::]", ""):
        return machine_addresses()
    return [host]


def loopback_only(allowed_hosts: list[str]) -> bool:
    """Whether the server answers to this computer's own names only (127.0.0.1, localhost)."""
    return "*" not in allowed_hosts and all(loopback(h.lstrip(".")) for h in allowed_hosts)


def suggested_hosts(addresses: list[str]) -> str:
    """The TINNHIEM_ALLOWED_HOSTS value to propose: this computer, then its network addresses."""
    return ",".join(["127.0.0.1", *addresses]) if addresses else _("127.0.0.1,ADDRESS-OF-THIS-COMPUTER")


def open_server(host: str, port: int, threads: int = 8):
    """The waitress server, its address already bound, so that a problem with the address is a
    CommandError said before anything else is done."""
    if not 1 <= port <= 65535:
        raise CommandError(_("A port is a number from 1 to 65535, not %(port)s.") % {"port": port})
    try:
        # A burst of phones opens hundreds of short connections: waitress's default limit of 100 open
        # channels, cleaned up every 30 s, otherwise makes new phones wait up to 30 s.
        return create_server(
            application,
            host=host,
            port=port,
            threads=threads,
            ident="tinnhiem",
            clear_untrusted_proxy_headers=True,
            connection_limit=2000,
            channel_timeout=60,
            cleanup_interval=5,
            asyncore_use_poll=True,
            backlog=2048,
        )
    except OSError as exc:
        raise CommandError(bind_problem(exc, host, port)) from exc


def serve(host: str, port: int, threads: int = 8, *, ready: Callable[[], None] | None = None) -> None:
    """Bind, then say so (``ready``), then serve until stopped."""
    server = open_server(host, port, threads)
    if ready:
        ready()
    server.run()
