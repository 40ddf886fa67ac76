"""Site-wide pages: the check of this computer before the conference (tinnhiem/site/preflight.py),
and what search engines are told."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from tinnhiem.accounts.roles import PREPARE, permission_required


def robots(request):
    """No page of tinnhiem is for a search engine: a personal link (an invitation, a rated person's
    page) posted where a crawler reads it is not followed. Every response also says so
    (``X-Robots-Tag``, tinnhiem.site.middleware)."""
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain; charset=utf-8")


@permission_required(PREPARE)
def preflight(request):
    from tinnhiem.site.preflight import client_address, page_address, run_checks

    findings = [*run_checks(), page_address(request), *client_address(request)]
    failed = sum(f.status == "fail" for f in findings)
    warned = sum(f.status == "warn" for f in findings)
    return render(request, "site/preflight.html", {"findings": findings, "failed": failed, "warned": warned})
