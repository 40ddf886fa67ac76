"""``tinnhiem demo`` run as an officer runs it: a process of its own, with its own data folder.
Apart from tests/web/test_demo.py, which reads the shared demo: these load their own, and may run
on the other worker meanwhile."""

import subprocess
import sys

import pytest

from tests.fresh_db import outside_environ, run_tinnhiem


@pytest.mark.heavy
def test_demo_command_without_serving(tmp_path):
    proc = run_tinnhiem("demo", "--no-input", "--no-serve", data_dir=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "vanphong" in proc.stdout and "http://127.0.0.1:8000/" in proc.stdout
    assert "Hội nghị mẫu" in proc.stdout
    assert "ngày 29/09/2023 (một cơ quan cấp huyện)" in proc.stdout  # why its pages carry the level's notice
    assert (tmp_path / "tinnhiem.sqlite3").exists()
    scans = sorted((tmp_path / "phieu-quet-mau").glob("*.jpg"))
    assert [p.name for p in scans] == [f"phieu-{i:03d}.jpg" for i in range(1, 29)]
    assert f"Phiếu quét mẫu để thử máy quét: {tmp_path / 'phieu-quet-mau'} (28 tệp)" in proc.stdout
    assert (
        "Kỳ họp HĐND theo Nghị quyết 96/2023/QH15: đăng nhập vanphong, mở “Kỳ họp HĐND thành phố Móng Cái"
        in proc.stdout
    )
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    # the folder is marked as the demo's: the demo reuses it, a real site is not served from it
    assert (tmp_path / "BAN-TRINH-DIEN.txt").read_text(encoding="utf-8").startswith("Thư mục dữ liệu này là")
    import sqlite3

    with sqlite3.connect(tmp_path / "tinnhiem.sqlite3") as db:  # something done in the demo
        db.execute("update conferences_conference set place = 'Phòng họp đã đổi' where id = 1")
    db.close()
    again = run_tinnhiem("demo", "--no-input", "--no-serve", data_dir=tmp_path, timeout=300)
    assert again.returncode == 0 and "vanphong" in again.stdout, again.stderr
    assert "Để tạo lại từ đầu: tinnhiem demo --reset" in again.stdout  # reused, and how not to
    anew = run_tinnhiem("demo", "--no-input", "--no-serve", "--reset", data_dir=tmp_path, timeout=300)
    assert anew.returncode == 0 and "--reset" not in anew.stdout, anew.stderr
    with sqlite3.connect(tmp_path / "tinnhiem.sqlite3") as db:
        assert db.execute(
            "select count(*) from conferences_conference where place = 'Phòng họp đã đổi'"
        ).fetchone() == (0,)
        assert db.execute("select count(*) from conferences_campaign").fetchone() == (2,)
    db.close()
    assert len(list((tmp_path / "phieu-quet-mau").glob("*.jpg"))) == 28
    served = run_tinnhiem("serve", "--port", "1", data_dir=tmp_path)
    assert served.returncode == 1 and "Traceback" not in served.stderr
    assert f"Thư mục dữ liệu {tmp_path} đang chứa bản trình diễn" in served.stderr, served.stderr


def test_the_demo_never_loads_into_a_sites_own_data(tmp_path):
    """The demo's accounts have a public password, an administrator's among them: loaded into a
    real site's database they would open it to anyone in the hall. Refused, and nothing added."""
    import sqlite3

    env = {**outside_environ(), "TINNHIEM_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "tinnhiem.site.settings"}
    site = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); from django.contrib.auth import get_user_model; "
        "get_user_model().objects.create_user('quantri', password='một mật khẩu riêng của cơ quan')"
    )
    subprocess.run([sys.executable, "-c", site], env=env, check=True, timeout=120)
    done = run_tinnhiem("demo", "--no-input", "--no-serve", data_dir=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(
        f"Lỗi: Thư mục dữ liệu {tmp_path} đang chứa dữ liệu riêng của một nơi (1 tài khoản, 0 đợt lấy phiếu)."
    ), done.stderr
    assert f"TINNHIEM_DATA_DIR={tmp_path.with_name(tmp_path.name + '-demo')} tinnhiem demo" in done.stderr
    with sqlite3.connect(tmp_path / "tinnhiem.sqlite3") as db:
        assert db.execute("select username from auth_user").fetchall() == [("quantri",)]
        assert db.execute("select count(*) from conferences_campaign").fetchone() == (0,)
    assert not (tmp_path / "BAN-TRINH-DIEN.txt").exists()
    reset = run_tinnhiem("demo", "--no-input", "--no-serve", "--reset", data_dir=tmp_path)  # never deletes a site's
    assert reset.returncode == 1 and "dữ liệu riêng của một nơi" in reset.stderr
    with sqlite3.connect(tmp_path / "tinnhiem.sqlite3") as db:
        assert db.execute("select username from auth_user").fetchall() == [("quantri",)]
    db.close()
