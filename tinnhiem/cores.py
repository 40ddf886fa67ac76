"""How many cores this process may use, for the work spread over them (reading scanned pages).

``os.cpu_count()`` gives the machine's cores. A process pinned to some of them (``taskset``, a
container's cpuset) may use only those, and one given a share of the machine's time (a
container's ``--cpus``, systemd's ``CPUQuota=``: a cgroup's CPU quota) only as many as that share:
a reader per core of a 64-core host would hold 256 pages in memory (4–9 MB each) for a share of
two cores, and a container's memory limit is usually sized to its share.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")  # where the cgroup file systems are mounted
SELF = Path("/proc/self/cgroup")  # which cgroup this process is in


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _quota_v2(group: str) -> float | None:
    """The smallest share of cores given to this cgroup or one above it (cgroup v2 ``cpu.max``:
    ``"max 100000"`` or ``"<quota> <period>"`` in microseconds)."""
    shares = []
    folder = CGROUP / group.strip("/")
    while True:
        text = _read(folder / "cpu.max")
        if text:
            quota, _, period = text.partition(" ")
            if quota != "max" and quota.isdigit() and period.isdigit() and int(period) > 0:
                shares.append(int(quota) / int(period))
        if folder == CGROUP or CGROUP not in folder.parents:
            break
        folder = folder.parent
    return min(shares) if shares else None


def _quota_v1(group: str) -> float | None:
    """The share given by cgroup v1's ``cpu.cfs_quota_us`` (-1: none) over ``cpu.cfs_period_us``,
    in the cpu controller's own hierarchy (a container sees its own group at the mount's root)."""
    for mount in ("cpu", "cpu,cpuacct"):
        for folder in (CGROUP / mount / group.strip("/"), CGROUP / mount):
            quota, period = _read(folder / "cpu.cfs_quota_us"), _read(folder / "cpu.cfs_period_us")
            if quota and period and quota.lstrip("-").isdigit() and period.isdigit() and int(period) > 0:
                return int(quota) / int(period) if int(quota) > 0 else None
    return None


def quota() -> float | None:
    """The share of cores this process's cgroup is given, or None when it is not limited (or the
    cgroup cannot be read: not Linux, or its files hidden). A machine may mount both versions
    (systemd's "hybrid" layout: v1's cpu controller, a v2 tree without it): the smaller share."""
    shares = []
    for line in (_read(SELF) or "").splitlines():
        number, _, rest = line.partition(":")
        controllers, _, group = rest.partition(":")
        if number == "0" and controllers == "":  # cgroup v2: "0::/system.slice/tinnhiem.service"
            shares.append(_quota_v2(group))
        elif "cpu" in controllers.split(","):  # cgroup v1: "4:cpu,cpuacct:/docker/…"
            shares.append(_quota_v1(group))
    found = [share for share in shares if share is not None]
    return min(found) if found else None


def usable() -> int:
    """The cores this process may use: those it may run on, no more than its cgroup's share
    (rounded up: a share of 1.5 keeps two readers busy half the time each), at least one."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    share = quota()
    if share is not None:
        cores = min(cores, math.ceil(share))
    return max(1, cores)
