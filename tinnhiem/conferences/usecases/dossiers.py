"""Reports and dossiers of the rated persons, sent to the voters 15 days before (QĐ 96 Điều 9)."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinnhiem.accounts.roles import PREPARE, require
from tinnhiem.audit.log import record
from tinnhiem.files import files_removed_on_failure, megabytes, save_file
from tinnhiem.text import clean_line

from ..models import Conference, Dossier, RatedPerson
from .campaigns import check_not_cancelled
from .rated import current_person, locked_person


def check_pdf(name: str, data: bytes) -> None:
    """A dossier must be a real PDF within the size limit."""
    limit = settings.TINNHIEM_MAX_DOSSIER_BYTES
    if not data:
        raise ValidationError(_("The file is empty."))
    if len(data) > limit:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": megabytes(len(data)), "limit": megabytes(limit)}
        )
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        raise ValidationError(
            _(
                "“%(name)s” is neither a PDF file nor a photo (JPEG, PNG). Save the document as PDF, or "
                "photograph its pages, and upload it again."
            )
            % {"name": clean_line(name)}
        )


def document_pdf(files: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    """What is kept of a document uploaded (file name, bytes): a PDF as it came, or the photos
    of its pages (JPEG, PNG) made into one PDF, a page each in the order given (a signed report
    photographed with a phone); with the name to show for it. Refused, with what to do: a file
    empty or too large, another kind of file, several PDFs, a PDF and photos together."""
    from tinnhiem.documents import photos
    from tinnhiem.scanning.images import heic_refused, is_heic

    limit = settings.TINNHIEM_MAX_DOSSIER_BYTES
    if not files:
        raise ValidationError(_("The file is empty."))
    for name, data in files:
        if is_heic(data):
            raise ValidationError(heic_refused(name))
    if len(files) == 1 and not photos.is_photo(files[0][1]):
        check_pdf(*files[0])
        return files[0]
    for name, data in files:
        if not data:
            raise ValidationError(_("“%(name)s” is empty.") % {"name": clean_line(name)})
        if len(data) > limit:
            raise ValidationError(
                _("“%(name)s” is %(size)s MB; the limit is %(limit)s MB.")
                % {"name": clean_line(name), "size": megabytes(len(data)), "limit": megabytes(limit)}
            )
        if not photos.is_photo(data):
            raise ValidationError(
                _(
                    "Choose one PDF file, or the photos (JPEG, PNG) of the document's pages, not both: "
                    "“%(name)s” is not a photo."
                )
                % {"name": clean_line(name)}
            )
    pdf = photos.photos_pdf(files)
    if len(pdf) > limit:
        raise ValidationError(
            _("The photos make a PDF of %(size)s MB; the limit is %(limit)s MB. Send the document in parts.")
            % {"size": megabytes(len(pdf)), "limit": megabytes(limit)}
        )
    first = clean_line(files[0][0])
    shown = first if len(files) == 1 else _("%(first)s and %(n)s more photos") % {"first": first, "n": len(files) - 1}
    return shown, pdf


# What a rated person may send through their own link, reports and explanations together: a few
# are expected; the cap keeps a leaked link from filling the disk (20 MB each). The office is not capped.
LINK_DOCUMENTS_MAX = 20


def check_link_room(person: RatedPerson) -> None:
    """Refuse a document sent through the person's link once they have sent LINK_DOCUMENTS_MAX."""
    sent = person.dossiers.filter(from_person=True).count()
    sent += person.explanations.filter(recorded_by=person.full_name).count()  # recorded through the link
    if sent >= LINK_DOCUMENTS_MAX:
        raise ValidationError(
            _("You have sent %(n)s documents through this page, the most it takes: send any other through the office.")
            % {"n": sent}
        )


@files_removed_on_failure
@transaction.atomic
def upload_dossier(
    actor: Any,
    person: RatedPerson,
    *,
    kind: str,
    title: str,
    filename: str = "",
    data: bytes = b"",
    files: list[tuple[str, bytes]] | None = None,
) -> Dossier:
    """The office uploads a report or dossier of a rated person; or the person sends it through
    their own link (``actor`` = None), for the office to look at before sending it to the voters.
    ``files``: a PDF, or the photos of its pages (``document_pdf``); or one file as ``filename``
    and ``data``."""
    if actor is not None:
        require(actor, PREPARE)

    def check(person: RatedPerson) -> None:
        check_not_cancelled(person.conference)
        if person.conference.status == Conference.Status.FINISHED:
            raise ValidationError(_("The conference is finished."))
        if actor is None and not person.on_ballot:
            raise ValidationError(_("You are not among the persons rated at this conference."))

    check(current_person(person))  # said before the file's faults
    # photos made into a PDF take seconds: before the person is locked, then checked again
    filename, data = document_pdf(files if files is not None else [(filename, data)])
    person = locked_person(person)
    check(person)
    sha256 = hashlib.sha256(data).hexdigest()
    same = person.dossiers.filter(sha256=sha256).first()
    if same is not None:  # the file sent again (a double click, a second try): one copy is enough
        if actor is None:  # the person's page then lists it, as the office holds it
            return same
        raise ValidationError(
            _("This file is already in %(name)s's dossier: “%(title)s”.")
            % {"name": person.full_name, "title": same.title}
        )
    if actor is None:
        check_link_room(person)
    dossier = Dossier(
        rated_person=person,
        kind=kind,
        title=title or clean_line(filename),
        original_name=clean_line(filename)[:255],
        sha256=sha256,
        size=len(data),
        from_person=actor is None,
    )
    dossier.full_clean(exclude=["file"])
    save_file(dossier.file, "dossier.pdf", data)
    dossier.save()
    record(
        actor if actor is not None else "explanation-link",  # the person's own link, as for explanations
        "dossier.uploaded",
        conference=person.conference,
        data={"dossier": dossier.pk, "person": person.pk, "title": dossier.title, "sha256": dossier.sha256},
    )
    return dossier


@transaction.atomic
def distribute_dossiers(actor: Any, conference: Conference, *, on: date | None = None) -> int:
    """Record that every dossier not yet sent has been sent to the voters (their links show it)."""
    require(actor, PREPARE)
    check_not_cancelled(conference)
    on = on or timezone.localdate()
    pending = Dossier.objects.filter(rated_person__conference=conference, distributed_on__isnull=True)
    ids = list(pending.values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("There is no dossier waiting to be sent."))
    Dossier.objects.filter(pk__in=ids).update(distributed_on=on)
    record(actor, "dossiers.distributed", conference=conference, data={"dossiers": ids, "on": on.isoformat()})
    return len(ids)


@transaction.atomic
def remove_dossier(actor: Any, dossier: Dossier, *, reason: str) -> None:
    """Remove a dossier not yet sent to the voters (the wrong file, a draft, one the person sent
    through their link and not fit to send on), with the reason: the page of a person who sent it
    says it was removed, when and why. The log keeps its title and fingerprint; once sent it stays."""
    require(actor, PREPARE)
    reason = clean_line(reason)
    if not reason:
        raise ValidationError(_("Write why it is removed (the wrong file, a draft, …)."))
    found = Dossier.objects.select_related("rated_person__conference").filter(pk=dossier.pk).first()
    if found is None:
        raise ValidationError(_("It is no longer on the list: it was removed already."))
    check_not_cancelled(found.rated_person.conference)
    if found.rated_person.conference.status == Conference.Status.FINISHED:  # its records no longer change
        raise ValidationError(_("The conference is finished."))
    # locked: sent to the voters meanwhile (distribute_dossiers) is read as such
    dossier = Dossier.objects.select_for_update().get(pk=found.pk)
    if dossier.distributed_on is not None:
        raise ValidationError(_("This dossier has already been sent to the voters and is kept on file."))
    person = found.rated_person
    data = {
        "dossier": dossier.pk,
        "person": person.pk,
        "name": person.full_name,
        "title": dossier.title,
        "sha256": dossier.sha256,
        "reason": reason,
        "from_person": dossier.from_person,  # sent through the person's own link: their page says it was removed
    }
    storage, name = dossier.file.storage, dossier.file.name
    dossier.delete()
    record(actor, "dossier.removed", conference=person.conference, data=data)
    # the file goes once the row is gone for good: removed first, a failure after it (the log's
    # write on a full disk) kept the row and lost its file
    transaction.on_commit(lambda: storage.delete(name))
