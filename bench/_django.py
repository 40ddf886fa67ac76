"""Set up Django on a throw-away SQLite database for a benchmark (never the user's data)."""

from __future__ import annotations

import atexit
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def setup(*, copy_of: str | None = None, folder: str | None = None) -> str:
    """A new data folder, removed when the benchmark ends: its database, scans and documents take
    up to a few hundred MB on a full run, and nothing in it is a result (the figures are printed).
    ``copy_of``: a data folder set up before (``prepared``), copied instead of made again;
    ``folder``: the caller's folder, used as it is and left to the caller."""
    if folder is None:
        folder = tempfile.mkdtemp(prefix="tinnhiem-bench-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    if copy_of:
        shutil.copytree(copy_of, folder, dirs_exist_ok=True)
    os.environ["TINNHIEM_DATA_DIR"] = folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinnhiem.site.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    return folder


def prepared(folder: str) -> None:
    """Set up a data folder with the demo loaded, in a process of its own, for benchmarks whose
    cases each run in a new process (``setup(copy_of=folder)``): the demo is loaded once, not once
    per case (several seconds each)."""
    code = (
        "import sys; from bench._django import setup; setup(folder=sys.argv[1]); "
        "from tinnhiem.site import demo; demo.load_demo()"
    )
    root = str(Path(__file__).resolve().parent.parent)
    subprocess.run([sys.executable, "-c", code, folder], check=True, cwd=root)


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"


def hall(*, voters: int, people: int, rule_set: str, title: str, post: str = "Phó Chủ tịch", level: str = "province"):
    """A conference of today, through the use cases: ``people`` rated persons, ``voters`` voters all
    present, a committee of three approved by all. Returns (conference, office, chair, counters)."""
    from datetime import date

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from tinnhiem.accounts.roles import ensure_roles
    from tinnhiem.conferences.usecases import campaigns, day, rated, roster

    ensure_roles()
    users = get_user_model().objects

    def user(role: str, name: str):
        made = users.create_user(username=name)  # no password: nothing signs in with one (hashing is slow)
        made.groups.add(Group.objects.get(name=role))
        return made

    office, chair = user("office", "office"), user("chair", "chair")
    counters = [user("committee", f"kp{i}") for i in range(3)]
    body = campaigns.create_body(office, name="Cơ quan đo hiệu năng", level=level)
    campaign = campaigns.create_campaign(
        office,
        body=body,
        name=title,
        legal_basis="—",
        term="2021–2026",
        rule_set=rule_set,
        rating_year=date.today().year,
    )
    conference = campaigns.create_conference(
        office, campaign=campaign, title=title, date=date.today(), place="—", convening_body="—"
    )
    for i in range(1, people + 1):
        rated.add_rated_person(office, conference, full_name=f"Người được lấy phiếu {i:02d}", post=post)
    lines = "Họ và tên,Chức vụ\n" + "".join(f"Đại biểu {i:05d},Đại biểu\n" for i in range(voters))
    roster.import_roster(office, conference, filename="ds.csv", data=lines.encode())
    day.open_conference(chair, conference)
    present = list(conference.voters.all())
    day.check_in(office, conference, present)
    for voter, role, member in zip(present[:3], ("head", "secretary", "member"), counters, strict=True):
        day.propose_member(office, conference, voter=voter, role=role, user=member)
    day.record_committee_approval(chair, conference, votes_for=voters, against=0, abstaining=0)
    return conference, office, chair, counters


def demo_scanning(seed: int):
    """The demo's conference counted by scanning, loaded (after ``setup``): its form, committee
    member kiemphieu1, and ``page()``, a new synthetic 200-dpi scan of its ballot marked with
    crosses, from ``seed``. The blank ballot (no mark) is counted once here, so that the caches
    (the blank ballots' ink, the QR key) are warm."""
    import random

    import cv2
    from django.contrib.auth import get_user_model

    from tinnhiem.conferences.models import Conference
    from tinnhiem.documents import ballots
    from tinnhiem.scanning import synthetic
    from tinnhiem.scanning.usecases import scan_files
    from tinnhiem.site import demo

    demo.load_demo()
    form = Conference.objects.get(title=demo.SCAN_TITLE).ballot_forms.get()
    member = get_user_model().objects.get(username="kiemphieu1")
    pdf, layout = ballots.render_one(form)
    blank = synthetic.render_blank(pdf, 0, 200)
    digits = {lv.key: str(lv.digit) for lv in form.conference.rules.levels}
    rng = random.Random(seed)

    def page():
        return synthetic.synthesize(blank, layout.as_dict(), 1, 200, rng, digits=digits, style="cross")[0]

    scan_files(member, form, [("warm.png", cv2.imencode(".png", blank)[1].tobytes())])
    return form, member, page
