"""Refuse oversized requests before they are read (a 200 MB "roster" never reaches a view)."""

import re

from django.conf import settings
from django.shortcuts import render

# the pages that take a report, a dossier or an explanation, which may come as the photos of its
# pages (a phone's photo is 2 to 6 MB): the office's, and the rated person's own link
DOCUMENT_PAGES = re.compile(r"/(hoi-nghi/\d+/ho-so|hoi-nghi/\d+/giai-trinh/nguoi/\d+|giai-trinh/\d+/[^/]+)/")
OWN_LINK = re.compile(r"/giai-trinh/(\d{1,9})/([^/]+)/")


def _may_send(request) -> bool:
    """Whoever may send a large upload there: a signed-in account (the page checks its role), or
    on the rated person's own page the holder of a valid link. Anyone else's request is held to
    the limit of any page before it is read: a body is written to the disk as it is read, before
    any view could refuse it."""
    if own := OWN_LINK.fullmatch(request.path):
        from tinnhiem.conferences.links import check_explanation_link

        return check_explanation_link(int(own[1]), own[2]) is not None
    return request.user.is_authenticated


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit, larger = settings.TINNHIEM_MAX_REQUEST_BYTES, None
        if request.path.endswith("/quet/"):  # the scanner's upload: a batch of pages
            larger = settings.TINNHIEM_MAX_SCAN_BYTES + 1024 * 1024
        elif request.path.endswith("/ho-so-nhan/"):  # the managing authority's records, all units at once
            larger = settings.TINNHIEM_MAX_RECORDS_BYTES
        elif DOCUMENT_PAGES.fullmatch(request.path):
            larger = settings.TINNHIEM_MAX_DOCUMENT_REQUEST_BYTES
        if larger is not None:  # the page's own limit, for whoever may send there (asked only when it counts)
            smaller = min(limit, larger)
            limit = larger if length > smaller and _may_send(request) else smaller
        if length > limit:
            return render(request, "errors/413.html", {"limit_mb": limit // (1024 * 1024)}, status=413)
        return self.get_response(request)
