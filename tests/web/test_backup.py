"""``tinnhiem backup`` and ``tinnhiem restore``: a round trip keeps every record and the audit chain."""

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.fresh_db import fresh_database_url, outside_environ
from tinnhiem.audit import log
from tinnhiem.audit.record import signing_key, signing_key_path
from tinnhiem.conferences.models import Voter
from tinnhiem.site.demo import load_demo


@pytest.mark.heavy
@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_a_new_site(roles, tmp_path, request, settings):
    # the site's stored files are this test's own: the worker's folder holds every earlier test's
    settings.MEDIA_ROOT = str(tmp_path / "media")
    load_demo(today=date.today())
    head = log.head()
    voters = Voter.objects.count()
    backup = tmp_path / "sao-luu.tar.gz"
    signing_key()  # made on first use: the demo's site has one to carry over
    # the suite's settings take the secret key from the environment; a site keeps it in a file
    secret = Path(settings.SECRET_KEY_FILE)
    if not secret.exists():
        secret.write_text("khoa-bi-mat-cua-site", encoding="ascii")
        request.addfinalizer(secret.unlink)
    call_command("backup", str(backup))
    assert backup.stat().st_mode & 0o077 == 0
    _add_to_archive(backup, "keys/la.txt", b"not a key of the site")
    # a new, empty site restores it: its own data folder, and its own database of the same kind
    # as the suite's (a new SQLite file, or a new PostgreSQL database)
    with fresh_database_url() as url:
        env = outside_environ()
        env.update({"TINNHIEM_DATA_DIR": str(tmp_path / "moi"), "DJANGO_SETTINGS_MODULE": "tinnhiem.site.settings"})
        if url:
            env["DATABASE_URL"] = url

        def run(*args):
            return subprocess.run(
                [sys.executable, "-m", "tinnhiem.cli", *args], env=env, capture_output=True, text=True
            )

        restored = run("restore", str(backup))
        assert restored.returncode == 0, restored.stderr
        check = run(
            "shell",
            "-c",
            "from tinnhiem.audit import log; from tinnhiem.conferences.models import Voter;"
            "print(log.head()[0], log.head()[1], Voter.objects.count(), log.verify())",
        )
        assert check.stdout.strip().splitlines()[-1].split() == [str(head[0]), head[1], str(voters), "[]"]
        # every stored file (the demo's dossiers), each with its bytes
        stored = {
            p.relative_to(tmp_path / "media"): p.read_bytes() for p in (tmp_path / "media").rglob("*") if p.is_file()
        }
        restored_files = tmp_path / "moi" / "media"
        assert stored and {p: (restored_files / p).read_bytes() for p in stored} == stored
        assert {p.relative_to(restored_files) for p in restored_files.rglob("*") if p.is_file()} == set(stored)
        # the same keys: the secret key, and the signing key the managing authority knows
        for key in [Path(settings.SECRET_KEY_FILE), signing_key_path()]:
            assert (tmp_path / "moi" / key.name).read_bytes() == key.read_bytes(), key.name
            assert (tmp_path / "moi" / key.name).stat().st_mode & 0o077 == 0
        assert not (tmp_path / "moi" / "la.txt").exists()  # only the site's own keys are written
        again = run("restore", str(backup))
        assert again.returncode != 0 and "không trống" in again.stderr


def _add_to_archive(path, name, data):
    import io
    import tarfile

    with tarfile.open(path, "r:gz") as archive:
        members = [(member, archive.extractfile(member)) for member in archive.getmembers()]
        contents = [(member, file.read() if file else None) for member, file in members]
    with tarfile.open(path, "w:gz") as archive:
        for member, content in contents:
            archive.addfile(member, io.BytesIO(content) if content is not None else None)
        info = tarfile.TarInfo(name)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    from django.core.management.base import CommandError

    junk = tmp_path / "danh-sach.xlsx"
    junk.write_bytes(b"PK\x03\x04 not a backup")
    with pytest.raises(CommandError, match="không phải bản sao lưu"):
        call_command("restore", str(junk))


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_changes_nothing(tmp_path, roles):
    import io
    import tarfile

    from django.contrib.auth.models import Group
    from django.core.management.base import CommandError

    path = tmp_path / "hong.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, data in (("database.json", b'[{"model": "auth.group", "pk": 1, "fields": {'), ("backup.json", b"{}")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    groups = sorted(Group.objects.values_list("name", flat=True))
    assert groups
    with pytest.raises(CommandError, match="Không nạp được bản sao lưu; dữ liệu không thay đổi gì"):
        call_command("restore", str(path))
    assert sorted(Group.objects.values_list("name", flat=True)) == groups  # the roles were not deleted


@pytest.mark.django_db
def test_a_backup_with_a_path_outside_is_refused(tmp_path):
    import io
    import tarfile

    from django.core.management.base import CommandError

    path = tmp_path / "doc.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name in ("database.json", "backup.json", "../../ngoai.txt"):
            info = tarfile.TarInfo(name)
            info.size = 2
            archive.addfile(info, io.BytesIO(b"[]"))
    with pytest.raises(CommandError, match="không phải bản sao lưu"):
        call_command("restore", str(path))
    assert not (tmp_path.parent.parent / "ngoai.txt").exists()


def _small_backup(path, compresslevel: int = 9) -> bytes:
    import io
    import tarfile

    with tarfile.open(path, "w:gz", compresslevel=compresslevel) as archive:
        for name, data in (
            ("database.json", b"[]"),
            ("backup.json", b'{"format": "tinnhiem-backup/1"}'),
            ("media/dossiers/1/bao-cao.pdf", b"%PDF-1.4 " + b"BAO CAO TU DANH GIA " * 200),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path.read_bytes()


@pytest.mark.django_db
@pytest.mark.parametrize("damage", ["a byte of a stored file changed", "cut short", "the tar cut short"])
def test_a_backup_changed_or_cut_short_on_the_way_is_refused_before_anything_is_restored(tmp_path, settings, damage):
    """A byte of a dossier changed in a copy (stored, uncompressed, so that the archive still
    unpacks): gzip's checksum at the end of the file tells, but the tar's reading stopped before
    it, and the changed dossier was restored as if sound. A copy cut short raised a Python error."""
    import gzip

    from django.core.management.base import CommandError

    settings.MEDIA_ROOT = str(tmp_path / "media")
    path = tmp_path / "sao-luu.tar.gz"
    data = _small_backup(path, compresslevel=0)
    if damage == "a byte of a stored file changed":
        at = data.index(b"BAO CAO TU DANH GIA") + 4
        path.write_bytes(data[:at] + b"X" + data[at + 1 :])
    elif damage == "cut short":
        path.write_bytes(data[: len(data) // 2])
    else:  # a whole gzip file, of a tar that ends in the middle of a member
        path.write_bytes(gzip.compress(gzip.decompress(data)[:1200]))
    with pytest.raises(CommandError) as info:
        call_command("restore", str(path))
    assert str(info.value) in (
        f"{path} bị hỏng (thiếu một phần hoặc đã bị thay đổi từ khi tạo): không khôi phục được. "
        "Hãy dùng một bản sao lưu khác.",
        f"{path} không phải bản sao lưu của tinnhiem.",
    )
    assert not (tmp_path / "media").exists()  # nothing restored


@pytest.mark.django_db(transaction=True)  # as a request runs: its snapshot's transaction begins with the backup
def test_the_administrator_downloads_a_backup_after_typing_the_password_again(
    make_user, conference, settings, tmp_path
):
    """A hall laptop's administrator backs the site up from the web, as `tinnhiem backup` does on
    the server: the password typed again (a session left open gives no copy of everything), the
    archive streamed, and the log saying who took which file (its size and SHA-256)."""
    import hashlib
    import io
    import json
    import tarfile

    from django.test import Client
    from django.urls import reverse

    from tinnhiem.audit.models import Event

    settings.MEDIA_ROOT = str(tmp_path / "media")
    admin = make_user("admin", "quantri")
    client = Client()
    client.force_login(admin)
    url = reverse("backup")
    page = client.get(url).content.decode()
    assert "Sao lưu toàn bộ hệ thống" in page and "Chưa có bản nào." in page and 'id="backup-due"' not in page
    assert f'href="{url}">Sao lưu</a>' in page  # in the menu

    wrong = client.post(url, {"password": "khong-dung"})
    assert wrong.status_code == 400 and "Mật khẩu không đúng: chưa tạo bản sao lưu nào." in wrong.content.decode()
    assert not Event.objects.filter(action="site.backed_up").exists()

    got = client.post(url, {"password": "pw-123456"})
    assert got.status_code == 200 and got["Content-Type"] == "application/gzip"
    assert got["Content-Disposition"].startswith('attachment; filename="sao-luu-tinnhiem-')
    data = b"".join(got.streaming_content)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        assert json.load(archive.extractfile("backup.json")) == {"format": "tinnhiem-backup/1"}
        records = json.load(archive.extractfile("database.json"))
    assert [r["fields"]["title"] for r in records if r["model"] == "conferences.conference"] == [conference.title]
    event = Event.objects.get(action="site.backed_up")
    assert event.actor == "quantri" and event.data == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    listed = client.get(url).content.decode()
    assert f"<code>{event.data['sha256'][:16]}…</code>" in listed and "Chưa có bản nào" not in listed
    assert "<td>quantri</td>" in listed

    # the office's staff, whose everyday account this is, has neither the page nor its link
    office = make_user("office", "vanphong")
    client.force_login(office)
    assert client.get(url).status_code == 403 and client.post(url, {"password": "pw-123456"}).status_code == 403
    assert f'href="{url}"' not in client.get(reverse("conferences:home")).content.decode()


def test_the_administrator_is_reminded_to_back_up_after_a_conference_is_counted(make_user, office, settings, tmp_path):
    """A count finalised after the last backup (or with none yet) is said on the administrator's
    home page, with a link, until a backup is taken, from the page or with `tinnhiem backup` on
    the server, which the log records as taken by the system."""
    from django.test import Client
    from django.urls import reverse

    from tinnhiem.audit.log import record
    from tinnhiem.audit.models import Event
    from tinnhiem.site.demo import build_council_vote

    settings.MEDIA_ROOT = str(tmp_path / "media")
    admin = make_user("admin", "quantri")
    client = Client()
    client.force_login(admin)
    assert 'id="backup-due"' not in client.get(reverse("conferences:home")).content.decode()  # nothing counted
    counters = [make_user("committee", f"kp{i}") for i in range(7)]
    finished_conference = build_council_vote(office, make_user("chair", "chair"), counters, n_people=4, lows={})
    home = client.get(reverse("conferences:home")).content.decode()
    reminder = home.split('id="backup-due"')[1].split("</div>")[0]
    assert f"“{finished_conference.title}” đã kiểm phiếu xong ngày" in reminder
    assert "mà hệ thống chưa được sao lưu lần nào." in reminder and "sau lần sao lưu gần nhất" not in reminder
    assert f'href="{reverse("backup")}">Sao lưu ngay</a>' in reminder
    client.force_login(office)  # not the office's to do
    assert 'id="backup-due"' not in client.get(reverse("conferences:home")).content.decode()

    call_command("backup", str(tmp_path / "sao-luu.tar.gz"))
    event = Event.objects.get(action="site.backed_up")
    assert event.actor == "system" and event.data["file"] == "sao-luu.tar.gz"
    assert event.data["bytes"] == (tmp_path / "sao-luu.tar.gz").stat().st_size
    client.force_login(admin)
    assert 'id="backup-due"' not in client.get(reverse("conferences:home")).content.decode()
    page = client.get(reverse("backup")).content.decode()
    assert 'id="backup-due"' not in page and "<td>hệ thống</td>" in page
    # results announced again after it (the log's event as the chair's announcement writes it)
    record(office, "results.published", conference=finished_conference)
    page = client.get(reverse("backup")).content.decode()
    reminder = page.split('id="backup-due"')[1].split("</div>")[0]
    assert "sau lần sao lưu gần nhất." in reminder and "chưa được sao lưu lần nào" not in reminder
    assert "Hãy tải bản sao lưu ở dưới" in reminder and "Sao lưu ngay" not in reminder


@pytest.mark.django_db
def test_the_administrator_is_reminded_to_back_up_a_preparation_of_more_than_a_week(
    make_user, office, settings, tmp_path, monkeypatch
):
    """Weeks of preparation (the lists, the opinions, the dossiers) with no conference counted:
    once the first change after the last backup, or the first change ever, is a week old, the
    administrator is reminded, with how many changes since when; a backup ends it."""
    from datetime import datetime, timedelta

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from tinnhiem.audit.models import Event
    from tinnhiem.site import backups

    settings.MEDIA_ROOT = str(tmp_path / "media")
    admin = make_user("admin", "quantri")
    assert backups.backup_due() is None  # nothing recorded
    log.record(office, "rated_person.added", data={"name": "Trần Minh Đức"})
    log.record(office, "roster.imported", data={"count": 183})
    first = Event.objects.exclude(action__startswith="site.").order_by("seq").first()

    class Clock:  # the day it is, as the reminder reads it
        at = first.at

        @classmethod
        def now(cls) -> datetime:
            return cls.at

    monkeypatch.setattr(backups, "timezone", Clock)
    Clock.at = first.at + timedelta(days=7) - timedelta(seconds=1)
    assert backups.backup_due() is None  # not yet a week
    Clock.at = first.at + timedelta(days=7)
    due = backups.backup_due()
    assert due == {"changes": Event.objects.count(), "since": first.at, "last": None}, due
    client = Client()
    client.force_login(admin)
    monkeypatch.setattr(backups, "PREPARATION_DAYS", 0)  # the page, read on the day it is
    monkeypatch.setattr(backups, "timezone", timezone)
    home = client.get(reverse("conferences:home")).content.decode()
    reminder = home.split('id="backup-due"')[1].split("</div>")[0]
    day = timezone.localtime(first.at).strftime("%d/%m/%Y")
    assert (
        f"Đã có {Event.objects.count()} thay đổi (danh sách, ý kiến, hồ sơ…) được ghi nhận từ ngày {day}, mà hệ "
        "thống chưa được sao lưu lần nào." in reminder
    ), reminder
    assert f'href="{reverse("backup")}">Sao lưu ngay</a>' in reminder

    call_command("backup", str(tmp_path / "sao-luu.tar.gz"))
    assert backups.backup_due() is None  # nothing since (the backup's own event is no change)
    imported = log.record(office, "opinions.imported", data={"count": 142})
    page = client.get(reverse("backup")).content.decode()
    reminder = page.split('id="backup-due"')[1].split("</div>")[0]
    day = timezone.localtime(imported.at).strftime("%d/%m/%Y")
    assert (
        f"Đã có 1 thay đổi (danh sách, ý kiến, hồ sơ…) được ghi nhận sau lần sao lưu gần nhất, từ ngày {day}."
        in reminder
    ), reminder
    assert "cất ngoài máy này" in reminder and "Sao lưu ngay" not in reminder
