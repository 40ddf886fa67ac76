"""The offline installer (scripts/bundle, scripts/offline-install): built here, installed into a
new folder from its own wheels only (no index, no pip configuration of this machine), then the
installed tinnhiem loads the demo and passes its own preflight check. An editable install hides a
file missing from the package; this does not (the demo's seed ballots were missing until it ran)."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.fresh_db import outside_environ

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="checked once, on the SQLite pass: the bundle has its own SQLite"
)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([str(ROOT / "scripts" / "bundle"), str(out)], check=True, capture_output=True, env=outside_environ())
    [archive] = out.glob("tinnhiem-*-offline-py*.tar.gz")
    return archive


def test_every_file_of_the_package_is_in_its_wheel(bundle, tmp_path):
    with tarfile.open(bundle) as archive:
        archive.extractall(tmp_path, filter="data")
    [wheel] = tmp_path.glob("*/wheels/tinnhiem-*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(
        ["git", "ls-files", "tinnhiem"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    missing = [name for name in tracked if name not in inside and not name.endswith((".pyc",))]
    assert missing == []


def test_installed_with_no_internet_it_runs(bundle, tmp_path):
    with tarfile.open(bundle) as archive:
        archive.extractall(tmp_path, filter="data")
    [folder] = tmp_path.glob("tinnhiem-*-offline-py*")
    base_python = str(Path(sys.base_prefix) / "bin" / "python3")  # the Python the bundle was made for
    env = {
        **outside_environ(),
        "PYTHON": base_python,
        "PIP_FIND_LINKS": "/nowhere",
        "PIP_INDEX_URL": "http://0.0.0.0:9/",
    }
    install = subprocess.run([str(folder / "install")], env=env, capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr
    assert "Đã cài tinnhiem" in install.stdout
    tinnhiem = folder / ".venv" / "bin" / "tinnhiem"
    data = tmp_path / "data"
    run_env = {**outside_environ(), "TINNHIEM_DATA_DIR": str(data), "TINNHIEM_LANG": "vi"}
    demo = subprocess.run(
        [str(tinnhiem), "demo", "--no-input", "--no-serve"], env=run_env, capture_output=True, text=True, timeout=300
    )
    assert demo.returncode == 0, demo.stderr
    assert "vanphong    / tinnhiem-demo" in demo.stdout
    check = subprocess.run([str(tinnhiem), "preflight"], env=run_env, capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "  đạt: Đã in và đọc lại đúng một phiếu mẫu" in check.stdout


def test_a_bundle_for_another_python_says_so(bundle, tmp_path):
    with tarfile.open(bundle) as archive:
        archive.extractall(tmp_path, filter="data")
    [folder] = tmp_path.glob("tinnhiem-*-offline-py*")
    (folder / "wheels" / "PYTHON-VERSION").write_text("3.99\n")
    done = subprocess.run([str(folder / "install")], env=outside_environ(), capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.startswith("Gói cài đặt này dựng cho Python 3.99; máy này có Python ")
    assert not (folder / ".venv").exists()
