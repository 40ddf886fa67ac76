"""Attacks: CSRF on every state-changing request, stored XSS through names, opinions and file
names, security headers and cookie flags, login lockout, guessing links, formula injection."""

from __future__ import annotations

import csv
import io
import warnings

import pytest
from django.core.cache import cache
from django.core.cache.backends.base import CacheKeyWarning
from django.test import Client
from django.urls import reverse

from tests.web.test_permission_walk import all_patterns, url_for

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def test_every_post_without_a_csrf_token_is_refused(world, django_user_model, roles):
    admin = django_user_model.objects.create_superuser("root", password="pw-123456")
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    for name, pattern in all_patterns():
        response = client.post(url_for(name, pattern, world), {"full_name": "X", "post": "Y"})
        assert response.status_code == 403, (name, response.status_code)
        assert "Biểu mẫu đã hết hạn" in response.content.decode(), name


def test_hostile_text_is_escaped_everywhere(office, conference, voter, pdf_bytes):
    from tinnhiem.conferences import links
    from tinnhiem.conferences.usecases import dossiers, opinions, rated

    person = rated.add_rated_person(office, conference, full_name=HOSTILE, post=HOSTILE)
    dossier = dossiers.upload_dossier(
        office, person, kind="report", title="", filename=HOSTILE + ".pdf", data=pdf_bytes
    )
    dossiers.distribute_dossiers(office, conference)
    opinions.enter_paper_opinion(office, conference, rated_person=person, text=HOSTILE, signed_by=HOSTILE)
    client = Client()
    client.force_login(office)
    pages = [
        reverse("conferences:rated", args=[conference.pk]),
        reverse("conferences:opinions", args=[conference.pk]),
        reverse("conferences:dossiers", args=[conference.pk]),
        reverse("conferences:explanations", args=[conference.pk]),
        reverse("audit:events"),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url
    html = Client().get(links.invitation_url(voter)).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert dossier.file.name.endswith(".pdf") and "<" not in dossier.file.name


def test_security_headers_and_cookie_flags(client, office):
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response.cookies["csrftoken"]["samesite"] == "Lax"
    # scripts only from the server's own files, never inline; nothing from elsewhere
    policy = dict(part.split(" ", 1) for part in response["Content-Security-Policy"].split("; "))
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    response = client.post(reverse("accounts:login"), {"username": "office", "password": "pw-123456"})
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert response["X-Robots-Tag"] == "noindex, nofollow, noarchive"  # a redirect too


def test_nothing_is_for_a_search_engine(client, office, conference, voter):
    """A server reachable from the internet: a personal link posted where a crawler reads it is not
    followed (robots.txt), and no response is indexed, a PDF neither."""
    from tinnhiem.conferences import links

    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots["Content-Type"].startswith("text/plain")
    assert robots.content.decode() == "User-agent: *\nDisallow: /\n"
    assert Client().get(links.invitation_url(voter))["X-Robots-Tag"] == "noindex, nofollow, noarchive"
    assert client.get(reverse("accounts:login"))["X-Robots-Tag"] == "noindex, nofollow, noarchive"
    client.force_login(office)
    pdf = client.get(reverse("documents:roster", args=[conference.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf["X-Robots-Tag"] == "noindex, nofollow, noarchive"
    assert client.get("/khong-co/")["X-Robots-Tag"] == "noindex, nofollow, noarchive"  # a 404 too


def test_no_page_runs_an_inline_script(client, office):
    """The policy refuses inline scripts, so no template may hold one: an inline handler
    (onchange=…) would silently stop working in the browser. The browser journeys also fail on
    any report of the policy (tests/browser/conftest.py)."""
    import re
    from pathlib import Path

    import tinnhiem

    templates = Path(tinnhiem.__file__).parent / "templates"
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=|javascript:", re.IGNORECASE)
    found = [
        f"{t.relative_to(templates)}: {m.group(0)}"
        for t in templates.rglob("*.html")
        for m in inline.finditer(t.read_text())
    ]
    assert not found, found


def test_a_pdf_shown_in_the_browser_has_no_page_policy(client, office, conference):
    """The policy is for pages: on a PDF it can stop the browser's own viewer from showing it."""
    client.force_login(office)
    response = client.get(reverse("documents:roster", args=[conference.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "Content-Security-Policy" not in response


def test_a_login_typed_with_vietnamese_typing_on_is_told_so(office):
    """Unikey or EVKey left on makes "pw-123456" nothing else, but "matkhau-dd" becomes "matkhau-đ":
    a failed login whose name or password holds such a letter says to turn Vietnamese typing off."""
    url = reverse("accounts:login")
    hint = "Nếu bộ gõ tiếng Việt đang bật (Unikey, EVKey hay bàn phím điện thoại)"
    for username, password in (("office", "pw-123456đ"), ("offíce", "pw-123456"), ("office", "pw-12345\u0301")):
        page = Client().post(url, {"username": username, "password": password})
        assert page.status_code == 200 and "không đúng" in page.text and hint in page.text, (username, password)
    plain = Client().post(url, {"username": "office", "password": "wrong"}).text
    assert "không đúng" in plain and hint not in plain
    assert hint not in Client().get(url).text


def test_login_lockout_after_repeated_failures(office):
    client = Client()
    url = reverse("accounts:login")
    for _ in range(5):
        assert client.post(url, {"username": "office", "password": "wrong"}).status_code == 200
    locked = client.post(url, {"username": "office", "password": "pw-123456"})
    assert locked.status_code == 429 and "bị khoá" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(url, {"username": "office", "password": "pw-123456"}).status_code == 302


def test_the_lockout_keeps_no_typed_name_and_its_keys_suit_a_shared_cache(office):
    """A password typed into the name's field by mistake is not kept in the cache's keys; and each
    key is one a shared cache (memcached) takes: short, ASCII, no space (Django warns otherwise)."""
    cache.clear()
    url = reverse("accounts:login")
    typed = ["Mật khẩu Bí Mật 2026", "office " * 40]
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        for name in typed:
            for _ in range(5):
                assert Client().post(url, {"username": name, "password": "wrong"}).status_code == 200
            assert Client().post(url, {"username": name, "password": "wrong"}).status_code == 429
    keys = list(cache._cache)  # the server's memory cache (the default), as a shared one would hold them
    assert len(keys) == 2
    for key in keys:
        assert key.isascii() and " " not in key and len(key) < 250
        assert "mật" not in key.lower() and "office" not in key.lower()


def test_behind_the_proxy_each_client_is_counted_by_the_address_the_proxy_passes(voter, settings):
    """Behind nginx every request comes from 127.0.0.1: counted by that, 20 links mistyped by
    anyone would shut every voter out. The proxy's X-Real-IP is trusted only behind the proxy:
    without it, a guesser could send a new one with each request."""
    from tinnhiem.conferences import links

    def guess(client, times):
        for i in range(times):
            client.get(reverse("conferences:invitation", args=[voter.pk, f"{i:032x}"]))

    settings.TINNHIEM_CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"
    guesser, voter_in_the_hall = Client(HTTP_X_REAL_IP="203.0.113.7"), Client(HTTP_X_REAL_IP="198.51.100.20")
    guess(guesser, 20)
    assert guesser.get(links.invitation_url(voter)).status_code == 429
    assert voter_in_the_hall.get(links.invitation_url(voter)).status_code == 200
    assert Client().get(links.invitation_url(voter)).status_code == 200  # no header: the proxy's address

    cache.clear()
    settings.TINNHIEM_CLIENT_ADDRESS_HEADER = ""  # no proxy: the header is anyone's to send
    for i in range(20):
        Client(HTTP_X_REAL_IP=f"203.0.113.{i}").get(reverse("conferences:invitation", args=[voter.pk, f"{i:032x}"]))
    assert Client(HTTP_X_REAL_IP="198.51.100.20").get(links.invitation_url(voter)).status_code == 429


def test_guessing_invitation_links_is_slowed(voter):
    client = Client()
    for i in range(20):
        client.get(reverse("conferences:invitation", args=[voter.pk, f"{i:032x}"]))
    from tinnhiem.conferences import links

    assert client.get(links.invitation_url(voter)).status_code == 429


def test_exports_neutralise_formulas(seed):
    from tinnhiem.conferences.models import RatedPerson

    person = seed.rated_persons.first()
    RatedPerson.objects.filter(pk=person.pk).update(full_name='=HYPERLINK("http://evil","x")')
    form = seed.ballot_forms.get()
    result = form.results.get(superseded=False)
    result.data["people"][0]["name"] = '=HYPERLINK("http://evil","x")'
    result.save()
    client = Client()
    assert client.login(username="quansat", password="tinnhiem-demo")
    text = client.get(reverse("voting:results_csv", args=[seed.pk])).content.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[2].startswith("'=")


def test_no_url_takes_a_file_path():
    """Stored files are only ever found by their database id (and stored under random names), so
    no URL can name a path: no route has a `path` converter, and `str` parts never hold a slash."""
    routes = [(name, str(p.pattern)) for name, p in all_patterns()]
    assert routes and not [name for name, route in routes if "<path:" in route]


@pytest.mark.django_db
def test_traversal_in_a_download_link_finds_nothing(client, voter):
    from django.urls import reverse

    from tinnhiem.conferences.links import invitation_mac

    base = reverse("conferences:invitation", args=[voter.pk, invitation_mac(voter)])
    assert client.get(base).status_code == 200  # the link itself works
    for tail in ("..%2F..%2Fsecret_key/1/", "../../secret_key", "ho-so/..%2F..%2Ftinnhiem.sqlite3/"):
        response = client.get(base + tail)
        assert response.status_code == 404, tail
