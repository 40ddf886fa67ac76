"""Refuse oversized requests before they are read (a 200 MB "roster" never reaches a view)."""

import re

from django.conf import settings
from django.shortcuts import render

# the pages that take a report, a dossier or an explanation, which may come as the photos of its
# pages (a phone's photo is 2 to 6 MB): the office's, and the rated person's own link
DOCUMENT_PAGES = re.compile(r"/(hoi-nghi/\d+/ho-so|hoi-nghi/\d+/giai-trinh/nguoi/\d+|giai-trinh/\d+/[^/]+)/")


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.TINNHIEM_MAX_REQUEST_BYTES
        if request.path.endswith("/quet/"):  # the scanner's upload: a batch of pages
            limit = settings.TINNHIEM_MAX_SCAN_BYTES + 1024 * 1024
        elif request.path.endswith("/ho-so-nhan/"):  # the managing authority's records, all units at once
            limit = settings.TINNHIEM_MAX_RECORDS_BYTES
        elif DOCUMENT_PAGES.fullmatch(request.path):
            limit = settings.TINNHIEM_MAX_DOCUMENT_REQUEST_BYTES
        if length > limit:
            return render(request, "errors/413.html", {"limit_mb": limit // (1024 * 1024)}, status=413)
        return self.get_response(request)
