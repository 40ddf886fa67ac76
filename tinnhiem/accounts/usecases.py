"""Login accounts: made and changed by ``tinnhiem account`` (the first administrator of a new
site has no page to go to), and listed for it. The administration pages change accounts through
Django's forms and call :func:`sync_staff` in the same way.

A person's rights come only from their roles (``roles.ROLES``). The Administrator role opens the
administration pages (Django's ``is_staff``), kept in step with the role here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tinnhiem.audit.log import record

from .roles import ROLES

ADMIN_ROLE = "admin"


@dataclass(frozen=True)
class Account:
    username: str
    full_name: str
    roles: list[str]
    active: bool


def login_name(username: str) -> str:
    return unicodedata.normalize("NFC", username.strip())


def check_login_name(username: str) -> str:
    """The login name as stored (NFC, no surrounding space), or a ValidationError saying why not."""
    username = login_name(username)
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise ValidationError(
            _("“%(username)s” cannot be a login name: use letters, digits and @ . + - _ only, with no space.")
            % {"username": username}
        ) from None
    return username


def account_exists(username: str) -> bool:
    return get_user_model().objects.filter(username=login_name(username)).exists()


def split_name(full_name: str) -> tuple[str, str]:
    """A Vietnamese full name as Django keeps it: (first_name = the given name, last_name = the rest)."""
    family, _sep, given = unicodedata.normalize("NFC", " ".join(full_name.split())).rpartition(" ")
    return given, family


def full_name_of(user: Any) -> str:
    return " ".join(part for part in (user.last_name, user.first_name) if part)


def sync_staff(user: Any) -> None:
    """The Administrator role (or a superuser) opens the administration pages; nothing else does."""
    is_staff = user.is_superuser or user.groups.filter(name=ADMIN_ROLE).exists()
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


@transaction.atomic
def save_account(
    actor: Any,
    username: str,
    *,
    roles: list[str] | None = None,
    full_name: str | None = None,
    password: str | None = None,
    active: bool | None = None,
) -> tuple[Any, bool]:
    """Make the account ``username``, or change it: what is not given stays as it is. A new account
    needs a password and at least one role. Returns (user, created). Nothing is saved on an error."""
    User = get_user_model()
    username = check_login_name(username)
    unknown = sorted(set(roles or ()) - set(ROLES))
    if unknown:
        raise ValidationError(
            _("Unknown role: %(roles)s. The roles: %(known)s.")
            % {"roles": ", ".join(unknown), "known": ", ".join(ROLES)}
        )
    user = User.objects.select_for_update().filter(username=username).first()
    created = user is None
    if created:
        if not password:
            raise ValidationError(_("A new account needs a password."))
        if not roles:
            raise ValidationError(_("A new account needs at least one role."))
        user = User(username=username)
    if full_name is not None:
        user.first_name, user.last_name = split_name(full_name)
    if password is not None:
        validate_password(password, user)
        user.set_password(password)
    if active is not None:
        user.is_active = active
    user.save()
    if roles is not None:
        user.groups.set(Group.objects.filter(name__in=roles))
    sync_staff(user)
    record_account(actor, user, created=created, password_set=password is not None)
    return user, created


def record_account(actor: Any, user: Any, *, created: bool, password_set: bool) -> None:
    """The audit event of an account made or changed, here or on the administration pages: its
    roles and state as they are now (never the password)."""
    data = {
        "user": user.get_username(),
        "created": created,
        "roles": sorted(g.name for g in user.groups.all()),
        "password_set": password_set,
        "active": user.is_active,
    }
    if user.is_superuser:  # made with Django's createsuperuser: every right, whatever the roles
        data["superuser"] = True
    record(actor, "account.saved", data=data)


def record_account_removed(actor: Any, user: Any) -> None:
    record(actor, "account.removed", data={"user": user.get_username()})


def list_accounts() -> list[Account]:
    User = get_user_model()
    return [
        Account(
            user.username,
            full_name_of(user),
            [g.name for g in user.groups.all() if g.name in ROLES],
            user.is_active,
        )
        for user in User.objects.order_by("username").prefetch_related("groups")
    ]
