"""Real parallel processes: 8 use the same card at the same instant, 4 finalise the same count at
once; exactly one of each succeeds (bench/race.py), on SQLite and on PostgreSQL."""


def test_same_card_and_same_finalise_from_parallel_processes(run_script):
    run = run_script("race.py")
    assert run.returncode == 0, run.stdout + run.stderr
    line = run.stdout.strip().splitlines()[-1]
    assert "'stored': 1" in line and "'refused: used': 7" in line, line
    assert "'finalised': 1" in line and "results 1; chain problems 0" in line, line
