"""Site-wide pages: the check of this computer before the conference (tinnhiem/site/preflight.py),
the administrator's backup, and what search engines are told."""

from __future__ import annotations

import tempfile

from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from tinnhiem.accounts.roles import BACKUP, PREPARE, permission_required
from tinnhiem.files import megabytes


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


@permission_required(BACKUP)
def backup(request):
    """The administrator downloads a backup of the whole site (``backups.back_up``), after typing
    their password again: a session left open on the hall's laptop does not give a copy of
    everything, keys included. The archive is written into a temporary file, then sent."""
    from tinnhiem.accounts.views import LOGIN_FAILURES, own_password_scope
    from tinnhiem.audit.describe import actor_label
    from tinnhiem.audit.models import Event
    from tinnhiem.site.backups import back_up, backup_due
    from tinnhiem.text import typed_with_accents
    from tinnhiem.voting import ratelimit

    error, status, accents = "", 200, False
    scope = own_password_scope(request.user)  # the guesses counted with the password page's
    if request.method == "POST":
        typed = request.POST.get("password", "")
        if ratelimit.blocked(scope, request, limit=LOGIN_FAILURES):
            error, status = _("Too many wrong passwords: try again in a few minutes."), 429
        elif not request.user.check_password(typed):
            ratelimit.failure(scope, request)
            error, status, accents = _("The password is not right: no backup was made."), 400, typed_with_accents(typed)
        else:
            out = tempfile.TemporaryFile()
            try:
                back_up(request.user, out)
            except BaseException:
                out.close()
                raise
            name = f"sao-luu-tinnhiem-{timezone.localdate():%Y-%m-%d}.tar.gz"
            return FileResponse(out, as_attachment=True, filename=name, content_type="application/gzip")
    taken = [
        {
            "at": e.at,
            "by": actor_label(e.actor),
            "size": megabytes(e.data.get("bytes", 0)),
            "sha256": e.data.get("sha256", ""),
        }
        for e in Event.objects.filter(action="site.backed_up").order_by("-seq")[:5]
    ]
    context = {"error": error, "accents": accents, "taken": taken, "due": backup_due()}
    return render(request, "site/backup.html", context, status=status)
