"""The demo's data folder, kept apart from a real site's.

The demo makes accounts whose password is public (``tinnhiem-demo``), an administrator's among
them, and writes invented conferences into the audit log. Loaded into a site's own database, it
would open that site to anyone on the hall's Wi-Fi and mix invented results into its record; a
real site served from the demo's folder would be just as open. So ``tinnhiem demo`` marks the
folder it loads into (a file beside the database), loads only into an empty database or its own,
and ``tinnhiem serve`` refuses a folder so marked (``tinnhiem preflight`` warns of it).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

MARKER = "BAN-TRINH-DIEN.txt"


def marker() -> Path:
    return Path(settings.DATA_DIR) / MARKER


def is_demo_folder() -> bool:
    return marker().exists()


def mark() -> None:
    marker().write_text(
        "Thư mục dữ liệu này là của bản trình diễn tinnhiem: các tài khoản có mật khẩu công khai "
        "(tinnhiem-demo). Không dùng cho hội nghị thật: tinnhiem serve không chạy trên thư mục này.\n"
        "This data folder is tinnhiem's demo: its accounts have a public password. tinnhiem serve "
        "does not run on it.\n",
        encoding="utf-8",
    )


def foreign_data() -> str | None:
    """What the database holds that the demo did not make, in words (None: the demo may load, or
    reuse what it loaded). A database loaded by the demo before folders were marked is its own if
    it has the demo's campaign and no account but the demo's."""
    from django.contrib.auth import get_user_model

    from tinnhiem.conferences.models import Campaign

    from .demo import CAMPAIGN_NAME, DEMO_USERS

    if is_demo_folder():
        return None
    users = set(get_user_model().objects.values_list("username", flat=True))
    campaigns = Campaign.objects.count()
    if not users and not campaigns:
        return None
    if users <= {username for username, _role, _name in DEMO_USERS} and (
        Campaign.objects.filter(name=CAMPAIGN_NAME).exists()
    ):
        return None
    return _("%(accounts)s account(s), %(campaigns)s campaign(s)") % {"accounts": len(users), "campaigns": campaigns}


def loaded() -> bool:
    """Whether the demo's conferences are in the database already (``tinnhiem demo`` reuses them)."""
    from tinnhiem.conferences.models import Campaign

    from .demo import CAMPAIGN_NAME

    return Campaign.objects.filter(name=CAMPAIGN_NAME).exists()


def reset() -> None:
    """Delete what the demo made (its database, and the files uploaded or scanned in it), so that
    it starts again from the beginning; only in a folder that is the demo's (``foreign_data`` is
    None). The keys stay."""
    import shutil

    from django.db import connections

    if foreign_data() is not None:  # checked by the caller too: never a site's own data
        raise RuntimeError("not the demo's folder")
    connections.close_all()
    folder = Path(settings.DATA_DIR)
    name = Path(settings.DATABASES["default"]["NAME"])
    for path in (name, name.with_name(name.name + "-wal"), name.with_name(name.name + "-shm")):
        path.unlink(missing_ok=True)
    for sub in (settings.MEDIA_ROOT, folder / "phieu-quet-mau"):
        shutil.rmtree(sub, ignore_errors=True)


def refusal_to_serve() -> str | None:
    if not is_demo_folder():
        return None
    return _(
        "The data folder %(folder)s holds the demo, whose accounts have a public password: give the real site a "
        "data folder of its own (TINNHIEM_DATA_DIR)."
    ) % {"folder": settings.DATA_DIR}
