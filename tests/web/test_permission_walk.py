"""Every URL pattern, every role: the expected allow or deny. New pages are covered automatically,
because a page that declares neither a permission nor that it is public fails this test."""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import ROLE_NAMES
from tinnhiem.accounts.roles import ROLES
from tinnhiem.conferences import links

# pages that exist only once the count is finalised (404 before), and pages for the members of
# this conference's counting committee only (403 for other accounts with the committee role)
STATE_DEPENDENT = {
    "voting:results_csv",
    "voting:results_xlsx",
    "voting:minutes_json",
    "documents:minutes",
    "documents:minutes_docx",
    "documents:report",
    "documents:report_docx",
    "documents:notices",
    "documents:resolution",
    "documents:resolution_docx",
    "documents:summary",
    "documents:summary_docx",
    "voting:public",
    "voting:public_ballots",
    "scanning:crop",
    "scanning:writing_crop",
}

MEMBERS_ONLY = {"voting:entry"}
REDIRECTS = {"scanning:spot_check", "scanning:open"}  # send to a ballot (chosen at random, or by its number)


def walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p


def all_patterns():
    return [(name, p) for name, p in walk(get_resolver().url_patterns) if not name.startswith("admin:")]


@pytest.fixture
def world(office, conference, person, voter, pdf_bytes):
    from tinnhiem.conferences.usecases import dossiers, opinions

    dossier = dossiers.upload_dossier(office, person, kind="report", title="Báo cáo", filename="a.pdf", data=pdf_bytes)
    opinion = opinions.enter_paper_opinion(office, conference, rated_person=person, text="Đề nghị làm rõ")
    opinions.classify_opinion(office, opinion, tag="requests_explanation")
    opinions.forward_requests(office, conference)
    explanation = opinions.record_explanation(
        office, person, text="Giải trình", answers=[opinion], filename="e.pdf", data=pdf_bytes
    )
    dossiers.distribute_dossiers(office, conference)
    from tinnhiem.conferences.usecases import day

    form = day.create_ballot_form(office, conference, name="Phiếu tín nhiệm", people=[person])
    from tinnhiem.scanning.models import ScannedBallot

    scanned = ScannedBallot.objects.create(
        form=form, position=1, machine_keys="?", flags=[{"person": 0, "why": "uncertain"}], needs_review=True
    )

    return {
        "campaign_id": conference.campaign_id,
        "body_id": conference.campaign.body_id,
        "conference_id": conference.pk,
        "person_id": person.pk,
        "voter_id": voter.pk,
        "dossier_id": dossier.pk,
        "explanation_id": explanation.pk,
        "opinion_id": opinion.pk,
        "doc_id": dossier.pk,
        "kind": "ho-so",
        "form_id": form.pk,
        "ballot_id": scanned.pk,
        "person": 0,
        "page_number": 1,
        "_voter_mac": links.invitation_mac(voter),
        "_person_mac": links.explanation_mac(person),
    }


def url_for(name, pattern, world):
    params = list(pattern.pattern.converters)
    kwargs = {}
    for param in params:
        if param == "mac":
            kwargs[param] = world["_person_mac"] if "explanation_link" in name else world["_voter_mac"]
        else:
            kwargs[param] = world[param]
    return reverse(name, kwargs=kwargs)


def test_every_page_declares_its_permission():
    undeclared = [
        name
        for name, p in all_patterns()
        if not getattr(p.callback, "required_permission", None) and not getattr(p.callback, "public", False)
    ]
    assert undeclared == []


@pytest.mark.parametrize("role", [None, *ROLE_NAMES])
def test_get_every_page_as_every_role(client, make_user, world, role):
    if role:
        client.force_login(make_user(role))
    granted = set(ROLES[role][1]) if role else set()
    for name, pattern in all_patterns():
        url = url_for(name, pattern, world)
        response = client.get(url)
        view = pattern.callback
        if getattr(view, "public", False):
            allowed = {200, 302, 405} | ({404} if name in STATE_DEPENDENT else set())
            assert response.status_code in allowed, (name, response.status_code)
            continue
        needed = view.required_permission
        if role is None:
            assert response.status_code == 302 and "/dang-nhap/" in response["Location"], (name, response.status_code)
        elif needed in granted and name in MEMBERS_ONLY:
            assert response.status_code in (302, 403), (role, name, response.status_code)
        elif needed in granted:
            allowed = (
                {200, 405} | ({404} if name in STATE_DEPENDENT else set()) | ({302} if name in REDIRECTS else set())
            )
            assert response.status_code in allowed, (role, name, response.status_code)

        else:
            assert response.status_code == 403, (role, name, response.status_code)
            assert "Không được phép" in response.content.decode(), name


@pytest.mark.parametrize("role", [None, *ROLE_NAMES])
def test_post_to_every_page_without_permission_is_refused(client, make_user, world, role):
    from tinnhiem.audit.models import Event

    if role:
        client.force_login(make_user(role))
    granted = set(ROLES[role][1]) if role else set()
    before = Event.objects.count()
    for name, pattern in all_patterns():
        view = pattern.callback
        if getattr(view, "public", False):
            continue
        if role is not None and granted & set(view.post_permissions):
            continue
        response = client.post(
            url_for(name, pattern, world), {"tag": "other", "same": "1", "full_name": "X", "post": "Y"}
        )
        expected = 302 if role is None else 403
        assert response.status_code == expected, (role, name, response.status_code)
    assert Event.objects.count() == before, "a refused request changed something"


def test_admin_needs_staff(client, make_user):
    assert client.get("/quan-tri/").status_code == 302
    client.force_login(make_user("office"))
    assert client.get("/quan-tri/").status_code == 302  # not staff → login page of the admin
    client.force_login(make_user("admin", "boss"))
    assert client.get("/quan-tri/").status_code == 200


def test_forged_links_are_refused(client, world):
    url = reverse("conferences:invitation", args=[world["voter_id"], "0" * 32])
    response = client.get(url)
    assert response.status_code == 404
    assert "không hợp lệ" in response.content.decode()
    url = reverse("conferences:explanation_link", args=[world["person_id"], uuid.uuid4().hex])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_each_role_gets_exactly_its_permissions_again():
    """``ensure_roles`` (after every migration) gives each role's group exactly the permissions
    listed in ROLES: one taken away by hand comes back, one added by hand goes."""
    from django.contrib.auth.models import Group, Permission

    from tinnhiem.accounts.roles import ensure_roles

    def held(name):
        return sorted(
            f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=name).permissions.all()
        )

    ensure_roles()
    office = Group.objects.get(name="office")
    office.permissions.remove(Permission.objects.get(codename="prepare_conference"))
    office.permissions.add(Permission.objects.get(codename="count_ballots"))
    Group.objects.get(name="observer").delete()
    ensure_roles()
    for name, (_label, perms) in ROLES.items():
        assert held(name) == sorted(perms), name
