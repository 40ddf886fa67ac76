"""The command-line contract of ``tinnhiem tally`` and ``tinnhiem rules`` (docs/cli.md)."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinnhiem.cli import run_core

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run(*argv):
    """``tinnhiem tally ARGV`` in-process, or ``tinnhiem rules``; returns (status, stdout, stderr)."""
    if argv[:1] != ("rules",):
        argv = ("tally", *argv)
    out, err = io.StringIO(), io.StringIO()
    try:
        status = run_core(list(argv), stdout=out, stderr=err)
    except SystemExit as exc:  # argparse usage errors
        status = exc.code
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def vietnamese(monkeypatch):
    monkeypatch.setenv("TINNHIEM_LANG", "vi")


def write(tmp_path, text, name="phieu.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return str(path)


def test_seed_example_table_matches_expected_output():
    status, out, err = run(str(EXAMPLES / "mong-cai-2023-ballots.csv"), "--rules", "qd96-2023", "--issued", "178")
    assert (status, err) == (0, "")
    assert out == (EXAMPLES / "mong-cai-2023-expected.txt").read_text(encoding="utf-8")
    assert "79,66%" in out and "Tín nhiệm thấp" in out


def test_seed_example_json_contract():
    status, out, _ = run(
        str(EXAMPLES / "mong-cai-2023-ballots.csv"), "--rules", "qd96-2023", "--issued", "178", "--format", "json"
    )
    assert status == 0
    data = json.loads(out)
    assert data == json.loads((EXAMPLES / "mong-cai-2023-expected.json").read_text(encoding="utf-8"))
    assert set(data) == {"rules", "ballots", "base", "people"}
    assert data["ballots"] == {"issued": 178, "collected": 177, "valid": 176, "invalid": 1}
    assert data["base"] == {"kind": "collected", "value": 177}
    first = data["people"][0]
    assert set(first) == {"label", "counts", "percent", "outcome", "consequence"}
    assert list(first["counts"]) == ["high", "confidence", "low", "invalid"]
    assert list(first["percent"]) == ["high", "confidence", "low"]
    assert first["percent"]["high"] == "79.66"
    assert first["outcome"] == "none" and first["consequence"] == ""


def test_vinh_phuc_over_half(tmp_path):
    _status, out, _ = run(str(EXAMPLES / "vinh-phuc-2023-ballots.csv"), "--rules", "nq96-2023", "--format", "json")
    data = json.loads(out)
    le = data["people"][0]
    assert le["label"] == "Lê Duy Thành"
    assert le["counts"] == {"high": 19, "confidence": 2, "low": 25, "invalid": 1}
    assert le["percent"] == {"high": "40.43", "confidence": "4.26", "low": "53.19"}
    assert le["outcome"] == "over_half"
    assert le["consequence"].endswith("(Nghị quyết 96/2023/QH15, Điều 12 khoản 1).")
    assert {p["outcome"] for p in data["people"][1:]} == {"none"}


def test_two_thirds_and_two_levels(tmp_path):
    path = write(tmp_path, "phieu,Ông A\n" + "1,2\n" * 2 + "2,1\n")
    _status, out, _ = run(path, "--rules", "nq96-2023-bo-phieu", "--format", "json")
    person = json.loads(out)["people"][0]
    assert person["counts"] == {"confidence": 1, "no_confidence": 2, "invalid": 0}
    assert person["percent"] == {"confidence": "33.33", "no_confidence": "66.67"}
    assert person["outcome"] == "over_half"
    path = write(tmp_path, "phieu,Ông A\n" + ",3\n" * 2 + ",1\n", name="b.csv")
    person = json.loads(run(path, "--rules", "qd96-2023", "--format", "json")[1])["people"][0]
    assert person["outcome"] == "two_thirds" and "Điều 11 khoản 3" in person["consequence"]


def test_members_base_and_issued(tmp_path):
    path = write(tmp_path, "phieu,A\n,3\n,3\n,1\n")
    status, out, err = run(path, "--rules", "nq35-2012", "--format", "json")
    assert status == 2 and out == "" and "--members" in err
    status, out, _ = run(path, "--rules", "nq35-2012", "--members", "4", "--issued", "3", "--format", "json")
    data = json.loads(out)
    assert data["base"] == {"kind": "members", "value": 4}
    assert data["people"][0]["outcome"] == "none"  # 2 of 4 = exactly half


def test_bom_spaces_multiple_marks_and_whole_invalid(tmp_path):
    text = "\ufeffphieu,A,B,khong_hop_le\n1, 1 ,12,\n2,,3,\n3,3,3,gạch xoá họ tên\n\n"
    _status, out, _ = run(write(tmp_path, text), "--rules", "qd96-2023", "--format", "json")
    data = json.loads(out)
    assert data["ballots"] == {"issued": 3, "collected": 3, "valid": 2, "invalid": 1}
    a, b = data["people"]
    assert a["counts"] == {"high": 1, "confidence": 0, "low": 0, "invalid": 1}
    assert b["counts"] == {"high": 0, "confidence": 0, "low": 1, "invalid": 1}
    assert a["percent"]["high"] == "33.33"


def test_header_labels_are_output_verbatim(tmp_path):
    label = "Nguyễn Văn A (Phó Chủ tịch UBND)"
    _status, out, _ = run(write(tmp_path, f'phieu,"{label}"\n1,1\n'), "--rules", "qd96-2023", "--format", "json")
    assert json.loads(out)["people"][0]["label"] == label


@pytest.mark.parametrize(
    "text, expected",
    [
        ("phieu,A\n1,4\n", "dòng 2, cột 2 («A»)"),
        ("phieu,A\n1,x\n", "dòng 2, cột 2 («A»)"),
        ("phieu,A\n1,11\n", "lặp lại"),
        ("phieu,A,B\n1,1\n", "dòng 2: Dòng này có 2 ô; dòng tiêu đề có 3 ô."),
        ("ballot,A\n1,1\n", "dòng 1, cột 1 («ballot»)"),
        ("phieu,A,A\n1,1,1\n", "hai lần"),
        ("phieu\n1\n", "không có người được lấy phiếu"),
        ("phieu,A\n", "không có phiếu nào"),
        ("", "Tệp trống"),
        ("phieu,khong_hop_le,A\n1,,1\n", "sai vị trí"),
    ],
)
def test_file_errors_name_row_and_column(tmp_path, text, expected):
    path = write(tmp_path, text)
    status, out, err = run(path, "--rules", "qd96-2023")
    assert status == 2
    assert out == ""
    assert err.startswith("Lỗi: " + path)
    assert expected in err


def test_two_level_rules_refuse_digit_3(tmp_path):
    status, out, err = run(write(tmp_path, "phieu,A\n1,3\n"), "--rules", "nq96-2023-bo-phieu")
    assert (status, out) == (2, "")
    assert "chỉ dùng các chữ số 1, 2" in err


def test_not_utf8(tmp_path):
    status, out, err = run(write(tmp_path, "phieu,Nguyễn\n1,1\n", encoding="utf-16"), "--rules", "qd96-2023")
    assert (status, out) == (2, "")
    assert "UTF-8" in err


def test_issued_below_collected(tmp_path):
    status, out, err = run(write(tmp_path, "phieu,A\n1,1\n2,1\n"), "--rules", "qd96-2023", "--issued", "1")
    assert (status, out) == (2, "")
    assert "Số phiếu phát ra (1) không thể ít hơn số phiếu thu về (2)" in err


def test_missing_file_and_unknown_rules(tmp_path):
    status, out, err = run(str(tmp_path / "none.csv"), "--rules", "qd96-2023")
    assert (status, out) == (2, "") and "không đọc được tệp" in err
    status, out, err = run(write(tmp_path, "phieu,A\n1,1\n"), "--rules", "qd99")
    assert (status, out) == (2, "") and "qd96-2023" in err


def test_bad_arguments_exit_2_with_nothing_on_stdout(tmp_path):
    status, out, _ = run(write(tmp_path, "phieu,A\n1,1\n"), "--rules", "qd96-2023", "--issued", "-3")
    assert (status, out) == (2, "")
    status, out, _err = run(write(tmp_path, "phieu,A\n1,1\n"))
    assert (status, out) == (2, "")


def test_user_rules_file(tmp_path):
    from importlib import resources

    text = resources.files("tinnhiem.rules").joinpath("data", "qd96-2023.toml").read_text(encoding="utf-8")
    rules = write(tmp_path, text.replace('id = "qd96-2023"', 'id = "rieng"'), name="rieng.toml")
    _status, out, _ = run(write(tmp_path, "phieu,A\n1,1\n"), "--rules", rules, "--format", "json")
    assert json.loads(out)["rules"] == "rieng"


def test_english(tmp_path, monkeypatch):
    monkeypatch.setenv("TINNHIEM_LANG", "en")
    _status, out, _ = run(str(EXAMPLES / "mong-cai-2023-ballots.csv"), "--rules", "qd96-2023")
    assert "COUNTING RESULT" in out and "79.66%" in out and "High confidence" in out


def test_the_table_states_a_consequence_with_its_article_in_each_language(monkeypatch):
    """The Vĩnh Phúc vote (25 of 47 low: over half): the text table, not only the JSON, says what
    follows and under which article, in Vietnamese and in English."""
    path = str(EXAMPLES / "vinh-phuc-2023-ballots.csv")
    _status, out, _ = run(path, "--rules", "nq96-2023", "--format", "json")
    consequence = json.loads(out)["people"][0]["consequence"]
    _status, table, _ = run(path, "--rules", "nq96-2023")
    assert f"1. Lê Duy Thành: {consequence}" in table.splitlines()
    assert table.rstrip().endswith("7. Vũ Chí Giang: không thuộc trường hợp phải xử lý theo quy định")  # the others
    monkeypatch.setenv("TINNHIEM_LANG", "en")
    _status, english, _ = run(path, "--rules", "nq96-2023")
    line = next(x for x in english.splitlines() if x.startswith("1. Lê Duy Thành: "))
    assert line.endswith("(Nghị quyết 96/2023/QH15, Điều 12 khoản 1).") and consequence not in line


def test_rules_lists_every_rule_set_with_citations():
    status, out, _ = run("rules")
    assert status == 0
    for rule_id in ("qd96-2023", "qd262-2014", "nq96-2023", "nq96-2023-bo-phieu", "nq85-2014", "nq35-2012"):
        assert f"\n{rule_id}  —  " in "\n" + out
    assert "Điều 11 khoản 2" in out and "Đang có hiệu lực".lower() in out
    assert (
        "over_half (> 1/2): Nghị quyết 96/2023/QH15, Điều 12 khoản 1 [V] → bỏ phiếu tín nhiệm (nq96-2023-bo-phieu)\n"
        in out
    )
    assert out.count("→ bỏ phiếu tín nhiệm") == 1
    held_by = "Cơ quan tiến hành: Nghị quyết 96/2023/QH15, Điều 2 khoản 1 và khoản 2 (Quốc hội; Hội đồng nhân dân"
    assert out.count(held_by) == 1  # only NQ 96/2023's rating lists the bodies that hold it


def test_console_script_runs_as_a_process():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tinnhiem.cli",
            "tally",
            str(EXAMPLES / "mong-cai-2023-ballots.csv"),
            "--rules",
            "qd96-2023",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "TINNHIEM_LANG": "vi"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["rules"] == "qd96-2023"


def test_rules_shows_one_rule_set_or_checks_a_bodys_own_file(tmp_path):
    status, out, _ = run("rules", "nq35-2012")
    assert status == 0
    assert out.startswith("nq35-2012  —  Nghị quyết 35/2012/QH13") and out.count("  —  ") == 1
    assert "two_thirds (> 2/3): Nghị quyết 35/2012/QH13, Điều 11 [V]" in out  # strict "trên 2/3"
    from importlib import resources

    text = resources.files("tinnhiem.rules").joinpath("data", "qd96-2023.toml").read_text(encoding="utf-8")
    own = write(tmp_path, text.replace('id = "qd96-2023"', 'id = "rieng"'), name="rieng.toml")
    status, out, _ = run("rules", own)
    assert status == 0 and out.startswith("rieng  —  Quy định 96-QĐ/TW")
    broken = write(tmp_path, 'id = "x"\n', name="hong.toml")
    status, out, err = run("rules", broken)
    assert (status, out) == (2, "")
    assert "thiếu mục “levels” trong phần đầu tệp (ngoài mọi mục [ ])" in err  # not "in rule set"
    status, out, err = run("rules", "qd99")
    assert (status, out) == (2, "") and "Các quy định có sẵn: qd96-2023" in err


CELLS = st.sampled_from(
    [
        "phieu",
        "khong_hop_le",
        "A",
        "B",
        "1",
        "2",
        "3",
        "x",
        "cao",
        "tín nhiệm",
        "",
        " ",
        '"',
        '""',
        "1;2",
        "\x00",
        "\ufeff",
    ]
)


@given(
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=5), min_size=0, max_size=6),
    separator=st.sampled_from([",", ";", "\t"]),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
)
@settings(max_examples=300, deadline=None)
def test_any_ballots_file_is_counted_or_refused_with_its_reason(rows, separator, ending):
    """Whatever a hand-made file holds (quotes, blank cells, NUL, a BOM, another separator, rows
    of any length), the reading and the count give a result or a RulesError naming the problem:
    never another exception, which the command would print as a Python error."""
    from tinnhiem.ballotfile import parse_ballot_csv
    from tinnhiem.rules import RulesError, builtin_rule_set, tally_ballots

    text = ending.join(separator.join(row) for row in rows)
    rules = builtin_rule_set("qd96-2023")
    try:
        parsed = parse_ballot_csv(text, rules)
        tally_ballots(rules, list(parsed.labels), parsed.ballots)
    except RulesError as exc:
        assert exc.code and exc.message


# ---- a published table of counts: ``tally --counts`` ----

PUBLISHED = ROOT / "tests" / "data" / "published-results.csv"


def published_votes() -> dict[str, list[dict]]:
    import csv

    votes: dict[str, list[dict]] = {}
    with PUBLISHED.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            votes.setdefault(row["vote_name"], []).append(row)
    return votes


def test_the_national_assembly_s_2013_table_example_matches_expected_output():
    """examples/quoc-hoi-2013-counts.csv: the table as the press published it, headed by the levels'
    names; each person's invalid ratings are the rest of the 492 ballots collected."""
    status, out, err = run(
        str(EXAMPLES / "quoc-hoi-2013-counts.csv"), "--counts", "--rules", "nq35-2012", "--members", "498"
    )
    assert (status, err) == (0, "")
    assert out == (EXAMPLES / "quoc-hoi-2013-expected.txt").read_text(encoding="utf-8")
    assert "thu về: 492" in out and "330 (66,27%)" in out


@pytest.mark.parametrize("vote_name", sorted(published_votes()))
def test_a_published_table_of_counts_is_checked_as_published(tmp_path, vote_name):
    """The counts of a newspaper's table, typed as they are, give the published percentages:
    the National Assembly's 2013 vote over its 498 deputies (NQ 35/2012), a People's Council's
    2023 vote over the 47 ballots collected (NQ 96/2023). No ballot is invented to get there."""
    rows = published_votes()[vote_name]
    rules, base = ("nq35-2012", "--members") if "NQ 35/2012" in vote_name else ("nq96-2023", "--collected")
    lines = ["nguoi,1,2,3"] + [f'"{r["person"]}",{r["high"]},{r["confidence"]},{r["low"]}' for r in rows]
    status, out, err = run(
        write(tmp_path, "\n".join(lines) + "\n"),
        "--counts",
        "--rules",
        rules,
        base,
        rows[0]["total_base"],
        "--format",
        "json",
    )
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert data["base"]["value"] == int(rows[0]["total_base"])
    for row, person in zip(rows, data["people"], strict=True):
        assert person["label"] == row["person"]
        for key in ("high", "confidence", "low"):
            assert person["counts"][key] == int(row[key] or 0)
            if row[f"published_pct_{key}"]:
                assert float(person["percent"][key]) == float(row[f"published_pct_{key}"]), (row["person"], key)
    if rules == "nq96-2023":  # Lê Duy Thành: 25 of 47 "tín nhiệm thấp", over half (Điều 12 khoản 1)
        le = next(p for p in data["people"] if p["label"] == "Lê Duy Thành")
        assert le["outcome"] == "over_half" and le["counts"]["invalid"] == 1  # 46 rated: one invalid rating
    else:
        assert {p["outcome"] for p in data["people"]} == {"none"}


@pytest.mark.parametrize(
    "collected, low, outcome",
    [(6, 3, "none"), (7, 4, "over_half"), (6, 4, "two_thirds"), (9, 6, "two_thirds"), (9, 5, "over_half")],
)
def test_counts_at_exactly_a_half_and_two_thirds(tmp_path, collected, low, outcome):
    """Exactly half is not "over half"; exactly two thirds is the two-thirds step (QĐ 96, Điều 11)."""
    path = write(tmp_path, f"nguoi,Tín nhiệm thấp,tín nhiệm,TÍN NHIỆM CAO\nÔng A,{low},,\n")  # any order, any case
    status, out, err = run(path, "--counts", "--collected", str(collected), "--rules", "qd96-2023", "--format", "json")
    assert (status, err) == (0, "")
    person = json.loads(out)["people"][0]
    assert person["outcome"] == outcome and person["counts"]["invalid"] == collected - low


def test_a_table_of_counts_with_invalid_ratings_and_ballots_reconciles(tmp_path):
    text = "\ufeffnguoi,1,2,3,khong_hop_le\nA,10,5,2,1\nB,12,3,2,\n"
    status, out, _ = run(
        write(tmp_path, text), "--counts", "--invalid-ballots", "2", "--rules", "qd96-2023", "--format", "json"
    )
    data = json.loads(out)
    assert status == 0 and data["ballots"] == {"issued": 20, "collected": 20, "valid": 18, "invalid": 2}
    assert [p["counts"]["invalid"] for p in data["people"]] == [1, 1]  # B's: the rest of the valid ballots
    assert data["people"][0]["percent"]["high"] == "50.00"  # 10 of the 20 collected
    # a person's invalid ratings that do not add up are refused with the figures
    status, out, err = run(
        write(tmp_path, "nguoi,1,2,3,khong_hop_le\nA,10,5,2,3\n"),
        "--counts",
        "--collected",
        "19",
        "--rules",
        "qd96-2023",
    )
    assert status == 2 and out == ""
    assert "A: tổng các mức (17) cộng số phiếu không hợp lệ theo người (3) phải bằng số phiếu hợp lệ (19)." in err, err


@pytest.mark.parametrize(
    "text, args, expected",
    [
        ("phieu,1,2,3\nA,1,2,3\n", (), "dòng 1, cột 1 («phieu»): Cột đầu tiên của bảng số phiếu phải có tên “nguoi”"),
        ("nguoi,1,2,4\nA,1,2,3\n", (), "cột 4 («4»): Cột “4” không phải là mức nào của quy định qd96-2023"),
        ("nguoi,1,2\nA,1,2\n", (), "dòng 1: Bảng không có cột cho mức “Tín nhiệm thấp” (chữ số 3)"),
        ("nguoi,1,2,1\nA,1,2,3\n", (), "cột 4 («1»): Cột “1” là cùng một mức với cột 2."),
        ("nguoi,1,2,3\nA,1,2,ba\n", (), "dòng 2, cột 4 («3»): “ba” không phải là một số phiếu"),
        ("nguoi,1,2,3\nA,1,2,-3\n", (), "“-3” không phải là một số phiếu"),
        ("nguoi,1,2,3\nA,1,2,3\na,1,1,1\n", (), "dòng 3, cột 1: “a” có hai lần (cả dòng 2)."),
        ("nguoi,1,2,3\n", (), "dòng 2: Tệp có dòng tiêu đề nhưng không có người được lấy phiếu nào."),
        ("nguoi,1,2,3\nA,10,5,2\n", ("--collected", "16"), "A: tổng các mức (17) nhiều hơn số phiếu hợp lệ (16)."),
    ],
)
def test_a_table_of_counts_at_fault_is_refused_with_its_place(tmp_path, text, args, expected):
    status, out, err = run(write(tmp_path, text), "--counts", *args, "--rules", "qd96-2023")
    assert status == 2 and out == "" and expected in err, err


def test_collected_and_invalid_ballots_go_with_counts(tmp_path):
    status, _out, err = run(write(tmp_path, "phieu,A\n1,1\n"), "--collected", "3", "--rules", "qd96-2023")
    assert status == 2 and "--collected và --invalid-ballots chỉ dùng với --counts" in err, err


@given(
    rows=st.lists(
        st.lists(st.sampled_from(["nguoi", "1", "2", "3", "khong_hop_le", "", "A", " 7 ", "-1", "x"]), max_size=6),
        max_size=5,
    ),
    collected=st.one_of(st.none(), st.integers(min_value=0, max_value=20)),
)
@settings(max_examples=300, deadline=None)
def test_any_table_of_counts_is_counted_or_refused_with_its_reason(rows, collected):
    """Whatever a hand-typed table of counts holds, ``--counts`` gives a result or an error naming
    the problem (exit 2): never a Python error."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bang.csv"
        path.write_text("\n".join(",".join(row) for row in rows), encoding="utf-8")
        args = ("--collected", str(collected)) if collected is not None else ()
        status, out, err = run(str(path), "--counts", *args, "--rules", "qd96-2023")
    assert (status == 0 and out and not err) or (status == 2 and err.strip() and not out), (status, out, err)


@given(
    text=st.lists(
        st.sampled_from([*'Aab 0123\t,;\n\r"-x', "Tín nhiệm", "nguoi", "Không hợp lệ", "17"]), max_size=40
    ).map("".join),
    collected=st.one_of(st.none(), st.integers(min_value=0, max_value=20)),
)
@settings(max_examples=300, deadline=None)
def test_any_table_pasted_on_the_page_is_counted_or_refused_with_its_reason(text, collected):
    """The page's reader of a pasted table (tabs, semicolons or commas, with or without a header)
    and the count give a result or a RulesError naming the problem: never another exception,
    which the page would show as a server error."""
    from tinnhiem.ballotfile import parse_counts_text, result_from_counts
    from tinnhiem.rules import RulesError, builtin_rule_set

    rules = builtin_rule_set("qd96-2023")
    try:
        result_from_counts(rules, parse_counts_text(text, rules), collected=collected)
    except RulesError as exc:
        assert exc.code and exc.message
