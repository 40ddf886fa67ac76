"""Serving with waitress (pure Python; also runs on a Windows laptop in a hall)."""

from __future__ import annotations

from waitress import serve as waitress_serve

from .wsgi import application


def serve(host: str, port: int, threads: int = 8) -> None:
    # A burst of phones opens hundreds of short connections: waitress's default limit of 100 open
    # channels, cleaned up every 30 s, otherwise makes new phones wait up to 30 s.
    waitress_serve(
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
