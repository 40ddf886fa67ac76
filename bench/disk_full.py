"""Trial: the real server (``tinnhiem serve``, SQLite) on a disk that fills, as a hall laptop's can.

It needs a folder on a small file system of its own (for the trial only: it is filled to the last
byte), for instance, as root:

    mkdir -p /mnt/tinnhiem-full && mount -t tmpfs -o size=64m tmpfs /mnt/tinnhiem-full
    .venv/bin/python bench/disk_full.py --folder /mnt/tinnhiem-full
    umount /mnt/tinnhiem-full

With DATABASE_URL set, it runs on that PostgreSQL database (empty), whose server's data is best on
another small file system, filled too with ``--also-fill``: the database's own disk is then full.
``--database-log`` names that server's own log, which must then hold no line naming the ballots'
table: a statement that fails is written there with its values and its time unless
``log_min_error_statement`` is above ERROR (``tinnhiem preflight`` says so).

The data folder (the demo's conference counted by scanning, and a conference voting on phones) is
made there; the server is started; a committee member logs in. Then the rest of the file system is
filled with a file of zeros, and:

- a phone sends its ballot: the answer must be 507 with the words "not recorded", the code unused;
- the committee member's page sends three scans in one request: 507 with the words to show, no
  page counted, no image file left on the disk;
- room is made for about one page, and three more scans are sent: those stored before the disk
  filled again are counted, the rest refused whole, and none leaves an image file behind;
- the file of zeros is removed, and the same phone and the scans not recorded are sent again: the
  ballot is recorded, the scans counted, none taken for a page scanned twice;
- the audit log's chain still verifies, and the server's log says "The disk is full" and holds no
  voter's code.

Exits non-zero when any of these fails; prints what it saw.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TRACKING = re.compile(r'name="tracking" value="([^"]+)"')


class Browser:
    """A browser's cookies and one connection to the server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            sent = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
            if body is not None:
                sent["Referer"] = f"http://127.0.0.1:{self.port}{path}"
            conn.request(method, path, body=body, headers={**sent, **(headers or {})})
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, text
        finally:
            conn.close()

    def form(self, path: str, fields: dict) -> tuple[int, str]:
        from urllib.parse import urlencode

        return self.request(
            "POST", path, urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded"}
        )

    def upload(self, path: str, fields: dict, files: list[tuple[str, bytes]]) -> tuple[int, str]:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, data in files:
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
                "Content-Type: image/png\r\n\r\n"
            )
            parts.append(head.encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "X-Requested-With": "upload"}
        return self.request("POST", path, body, headers)


def fill(filler: Path) -> None:
    """Fill the file system of ``filler`` to the last byte, with that file."""
    with open(filler, "wb", buffering=0) as out:  # unbuffered: nothing left to write when it closes
        for size in (1 << 20, 4096, 1):  # the last bytes, a little at a time
            try:
                while True:
                    out.write(bytes(size))
            except OSError:
                pass


def check(what: str, ok: bool, failures: list[str]) -> None:
    print(f"  {'ok ' if ok else 'FAIL'} {what}")
    if not ok:
        failures.append(what)


def run(folder: Path, also: list[Path], database_log: Path | None) -> int:
    import cv2

    data = Path(tempfile.mkdtemp(prefix="tinnhiem-disk-full-", dir=folder))
    os.environ["TINNHIEM_DATA_DIR"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinnhiem.site.settings")
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    from bench._django import demo_scanning, machine
    from bench.evote_burst import free_port, listening, prepare

    form, member, page = demo_scanning(seed=11)
    conference, people, codes = prepare(3)
    scans = [(f"{i}.png", cv2.imencode(".png", page())[1].tobytes()) for i in range(1, 4)]
    more = [(f"{i}.png", cv2.imencode(".png", page())[1].tobytes()) for i in range(4, 7)]
    from tinnhiem.scanning.usecases import counted_ballots

    before = counted_ballots(form).count()  # the blank ballot that warmed the caches
    connection.close()

    port = free_port()
    env = {**os.environ, "TINNHIEM_DATA_DIR": str(data), "TINNHIEM_ALLOWED_HOSTS": "127.0.0.1"}
    log = data.parent / f"{data.name}-server.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "tinnhiem.cli", "serve", "--port", str(port), "--threads", "4"],
        env=env,
        stdout=open(log, "w"),  # the server's own, until it ends
        stderr=subprocess.STDOUT,
    )
    failures: list[str] = []
    filler = folder / "zeros"
    log_start = len(database_log.read_text()) if database_log is not None else 0
    try:
        listening(port)
        committee = Browser(port)
        _status, text = committee.request("GET", "/tai-khoan/dang-nhap/")
        token = CSRF.search(text).group(1)
        status, _text = committee.form(
            "/tai-khoan/dang-nhap/",
            {"csrfmiddlewaretoken": token, "username": member.username, "password": "tinnhiem-demo"},
        )
        assert status == 302, f"login: {status}"
        scan_path = f"/hoi-nghi/{form.conference_id}/kiem-phieu/{form.pk}/quet/"
        _status, text = committee.request("GET", scan_path)
        scan_token = CSRF.search(text).group(1)

        phone = Browser(port)
        vote_path = f"/bo-phieu/{conference}/"
        _status, text = phone.request("GET", vote_path)
        vote_token = CSRF.search(text).group(1)
        choices = {f"p{people[0]}": "1", f"p{people[1]}": "2"}
        _status, text = phone.form(vote_path, {"csrfmiddlewaretoken": vote_token, "step": "ballot", "code": codes[0]})
        tracking = TRACKING.search(text).group(1)  # the receipt's code, chosen when the ballot is shown
        ballot = {
            "csrfmiddlewaretoken": vote_token,
            "step": "submit",
            "code": codes[0],
            "tracking": tracking,
            **choices,
        }

        fill(filler)
        for other in also:
            fill(other / "zeros")
        database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
        free = ", ".join(f"{f}: {shutil.disk_usage(f).free} bytes" for f in [folder, *also])
        print(f"machine: {machine()}; {database}; free after filling: {free}")
        status, text = phone.form(vote_path, ballot)
        check(
            f"the phone's ballot on a full disk: {status}, 'not recorded'",
            status == 507 and "chưa được ghi nhận" in text,
            failures,
        )
        status, text = committee.upload(scan_path, {"csrfmiddlewaretoken": scan_token, "submission": "a" * 32}, scans)
        answer = json.loads(text) if text.startswith("{") else {}
        check(
            f"three scans on a full disk: {status}, done {answer.get('done')}: {answer.get('error', text[:80])[:60]}…",
            status == 507 and answer.get("done") == 0 and "ổ đĩa của máy chủ đã đầy" in answer.get("error", ""),
            failures,
        )
        images = list((data / "media" / "scans" / str(form.pk)).glob("*"))

        for other in also:  # only the data folder's disk (the images) fills again below
            (other / "zeros").unlink()
        # room for about one page: the disk fills again in the middle of the request
        room = len(more[0][1]) * 3 // 2
        with open(filler, "r+b") as out:
            out.truncate(filler.stat().st_size - room)
        status, text = committee.upload(scan_path, {"csrfmiddlewaretoken": scan_token, "submission": "c" * 32}, more)
        done = json.loads(text).get("done") if status == 507 else len(more) if status == 200 else None
        check(
            f"three more scans with {room} bytes free: {status}, files recorded before the disk filled: {done}",
            done is not None,
            failures,
        )
        filler.unlink()
        status, text = committee.upload(
            scan_path, {"csrfmiddlewaretoken": scan_token, "submission": "d" * 32}, more[done or 0 :]
        )
        results = json.loads(text).get("results", []) if status == 200 else []
        check(
            f"the files not recorded, sent again with room: {status}, ballots {[r.get('ballots') for r in results]}",
            [r.get("ballots") for r in results] == [1] * (len(more) - (done or 0)),
            failures,
        )
        status, text = phone.form(vote_path, ballot)
        check(
            f"the same code with room again: {status}, recorded", status == 200 and "đã được ghi nhận" in text, failures
        )
        status, text = committee.upload(scan_path, {"csrfmiddlewaretoken": scan_token, "submission": "b" * 32}, scans)
        results = json.loads(text).get("results", []) if status == 200 else []
        check(
            f"the same scans with room again: {status}, ballots {[r.get('ballots') for r in results]}",
            [r.get("ballots") for r in results] == [1, 1, 1],
            failures,
        )
    finally:
        for leftover in [filler, *(other / "zeros" for other in also)]:
            leftover.unlink(missing_ok=True)
        server.terminate()
        server.wait(timeout=20)

    from tinnhiem.audit.log import verify
    from tinnhiem.scanning.models import ScannedPage, stray_image_files
    from tinnhiem.voting.models import CodeCard, ElectronicBallot

    check(
        f"image files of the scans refused on the full disk: {len(images) - 1} (the warming page's: 1)",
        len(images) == 1,
        failures,
    )
    check(
        f"image files no page refers to: {len(stray_image_files(form.pk))}", stray_image_files(form.pk) == [], failures
    )
    stored = ElectronicBallot.objects.filter(form__conference_id=conference).count()
    used = CodeCard.objects.filter(form__conference_id=conference, state=CodeCard.State.USED).count()
    check(f"ballots stored {stored}, codes used {used}", stored == used == 1, failures)
    duplicates = ScannedPage.objects.filter(form=form, status=ScannedPage.Status.DUPLICATE).count()
    check(f"pages taken for scanned twice: {duplicates}", duplicates == 0, failures)
    counted = counted_ballots(form).count() - before
    check(
        f"scanned ballots counted: {counted} of {len(scans) + len(more)}", counted == len(scans) + len(more), failures
    )
    problems = verify()
    check(f"the audit log's chain: {problems or 'intact'}", not problems, failures)
    if database_log is not None:  # PostgreSQL's own log, read from where this run began in it
        ballots = [line for line in database_log.read_text()[log_start:].splitlines() if "electronicballot" in line]
        check(
            f"PostgreSQL's own log: {len(ballots)} lines naming the ballots' table"
            + (f" (first: {ballots[0].strip()[:110]}…)" if ballots else ""),
            not ballots,
            failures,
        )
    said = log.read_text()
    check("the server's log says 'The disk is full'", "The disk is full" in said, failures)
    check("the server's log holds no voter's code", not any(c in said for c in codes), failures)
    shutil.rmtree(data, ignore_errors=True)
    log.unlink(missing_ok=True)
    print("disk full: " + ("all held" if not failures else f"{len(failures)} failed"))
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, required=True, help="a folder on a small file system of its own")
    parser.add_argument(
        "--also-fill",
        type=Path,
        action="append",
        default=[],
        help="another small file system to fill, e.g. the one of a PostgreSQL server's data (DATABASE_URL)",
    )
    parser.add_argument(
        "--database-log",
        type=Path,
        help="the PostgreSQL server's own log file: it must not name the ballots' table (docs/secrecy.md)",
    )
    args = parser.parse_args()
    for folder in [args.folder, *args.also_fill]:
        if shutil.disk_usage(folder).total > 1 << 30:
            parser.error(f"{folder} is on a file system of over 1 GB: the trial fills it; use a small one")
    raise SystemExit(run(args.folder, args.also_fill, args.database_log))


if __name__ == "__main__":
    main()
