"""Our own error pages, in Vietnamese (Django's defaults are not translated)."""

import logging

from django.core.exceptions import DisallowedHost
from django.http.request import split_domain_port
from django.shortcuts import render


def bad_request(request, exception=None):
    """A request refused before it reached a page. The usual one in a hall: a phone or laptop
    reaching the server by an address it was not told to answer (TINNHIEM_ALLOWED_HOSTS); the
    page names that address, so that whoever runs the server knows what to add."""
    host = request.META.get("HTTP_HOST", "") if isinstance(exception, DisallowedHost) else ""
    domain = split_domain_port(host)[0] if host else ""
    return render(request, "errors/400.html", {"host": host, "domain": domain}, status=400)


def forbidden(request, exception=None):
    return render(request, "errors/403.html", status=403)


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)


def csrf_failure(request, reason=""):
    return render(request, "errors/csrf.html", status=403)


class WithoutTraceback(logging.Filter):
    """A refused address is logged as its one line (“Invalid HTTP_HOST header: '192.168.1.50:8000'.
    You may need to add '192.168.1.50' to ALLOWED_HOSTS.”), not with a traceback of Django's
    insides: in a hall, every phone that tries the address would print one."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text = None, None
        return True
