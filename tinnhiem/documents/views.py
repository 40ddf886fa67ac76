"""Downloads of the official documents, from the conference pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tinnhiem.accounts.roles import AUDIT, PREPARE, VIEW, permission_required
from tinnhiem.conferences.forms import SignerForm
from tinnhiem.conferences.models import BallotForm, Body, Campaign, Conference
from tinnhiem.conferences.usecases import campaigns
from tinnhiem.conferences.views import _conference, attempt
from tinnhiem.i18n import official_language

from . import ballots, official, word

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _word(request, make, filename: str, back: str) -> HttpResponse:
    """A Word document, or, when the office's own template cannot make it, the page it was asked
    from with what is wrong with the template (not a server error, with the minutes due)."""
    try:
        data = make()
    except word.WordTemplateError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    return _download(data, DOCX, filename)


def _finished(conference: Conference) -> None:
    if conference.status != Conference.Status.FINISHED:
        raise Http404


@permission_required(VIEW)
def documents(request, conference_id: int):
    return _documents_page(request, _conference(conference_id))


@permission_required(PREPARE)
@require_POST
def signer(request, conference_id: int):
    """Who signs the body's documents, or the invitations alone (``invitations`` sent): saved, or the
    page again with what was typed and why not."""
    conference = _conference(conference_id)
    invitations = bool(request.POST.get("invitations"))
    form = _signer_form(conference, request.POST, invitations=invitations)
    if form.is_valid():
        ok, _saved = attempt(
            request,
            lambda: campaigns.set_signer(request.user, conference, **form.cleaned_data, invitations=invitations),
            form=form,
        )
        if ok:
            messages.success(request, _("Saved."))
            anchor = "#invitation-signer" if invitations else ""
            return redirect(reverse("documents:list", args=[conference.pk]) + anchor)
    return _documents_page(request, conference, form, status=400)


SIGNER_FIELDS = {"name": "name", "post": "post", "signing_for": "for"}  # the form's fields, the model's
INVITATIONS = "inv"  # the prefix of the invitations' own signer's form


def _signer_form(conference: Conference, data=None, *, invitations: bool = False) -> SignerForm:
    """The form of the documents' signer, or of the invitations' own (prefixed ``INVITATIONS``),
    with what is set; a Party body's documents have no “K/T” (campaigns.set_signer): no field for it."""
    prefix = "invitation_" if invitations else ""
    initial = {k: getattr(conference, f"{prefix}signer_{f}") for k, f in SIGNER_FIELDS.items()}
    form = SignerForm(data, initial=initial, prefix=INVITATIONS if invitations else None)
    form.fields["name"].help_text = _("Empty: the chair, %(name)s.") % {"name": conference.chair_person or "…"}
    if conference.campaign.body.system == Body.System.PARTY:
        del form.fields["signing_for"]
    return form


def _signer_preview(signature: dict[str, str]) -> dict[str, str]:
    """The signature as the documents print it: its lines in capitals, then the name."""
    return {"role": signature["role"].upper(), "name": signature["name"]}


def _documents_page(request, conference: Conference, signer_form: SignerForm | None = None, status: int = 200):
    from django.conf import settings

    address = settings.TINNHIEM_PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")
    forms = list(conference.ballot_forms.select_related("conference__campaign"))
    preparing = conference.status == Conference.Status.PREPARING and request.user.has_perm(
        "conferences.prepare_conference"
    )
    heading = [conference.title, conference.campaign.body.name] if preparing else []
    for form in forms:  # ballots printed before the list of rated persons changed
        form.stale_printed = ", ".join(
            date_format(localtime(p.created_at), "H:i d/m/Y") for p in ballots.printings(form).stale.values()
        )
        form.too_long = ""  # a name or post that cannot be printed, said before the office tries
        if preparing:
            layout = ballots.layout_for(form)
            texts = [*heading, form.name, *(text for _id, name, post in layout.printed for text in (name, post))]
            try:
                if not all(ballots.surely_fits(text) for text in texts):
                    ballots.fitted_sizes(form, layout)
            except ballots.BallotTextTooLong as exc:
                form.too_long = " ".join(exc.texts)
    loopback = any(h in address for h in ("://127.", "://localhost", "://[::1]"))
    key = fingerprint = ""
    if conference.status == Conference.Status.FINISHED and request.user.has_perm(AUDIT):
        from tinnhiem.audit.record import public_key_b64, public_key_fingerprint

        key = public_key_b64()
        fingerprint = public_key_fingerprint(key)
    with official_language():
        signed = {"documents": official.body_signer(conference), "invitations": official.invitation_signer(conference)}
    refused_invitations = signer_form is not None and signer_form.prefix == INVITATIONS
    return render(
        request,
        "documents/documents.html",
        {
            "conference": conference,
            "forms": forms,
            "present": conference.voters.count(),
            "address": address,
            "loopback": loopback,
            "public_key": key,
            "key_fingerprint": fingerprint,
            "signer_form": signer_form if signer_form and not refused_invitations else _signer_form(conference),
            "invitation_signer_form": signer_form
            if refused_invitations
            else _signer_form(conference, invitations=True),
            "signer_preview": _signer_preview(signed["documents"]),
            "invitation_signer_preview": _signer_preview(signed["invitations"]),
            "invitations_signed_alike": signed["documents"] == signed["invitations"],
        },
        status=status,
    )


@permission_required(PREPARE)
def ballot_pdf(request, conference_id: int, form_id: int):
    form = get_object_or_404(
        BallotForm.objects.select_related("conference__campaign__body"), pk=form_id, conference_id=conference_id
    )
    try:
        copies = max(1, min(int(request.GET.get("copies", 1)), 5000))
    except ValueError:
        copies = 1
    try:
        data = ballots.render_ballots(form, copies=copies)
    except ballots.BallotTextTooLong as exc:
        messages.error(request, exc.messages[0])
        return redirect("documents:list", conference_id)
    return _download(data, PDF, f"phieu-tin-nhiem-{form.pk}-{copies}-ban.pdf")


@permission_required(PREPARE)
def letters_pdf(request, conference_id: int, kind: str):
    if kind not in ("invitations", "attendance", "roster"):
        raise Http404
    conference = _conference(conference_id)
    names = {"invitations": "giay-moi", "attendance": "danh-sach-ky", "roster": "danh-sach-nguoi-ghi-phieu"}
    try:
        number = official.check_letter_number(request.GET.get("so", "") if kind == "invitations" else "")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("documents:list", conference_id)
    data = official.render_letters_pdf(conference, kind, request, number=number)
    return _download(data, PDF, f"{names[kind]}-{conference.pk}{'-so-' + number if number else ''}.pdf")


@permission_required(VIEW)
def minutes_pdf(request, conference_id: int):
    conference = _conference(conference_id)
    _finished(conference)
    return _download(official.render_minutes_pdf(conference), PDF, f"bien-ban-kiem-phieu-{conference.pk}.pdf")


@permission_required(VIEW)
def minutes_docx(request, conference_id: int):
    conference = _conference(conference_id)
    _finished(conference)
    return _word(
        request,
        lambda: word.render_minutes_docx(conference),
        f"bien-ban-kiem-phieu-{conference.pk}.docx",
        reverse("documents:list", args=[conference.pk]),
    )


@permission_required(VIEW)
def report_pdf(request, conference_id: int):
    conference = _conference(conference_id)
    _finished(conference)
    return _download(official.render_report_pdf(conference), PDF, f"bao-cao-ket-qua-{conference.pk}.pdf")


@permission_required(VIEW)
def notices_pdf(request, conference_id: int):
    conference = _conference(conference_id)
    _finished(conference)
    return _download(official.render_notices_pdf(conference), PDF, f"thong-bao-ket-qua-{conference.pk}.pdf")


@permission_required(AUDIT)
@require_POST
def record_zip(request, conference_id: int):
    """The conference's signed record for the managing authority (docs/record-format.md); a POST,
    since the export is written in the audit log."""
    from tinnhiem.audit.record import export_for_authority

    conference = _conference(conference_id)
    _finished(conference)
    return _download(export_for_authority(request.user, conference), ZIP, f"ho-so-hoi-nghi-{conference.pk}.zip")


@permission_required(VIEW)
def report_docx(request, conference_id: int):
    conference = _conference(conference_id)
    _finished(conference)
    return _word(
        request,
        lambda: word.render_report_docx(conference),
        f"bao-cao-ket-qua-{conference.pk}.docx",
        reverse("documents:list", args=[conference.pk]),
    )


def _resolved(conference_id: int) -> Conference:
    """A finished conference under a State rule set: the only kind a resolution confirms (HĐND, QH)."""
    conference = _conference(conference_id)
    _finished(conference)
    if conference.rules.system != "state":
        raise Http404
    return conference


@permission_required(VIEW)
def resolution_pdf(request, conference_id: int):
    conference = _resolved(conference_id)
    return _download(official.render_resolution_pdf(conference), PDF, f"du-thao-nghi-quyet-{conference.pk}.pdf")


@permission_required(VIEW)
def resolution_docx(request, conference_id: int):
    """The draft resolution in Word: the secretariat completes it (its Article 2 says so)."""
    conference = _resolved(conference_id)
    return _word(
        request,
        lambda: word.render_report_docx(conference, resolution=True),
        f"du-thao-nghi-quyet-{conference.pk}.docx",
        reverse("documents:list", args=[conference.pk]),
    )


def _summed_up(campaign_id: int) -> Campaign:
    campaign = get_object_or_404(Campaign.objects.select_related("body"), pk=campaign_id)
    if not campaign.conferences.filter(status=Conference.Status.FINISHED).exists():
        raise Http404
    return campaign


@permission_required(VIEW)
def summary_pdf(request, campaign_id: int):
    """The report summing up the campaign's finished conferences (any that are not are named in it)."""
    campaign = _summed_up(campaign_id)
    return _download(official.render_summary_pdf(campaign), PDF, f"bao-cao-tong-hop-dot-{campaign.pk}.pdf")


@permission_required(VIEW)
def summary_docx(request, campaign_id: int):
    """The same report in Word, for the office to number and sign."""
    campaign = _summed_up(campaign_id)
    return _word(
        request,
        lambda: word.render_summary_docx(campaign),
        f"bao-cao-tong-hop-dot-{campaign.pk}.docx",
        reverse("voting:campaign_results", args=[campaign.pk]),
    )
