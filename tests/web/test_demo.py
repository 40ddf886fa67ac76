"""The demo scenario and the ``tinnhiem demo`` command."""

import os
import subprocess
import sys
from datetime import date

from tinnhiem.audit import log
from tinnhiem.conferences.queries import checklist, opinion_summary
from tinnhiem.site.demo import load_demo


def test_demo_loads_the_seed_structure(roles):
    today = date.today()
    conference = load_demo(today=today)
    assert conference.rules.id == "qd96-2023"
    assert conference.voters.count() == 183
    assert [p.post for p in conference.rated_persons.all()] == ["Phó Chủ tịch UBND thành phố"] * 2
    assert opinion_summary(conference).text() == "142 ý kiến, 0 yêu cầu giải trình"
    assert checklist(conference, today)[0].status == "done"
    assert conference.voters.filter(rated_person__isnull=False).count() == 2
    assert len({v.full_name for v in conference.voters.all()}) == 183
    assert log.verify() == []
    assert load_demo(today=today).pk == conference.pk  # idempotent


def test_demo_command_without_serving(tmp_path):
    env = {**os.environ, "TINNHIEM_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "tinnhiem.site.settings"}
    env.pop("TINNHIEM_SECRET_KEY", None)
    proc = subprocess.run(
        [sys.executable, "-m", "tinnhiem.cli", "demo", "--no-input", "--no-serve"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "vanphong" in proc.stdout and "http://127.0.0.1:8000/" in proc.stdout
    assert "Hội nghị mẫu" in proc.stdout
    assert (tmp_path / "tinnhiem.sqlite3").exists()
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_finished_demo_conference_matches_tinnhiem_tally(roles):
    import json
    from io import StringIO
    from pathlib import Path

    from tinnhiem.cli import run_core
    from tinnhiem.conferences.models import Conference
    from tinnhiem.site.demo import FINISHED_TITLE
    from tinnhiem.voting.minutes import minutes_data

    load_demo(today=date.today())
    finished = Conference.objects.get(title=FINISHED_TITLE)
    assert finished.status == "finished" and finished.results_published
    examples = Path(__file__).resolve().parents[2] / "examples"
    package_copy = Path(__file__).resolve().parents[2] / "tinnhiem" / "site" / "data" / "mong-cai-2023-ballots.csv"
    assert package_copy.read_bytes() == (examples / "mong-cai-2023-ballots.csv").read_bytes()
    out = StringIO()
    assert (
        run_core(
            [
                "tally",
                str(examples / "mong-cai-2023-ballots.csv"),
                "--rules",
                "qd96-2023",
                "--issued",
                "178",
                "--format",
                "json",
            ],
            stdout=out,
        )
        == 0
    )
    cli = json.loads(out.getvalue())
    stored = finished.ballot_forms.get().results.get(superseded=False).data
    assert stored["ballots"] == cli["ballots"] and stored["base"]["value"] == cli["base"]["value"]
    for got, want in zip(stored["people"], cli["people"], strict=True):
        assert {k: got[k] for k in want} == want
    m = minutes_data(finished)
    assert m["attendance"] == {**m["attendance"], "convened": 183, "present": 178, "absent": 5}
    assert len(m["forms"][0]["rulings"]) == 2  # the two typing differences the committee resolved
    assert [c["role"] for c in m["committee"]["members"]] == ["head", "secretary", "member"]
