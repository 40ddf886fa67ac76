"""The ``tinnhiem`` command speaks Vietnamese (English with TINNHIEM_LANG=en): the list of
commands, each command's help — argparse's own words included — and its errors."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

import pytest
from django.core.management import get_commands, load_command_class
from django.utils import translation

from tinnhiem import cli
from tinnhiem.site.manage import COMMANDS


@pytest.fixture(autouse=True)
def _argparse_restored(monkeypatch):
    """``main`` points argparse's words at the catalog for the whole process: undone after each test."""
    monkeypatch.setattr(argparse, "_", argparse._)
    monkeypatch.setattr(argparse, "ngettext", argparse.ngettext)


def run(capsys, monkeypatch, *argv, lang="vi"):
    monkeypatch.setenv("TINNHIEM_LANG", lang)
    try:
        status = cli.main(list(argv))
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


def parsers(language: str):
    """Every command's parser, in ``language``: the management commands and the counting core's."""
    apps = get_commands()
    with translation.override(language):
        for name in COMMANDS:
            yield name, load_command_class(apps[name], name).create_parser("tinnhiem", name)
    before = os.environ.get("TINNHIEM_LANG")
    os.environ["TINNHIEM_LANG"] = language
    try:
        subparsers = cli.build_parser()._subparsers._group_actions[0]
        yield from subparsers.choices.items()
    finally:
        if before is None:
            os.environ.pop("TINNHIEM_LANG")
        else:
            os.environ["TINNHIEM_LANG"] = before


def shown(parser) -> dict[str, str]:
    """What the help shows of each option: its help text and its placeholder."""
    return {
        "/".join(a.option_strings) or a.dest: f"{a.help} {a.metavar or ''}"
        for a in parser._actions
        if a.help != argparse.SUPPRESS
    }


def test_every_option_of_every_command_is_explained_in_vietnamese_and_in_english():
    vi, en = dict(parsers("vi")), dict(parsers("en"))
    assert set(vi) == set(COMMANDS) | {"tally", "rules"}
    for name in vi:
        assert str(vi[name].description) != str(en[name].description) or name in ("tally", "rules"), name
        vi_options, en_options = shown(vi[name]), shown(en[name])
        assert vi_options.keys() == en_options.keys()
        for option, text in vi_options.items():
            if option in ("-h/--help",):
                continue  # argparse's own, translated by main (below)
            assert not text.startswith("None"), f"{name} {option}: no help"
            assert text != en_options[option], f"{name} {option}: not translated: {text}"
        # Django's own options are accepted, not listed
        assert not {"--settings", "--pythonpath", "--traceback", "--skip-checks", "--version"} & set(
            "/".join(vi_options).split("/")
        ), name


def test_the_list_of_commands(capsys, monkeypatch):
    status, out, _err = run(capsys, monkeypatch, "help")
    assert status == 0 and out.startswith("tinnhiem: lấy phiếu tín nhiệm")
    assert "Các lệnh:" in out and "Cách dùng: tinnhiem LỆNH [tuỳ chọn]" in out
    for name in (*COMMANDS, "tally", "rules"):
        assert f"\n  {name} " in out, name
    assert "Đọc phiếu đã quét" in out and "Sao lưu toàn bộ hệ thống" in out
    assert "Read scanned ballots" not in out
    listed = re.findall(r"^  (\S+) +(\S.*)$", out, re.M)  # each command's first line
    assert {name for name, _text in listed} >= {*COMMANDS, "tally", "rules"}
    assert all(text[0].isupper() for _name, text in listed), listed  # "Kiểm phiếu …", not "kiểm phiếu …"
    assert "  tally          Kiểm phiếu một tệp phiếu theo một quy định.\n" in out
    assert run(capsys, monkeypatch)[1] == out  # "tinnhiem" alone
    status, out, _err = run(capsys, monkeypatch, "--help", lang="en")
    assert status == 0 and "Commands:" in out and "Read scanned ballots" in out


def test_a_command_help_with_argparse_words_translated(capsys, monkeypatch):
    status, out, _err = run(capsys, monkeypatch, "scan", "--help")
    assert status == 0
    assert out.startswith("cách dùng: tinnhiem scan")
    assert "\ntuỳ chọn:\n" in out and "hiện hướng dẫn này rồi thoát" in out
    assert "--last-page-first" in out and "xấp phiếu được đưa vào máy từ trang cuối" in out
    assert "--settings" not in out and "--traceback" not in out
    assert run(capsys, monkeypatch, "help", "scan")[1] == out  # Django's "help COMMAND"
    status, out, _err = run(capsys, monkeypatch, "scan", "--help", lang="en")
    assert status == 0 and out.startswith("usage: tinnhiem scan") and "the stack was fed last page first" in out


def test_errors_on_the_command_line_are_vietnamese(capsys, monkeypatch):
    status, _out, err = run(capsys, monkeypatch, "scan")
    assert status == 2
    assert "tinnhiem scan: lỗi: thiếu các đối số bắt buộc: SỐ_HỘI_NGHỊ, ẢNH_QUÉT, --user" in err
    status, _out, err = run(capsys, monkeypatch, "tally", "a.csv", "--rules", "x", "--format", "xml")
    assert status == 2 and "lựa chọn không hợp lệ: 'xml'" in err
    status, _out, err = run(capsys, monkeypatch, "kiem-phieu")
    assert status == 2 and err == "Không có lệnh “kiem-phieu”. Xem các lệnh: tinnhiem help\n"


@pytest.mark.django_db
def test_a_command_that_fails_says_error_in_vietnamese_not_commanderror(capsys, monkeypatch):
    status, _out, err = run(capsys, monkeypatch, "documents", "999", "ballots")
    assert status == 1 and err == "Lỗi: Không có hội nghị số 999.\n"


def test_the_installed_command_speaks_vietnamese_in_a_fresh_process(tmp_path):
    """As a staff officer types it: the real entry point, a new process."""
    env = {"PATH": os.environ["PATH"], "TINNHIEM_DATA_DIR": str(tmp_path), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "tinnhiem.cli", "verify"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 2
    assert "cách dùng: tinnhiem verify" in done.stderr and "thiếu các đối số bắt buộc: TỆP_HỒ_SƠ" in done.stderr


def test_the_version_is_tinnhiems_not_djangos(capsys, monkeypatch):
    from importlib import metadata

    expected = f"tinnhiem {metadata.version('tinnhiem')}\n"
    assert run(capsys, monkeypatch, "--version")[:2] == (0, expected)
    assert run(capsys, monkeypatch, "scan", "--version")[:2] == (0, expected[len("tinnhiem ") :])


def test_commands_that_read_only_their_files_leave_nothing_in_the_folder_they_run_in(tmp_path):
    """A managing authority runs ``verify`` in a folder of received archives: no ``var/`` with a
    secret key appears there. A command that needs the site's database says where it looked, and
    leaves no empty database file behind."""
    from tests.fresh_db import outside_environ

    env = outside_environ() | {"HOME": str(tmp_path)}  # no TINNHIEM_DATA_DIR: the default, ./var

    def tinnhiem(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "tinnhiem.cli", *argv],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )

    assert tinnhiem("help").stdout.startswith("tinnhiem: lấy phiếu tín nhiệm")
    assert tinnhiem("verify", "--help").returncode == 0
    assert tinnhiem("verify", "nhan.zip").stderr == "Lỗi: Không có tệp “nhan.zip”.\n"
    assert tinnhiem("summary", "--records", "nhan.zip").returncode == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []

    done = tinnhiem("account", "--list")
    assert done.returncode == 1 and f"({tmp_path}/var/tinnhiem.sqlite3) chưa được khởi tạo" in done.stderr
    assert not (tmp_path / "var" / "tinnhiem.sqlite3").exists()
