"""``tinnhiem preflight``: is this computer ready for the conference? Run on the hall laptop the
day before, and again in the hall once it is on the hall's Wi-Fi.

Each check gives a finding: ``ok``, ``warn`` (works, but something may go wrong in the hall) or
``fail`` (something will not work). The checks read the site and write nothing in its database:
the sample ballot is printed and read back in memory.
"""

from __future__ import annotations

import ipaddress
import random
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from tinnhiem import disk
from tinnhiem.site import addresses as network_addresses
from tinnhiem.site.addresses import loopback, loopback_only, suggested_hosts

SAMPLE_PEOPLE = [
    (1, "Nguyễn Thị Ánh Tuyết", "Phó Chủ tịch Ủy ban nhân dân"),
    (2, "Đặng Quốc Hưng", "Trưởng phòng Nội vụ"),
]
SAMPLE_MARKS = ["high", "low"]  # the levels marked on the sample ballot, one per person


@dataclass(frozen=True)
class Finding:
    status: str  # ok | warn | fail
    text: str


def run_checks() -> list[Finding]:
    from tinnhiem.site.commands import database_problem

    problem = database_problem()
    findings = [Finding("fail", problem)] if problem else [Finding("ok", _database_text())]
    findings += data_folder()
    findings += hall_settings()
    if not problem:
        findings += database_log()
        findings += database_erasing()
        findings += audit_chain()
        findings += signing_key()
        findings += clock()
    findings += network()
    findings += print_and_read()
    findings += word_templates()
    return findings


def page_address(request) -> Finding:
    """On the web page: the address it was opened with, which invitations and code cards printed
    now carry when TINNHIEM_PUBLIC_URL is not set."""
    host = split_domain_port(request.get_host())[0]
    if settings.TINNHIEM_PUBLIC_URL or not loopback(host):
        return Finding("ok", _("This page was opened at %(address)s.") % {"address": request.build_absolute_uri("/")})
    return Finding(
        "warn",
        _(
            "This page was opened at %(address)s, an address of this computer only: invitations and code cards "
            "printed now would carry it, and phones could not open them. Open tinnhiem by this computer's network "
            "address before printing them."
        )
        % {"address": request.build_absolute_uri("/")},
    )


def client_address(request) -> list[Finding]:
    """On the web page, behind the proxy: whether it passes the client's address (X-Real-IP),
    without which the limits on guessing count every client's mistakes together."""
    header = settings.TINNHIEM_CLIENT_ADDRESS_HEADER
    if not header or request.META.get(header, "").strip():
        return []
    return [
        Finding(
            "fail",
            _(
                "The proxy in front of tinnhiem does not pass the client's address (X-Real-IP): every request "
                "comes from the proxy's own, and 20 wrong card codes from anyone in 5 minutes would stop every "
                "phone from voting. Add “proxy_set_header X-Real-IP $remote_addr;” to nginx (docs/deploy.md)."
            ),
        )
    ]


def _database_text() -> str:
    from django.db import connection

    db = settings.DATABASES["default"]
    where = (
        str(db["NAME"])
        if connection.vendor == "sqlite"
        else f"PostgreSQL {db.get('NAME')} @ {db.get('HOST') or 'localhost'}"
    )
    return _("Database: %(where)s, up to date.") % {"where": where}


def data_folder() -> list[Finding]:
    folder = Path(settings.DATA_DIR)
    try:
        with tempfile.NamedTemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return [
            Finding(
                "fail",
                _("The data folder %(folder)s cannot be written (%(error)s): scans and documents cannot be kept.")
                % {"folder": folder, "error": exc.strerror or exc},
            )
        ]
    free = shutil.disk_usage(folder).free
    gb = number_format(free / 1024**3, 1)
    if free < disk.LOW:
        return [
            Finding(
                "warn",
                _(
                    "Only %(free)s GB free for %(folder)s: the scans of a large conference need a few GB (about 1 MB "
                    "a page). Free some space before the conference."
                )
                % {"free": gb, "folder": folder},
            )
        ]
    return [Finding("ok", _("Data folder %(folder)s: %(free)s GB free.") % {"folder": folder, "free": gb})]


def hall_settings() -> list[Finding]:
    from tinnhiem.site.demo_folder import refusal_to_serve
    from tinnhiem.site.management.commands.serve import check_production_settings

    problems = check_production_settings()
    # the demo's folder: serve refuses it, but trying the demo is no fault of the computer
    demo = refusal_to_serve()
    if problems:
        return [
            Finding(
                "warn" if p == demo else "fail", _("tinnhiem serve will refuse to start: %(problem)s") % {"problem": p}
            )
            for p in problems
        ]
    return [Finding("ok", _("Settings: safe for the hall (no debug mode, a strong secret key)."))]


# PostgreSQL settings that write statements into the database server's own log, each with the moment
# it ran: the insert of an electronic ballot carries its marks (Django binds values into the text).
LOG_SETTINGS = (
    "log_statement",
    "log_min_duration_statement",
    "log_min_duration_sample",
    "log_statement_sample_rate",
    "log_transaction_sample_rate",
    "log_min_error_statement",
    "auto_explain.log_min_duration",  # only when the auto_explain module is loaded
)
QUIET_ON_ERROR = ("log", "fatal", "panic")  # log_min_error_statement above ERROR: a failed statement not written


def database_log() -> list[Finding]:
    """On PostgreSQL: whether its own log could hold a ballot with the moment it was sent, which
    would link the ballot to whoever was seen voting then (docs/secrecy.md). Not on SQLite, which
    keeps no log of statements."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [list(LOG_SETTINGS)])
        found = dict(cursor.fetchall())
        cursor.execute("SELECT current_user")
        user = cursor.fetchone()[0]

    def number(name: str) -> float:
        try:
            return float(found.get(name, "-1"))
        except ValueError:
            return -1

    every = []
    if found.get("log_statement") in ("mod", "all"):
        every.append(f"log_statement = {found['log_statement']}")
    for name in ("log_min_duration_statement", "auto_explain.log_min_duration"):
        if number(name) >= 0:
            every.append(f"{name} = {found[name]}")
    if number("log_min_duration_sample") >= 0 and number("log_statement_sample_rate") > 0:
        every.append(f"log_min_duration_sample = {found['log_min_duration_sample']}")
    if number("log_transaction_sample_rate") > 0:
        every.append(f"log_transaction_sample_rate = {found['log_transaction_sample_rate']}")
    if every:
        return [
            Finding(
                "fail",
                _(
                    "PostgreSQL writes the statements it runs into its own log (%(settings)s), each with the moment "
                    "it ran: the log would hold every electronic ballot with the moment it was sent, which links a "
                    "ballot to whoever was seen voting then. Turn this off on the database server before the vote."
                )
                % {"settings": ", ".join(every)},
            )
        ]
    on_error = found.get("log_min_error_statement", "error")
    if on_error not in QUIET_ON_ERROR:
        return [
            Finding(
                "warn",
                _(
                    "PostgreSQL writes a statement that fails into its own log (log_min_error_statement = "
                    "%(level)s): a ballot the database refuses (a full disk, say) would be written there with the "
                    "moment it was sent. A superuser of the database server turns this off for tinnhiem once: "
                    "ALTER ROLE %(user)s SET log_min_error_statement = panic;"
                )
                % {"level": on_error, "user": connection.ops.quote_name(user)},
            )
        ]
    return [
        Finding("ok", _("PostgreSQL's own log: tinnhiem's statements are not written into it, nor those that fail."))
    ]


def database_erasing() -> list[Finding]:
    """On PostgreSQL: whether tinnhiem's role may rewrite the tables of electronic ballots, as the
    close of an electronic vote does to erase the ballots as voted from the database's files
    (``tinnhiem.traces``). PostgreSQL skips a table its role may not vacuum, with a warning only."""
    from django.db import connection

    from tinnhiem.voting.usecases.evote import TABLES as tables

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        if connection.pg_version >= 170000:  # the MAINTAIN privilege, which the owner has
            allowed = "has_table_privilege(c.oid, 'MAINTAIN')"
        else:  # the owner, the database's owner, a superuser
            allowed = (
                "pg_has_role(c.relowner, 'USAGE') OR pg_has_role((SELECT datdba FROM pg_database "
                "WHERE datname = current_database()), 'USAGE')"
            )
        cursor.execute(
            f"SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.relname = ANY(%s) "
            f"AND c.relkind = 'r' AND pg_table_is_visible(c.oid) AND NOT ({allowed}) ORDER BY c.relname",
            [tables],
        )
        refused = cursor.fetchall()
        cursor.execute("SELECT current_user")
        user = cursor.fetchone()[0]
    if refused:
        quote = connection.ops.quote_name
        return [
            Finding(
                "fail",
                _(
                    "PostgreSQL: tinnhiem's role (%(user)s) may not rewrite the tables of electronic ballots "
                    "(%(tables)s, owned by %(owner)s): after the close of an electronic vote, the ballots as "
                    "voted, in the order of voting, would stay in the database's files. Make tinnhiem's role "
                    "their owner: %(statements)s"
                )
                % {
                    "user": quote(user),
                    "tables": ", ".join(name for name, _owner in refused),
                    "owner": ", ".join(sorted({quote(owner) for _name, owner in refused})),
                    "statements": " ".join(
                        f"ALTER TABLE {quote(name)} OWNER TO {quote(user)};" for name, _owner in refused
                    ),
                },
            )
        ]
    return [
        Finding(
            "ok",
            _("PostgreSQL: tinnhiem's role may rewrite the tables of electronic ballots, as the close of a vote does."),
        )
    ]


def audit_chain() -> list[Finding]:
    """The whole audit log, checked link by link, before a conference adds to it."""
    from tinnhiem.audit import log

    problems = log.verify()
    if problems:
        shown = "; ".join(log.problem_text(p) for p in problems[:3]) + ("; …" if len(problems) > 3 else "")
        return [
            Finding(
                "fail",
                _(
                    "The audit log is not intact (%(problems)s): tell the administrator, and do not hold the "
                    "conference on this data until it is explained."
                )
                % {"problems": shown},
            )
        ]
    seq, _head = log.head()
    return [
        Finding(
            "ok",
            _("Audit log: %(n)s events, every link intact (fingerprint %(fingerprint)s).")
            % {"n": seq, "fingerprint": log.head_fingerprint()},
        )
    ]


def signing_key() -> list[Finding]:
    from tinnhiem.audit.record import public_key_fingerprint, signing_key_path

    if not signing_key_path().exists():  # made on first use; not here
        return [Finding("ok", _("Key signing the records: not made yet; it is made when first needed."))]
    return [
        Finding(
            "ok",
            _("Key signing the records: fingerprint %(fingerprint)s (printed on the report to the managing authority).")
            % {"fingerprint": public_key_fingerprint()},
        )
    ]


def clock() -> list[Finding]:
    """A hall laptop has no internet to set its clock: a wrong date puts every event of the
    conference at the wrong time in the audit log, and may fall before events already logged."""
    from tinnhiem.audit.models import Event

    now = timezone.now()
    shown = date_format(timezone.localtime(now), "H:i d/m/Y")
    last = Event.objects.order_by("-seq").values_list("at", flat=True).first()
    if now.year < 2024:
        return [Finding("fail", _("The computer's clock says %(now)s: set the date and time first.") % {"now": shown})]
    if last is not None and now < last:
        return [
            Finding(
                "fail",
                _(
                    "The computer's clock (%(now)s) is behind the last event in the audit log (%(last)s): set the "
                    "date and time first."
                )
                % {"now": shown, "last": date_format(timezone.localtime(last), "H:i d/m/Y")},
            )
        ]
    return [
        Finding(
            "ok",
            _("Clock: %(now)s (%(zone)s). Compare it with your watch.") % {"now": shown, "zone": settings.TIME_ZONE},
        )
    ]


def network() -> list[Finding]:
    findings = []
    addresses = network_addresses.machine_addresses()
    if addresses:
        findings.append(
            Finding(
                "ok",
                _("Addresses of this computer on the network: %(addresses)s.") % {"addresses": ", ".join(addresses)},
            )
        )
    else:
        findings.append(
            Finding(
                "warn",
                _("This computer has no address on a network (not on the hall's Wi-Fi yet): phones cannot reach it."),
            )
        )
    allowed = list(settings.ALLOWED_HOSTS)
    if loopback_only(allowed):
        findings.append(
            Finding(
                "warn",
                _(
                    "Only this computer can open tinnhiem (TINNHIEM_ALLOWED_HOSTS = %(allowed)s): for phones and other "
                    "computers, set TINNHIEM_ALLOWED_HOSTS=%(suggested)s."
                )
                % {
                    "allowed": ", ".join(allowed) or "—",
                    "suggested": suggested_hosts(addresses),
                },
            )
        )
    public = settings.TINNHIEM_PUBLIC_URL
    if not public:
        findings.append(
            Finding(
                "ok",
                _(
                    "TINNHIEM_PUBLIC_URL is not set: invitations and code cards carry the address the page was opened "
                    "with. Open tinnhiem by this computer's network address before printing them."
                ),
            )
        )
        return findings
    host = split_domain_port(urlsplit(public).netloc)[0]
    if not host or loopback(host):
        findings.append(
            Finding(
                "fail",
                _(
                    "TINNHIEM_PUBLIC_URL (%(url)s) points at this computer only: phones cannot open the invitations' QR codes."
                )
                % {"url": public},
            )
        )
    elif not validate_host(host, allowed):
        findings.append(
            Finding(
                "fail",
                _(
                    "TINNHIEM_PUBLIC_URL (%(url)s) is printed on the invitations and code cards, but the server does not "
                    "answer to %(host)s: add it to TINNHIEM_ALLOWED_HOSTS."
                )
                % {"url": public, "host": host},
            )
        )
    elif _is_ip(host) and addresses and host not in addresses:
        findings.append(
            Finding(
                "warn",
                _(
                    "TINNHIEM_PUBLIC_URL names %(host)s, but this computer's address is now %(addresses)s: invitations "
                    "and code cards printed with it will not open. Reserve a fixed address for this computer on the "
                    "router (DHCP reservation)."
                )
                % {"host": host, "addresses": ", ".join(addresses)},
            )
        )
    else:
        findings.append(Finding("ok", _("Invitations and code cards carry %(url)s.") % {"url": public}))
    return findings


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def print_and_read() -> list[Finding]:
    """Print a sample ballot with Typst (Vietnamese names, the QR, the markers), rasterise it,
    mark it as a voter would, and read it back as the scanner page does: every part of printing
    and scanning, on this computer, with nothing stored."""
    start = time.perf_counter()
    try:
        problem = _sample_ballot_problem()
    except Exception as exc:  # whatever part breaks (a font, Typst, OpenCV, the QR reader), say it; no traceback
        problem = f"{type(exc).__name__}: {exc}"
    if problem:
        return [
            Finding("fail", _("Printing and reading back a sample ballot failed: %(problem)s") % {"problem": problem})
        ]
    seconds = number_format(time.perf_counter() - start, 1)
    return [
        Finding(
            "ok",
            _(
                "A sample ballot was printed and read back right (Vietnamese fonts, QR code, markers, marked boxes) "
                "in %(seconds)s s."
            )
            % {"seconds": seconds},
        )
    ]


def _sample_ballot_problem() -> str | None:
    import pypdfium2 as pdfium

    from tinnhiem.documents.ballots import qr_key, sheet_data
    from tinnhiem.documents.layout import ballot_layout
    from tinnhiem.documents.render import render_pdf
    from tinnhiem.pdfium_lock import LOCK
    from tinnhiem.rules import builtin_rule_set
    from tinnhiem.scanning import synthetic
    from tinnhiem.scanning.recognize import blank_ink, read_sheet

    rules = builtin_rule_set("qd96-2023")
    layout = ballot_layout(len(SAMPLE_PEOPLE), list(rules.level_keys), SAMPLE_PEOPLE)
    data = sheet_data(
        rules, layout, body=_("SAMPLE BODY"), subtitle=_("Check before the conference"), conference_id=0, form_id=0
    )
    pdf = render_pdf("ballot", data)
    with LOCK:
        document = pdfium.PdfDocument(pdf)
        try:
            page = document[0]
            textpage = page.get_textpage()
            text = " ".join(textpage.get_text_range().split())
            textpage.close()
            page.close()
        finally:
            document.close()
    for _id, name, _post in SAMPLE_PEOPLE:
        if name not in text:
            return _("the name “%(name)s” is not in the printed text (a font is missing?)") % {"name": name}
    dpi = 200
    blank = synthetic.render_blank(pdf, 0, dpi)
    marked = blank.copy()
    geometry = layout.as_dict()
    page = geometry["pages"][0]
    rng = random.Random(0)
    for person, level in enumerate(SAMPLE_MARKS):
        box = next(b for b in page["boxes"] if b["person"] == person and b["level"] == level)
        synthetic.draw_mark(marked, box, "cross", dpi / 25.4, rng)
    reading = read_sheet(
        marked,
        key=qr_key(),
        geometry_for=lambda sheet: (
            geometry if (sheet.conference, sheet.form, sheet.version) == (0, 0, layout.version) else None
        ),
        blank_for=lambda sheet: blank_ink(blank),
    )
    digits = {level.key: str(level.digit) for level in rules.levels}
    read = [row.key(digits) for row in reading.rows]
    expected = [digits[level] for level in SAMPLE_MARKS]
    if read != expected or reading.needs_review():
        from django.utils.translation import get_language

        from tinnhiem.cli import level_label

        language = "vi" if (get_language() or "vi").startswith("vi") else "en"
        words = {digits[key]: level_label(rules, key, language) for key in rules.level_keys}
        shown = {
            "read": ", ".join(words.get(k, "—") for k in read),
            "expected": ", ".join(words[k] for k in expected),
        }
        return _("the marks were read as %(read)s instead of %(expected)s") % shown
    return None


def word_templates() -> list[Finding]:
    """The office's own Word templates (docs/documents.md), read as the minutes and reports will
    read them: a broken tag found now, not when the minutes are due at the end of the count."""
    from docxtpl import DocxTemplate

    from tinnhiem.documents.word import REPORT_TEMPLATE_NAME, SUMMARY_TEMPLATE_NAME, TEMPLATE_NAME, template_problem

    folder = Path(settings.DATA_DIR) / "templates"
    own = [
        folder / name
        for name in (TEMPLATE_NAME, REPORT_TEMPLATE_NAME, SUMMARY_TEMPLATE_NAME)
        if (folder / name).exists()
    ]
    if not own:
        return [Finding("ok", _("Word documents: the built-in templates (no template of the office's own)."))]
    findings = []
    for path in own:
        try:
            DocxTemplate(str(path)).get_undeclared_template_variables()
        except Exception as exc:  # a file that is not a .docx, or a tag that does not parse
            findings.append(Finding("fail", template_problem(path, exc)))
        else:
            findings.append(
                Finding("ok", _("Word documents: the office's own template %(file)s reads correctly.") % {"file": path})
            )
    return findings
