"""A small rate limit on guesses (card codes, tracking codes, personal links), per client address.

Counts live in Django's cache (memory of the server process by default; configure a shared cache
for several workers). The address is used only as a counter key for a few minutes and never logged.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

WINDOW = 300  # seconds
LIMIT = 20  # failures per window


def _key(scope: str, request) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    return "tinnhiem-rl:" + scope + ":" + hashlib.sha256(address.encode()).hexdigest()[:24]


def blocked(scope: str, request, limit: int = LIMIT) -> bool:
    return (cache.get(_key(scope, request)) or 0) >= limit


def failure(scope: str, request) -> None:
    key = _key(scope, request)
    if not cache.add(key, 1, WINDOW):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, WINDOW)
