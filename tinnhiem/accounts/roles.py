"""Roles are Django groups with real permissions; every page and use case checks a permission.

A voter needs no account: they use a personal invitation link (conferences) or a code card.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

VIEW = "conferences.observe_conference"
PREPARE = "conferences.prepare_conference"
CHAIR = "conferences.chair_conference"
COUNT = "conferences.count_ballots"
AUDIT = "audit.view_audit_log"
MANAGE_USERS = "auth.change_user"
BACKUP = "audit.back_up_site"  # a copy of everything, keys included: the administrator's

ROLES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "office": (_("Staff office (secretariat)"), (VIEW, PREPARE, AUDIT)),
    "chair": (_("Chair of the conference"), (VIEW, CHAIR, AUDIT)),
    "committee": (_("Counting committee member"), (VIEW, COUNT)),
    "observer": (_("Observer"), (VIEW, AUDIT)),
    "admin": (
        _("Administrator"),
        (VIEW, PREPARE, CHAIR, AUDIT, BACKUP, "auth.view_user", "auth.add_user", "auth.change_user", "auth.view_group"),
    ),
}


def role_label(key: str) -> str:
    return str(ROLES[key][0])


def roles_text(names: list[str]) -> str:
    """Group names as the reader says them: a role by its label, any other group by its name."""
    return ", ".join(role_label(n) if n in ROLES else n for n in names) or "—"


def ensure_roles() -> None:
    """Create or update the groups of the roles with exactly their permissions (idempotent). The
    permissions are read in one query (run after every migration, and by nearly every test)."""
    codenames = {perm.split(".")[1] for _label, perms in ROLES.values() for perm in perms}
    known: dict[str, Permission] = {}
    for found in Permission.objects.filter(codename__in=codenames).select_related("content_type"):
        known.setdefault(f"{found.content_type.app_label}.{found.codename}", found)  # two of one name: the first
    for key, (_label, perms) in ROLES.items():
        group, _created = Group.objects.get_or_create(name=key)
        group.permissions.set([known[perm] for perm in perms if perm in known])


def require(user: Any, perm: str) -> None:
    """Raise PermissionDenied unless ``user`` has ``perm``; used by every use case."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_perm(perm):
        raise PermissionDenied(perm)


def user_roles(user: Any) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [g.name for g in user.groups.all() if g.name in ROLES]


def permission_required(perm: str, *, post: str | tuple[str, ...] | None = None) -> Callable:
    """View decorator: login first (redirect), then 403 without the permission.

    ``post``: a further permission (or any of several) needed to POST to the page.
    Both are kept on the view so that the permission walk test can check every URL.
    """

    post_perms = (post,) if isinstance(post, str) else tuple(post or (perm,))

    def decorator(view: Callable) -> Callable:
        from django.contrib.auth.views import redirect_to_login

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(perm):
                raise PermissionDenied(perm)
            if request.method == "POST" and not any(request.user.has_perm(p) for p in post_perms):
                raise PermissionDenied(" | ".join(post_perms))
            return view(request, *args, **kwargs)

        wrapped.required_permission = perm  # type: ignore[attr-defined]
        wrapped.post_permissions = post_perms  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Marks a view reachable without an account (invitation links, login, static pages)."""
    view.public = True  # type: ignore[attr-defined]
    return view
