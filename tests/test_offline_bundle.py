"""The offline installer (scripts/bundle, scripts/offline-install): built here, installed into a
new folder from its own wheels only (no index, no pip configuration of this machine), then the
installed tinnhiem loads the demo and passes its own preflight check. An editable install hides a
file missing from the package; this does not (the demo's seed ballots were missing until it ran)."""

from __future__ import annotations

import os
import shutil
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


def build_bundle(out: Path) -> Path:
    subprocess.run([str(ROOT / "scripts" / "bundle"), str(out)], check=True, capture_output=True, env=outside_environ())
    [archive] = out.glob("tinnhiem-*-offline-py*.tar.gz")
    return archive


@pytest.mark.heavy
def test_the_offline_bundle_installs_with_no_internet_and_runs(tmp_path):
    """One test, so that the bundle is built once whatever worker runs it."""
    with tarfile.open(build_bundle(tmp_path / "dist")) as archive:
        archive.extractall(tmp_path, filter="data")
    [folder] = tmp_path.glob("tinnhiem-*-offline-py*")

    # every file of the package is in its wheel (templates, Typst, rules, translations, demo data)
    [wheel] = folder.glob("wheels/tinnhiem-*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(
        ["git", "ls-files", "tinnhiem"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    assert [name for name in tracked if name not in inside] == []
    assert (folder / "docs" / "huong-dan.md").is_file() and (folder / "docs" / "deploy.md").is_file()

    # installed from its own wheels: the index and the pip configuration of this machine unusable
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

    # the installed tinnhiem loads the demo and passes its own check of the computer
    tinnhiem = folder / ".venv" / "bin" / "tinnhiem"
    run_env = {**outside_environ(), "TINNHIEM_DATA_DIR": str(tmp_path / "data"), "TINNHIEM_LANG": "vi"}
    demo = subprocess.run(
        [str(tinnhiem), "demo", "--no-input", "--no-serve"], env=run_env, capture_output=True, text=True, timeout=300
    )
    assert demo.returncode == 0, demo.stderr
    assert "vanphong    / tinnhiem-demo" in demo.stdout
    check = subprocess.run([str(tinnhiem), "preflight"], env=run_env, capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "  đạt: Đã in và đọc lại đúng một phiếu mẫu" in check.stdout

    # Debian's python3 without the package python3-venv (no ensurepip): the environment is made
    # without pip, and pip comes from the bundle's own wheel. (The bundle's pip, with a one-file
    # stand-in for tinnhiem: the whole install was checked above, and took half a minute.)
    again = tmp_path / "no-ensurepip"
    (again / "wheels").mkdir(parents=True)
    for name in ("install", "wheels/PYTHON-VERSION", *(p.relative_to(folder) for p in folder.glob("wheels/pip-*.whl"))):
        shutil.copy(folder / name, again / name)
    stand_in(again / "wheels")
    shim = tmp_path / "python3-without-venv"
    shim.write_text(
        "#!/bin/sh\n"
        'case " $* " in *" -m venv "*) case " $* " in *" --without-pip "*) ;; *)\n'
        '  echo "ensurepip is not available" >&2; exit 1;; esac;; esac\n'
        f'exec "{base_python}" "$@"\n'
    )
    shim.chmod(0o755)
    install = subprocess.run(
        [str(again / "install")], env={**env, "PYTHON": str(shim)}, capture_output=True, text=True, timeout=600
    )
    assert install.returncode == 0, install.stderr
    venv = again / ".venv" / "bin"
    assert (
        "pip" in subprocess.run([str(venv / "python"), "-m", "pip", "--version"], capture_output=True, text=True).stdout
    )
    version = subprocess.run([str(venv / "tinnhiem"), "--version"], env=run_env, capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout == "tinnhiem 0.0.0 (stand-in)\n"
    assert "Đã cài tinnhiem 0.0.0" in install.stdout


def stand_in(wheels: Path) -> None:
    """A wheel named tinnhiem whose command only says its version (no dependencies)."""
    info = "tinnhiem-0.0.0.dist-info"
    files = {
        "tinnhiem_stand_in.py": "def main():\n    print('tinnhiem 0.0.0 (stand-in)')\n",
        f"{info}/METADATA": "Metadata-Version: 2.1\nName: tinnhiem\nVersion: 0.0.0\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{info}/entry_points.txt": "[console_scripts]\ntinnhiem = tinnhiem_stand_in:main\n",
    }
    with zipfile.ZipFile(wheels / "tinnhiem-0.0.0-py3-none-any.whl", "w") as wheel:
        for name, text in files.items():
            wheel.writestr(name, text)
        wheel.writestr(f"{info}/RECORD", "".join(f"{name},,\n" for name in [*files, f"{info}/RECORD"]))


def test_a_bundle_for_another_python_says_so(tmp_path):
    (tmp_path / "wheels").mkdir()
    (tmp_path / "wheels" / "PYTHON-VERSION").write_text("3.99\n")
    install = tmp_path / "install"
    install.write_bytes((ROOT / "scripts" / "offline-install").read_bytes())
    install.chmod(0o755)
    done = subprocess.run([str(install)], env=outside_environ(), capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.startswith("Gói cài đặt này dựng cho Python 3.99; máy này có Python ")
    assert not (tmp_path / ".venv").exists()
