import base64

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from tinnhiem.accounts.roles import AUDIT, permission_required
from tinnhiem.text import clean_line, small_int

from . import log
from .chain import fingerprint
from .describe import describe, people
from .models import Event


@permission_required(AUDIT)
def event_list(request):
    from tinnhiem.conferences.models import Conference

    conferences = list(Conference.objects.order_by("-date", "-id").values_list("pk", "title"))
    events = Event.objects.order_by("-seq")
    chosen = request.GET.get("conference", "")
    levels = []
    if small_int(chosen) is not None:
        events = events.filter(conference_id=small_int(chosen))
        conference = Conference.objects.select_related("campaign").filter(pk=small_int(chosen)).first()
        levels = conference.rules.levels if conference else []  # the digits of marks read or entered
    else:
        chosen = ""
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    titles = dict(conferences)
    names_of = people(page)
    on_page = {e.conference_id for e in page if e.conference_id}
    votes = {c.pk for c in Conference.objects.filter(pk__in=on_page).select_related("campaign") if c.is_confidence_vote}
    rows = [(e, describe(e, names_of, vote=e.conference_id in votes), titles.get(e.conference_id)) for e in page]
    seq, head = log.head()
    problems = [log.problem_text(p) for p in log.verify()] if request.GET.get("verify") else None
    return render(
        request,
        "audit/events.html",
        {
            "page": page,
            "rows": rows,
            "conferences": conferences,
            "chosen": chosen,
            "levels": levels,
            "head_seq": seq,
            "fingerprint": fingerprint(head),
            "head": head,
            "problems": problems,
        },
    )


@permission_required(AUDIT)
def received_records(request):
    """The managing authority checks the signed records its units sent and sums them up, as
    ``tinnhiem summary --records`` does: nothing is stored, nothing is retyped, and one record that
    does not verify stops the summary (docs/record-format.md)."""
    from .received import MAX_RECORD_BYTES, check_records, parse_public_keys, received_xlsx

    checked, error, keys_text, table = None, "", "", ""
    if request.method == "POST":
        keys_text = request.POST.get("keys", "")[:100_000]
        uploads = request.FILES.getlist("records")
        try:
            keys = parse_public_keys(keys_text)
        except ValueError as exc:
            keys, error = (
                [],
                _(
                    "Line %(n)s of the public keys is not a public key: a key is 44 characters, as the sending "
                    "system shows it."
                )
                % {"n": exc.args[0]},
            )
        too_large = [clean_line(f.name) for f in uploads if f.size > MAX_RECORD_BYTES]
        if not error and not uploads:
            error = _("Choose the record files (.zip) you received.")
        elif not error and too_large:
            error = _("%(files)s: larger than %(mb)s MB, which no conference record is.") % {
                "files": ", ".join(too_large),
                "mb": MAX_RECORD_BYTES // (1024 * 1024),
            }
        if not error:
            checked = check_records([(clean_line(f.name)[:255] or "?", f.read()) for f in uploads], keys)
            if checked.summary is not None:
                # the Excel file travels in the page (a data: link), so that the records need not be
                # chosen again, nothing is kept here, and no size limit of a form applies
                table = base64.b64encode(received_xlsx(checked.summary)).decode("ascii")
    return render(
        request,
        "audit/received.html",
        {
            "checked": checked,
            "rows": _received_rows(checked) if checked else [],
            "error": error,
            "keys": keys_text,
            "table": table,
            "not_rated": [c for c in checked.summary["conferences"] if c["not_rated"]]
            if checked and checked.summary
            else [],
            "short_of_quorum": [c for c in checked.summary["conferences"] if c["short_of_quorum"]]
            if checked and checked.summary
            else [],
            "max_mb": MAX_RECORD_BYTES // (1024 * 1024),
            "total_mb": settings.TINNHIEM_MAX_RECORDS_BYTES // (1024 * 1024),
            "max_files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        },
    )


def _received_rows(checked) -> list[dict]:
    from .received import signer_text

    return [
        {
            "name": r.name,
            "ok": r.ok,
            "signer": signer_text(r) if r.ok else "",
            "problems": [p.translated(_) for p in r.verdict.problems],
        }
        for r in checked.records
    ]


MAX_TABLE_CHARS = 200_000  # a table of a few hundred persons pasted, with room to spare


@permission_required(AUDIT)
def check_published(request):
    """A result published with its counts only (in the press, in a report, in a unit's minutes)
    counted again under its rule set, in force or older, as ``tinnhiem tally --counts`` does
    (``ballotfile.result_from_counts``): the table pasted as it is, nothing stored or logged."""
    from tinnhiem.ballotfile import BallotFileError, parse_counts_text, result_from_counts
    from tinnhiem.rules import RulesError, builtin_rule_sets, format_percent

    rule_sets = sorted(builtin_rule_sets(), key=lambda r: (not r.in_force, r.id))
    chosen = request.POST.get("rules", rule_sets[0].id)
    table = request.POST.get("table", "")[:MAX_TABLE_CHARS]
    typed = {name: request.POST.get(name, "").strip()[:20] for name in ("members", "collected", "invalid_ballots")}
    result, error = None, ""
    if request.method == "POST":
        rules = next((r for r in rule_sets if r.id == chosen), None)
        numbers = {name: small_int(text) for name, text in typed.items()}
        wrong = next((text for name, text in typed.items() if text and numbers[name] is None), None)
        if rules is None:
            error = _("Choose a rule set.")
        elif wrong is not None:
            error = _("“%(value)s” is not a whole number.") % {"value": wrong}
        elif not table.strip():
            error = _("Paste the table of counts: one person a line.")
        elif rules.base_kind == "members" and numbers["members"] is None:
            error = _(
                "%(rules)s counts the percentages over the total number of members (deputies): type that number."
            ) % {"rules": rules.short_name}
        else:
            try:
                result = result_from_counts(
                    rules,
                    parse_counts_text(table, rules),
                    collected=numbers["collected"],
                    invalid_ballots=numbers["invalid_ballots"] or 0,
                    members=numbers["members"],
                )
            except BallotFileError as exc:
                place = exc.place(_)
                error = f"{place}: {exc.translated(_)}" if place else exc.translated(_)
            except RulesError as exc:
                error = exc.translated(_)
    people = []
    if result is not None:
        for no, person in enumerate(result.people, start=1):
            levels = [
                {
                    "label": level.label,
                    "count": person.counts[level.key],
                    "percent": format_percent(person.counts[level.key], result.base.value) + "%",
                }
                for level in result.rules.levels
            ]
            people.append(
                {
                    "no": no,
                    "label": person.label,
                    "levels": levels,
                    "invalid": person.invalid_total,
                    "consequence": person.consequence if person.outcome is not None else "",
                }
            )
    return render(
        request,
        "audit/check_published.html",
        {
            "rule_sets": rule_sets,
            "chosen": chosen,
            "table": table,
            "typed": typed,
            "error": error,
            "result": result,
            "people": people,
        },
        status=400 if error else 200,
    )
