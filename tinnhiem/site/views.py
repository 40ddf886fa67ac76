"""Site-wide pages: the check of this computer before the conference (tinnhiem/site/preflight.py)."""

from __future__ import annotations

from django.shortcuts import render

from tinnhiem.accounts.roles import PREPARE, permission_required


@permission_required(PREPARE)
def preflight(request):
    from tinnhiem.site.preflight import page_address, run_checks

    findings = [*run_checks(), page_address(request)]
    failed = sum(f.status == "fail" for f in findings)
    warned = sum(f.status == "warn" for f in findings)
    return render(request, "site/preflight.html", {"findings": findings, "failed": failed, "warned": warned})
