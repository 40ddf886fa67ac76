"""Benchmark: a burst of phones voting at once against the real server (``tinnhiem serve``).

It makes a conference with N code cards, starts the server on loopback, then N simulated phones
each load the voting page, enter their code and submit a ballot (reviewed on the phone, as the
page does with JavaScript: three requests per phone), all at once. It reports
accepted, failed and lost ballots and the latency, then checks that the number of ballots stored
equals the number acknowledged.

Run: .venv/bin/python bench/evote_burst.py --n 500 [--n 2000] [--workers 64] [--server-threads 16]
Targets (issue): N = 500 within 5 s, 0 failed, 0 lost, p99 under 1 s.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._django import hall, machine, setup  # noqa: E402

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TRACKING = re.compile(r'name="tracking" value="([^"]+)"')


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc), to tell the server's share of the work."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (OSError, IndexError, ValueError):
        return float("nan")
    return own + sum(process_cpu(int(child)) for child in children)  # gunicorn's worker processes


def free_port() -> int:

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int, seconds: float = 10.0) -> bool:
    """Whether a server started on ``port`` answers within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def prepare(n: int, n_people: int = 2) -> tuple[int, list[int], list[str]]:
    from tinnhiem.conferences.usecases import day
    from tinnhiem.voting.usecases import evote

    conference, office, chair, counters = hall(
        voters=n, people=n_people, rule_set="qd96-2023", title="Thử tải bỏ phiếu điện tử"
    )
    people = list(conference.rated_persons.order_by("pk").values_list("pk", flat=True))
    form = conference.ballot_forms.get()
    codes = evote.generate_cards(office, form, count=n)
    day.open_voting(chair, conference)
    evote.record_cards_issued(counters[0], form, count=n)
    evote.open_evote(chair, form)
    return conference.pk, people, codes


class Phone:
    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.latencies: list[float] = []

    def request(self, method: str, path: str, fields: dict | None = None) -> str:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": "127.0.0.1"}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = "http://127.0.0.1/"
        start = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode()
        self.latencies.append(time.perf_counter() - start)
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return text


def vote(port: int, conference: int, people: list[int], code: str, i: int) -> tuple[str, list[float]]:
    phone = Phone(port)
    path = f"/bo-phieu/{conference}/"
    try:
        page = phone.request("GET", path)
        token = CSRF.search(page).group(1)
        choices = {f"p{people[0]}": str(1 + i % 3), f"p{people[1]}": str(1 + (i // 3) % 3)}
        ballot = phone.request("POST", path, {"csrfmiddlewaretoken": token, "step": "ballot", "code": code})
        tracking = TRACKING.search(ballot).group(1)  # the phone reviews the ballot itself (JavaScript)
        done = phone.request(
            "POST",
            path,
            {"csrfmiddlewaretoken": token, "step": "submit", "code": code, "tracking": tracking, **choices},
        )
        return ("accepted" if "đã được ghi nhận" in done else "failed"), phone.latencies
    except Exception as exc:  # a burst measures failures, it does not stop on them
        return f"failed: {type(exc).__name__}", phone.latencies
    finally:
        phone.conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, action="append", help="phones (repeatable)")
    parser.add_argument("--workers", type=int, default=16, help="phones submitting at the same moment")
    parser.add_argument("--server-threads", type=int, default=4)
    parser.add_argument("--gunicorn", type=int, metavar="WORKERS", help="serve with gunicorn and this many processes")
    args = parser.parse_args()
    for n in args.n or [500]:
        run(n, args.workers, args.server_threads, args.gunicorn)


def run(n: int, workers: int, server_threads: int, gunicorn: int | None = None) -> None:
    folder = setup()
    conference, people, codes = prepare(n)
    port = free_port()
    env = {**os.environ, "TINNHIEM_DATA_DIR": folder, "TINNHIEM_ALLOWED_HOSTS": "127.0.0.1"}
    command = [sys.executable, "-m", "tinnhiem.cli", "serve", "--port", str(port), "--threads", str(server_threads)]
    if gunicorn:
        command = [sys.executable, "-m", "gunicorn", "tinnhiem.site.wsgi", "-w", str(gunicorn)]
        command += ["--threads", str(server_threads), "-b", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        listening(port)
        cpu_before = process_cpu(server.pid)
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(lambda item: vote(port, conference, people, item[1], item[0]), enumerate(codes)))
        elapsed = time.perf_counter() - start
        server_cpu = process_cpu(server.pid) - cpu_before

    finally:
        server.terminate()
        server_log, _ = server.communicate(timeout=10)
    from tinnhiem.voting.models import ElectronicBallot

    accepted = sum(1 for r, _ in results if r == "accepted")
    failed = n - accepted
    stored = ElectronicBallot.objects.count()
    latencies = sorted(x for _, lat in results for x in lat)
    p50 = statistics.median(latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    leaked = sum(1 for c in codes if c in server_log)
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    kind = (
        f"gunicorn, {gunicorn} processes × {server_threads} threads"
        if gunicorn
        else f"waitress, {server_threads} threads"
    )
    print(f"machine: {machine()}; server: {kind}, {database}; {workers} phones at once")
    print(
        f"N={n}: {elapsed:.2f} s for all ballots; accepted {accepted}, failed {failed}, stored {stored}, "
        f"lost {accepted - stored if accepted > stored else 0}; request latency p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms; "
        f"codes in the server log: {leaked}; server CPU {server_cpu:.2f} s ({server_cpu / max(accepted, 1) * 1000:.1f} ms a ballot)"
    )

    errors = sorted({r for r, _ in results if r != "accepted"})
    if errors:
        print("  failures:", errors[:5])
        print("  server log (end):", server_log[-1500:])


if __name__ == "__main__":
    main()
