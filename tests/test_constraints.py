"""constraints.txt pins every package tinnhiem runs on (scripts/pin, docs/deploy.md): a fresh clone
installs the versions the suite passed with. A dependency added to pyproject.toml without a pin, or
an environment that drifted from the pins, fails here rather than on a laptop in the hall."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _sep, version = line.partition("==")
            assert version, f"not an exact pin: {line}"
            pins[_canonical(name)] = version.strip()
    return pins


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _canonical(re.match(r"[A-Za-z0-9_.\-]+", requirement).group(0))


def test_every_dependency_is_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted += extra
    pins = _pins()
    assert sorted({_requirement_name(r) for r in wanted} - set(pins)) == []


def test_the_environment_is_the_pinned_one():
    """What the suite runs on is what a fresh clone installs (scripts/setup installs with the pins)."""
    drifted = {}
    for name, version in _pins().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # a pin of another platform's or Python's package
        if installed != version:
            drifted[name] = (version, installed)
    assert drifted == {}, "constraints.txt vs installed: run scripts/pin after an upgrade"
