"""What a screen reader, a keyboard and a zoomed phone need from every page, read from its HTML:
the page's language and title, a heading to begin at and headings in order, a name for every
field, button, link and picture, the choices of a question grouped under it, a field's help and
its error tied to it, no id twice, and zoom left to the reader. (These are the rules of WCAG 2.1
that the HTML alone decides; colours and sizes are measured in Chromium, tests/browser.)

The pages are found as in the hostile-input test, by their links from the home page, as each of
the demo's accounts, in Vietnamese and in English, as the demo is loaded and in the states of a
conference day it does not show (tests/web/demo_states.py); each form is also sent once with its fields
empty, and the page that answers with errors is read too. The voter's pages (the card code, the
ballot, its review, the receipt) and the links a voter and a rated person open are read in both
languages, with their errors."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

import tinnhiem
from tests.conftest import shared_demo_open
from tests.web.demo_states import reach, voting_on_phones, within_conference
from tests.web.test_hostile_input import NOT_A_PAGE, TEXT_LIKE, kind_of, pages
from tinnhiem.conferences import links
from tinnhiem.conferences.models import Conference

# the pages' HTML is the same on every database: read once, on SQLite (the hostile-input test sends
# the same forms on PostgreSQL too)
pytestmark = pytest.mark.same_on_every_database

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CONTROLS = {"input", "select", "textarea", "progress", "meter"}  # each needs a name
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class Node:
    def __init__(self, tag: str, attrs, parent: Node | None):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children: list[Node | str] = []

    def walk(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def text(self) -> str:
        """What a screen reader reads of it: its text, a picture's alt, not what is hidden from it."""
        said = []
        for child in self.children:
            if isinstance(child, str):
                said.append(child)
            elif child.attrs.get("aria-hidden") != "true":
                said.append(child.attrs.get("alt") or "" if child.tag == "img" else child.name() or child.text())
        return " ".join(" ".join(said).split())

    def name(self) -> str:
        return (self.attrs.get("aria-label") or self.attrs.get("title") or "").strip()


class Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", [], None)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:  # an end tag with no start is passed over
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def faults(html: str, language: str) -> list[str]:
    """What the page lacks for a screen reader, a keyboard or a zoom, each said once."""
    tree = Tree()
    tree.feed(html)
    nodes = list(tree.root.walk())
    ids = Counter(node.attrs["id"] for node in nodes if node.attrs.get("id"))
    labelled = {node.attrs["for"] for node in nodes if node.tag == "label" and node.attrs.get("for")}
    found = [f"the id {name!r} is used {count} times" for name, count in ids.items() if count > 1]

    def first(tag):
        return next((node for node in nodes if node.tag == tag), None)

    if (first("html") or Node("html", [], None)).attrs.get("lang") != language:
        found.append(f"<html> does not say the page is in {language!r}")
    if not (first("title") and first("title").text()):
        found.append("no <title>")
    if not first("h1"):
        found.append("no <h1>")
    viewport = next((node for node in nodes if node.tag == "meta" and node.attrs.get("name") == "viewport"), None)
    zoom = (viewport.attrs.get("content") or "").replace(" ", "") if viewport else ""
    if viewport is None:
        found.append("no viewport for phones")
    elif "user-scalable=no" in zoom or "maximum-scale=1" in zoom:
        found.append("zoom blocked")
    levels = [int(node.tag[1]) for node in nodes if node.tag in HEADINGS]
    found += [f"<h{a}> followed by <h{b}>" for a, b in pairwise(levels) if b > a + 1]

    for node in nodes:
        a, tag = node.attrs, node.tag
        for attribute in ("aria-labelledby", "aria-describedby", "aria-controls"):
            found += [
                f"<{tag}> {attribute} names {ref!r}, not on the page"
                for ref in (a.get(attribute) or "").split()
                if ref not in ids
            ]
        if tag == "label" and a.get("for") and a["for"] not in ids:
            found.append(f"<label for={a['for']!r}> names no element")
        if int(a.get("tabindex") or 0) > 0:
            found.append(f"<{tag}> tabindex {a['tabindex']} changes the keyboard's order")
        named = node.name() or a.get("aria-labelledby")
        kind = (a.get("type") or "text").lower() if tag == "input" else tag
        if tag in CONTROLS and kind != "hidden":
            if kind in ("submit", "button", "reset", "image"):
                if not (a.get("value") or named or a.get("alt")):
                    found.append(f"<input type={kind}> with nothing to read")
            elif not (named or a.get("id") in labelled or any(up.tag == "label" for up in node.ancestors())):
                found.append(f"<{tag} name={a.get('name')!r}> has no label")
            if kind == "radio" and not any(
                (up.tag == "fieldset" and any(isinstance(c, Node) and c.tag == "legend" for c in up.children))
                or (up.attrs.get("role") == "radiogroup" and (up.name() or up.attrs.get("aria-labelledby")))
                for up in node.ancestors()
            ):
                found.append(f"the choices {a.get('name')!r} are not grouped under their question")
        elif tag == "button" and not (node.text() or named):
            found.append("a <button> with nothing to read")
        elif tag == "a" and a.get("href") is not None and not (node.text() or named):
            found.append(f"a link with nothing to read ({a['href']})")
        elif tag == "img" and "alt" not in a:
            found.append(f"<img src={a.get('src')!r}> has no alt")
        elif tag == "svg" and a.get("role") == "img" and not named:
            found.append("an <svg> picture with no name")
        elif tag == "table" and a.get("role") != "presentation" and not any(c.tag == "th" for c in node.walk()):
            found.append("a <table> with no header cell")
    return list(dict.fromkeys(found))


@pytest.mark.parametrize(
    "html, fault",
    [
        ('<input name="q">', "<input name='q'> has no label"),
        ('<input name="q" placeholder="Tìm">', "<input name='q'> has no label"),
        ('<label>Tìm</label><input name="q">', "<input name='q'> has no label"),
        ('<select name="s"></select>', "<select name='s'> has no label"),
        ('<progress max="100" value="0"></progress>', "<progress name=None> has no label"),
        ('<label for="x">X</label><input id="y" name="q">', "<label for='x'> names no element"),
        ('<input id="q" aria-describedby="q_helptext" aria-label="Tìm">', "names 'q_helptext', not on the page"),
        ('<p id="a"></p><p id="a"></p>', "the id 'a' is used 2 times"),
        ('<fieldset><label><input type="radio" name="p1"> Cao</label></fieldset>', "not grouped under their question"),
        ("<button></button>", "a <button> with nothing to read"),
        ('<button><svg aria-hidden="true"></svg></button>', "a <button> with nothing to read"),
        ('<a href="/x"><img src="i.svg" alt=""></a>', "a link with nothing to read (/x)"),
        ('<img src="i.png">', "has no alt"),
        ('<svg role="img"></svg>', "an <svg> picture with no name"),
        ("<table><tr><td>1</td></tr></table>", "a <table> with no header cell"),
        ('<a href="/x" tabindex="2">X</a>', "tabindex 2"),
        ("<h2>Đợt</h2><h4>Hội nghị</h4>", "<h2> followed by <h4>"),
    ],
)
def test_the_reading_finds_each_fault(html, fault):
    page = '<html lang="vi"><head><meta name="viewport" content="width=device-width"><title>T</title></head><body><h1>T</h1>'
    assert faults(page + "</body></html>", "vi") == []
    assert any(fault in said for said in faults(page + html + "</body></html>", "vi")), faults(page + html, "vi")


def test_the_reading_finds_the_page_wide_faults():
    said = faults(
        '<html><head><meta name="viewport" content="width=device-width, maximum-scale=1"></head><body></body></html>',
        "vi",
    )
    assert said == ["<html> does not say the page is in 'vi'", "no <title>", "no <h1>", "zoom blocked"]
    assert "no viewport for phones" in faults('<html lang="en"><title>T</title><h1>T</h1></html>', "en")
    assert "<html> does not say the page is in 'en'" in faults(
        '<html lang="vi"><title>T</title><h1>T</h1></html>', "en"
    )
    # each of these names what it holds, as a screen reader reads it
    named = (
        '<html lang="vi"><head><meta name="viewport" content="width=device-width"><title>T</title></head><body><h1>T</h1>'
        '<label>Tên <input name="a"></label><label for="b">Số</label><input id="b" name="b"><input name="c" aria-label="Tìm">'
        '<fieldset><legend>Ông A</legend><label><input type="radio" name="p1"> Cao</label></fieldset>'
        '<button><svg aria-hidden="true"></svg> Lưu</button><a href="/x"><img src="i.svg" alt="Trang chủ"></a>'
        '<a href="/y" aria-label="Sửa"><svg aria-hidden="true"></svg></a><input type="submit" value="Gửi">'
        '<table><tr><th>Họ tên</th></tr></table><table role="presentation"><tr><td>1</td></tr></table>'
        "<h2>Đợt</h2><h3>Hội nghị</h3><h2>Khác</h2></body></html>"
    )
    assert faults(named, "vi") == []


@pytest.fixture
def demo(shared_demo, request, db):
    shared_demo_open(request)
    return shared_demo


def empty(form: dict) -> dict:
    """A form's fields as the page filled them, those one types into left empty, no button pressed
    but the first: the answer shows the form's errors."""
    data: dict = {}
    for name, kind, default, on in form["fields"]:
        if kind == "button":
            data.setdefault(name, default)
        elif on and kind != "file":
            value = "" if kind in TEXT_LIKE - {"hidden", "select"} else default
            data.setdefault(name, []).append(value)
    return data


@pytest.mark.parametrize(
    "username, during, language",
    [
        ("vanphong", "as loaded", "vi"),
        ("vanphong", "as loaded", "en"),
        ("chutri", "as loaded", "vi"),
        ("kiemphieu1", "as loaded", "vi"),
        ("quansat", "as loaded", "vi"),
        ("kiemphieu1", "paper count", "vi"),
        ("chutri", "paper count", "en"),
        ("vanphong", "phones voting", "vi"),
        ("kiemphieu1", "scans waiting", "vi"),
    ],
)
def test_every_page_and_its_errors_can_be_read_with_a_screen_reader(demo, username, during, language, tmp_path):
    within = within_conference(reach(during, Conference.objects.get(pk=demo), tmp_path))
    client = Client(raise_request_exception=False)
    assert client.login(username=username, password="tinnhiem-demo")
    client.cookies["django_language"] = language
    found: dict[str, str] = {}
    forms, read = [], 0
    for path, html, page in pages(client, within):
        read += 1
        for fault in faults(html, language):
            found.setdefault(fault, path)
        forms += [(path, form) for form in page.forms if form["method"] == "post"]
    sent = set()
    for path, form in forms:
        action = urlparse(urljoin(path, form["action"] or path)).path
        fields = [name for name, kind, *_ in form["fields"] if kind in TEXT_LIKE - {"hidden"}]
        key = (kind_of(action), tuple(sorted(fields)))
        if not fields or key in sent or NOT_A_PAGE.search(action):
            continue
        sent.add(key)
        response = client.post(action, empty(form), follow=True)
        if "text/html" in response.get("Content-Type", ""):
            for fault in faults(response.content.decode(), language):
                found.setdefault(fault, f"{action} (sent empty)")
    assert read > (20 if within == "/" else 10) and sent, (read, sent)  # the crawl found the pages and forms
    assert found == {}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_voters_and_the_rated_persons_pages_can_be_read_with_a_screen_reader(demo, language):
    ready = Conference.objects.get(pk=demo)
    invitation = links.invitation_url(ready.voters.order_by("order").first())
    explanation = links.explanation_url(ready.rated_persons.first())
    phone = Client(raise_request_exception=False)
    phone.cookies["django_language"] = language
    answers = {
        "the invitation": phone.get(invitation),
        "the rated person's link": phone.get(explanation),
        "the rated person's dossier sent empty": phone.post(explanation, {"what": "dossier"}),
        "the rated person's explanation sent empty": phone.post(explanation, {"text": ""}),
    }
    code, fields = voting_on_phones(ready)
    vote = reverse("voting:vote", args=[ready.pk])
    receipt = reverse("voting:receipt", args=[ready.pk])
    answers |= {
        "the card code's page": phone.get(vote),
        "a wrong card code": phone.post(vote, {"step": "ballot", "code": "ABCD-EFGH-JKLM-NPQR"}),
        "the ballot": phone.post(vote, {"step": "ballot", "code": code}),
        "the ballot with no choice": phone.post(vote, {"step": "review", "code": code}),
    }
    choices = dict.fromkeys(fields, "1")
    answers["the review"] = phone.post(vote, {"step": "review", "code": code, **choices})
    tracking = answers["the review"].context["tracking"]
    answers["the receipt"] = phone.post(vote, {"step": "submit", "code": code, "tracking": tracking, **choices})
    assert tracking in re.sub(r"<[^>]+>", "", answers["the receipt"].content.decode())  # the ballot was stored
    answers |= {
        "the receipt's check": phone.get(receipt),
        "a wrong receipt code": phone.post(receipt, {"tracking": "XXXX"}),
        "the sign-in": phone.get(reverse("accounts:login")),
    }
    found = {}
    for what, response in answers.items():
        assert response.status_code in (200, 400), (what, response.status_code)
        for fault in faults(response.content.decode(), language):
            found.setdefault(fault, what)
    assert found == {}


ERROR_PAGES = sorted(path.stem for path in (Path(tinnhiem.__file__).parent / "templates" / "errors").glob("*.html"))


@pytest.mark.parametrize("page", ERROR_PAGES)
def test_the_error_pages_can_be_read_with_a_screen_reader(page):
    """The pages of a refusal or a failure (a phone that lost its session, a server out of disk),
    each page of the folder, rendered as the server renders them."""
    assert len(ERROR_PAGES) >= 8
    request = RequestFactory().get("/hoi-nghi/1/")
    assert faults(render_to_string(f"errors/{page}.html", {"request": request}, request=request), "vi") == []
