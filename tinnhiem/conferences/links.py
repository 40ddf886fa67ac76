"""Personal links: an invitation link per voter, an explanation link per rated person.

The secret part is an HMAC of the person's id and a nonce under the site's secret key, so a link
can be printed again at any time, nothing secret is stored, a forged link is refused, and changing
the nonce revokes it. Links are compared in constant time.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import RatedPerson, Voter

INVITATION_SALT = "tinnhiem.conferences.invitation"
EXPLANATION_SALT = "tinnhiem.conferences.explanation"


def _mac(salt: str, pk: int, nonce: str) -> str:
    return salted_hmac(salt, f"{pk}:{nonce}", algorithm="sha256").hexdigest()[:32]


def invitation_mac(voter: Voter) -> str:
    return _mac(INVITATION_SALT, voter.pk, voter.link_nonce)


def explanation_mac(person: RatedPerson) -> str:
    return _mac(EXPLANATION_SALT, person.pk, person.link_nonce)


def check_invitation(voter_id: int, mac: str) -> Voter | None:
    voter = Voter.objects.select_related("conference__campaign").filter(pk=voter_id).first()
    if voter is None or not constant_time_compare(invitation_mac(voter), mac):
        return None
    return voter


def check_explanation_link(person_id: int, mac: str) -> RatedPerson | None:
    person = RatedPerson.objects.select_related("conference__campaign").filter(pk=person_id).first()
    if person is None or not constant_time_compare(explanation_mac(person), mac):
        return None
    return person


def absolute(path: str, request=None) -> str:
    base = settings.TINNHIEM_PUBLIC_URL
    if base:
        return base + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path


def invitation_url(voter: Voter, request=None) -> str:
    return absolute(reverse("conferences:invitation", args=[voter.pk, invitation_mac(voter)]), request)


def explanation_url(person: RatedPerson, request=None) -> str:
    return absolute(reverse("conferences:explanation_link", args=[person.pk, explanation_mac(person)]), request)
