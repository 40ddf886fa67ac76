"""Serving with waitress (pure Python; also runs on a Windows laptop in a hall)."""

from __future__ import annotations

from waitress import serve as waitress_serve

from .wsgi import application


def serve(host: str, port: int, threads: int = 8) -> None:
    waitress_serve(
        application, host=host, port=port, threads=threads, ident="tinnhiem", clear_untrusted_proxy_headers=True
    )
