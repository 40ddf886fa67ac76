"""A small rate limit on guesses (card codes, tracking codes, personal links), per client address.

Counts live in Django's cache, the memory of the server process: with several processes (gunicorn's
workers, docs/deploy.md) each counts its own. The address is used only, hashed, as a counter key
for a few minutes and never logged.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

WINDOW = 300  # seconds
LIMIT = 20  # failures per window


def _key(scope: str, request) -> str:
    """The scope and the address, hashed: a scope may hold what a person typed (an account's name,
    or a password typed into that field by mistake), which the cache keeps for a few minutes, and
    a cache shared by several workers (memcached) takes only short keys of ASCII without spaces."""
    return "tinnhiem-rl:" + _hashed(scope)[:16] + ":" + _hashed(client_address(request))[:24]


def client_address(request) -> str:
    """The client's address: behind the proxy (``TINNHIEM_BEHIND_TLS_PROXY``), the one the proxy
    passes (X-Real-IP, docs/deploy.md), not the proxy's own, which every request comes from."""
    header = settings.TINNHIEM_CLIENT_ADDRESS_HEADER
    return (header and request.META.get(header, "").strip()) or request.META.get("REMOTE_ADDR", "")


def _hashed(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def blocked(scope: str, request, limit: int = LIMIT) -> bool:
    return (cache.get(_key(scope, request)) or 0) >= limit


def failure(scope: str, request) -> None:
    key = _key(scope, request)
    if not cache.add(key, 1, WINDOW):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, WINDOW)
