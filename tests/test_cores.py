"""The cores the scan's readers use: the process's own, no more than its cgroup's share."""

from __future__ import annotations

import os

import pytest

from tinnhiem import cores


@pytest.fixture
def machine(tmp_path, monkeypatch):
    """A cgroup file system of our own, and a process that may run on 8 cores."""
    root = tmp_path / "cgroup"
    root.mkdir()
    monkeypatch.setattr(cores, "CGROUP", root)
    monkeypatch.setattr(cores, "SELF", tmp_path / "self-cgroup")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)

    def build(self_cgroup: str, files: dict[str, str]) -> None:
        (tmp_path / "self-cgroup").write_text(self_cgroup)
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text + "\n")

    return build


@pytest.mark.parametrize(
    ("self_cgroup", "files", "usable"),
    [
        # cgroup v2, no quota on the service or above it: every core it may run on
        ("0::/system.slice/tinnhiem.service\n", {"system.slice/tinnhiem.service/cpu.max": "max 100000"}, 8),
        # systemd's CPUQuota=200%
        ("0::/system.slice/tinnhiem.service\n", {"system.slice/tinnhiem.service/cpu.max": "200000 100000"}, 2),
        # a share of one and a half cores: two readers
        ("0::/system.slice/tinnhiem.service\n", {"system.slice/tinnhiem.service/cpu.max": "150000 100000"}, 2),
        # half a core: still one
        ("0::/\n", {"cpu.max": "50000 100000"}, 1),
        # the slice above is given less than the service
        (
            "0::/system.slice/tinnhiem.service\n",
            {"system.slice/tinnhiem.service/cpu.max": "400000 100000", "system.slice/cpu.max": "300000 100000"},
            3,
        ),
        # a container without its own cgroup namespace: its group is mounted at the root
        ("0::/docker/0123abcd\n", {"cpu.max": "200000 100000"}, 2),
        # a quota above the cores it may run on
        ("0::/\n", {"cpu.max": "1600000 100000"}, 8),
        # cgroup v1, a container at the root of the cpu controller
        (
            "4:cpu,cpuacct:/docker/0123abcd\n",
            {"cpu,cpuacct/cpu.cfs_quota_us": "300000", "cpu,cpuacct/cpu.cfs_period_us": "100000"},
            3,
        ),
        # cgroup v1, no quota
        ("4:cpu,cpuacct:/\n", {"cpu,cpuacct/cpu.cfs_quota_us": "-1", "cpu,cpuacct/cpu.cfs_period_us": "100000"}, 8),
        # both versions mounted (systemd's hybrid layout): the v1 cpu controller's quota
        (
            "4:memory:/\n1:cpu:/\n0::/\n",
            {"cpu/cpu.cfs_quota_us": "200000", "cpu/cpu.cfs_period_us": "100000", "unified/cgroup.procs": ""},
            2,
        ),
        ("1:cpu:/\n0::/\n", {"cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000"}, 8),
        # nothing readable: the cores it may run on
        ("", {}, 8),
        ("0::/system.slice/tinnhiem.service\n", {"system.slice/tinnhiem.service/cpu.max": "garbage"}, 8),
    ],
)
def test_the_readers_are_as_many_as_the_cores_the_process_may_use(machine, self_cgroup, files, usable):
    machine(self_cgroup, files)
    assert cores.usable() == usable


@pytest.mark.parametrize(("usable", "readers"), [(1, 1), (2, 2), (8, 8), (64, 8)])
def test_a_server_of_many_cores_reads_with_eight_at_most(monkeypatch, usable, readers):
    """A scanner feeds under two pages a second: a 64-core server would hold 256 pages in memory
    for one request and read them no sooner than the hall needs."""
    from tinnhiem.scanning import usecases as scan

    monkeypatch.setattr(cores, "usable", lambda: usable)
    assert scan.readers() == readers
