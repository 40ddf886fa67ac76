"""The files the commands write (documents, summary, export_record, backup): a folder that is
missing or cannot be written is one sentence said before any work; a folder given as the output
gets the default name; a file is written whole or not at all, never half, and an older file of
the same name stays as it was until the new one is complete."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import Conference
from tinnhiem.site import commands
from tinnhiem.site.commands import output_path, write_file


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_folder_as_output_gets_the_default_name(tmp_path):
    assert output_path(str(tmp_path), "bien-ban.pdf") == tmp_path / "bien-ban.pdf"
    assert output_path(str(tmp_path / "bb.pdf"), "bien-ban.pdf") == tmp_path / "bb.pdf"
    assert output_path(None, "bien-ban.pdf") == Path("bien-ban.pdf")


def test_a_missing_folder_is_said(tmp_path):
    with pytest.raises(CommandError) as info:
        output_path(str(tmp_path / "khong-co" / "bb.pdf"), "bien-ban.pdf")
    assert str(info.value) == (
        f"Không có thư mục “{tmp_path / 'khong-co'}”: hãy tạo thư mục trước, hoặc chọn nơi khác."
    )


def test_a_folder_that_cannot_be_written_is_said(tmp_path, monkeypatch):
    # CI runs as root, for whom every folder is writable: the right is taken away here
    monkeypatch.setattr(commands.os, "access", lambda path, mode: False)
    with pytest.raises(CommandError) as info:
        output_path(str(tmp_path / "bb.pdf"), "bien-ban.pdf")
    assert str(info.value) == f"Không được phép ghi vào thư mục “{tmp_path}”: hãy chọn nơi khác."


def test_a_file_is_written_whole_with_the_usual_mode(tmp_path):
    path = tmp_path / "bb.pdf"
    umask = os.umask(0o022)
    try:
        write_file(path, b"%PDF-1.7 new")
        write_file(tmp_path / "sao-luu.tar.gz", b"keys", private=True)
    finally:
        os.umask(umask)
    assert path.read_bytes() == b"%PDF-1.7 new"
    assert path.stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "sao-luu.tar.gz").stat().st_mode & 0o777 == 0o600
    assert leftovers(tmp_path) == []


def test_a_full_disk_leaves_the_older_file_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "bb.pdf"
    path.write_bytes(b"older")

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(commands.os, "replace", full)
    with pytest.raises(CommandError) as info:
        write_file(path, b"newer")
    assert str(info.value) == f"Ổ đĩa đã đầy: chưa ghi được “{path}”."
    assert path.read_bytes() == b"older"
    assert leftovers(tmp_path) == []


def test_a_stopped_write_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(commands.os, "fsync", lambda fd: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        write_file(tmp_path / "bb.pdf", b"data")
    assert list(tmp_path.iterdir()) == []


def test_commands_write_into_a_folder_and_refuse_a_missing_one(seed, tmp_path, capsys):
    call_command("documents", str(seed.pk), "minutes", "-o", str(tmp_path))
    assert (tmp_path / f"bien-ban-kiem-phieu-{seed.pk}.pdf").read_bytes().startswith(b"%PDF")
    call_command("export_record", str(seed.pk), "-o", str(tmp_path))
    assert (tmp_path / f"ho-so-hoi-nghi-{seed.pk}.zip").is_file()
    call_command("summary", str(seed.campaign_id), "-o", str(tmp_path))
    assert (tmp_path / f"bao-cao-tong-hop-dot-{seed.campaign_id}.pdf").is_file()
    assert f"Đã ghi: {tmp_path / f'bien-ban-kiem-phieu-{seed.pk}.pdf'}" in capsys.readouterr().out

    missing = tmp_path / "khong-co"
    exported = Event.objects.filter(action="record.exported").count()
    for args in (
        ("documents", str(seed.pk), "minutes", "-o", str(missing / "bb.pdf")),
        ("export_record", str(seed.pk), "-o", str(missing / "hs.zip")),
        ("summary", str(seed.campaign_id), "-o", str(missing / "th.pdf")),
    ):
        with pytest.raises(CommandError, match="Không có thư mục"):
            call_command(*args)
    assert not missing.exists()
    # the record is refused before it is made: no export is logged for a file that was not written
    assert Event.objects.filter(action="record.exported").count() == exported


@pytest.mark.django_db(transaction=True)  # a backup sets its own isolation level on PostgreSQL
def test_a_backup_into_a_folder_names_itself_and_a_missing_folder_is_refused(roles, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # not the stored files of the worker's earlier tests
    call_command("backup", str(tmp_path))
    backups = list(tmp_path.glob("sao-luu-tinnhiem-*.tar.gz"))
    assert len(backups) == 1 and backups[0].stat().st_mode & 0o077 == 0
    with pytest.raises(CommandError, match="Không có thư mục"):
        call_command("backup", str(tmp_path / "khong-co" / "sl.tar.gz"))
    assert not (tmp_path / "khong-co").exists()


def test_documents_of_a_conference_without_a_form_or_not_finished(seed):
    preparing = Conference.objects.exclude(status=Conference.Status.FINISHED).filter(ballot_forms=None).first()
    with pytest.raises(CommandError) as info:
        call_command("documents", str(preparing.pk), "ballots")
    assert str(info.value) == (
        f"Hội nghị {preparing.pk} chưa có mẫu phiếu: cơ quan tham mưu lập mẫu phiếu ở trang “Mẫu phiếu”."
    )
    with pytest.raises(CommandError) as info:
        call_command("documents", str(preparing.pk), "minutes")
    assert str(info.value).startswith(f"Hội nghị {preparing.pk} chưa kết thúc: văn bản này chỉ có sau khi")
