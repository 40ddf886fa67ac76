"""``tinnhiem account``: the first administrator of a new site, and accounts by role from the
command line. Every refusal says why in Vietnamese and saves nothing."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import unicodedata

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

from tinnhiem.audit.models import Event

pytestmark = pytest.mark.django_db
PASSWORD = "hoi-nghi-tin-nhiem-2026"


def account(*args, password: str | None = None, **options) -> str:
    out = io.StringIO()
    with translation.override("vi"):
        call_command("account", *args, stdin=io.StringIO(f"{password}\n" if password else ""), stdout=out, **options)
    return out.getvalue()


def test_the_first_administrator(client, roles):
    nfd_name = unicodedata.normalize("NFD", "Nguyễn  Văn An")
    out = account("quantri", role=["admin"], name=nfd_name, password=PASSWORD)
    assert out == "Đã tạo tài khoản “quantri”.\nVai trò: Quản trị viên\n"
    user = get_user_model().objects.get(username="quantri")
    assert (user.last_name, user.first_name) == ("Nguyễn Văn", "An")  # NFC, spaces folded
    assert unicodedata.is_normalized("NFC", user.last_name)
    assert user.is_staff and not user.is_superuser and user.is_active
    assert client.login(username="quantri", password=PASSWORD)
    assert client.get("/quan-tri/").status_code == 200
    event = Event.objects.get(action="account.saved")
    assert event.actor == "system"
    assert event.data == {"user": "quantri", "created": True, "roles": ["admin"], "password_set": True, "active": True}
    assert PASSWORD not in json.dumps(list(Event.objects.values_list("data", flat=True)))


@pytest.mark.parametrize(
    ("args", "options", "password", "message"),
    [
        (["vanphong"], {"role": ["office"]}, "ngan", "Mật khẩu này quá ngắn. Mật khẩu phải có ít nhất 10 ký tự."),
        (["vanphong"], {"role": ["office"]}, "password123", "Mật khẩu này quá phổ biến."),
        (["vanphong"], {"role": ["office"]}, None, "Không có mật khẩu ở đầu vào chuẩn; chưa lưu gì."),
        (["vanphong"], {}, PASSWORD, "Tài khoản mới cần có ít nhất một vai trò."),
        (["van phong"], {"role": ["office"]}, None, "“van phong” không dùng được làm tên đăng nhập"),  # asked first
        ([], {"role": ["office"]}, PASSWORD, "Hãy ghi tên đăng nhập, hoặc --list."),
    ],
)
def test_a_refusal_says_why_and_saves_nothing(roles, args, options, password, message):
    with pytest.raises(CommandError) as caught:
        account(*args, password=password, **options)
    assert message in str(caught.value)
    assert not get_user_model().objects.exists()
    assert not Event.objects.exists()


def test_roles_are_replaced_and_the_administration_pages_follow_them(client, roles):
    account("thu", role=["office", "admin"], password=PASSWORD)
    out = account("thu", role=["office", "chair"])
    assert out == "Đã sửa tài khoản “thu”.\nVai trò: Cơ quan tham mưu (tổ giúp việc), Chủ trì hội nghị\n"
    user = get_user_model().objects.get(username="thu")
    assert sorted(user.groups.values_list("name", flat=True)) == ["chair", "office"]
    assert not user.is_staff
    assert client.login(username="thu", password=PASSWORD)  # the password was left as it was
    assert Event.objects.filter(action="account.saved").latest("seq").data == {
        "user": "thu",
        "created": False,
        "roles": ["chair", "office"],
        "password_set": False,
        "active": True,
    }


def test_a_disabled_account_cannot_sign_in_until_enabled(client, roles):
    account("kiemphieu7", role=["committee"], password=PASSWORD)
    assert "Tài khoản đang bị khoá" in account("kiemphieu7", disable=True)
    assert not client.login(username="kiemphieu7", password=PASSWORD)
    listing = account(list=True)
    assert listing == "kiemphieu7  —  Thành viên Ban kiểm phiếu (đã khoá)\n"
    with translation.override("vi"):  # enabled again, with a new password (--password)
        call_command(
            "account",
            "kiemphieu7",
            enable=True,
            password=True,
            stdin=io.StringIO("mat-khau-moi-2026\n"),
            stdout=io.StringIO(),
        )
    assert not client.login(username="kiemphieu7", password=PASSWORD)
    assert client.login(username="kiemphieu7", password="mat-khau-moi-2026")


def test_the_list_of_a_new_site_says_how_to_begin(roles):
    assert account(list=True) == "Chưa có tài khoản nào. Tạo tài khoản đầu tiên: tinnhiem account TÊN --role admin\n"


def test_a_new_site_gets_its_administrator_from_the_installed_command(tmp_path):
    """As the deployment guide says it: a fresh database, the real entry point, the password on stdin."""
    env = {"PATH": os.environ["PATH"], "TINNHIEM_DATA_DIR": str(tmp_path), "HOME": str(tmp_path)}

    def tinnhiem(*argv, stdin=""):
        return subprocess.run(
            [sys.executable, "-m", "tinnhiem.cli", *argv],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )

    before = tinnhiem("account", "--list")  # a database not set up: said in words, no traceback
    assert before.returncode == 1 and "Traceback" not in before.stderr
    assert before.stderr.startswith(f"Lỗi: Cơ sở dữ liệu ({tmp_path / 'tinnhiem.sqlite3'}) chưa được khởi tạo")
    assert "tinnhiem migrate" in before.stderr
    assert tinnhiem("migrate", "-v0").returncode == 0
    done = tinnhiem("account", "quantri", "--role", "admin", "--name", "Nguyễn Văn An", stdin=PASSWORD + "\n")
    assert (done.returncode, done.stdout) == (0, "Đã tạo tài khoản “quantri”.\nVai trò: Quản trị viên\n"), done.stderr
    done = tinnhiem("account", "--list")
    assert done.stdout == "quantri  Nguyễn Văn An  Quản trị viên\n"
    done = tinnhiem("account", "x", "--role", "sep")
    assert done.returncode == 2 and "lựa chọn không hợp lệ: 'sep'" in done.stderr


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_password_is_asked_twice(roles, monkeypatch):
    answers = iter([PASSWORD, PASSWORD + "x"])
    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or next(answers))
    with translation.override("vi"), pytest.raises(CommandError, match="Hai lần nhập mật khẩu khác nhau; chưa lưu gì"):
        call_command("account", "chutri", role=["chair"], stdin=Terminal(), stdout=io.StringIO())
    assert asked == ["Mật khẩu: ", "Nhập lại mật khẩu: "]
    assert not get_user_model().objects.exists()
    answers = iter([PASSWORD, PASSWORD])
    with translation.override("vi"):
        call_command("account", "chutri", role=["chair"], stdin=Terminal(), stdout=io.StringIO())
    assert get_user_model().objects.get(username="chutri").check_password(PASSWORD)


def test_the_login_page_of_a_new_site_says_how_to_make_the_first_account(client, roles):
    html = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert "Hệ thống chưa có tài khoản nào" in html and "tinnhiem account quantri --role admin" in html
    account("quantri", role=["admin"], password=PASSWORD)
    assert "Hệ thống chưa có tài khoản nào" not in client.get("/tai-khoan/dang-nhap/").content.decode()


def test_serve_says_how_to_make_the_first_account_on_a_new_site(roles):
    from tinnhiem.site.management.commands.serve import first_account_hint

    with translation.override("vi"):
        assert first_account_hint() == (
            "Chưa có tài khoản nào: tạo tài khoản quản trị trong một cửa sổ lệnh khác: "
            "tinnhiem account quantri --role admin"
        )
        account("quantri", role=["admin"], password=PASSWORD)
        assert first_account_hint() is None


def test_a_database_that_cannot_be_reached_is_said_in_words(monkeypatch):
    from django.db import OperationalError

    from tinnhiem.site import commands

    assert commands.database_problem() is None  # the test database is set up

    def refuse(executor, connection):
        raise OperationalError("connection refused\nmore detail")

    monkeypatch.setattr("django.db.migrations.executor.MigrationExecutor.__init__", refuse)
    with translation.override("vi"):
        problem = commands.database_problem()
    assert problem.startswith("Không kết nối được cơ sở dữ liệu (") and problem.endswith("): connection refused")


@pytest.mark.django_db(transaction=True)  # as on the site's machine: no test transaction around the command
def test_djangos_createsuperuser_and_changepassword_are_in_the_log_too(roles, monkeypatch):
    """Unlisted, but they work on the site's machine: an account made or a password set there is
    an audit event like one made with ``tinnhiem account`` (never with the password)."""
    from django.core.management import get_commands

    assert get_commands()["createsuperuser"] == get_commands()["changepassword"] == "tinnhiem.accounts"
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", username="goc", email="", interactive=False, stdout=io.StringIO())
    event = Event.objects.get(action="account.saved")
    assert event.actor == "system"
    assert event.data == {
        "user": "goc",
        "created": True,
        "roles": [],
        "password_set": True,
        "active": True,
        "superuser": True,
    }
    account("vanphong", role=["office"], password=PASSWORD)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "mat-khau-moi-cua-van-phong")
    call_command("changepassword", "vanphong", stdout=io.StringIO())
    changed = Event.objects.filter(action="account.saved").latest("pk")
    assert changed.data == {
        "user": "vanphong",
        "created": False,
        "roles": ["office"],
        "password_set": True,
        "active": True,
    }
    assert get_user_model().objects.get(username="vanphong").check_password("mat-khau-moi-cua-van-phong")
    with pytest.raises(CommandError):
        call_command("changepassword", "khong-co", stdout=io.StringIO())
    assert Event.objects.filter(action="account.saved").count() == 3  # nothing recorded for a refusal
    assert PASSWORD not in json.dumps(list(Event.objects.values_list("data", flat=True)))
