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
