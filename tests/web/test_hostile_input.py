"""Every form of every page the demo's accounts reach, sent what offices and crowds really type into
a field (nothing, a long paste, a name in decomposed Unicode, a negative or enormous number, a day
that does not exist, another script's digit, an emoji, markup): no page fails with a server error,
and whatever the page says back (a field's error, a message) is Vietnamese.

The pages are found as a person finds them, by their links from the home page (a few of each
kind; the pages a voter or a rated person opens from a letter or a card, from those links), as the demo is loaded and in the states of a conference day it does not show
(tests/web/demo_states.py): its ready conference counted on paper (the committee's entry page) or
voting on phones (the cards), and the scan conference's sample scans read, three waiting for the
committee (the review). Each distinct form is sent twice for each of its fields and buttons, the
field holding the long paste, then the next value of the list in turn (the others as the page
filled them), so that every field is sent what overflows a column and every value is sent to
fields of every kind; a form of buttons only is pressed as it is. What
one send changes (a vote closed, an entry started) stays for the next, as it would in a hall, and
the pages are read again once all are sent, for the forms a press brought; the demo is rolled back
after each test."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import django
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests.conftest import shared_demo_open
from tests.test_translations import LOCALE, parse_po
from tests.web.demo_states import reach, within_conference
from tests.web.test_permission_walk import all_patterns
from tinnhiem.accounts.roles import BACKUP, ROLES
from tinnhiem.conferences.models import Conference

HOSTILE = [
    "",
    "   ",
    "A" * 3000,
    unicodedata.normalize("NFD", "Nguyễn Văn Ánh"),
    "-1",
    "99999999999999999999999",
    "1e309",
    "31/02/2027",
    "25:61",
    "١٢",  # Arabic-Indic digits, which str.isdigit() takes
    "😀",
    "<b>x</b>\"'",
    "0",
]

LONG = HOSTILE[2]
ROTATING = [value for value in HOSTILE if value != LONG]

# a page or a document link that is not a page to look for forms on
NOT_A_PAGE = re.compile(r"\.(pdf|docx|xlsx|csv|zip|json|svg|png|jpg)$|/dang-xuat/|/quan-tri/|/ngon-ngu/")
PAGES_OF_A_KIND = 5
TEXT_LIKE = {"text", "textarea", "number", "hidden", "select", "search", "tel", "email", "date", "time"}


class Forms(HTMLParser):
    """The page's links, and its POST forms with their fields (name, kind, value sent as is)."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action") or "", "fields": []}
            self.forms.append(self._form)
        elif self._form is None or (not a.get("name") and tag != "option"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            sent = kind not in ("checkbox", "radio") or "checked" in a
            self._form["fields"].append((a["name"], kind, a.get("value", "on" if kind == "checkbox" else ""), sent))
        elif tag == "button":
            self._form["fields"].append((a["name"], "button", a.get("value", ""), False))
        elif tag == "textarea":
            self._form["fields"].append((a["name"], "textarea", "", True))
        elif tag == "select":
            self._select = [a["name"], None]
        elif tag == "option" and self._select is not None and (self._select[1] is None or "selected" in a):
            self._select[1] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            self._form["fields"].append((self._select[0], "select", self._select[1] or "", True))
            self._select = None


def kind_of(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def pages(client: Client, within: str = "/"):
    """The pages reached by their links from ``within`` (the home page, or a conference's page and
    the pages under it), each kind of page a few times: (path, its HTML, its forms read by
    ``Forms``)."""
    seen, queue, kinds = {within}, deque([within]), Counter()
    while queue:
        path = queue.popleft()
        response = client.get(path, follow=True)  # the entry page sets its device's cookie first
        assert response.status_code != 500, path
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        page = Forms()
        page.feed(html)
        yield path, html, page
        for href in page.links:
            url = urlparse(urljoin(path, href))
            if url.netloc or url.path in seen or NOT_A_PAGE.search(url.path) or not url.path.startswith(within):
                continue
            kind = kind_of(url.path)
            if kind is None or kinds[kind] >= PAGES_OF_A_KIND:
                continue
            kinds[kind] += 1
            seen.add(url.path)
            queue.append(url.path)


def crawl(client: Client, within: str = "/") -> list[tuple[str, dict]]:
    """The POST forms of the pages reached from ``within``."""
    return [
        (path, form) for path, _html, page in pages(client, within) for form in page.forms if form["method"] == "post"
    ]


def twice(client, within: str = "/"):
    """The pages' forms, then again once the first have been sent: a form that a press brought (the
    entry of a count, once started) is sent in the second round."""
    yield from crawl(client, within)
    yield from crawl(client, within)


def english_words() -> frozenset[str]:
    """The words of the messages in English (the site's and Django's) that the Vietnamese of those
    messages never uses (not "in", "tin", "File"...): two of them in what a page says, and it was
    not translated."""
    catalogs = [
        LOCALE / "vi" / "LC_MESSAGES" / "django.po",
        Path(django.__file__).parent / "conf" / "locale" / "vi" / "LC_MESSAGES" / "django.po",
    ]
    english, vietnamese = set(), set()
    for catalog in catalogs:
        entries, _fuzzy = parse_po(catalog)
        for msgid, msgstr in entries.items():
            english |= ascii_words(msgid)
            text = re.sub(r"%\(\w+\)[sdr]|\{\w+\}", " ", msgstr)  # not the placeholders' names
            vietnamese |= {word.lower() for word in re.findall(r"\w+", text)}
    return frozenset(english - vietnamese)


def ascii_words(text: str) -> set[str]:
    """The words of three letters or more written without a mark (not "nhi" of "nhiệm")."""
    return {word.lower() for word in re.findall(r"\w+", text) if word.isascii() and word.isalpha() and len(word) > 2}


def in_english(said: str, words: frozenset[str]) -> bool:
    return len(ascii_words(said) & words) >= 2


def what_the_page_says(html: str) -> list[str]:
    blocks = re.findall(r'<ul class="(?:errorlist[^"]*|messages)"[^>]*>(.*?)</ul>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block)).strip() for block in blocks]


def send_hostile(client: Client, forms, words: frozenset[str]) -> tuple[int, set, list, dict]:
    """Each distinct form of ``forms`` ((path, form) pairs) sent for each of its fields and buttons:
    the long paste, then the next value in turn. (requests sent, the forms' kinds and fields, the
    server errors, what a page said in English)."""
    sent, done, failures, english = 0, set(), [], {}
    turn = 0
    for path, form in forms:
        action = urlparse(urljoin(path, form["action"] or path)).path
        if NOT_A_PAGE.search(action):
            continue
        key = (kind_of(action), tuple(sorted(name for name, *_ in form["fields"])))
        if key in done:
            continue
        done.add(key)
        presses = [field for field in form["fields"] if field[1] == "button"] or [None]
        fields = [field for field in form["fields"] if field[1] in TEXT_LIKE and field[0] != "csrfmiddlewaretoken"]
        for press in presses:
            for name, *_ in fields or [(None,)]:  # a form of buttons only is pressed as it is
                # every field gets the long text (PostgreSQL refuses what overflows a column, where
                # SQLite keeps it: a reason for absence did), and one more value in turn
                values = (LONG, ROTATING[turn % len(ROTATING)]) if name else ("",)
                for value in values:
                    data: dict = {}
                    for field, kind, default, on in form["fields"]:
                        if on and kind != "file":
                            data.setdefault(field, []).append(default)
                        elif kind == "file":
                            data[field] = SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4 not a whole file")
                    if press:
                        data[press[0]] = press[2]
                    if name:
                        data[name] = value
                    response = client.post(action, data, follow=True)
                    sent += 1
                    if response.status_code >= 500:
                        failures.append((action, press and press[2], name, value[:20], response.status_code))
                    if "text/html" not in response.get("Content-Type", ""):
                        continue  # a document made (the cards' PDF): its own tests read it
                    for said in what_the_page_says(response.content.decode()):
                        if in_english(said, words):
                            english.setdefault(said[:200], (action, name, value[:20]))
                turn += 1
    return sent, done, failures, english


@pytest.fixture
def demo(shared_demo, request, db):
    shared_demo_open(request)
    return shared_demo


@pytest.mark.parametrize(
    "username, during, reaches",  # reaches: the pages of the state whose forms must be among those sent
    [
        ("vanphong", "as loaded", set()),
        ("chutri", "as loaded", set()),
        ("kiemphieu1", "as loaded", set()),
        ("quansat", "as loaded", set()),
        # not the administrator (quantri): its pages are the office's and the chair's, and so
        # are their forms (test_the_administrator_s_forms_are_the_office_s_and_the_chair_s)
        ("kiemphieu1", "paper count", {"voting:entry"}),  # the entry page, its reconciliation, its rulings
        ("chutri", "paper count", set()),
        ("vanphong", "phones voting", {"voting:cards"}),  # the cards, the electronic vote's controls
        ("chutri", "phones voting", {"voting:cards"}),
        ("kiemphieu1", "scans waiting", {"scanning:scan", "scanning:review"}),  # three scanned ballots waiting
    ],
)
def test_every_form_takes_hostile_input_without_a_server_error_and_answers_in_vietnamese(
    demo, username, during, reaches, tmp_path
):
    # a state's conference is read from its page (the rest of the demo is read as loaded)
    within = within_conference(reach(during, Conference.objects.get(pk=demo), tmp_path))
    client = Client(raise_request_exception=False)
    assert client.login(username=username, password="tinnhiem-demo")
    words = english_words()
    assert in_english("Choose at least one voter.", words) and not in_english("Hãy chọn ít nhất một người.", words)
    sent, done, failures, english = send_hostile(client, twice(client, within), words)
    assert sent > (20 if within == "/" else 5), sent  # the crawl found the forms
    assert reaches <= {kind for kind, _fields in done}, during  # and those of the state
    assert failures == []
    assert english == {}


def test_the_administrator_s_forms_are_the_office_s_and_the_chair_s():
    """Why the administrator's pages are not crawled with hostile input: the site's pages ask
    for permissions only (accounts.roles.permission_required; none asks for a role or a
    superuser), and the administrator's are the office's and the chair's, with those of the
    accounts, which are managed in Django's administration pages (/quan-tri/, not crawled), and
    the backup's page, whose one field is sent hostile input below. On the demo, its 39 distinct
    forms were the office's 34 and five of the chair's, before the backup's."""
    site = {role: {perm for perm in perms if not perm.startswith("auth.")} for role, (_label, perms) in ROLES.items()}
    assert site["admin"] == site["office"] | site["chair"] | {BACKUP}
    asked = set()
    for _name, pattern in all_patterns():
        asked |= {
            getattr(pattern.callback, "required_permission", None),
            *getattr(pattern.callback, "post_permissions", ()),
        }
    assert {perm for perm in asked if perm and perm.startswith("auth.")} == set()


def test_the_backup_s_password_takes_hostile_input(demo):
    """The administrator's own form: each value refused in Vietnamese, no backup made; after five
    wrong passwords, the guessing is stopped for a few minutes (as on the password's page)."""
    from tinnhiem.audit.models import Event

    client = Client(raise_request_exception=False)
    assert client.login(username="quantri", password="tinnhiem-demo")
    for number, value in enumerate(HOSTILE, start=1):
        answer = client.post(reverse("backup"), {"password": value})
        said = "Mật khẩu không đúng: chưa tạo bản sao lưu nào." if number <= 5 else "Sai mật khẩu quá nhiều lần"
        assert answer.status_code == (400 if number <= 5 else 429), (value, answer.status_code)
        assert said in answer.content.decode(), value
        # the name in decomposed Unicode is a password typed with Vietnamese typing on
        assert ("bộ gõ tiếng Việt đang bật" in answer.content.decode()) == (value == HOSTILE[3]), value
    assert client.post(reverse("backup"), {"password": "tinnhiem-demo"}).status_code == 429
    assert not Event.objects.filter(action="site.backed_up").exists()


def test_the_pages_opened_by_a_link_take_hostile_input_too(demo):
    """The pages a voter or a rated person opens from a letter or a card, not from the home page:
    the invitation (opinions), the rated person's own link (dossier, explanation), the voting page
    (the card's code, then the ballot) and the receipt's check, each form sent as the others are,
    by a phone that is signed in to nothing."""
    from tinnhiem.conferences import links
    from tinnhiem.voting.usecases import evote

    from .demo_states import voting_on_phones

    ready = Conference.objects.get(pk=demo)
    code, _fields = voting_on_phones(ready)
    phone = Client(raise_request_exception=False)
    starts = [
        links.invitation_url(ready.voters.order_by("order").first()),
        links.explanation_url(ready.rated_persons.first()),
        f"/bo-phieu/{ready.pk}/",
        f"/bo-phieu/{ready.pk}/bien-nhan/",
    ]
    forms = [(path, form) for start in starts for path, form in crawl(phone, start)]
    # the ballot itself, reached with a card's code
    ballot = phone.post(f"/bo-phieu/{ready.pk}/", {"step": "ballot", "code": code})
    page = Forms()
    page.feed(ballot.content.decode())
    forms += [(f"/bo-phieu/{ready.pk}/", form) for form in page.forms if form["method"] == "post"]
    sent, done, failures, english = send_hostile(phone, forms, english_words())
    kinds = {kind for kind, _fields in done}
    assert {"conferences:invitation", "conferences:explanation_link", "voting:vote", "voting:receipt"} <= kinds, kinds
    assert sent > 20, sent
    assert failures == []
    assert english == {}
    assert evote.find_card(ready, code)  # the card, sent hostile choices, was not used up by a refused ballot
