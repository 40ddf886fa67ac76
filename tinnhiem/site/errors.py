"""Our own error pages, in Vietnamese (Django's defaults are not translated)."""

import logging
import sys

from django.core.exceptions import DisallowedHost
from django.db import IntegrityError
from django.http import HttpResponse, JsonResponse
from django.http.request import split_domain_port
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from tinnhiem import disk

DISK_FULL_TEXT = gettext_lazy(
    "The server's disk is full: what you just did was not recorded, and nothing was recorded by half. "
    "Tell whoever runs the server to free some space, then open the page again to see what was recorded."
)
DISK_FULL_UPLOAD = gettext_lazy(
    "the server's disk is full, and nothing more can be recorded. Free some space on the server, then "
    "reload this page and choose the files again from this one: a page already counted is recognised and "
    "not counted twice."
)
CONFLICT_TEXT = gettext_lazy(
    "What you just sent was not recorded: while it was on its way, someone else changed what it refers to "
    "(removed an item you chose, or recorded the same one first). Nothing was recorded by half. Open the page "
    "again to see what is recorded now, then do it again if it is still needed."
)


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
    """Django calls it while handling the exception (its ``sys.exc_info()``): a full disk is said
    as such, with what to do; so is a change refused as conflicting with another's (``conflict``)."""
    exception = sys.exc_info()[1]
    if disk.is_full(exception):
        return disk_full(request)
    if isinstance(exception, IntegrityError):
        return conflict(request)
    return render(request, "errors/500.html", status=500)


def conflict(request):
    """The database refused what was sent as conflicting with what another request recorded
    meanwhile (409 Conflict): a foreign key to a row removed in between, a unique key taken first.
    The use cases lock what they change and check what they hang things on, so this is a race
    they did not foresee, or a defect: the server's log keeps its traceback (Django logs the
    response, “Conflict: /…”, with the exception). The person is told that nothing was recorded,
    and to look before doing it again; the scan page's script gets the words to show."""
    if request.headers.get("X-Requested-With") == "upload":
        return JsonResponse({"error": str(CONFLICT_TEXT)}, status=409)
    try:
        return render(request, "errors/409.html", {"text": CONFLICT_TEXT}, status=409)
    except Exception:  # the page's frame needs the database too: the words alone
        return HttpResponse(str(CONFLICT_TEXT), content_type="text/plain; charset=utf-8", status=409)


def disk_full(request):
    """The action was refused because the disk is full (507 Insufficient Storage). Nothing of it
    was kept: each use case is one transaction, and the database refused to commit it. A voter is
    told that the ballot was not recorded and the code is still unused; the scan page's script
    gets the words to show; the others are told to free space, then look at what was recorded
    before doing it again."""
    disk.log_full("a request was refused, and nothing of it recorded")
    match = getattr(request, "resolver_match", None)
    if request.headers.get("X-Requested-With") == "upload":  # the scan page's script
        return JsonResponse({"error": str(DISK_FULL_UPLOAD)}, status=507)
    template = "errors/507-vote.html" if match and match.view_name == "voting:vote" else "errors/507.html"
    user = getattr(request, "user", None)
    shown = disk.free_mb() if user is not None and user.is_authenticated else None  # not to voters
    try:
        return render(request, template, {"free_mb": shown}, status=507)
    except Exception:  # the page's frame needs the database too: the words alone
        return HttpResponse(str(DISK_FULL_TEXT), content_type="text/plain; charset=utf-8", status=507)


def csrf_failure(request, reason=""):
    return render(request, "errors/csrf.html", status=403)


class WithoutTraceback(logging.Filter):
    """A refused address is logged as its one line (“Invalid HTTP_HOST header: '192.168.1.50:8000'.
    You may need to add '192.168.1.50' to ALLOWED_HOSTS.”), not with a traceback of Django's
    insides: in a hall, every phone that tries the address would print one."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text = None, None
        return True
