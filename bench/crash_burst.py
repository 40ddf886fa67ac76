"""Crash safety: kill the server with SIGKILL in the middle of an e-voting burst, several times.

A conference with N code cards; the real server (``tinnhiem serve``) on loopback; N phones vote
at once as in ``evote_burst.py``. While they vote, the server is killed with SIGKILL (no clean
shutdown, as in a power cut of the process), restarted, and every phone that got no answer tries
again with the same card, as a voter would. After the last round:

- every ballot whose submission was acknowledged is stored: its card, tried once more, is refused
  as already used, and the number of stored ballots is at least the number acknowledged;
- nothing is stored twice or half: used cards = stored ballots = receipts;
- a card whose submission was never acknowledged is either unused or used with its ballot stored
  (implied by the equality above).

Run: .venv/bin/python bench/crash_burst.py [--n 500] [--kills 3] [--workers 16]
With DATABASE_URL set, it runs on that PostgreSQL database instead (which must be empty).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import machine, setup
from bench.evote_burst import Phone, free_port, listening, prepare, vote

USED = "Mã này đã được sử dụng để bỏ phiếu."


def start(port: int, env: dict, threads: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "tinnhiem.cli", "serve", "--port", str(port), "--threads", str(threads)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if not listening(port):
        raise RuntimeError("the server did not start")
    return server


def refused_as_used(port: int, conference: int, code: str) -> bool:
    phone = Phone(port)
    try:
        page = phone.request("GET", f"/bo-phieu/{conference}/")
        token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        answer = phone.request(
            "POST", f"/bo-phieu/{conference}/", {"csrfmiddlewaretoken": token, "step": "ballot", "code": code}
        )
        return USED in answer
    finally:
        phone.conn.close()


def run(n: int, kills: int, workers: int, threads: int) -> None:
    folder = setup()
    conference, people, codes = prepare(n)
    port = free_port()
    env = {**os.environ, "TINNHIEM_DATA_DIR": folder, "TINNHIEM_ALLOWED_HOSTS": "127.0.0.1"}
    rng = random.Random(1)
    acknowledged: set[str] = set()
    pending = list(enumerate(codes))
    rounds, killed = 0, 0
    while pending and rounds < kills + 5:
        server = start(port, env, threads)
        fired, lock, answered = threading.Event(), threading.Lock(), [0]
        # mid-burst: after a random 20–60 % of this round's phones have had their answer
        kill_after = round(rng.uniform(0.2, 0.6) * len(pending)) if killed < kills else None

        def phone(item, server=server, fired=fired, lock=lock, answered=answered, kill_after=kill_after):
            outcome = vote(port, conference, people, item[1], item[0])[0]
            with lock:
                answered[0] += 1
                if answered[0] == kill_after:
                    server.send_signal(signal.SIGKILL)
                    fired.set()
            return outcome

        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(phone, pending))
        if fired.is_set():
            server.wait()
            killed += 1
        again = []
        for (i, code), outcome in zip(pending, outcomes, strict=True):
            if outcome == "accepted":
                acknowledged.add(code)
            else:
                again.append((i, code))
        # a phone with no answer tries again; a card already used is refused then, and stops there
        pending = again
        if not fired.is_set():
            still = [(i, code) for i, code in pending if not refused_as_used(port, conference, code)]
            pending = still
            server.send_signal(signal.SIGKILL)
        server.wait()
        rounds += 1
    server = start(port, env, threads)
    try:
        not_refused = sum(1 for code in acknowledged if not refused_as_used(port, conference, code))
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()

    from django.db import connections

    connections.close_all()
    from tinnhiem.voting.models import CodeCard, ElectronicBallot, Receipt

    used = CodeCard.objects.filter(state=CodeCard.State.USED).count()
    stored = ElectronicBallot.objects.count()
    receipts = Receipt.objects.count()
    lost = max(len(acknowledged) - stored, 0) + not_refused
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite (synchronous=FULL)"
    print(f"machine: {machine()}; server: waitress, {threads} threads, {database}; {workers} phones at once")
    print(
        f"N={n}: SIGKILL {killed} times mid-burst in {rounds} rounds; acknowledged {len(acknowledged)}, "
        f"stored {stored}, used cards {used}, receipts {receipts}, never voted {len(pending)}; "
        f"acknowledged but lost {lost}; stored twice or half {abs(used - stored) + abs(receipts - stored)}"
    )
    if lost or used != stored or receipts != stored:
        sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--server-threads", type=int, default=4)
    args = parser.parse_args()
    run(args.n, args.kills, args.workers, args.server_threads)


if __name__ == "__main__":
    main()
