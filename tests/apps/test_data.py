"""Reading APPS copies in both layouts, and the one-line errors for malformed records."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from cwmb.apps.catalog import select_problems, summarize
from cwmb.apps.data import load_problems, source_of
from cwmb.errors import CwmbError
from tests.apps.conftest import HUB, TARBALL, run_cli


def records() -> list[dict]:
    return [json.loads(line) for line in (HUB / "test.jsonl").read_text().splitlines()]


def write_jsonl(path, rows) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_the_two_layouts_and_parquet_give_the_same_problems(tmp_path):
    pd.DataFrame(records()).to_parquet(tmp_path / "test-00000-of-00001.parquet")
    hub, tarball, parquet = (load_problems(p) for p in (HUB, TARBALL, tmp_path))
    assert hub == tarball == parquet
    assert [p.problem_id for p in hub][:3] == ["1", "1500", "3000"]


def test_call_based_and_stdin_problems_are_told_apart():
    problems = {p.problem_id: p for p in load_problems(HUB)}
    assert problems["3004"].fn_name == "max_pair" and problems["3004"].call_based
    assert problems["3004"].tests[0].input == [[1, 2, 3]]
    assert not problems["3000"].call_based and problems["3000"].tests[0].input == "1 2\n"
    assert problems["3010"].tests == ()


def test_difficulty_filter_and_selection():
    competition = load_problems(HUB, difficulty="competition")
    assert {p.difficulty for p in competition} == {"competition"} and len(competition) == 11
    assert [p.problem_id for p in select_problems(competition, "0:2")] == ["3000", "3001"]
    assert [p.problem_id for p in select_problems(competition, "3005,3001")] == ["3005", "3001"]
    with pytest.raises(CwmbError, match="no problem with id 9999"):
        select_problems(competition, "9999")
    with pytest.raises(CwmbError, match="empty problem range"):
        select_problems(competition, "5:2")


def test_summary_counts():
    summary = summarize(load_problems(HUB))
    assert summary.by_difficulty == {"introductory": 1, "interview": 1, "competition": 11}
    assert (summary.call_based, summary.without_tests, summary.single_test) == (2, 1, 1)
    assert summary.competition_positions == (2, 12) and summary.competition_contiguous


def test_sources_by_url_host():
    assert source_of("https://open.kattis.com/problems/x") == "kattis"
    assert source_of("https://codeforces.com/problemset/problem/1/A") == "codeforces"
    assert source_of("https://atcoder.jp/contests/abc001/tasks/a") == "atcoder"
    assert source_of("") == "unknown"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("input_output", "{not json", "problem 3000: field 'input_output' is not valid JSON"),
        ("input_output", json.dumps({"inputs": ["1\n"], "outputs": []}), "1 inputs but 0 outputs"),
        ("input_output", json.dumps({"inputs": [1], "outputs": [2]}), "non-text stdin tests"),
        ("solutions", "[1, 2]", "field 'solutions' is not a JSON list of program texts"),
        ("difficulty", "hard", "field 'difficulty' is 'hard'"),
        ("question", None, "field 'question' is missing"),
    ],
)
def test_malformed_records_name_problem_and_field(tmp_path, field, value, message):
    rows = records()
    rows[2][field] = value
    write_jsonl(tmp_path / "test.jsonl", rows)
    with pytest.raises(CwmbError, match=message):
        load_problems(tmp_path)


def test_malformed_tarball_file_is_named(tmp_path):
    shutil.copytree(TARBALL, tmp_path / "apps")
    (tmp_path / "apps" / "test" / "3001" / "metadata.json").write_text("[1]")
    with pytest.raises(CwmbError, match=re.escape("3001: field 'metadata.json' is not a JSON object")):
        load_problems(tmp_path / "apps")


def test_check_command_reports_the_copy(capsys):
    code, out, _ = run_cli(capsys, "apps", "check", "--data", str(TARBALL))
    assert code == 0
    assert "13 test problems" in out and "competition 11" in out and "call-based 2" in out
    assert "without tests 1" in out


def test_check_command_one_line_error(capsys, tmp_path):
    rows = records()
    rows[0]["input_output"] = "{"
    write_jsonl(tmp_path / "test.jsonl", rows)
    code, out, err = run_cli(capsys, "apps", "check", "--data", str(tmp_path))
    assert code == 2 and out == ""
    assert err.splitlines()[0].startswith("error: APPS problem 1: field 'input_output'")
    assert err.splitlines()[1].startswith("hint: ") and len(err.splitlines()) == 2


def test_missing_copy_is_a_clean_error(capsys, tmp_path):
    code, _, err = run_cli(capsys, "apps", "check", "--data", str(tmp_path / "nowhere"))
    assert code == 2 and "APPS data not found" in err


def test_fetch_offline_is_a_clean_error(tmp_path):
    # A fresh process, so that the hub client reads HF_HUB_OFFLINE: the tests never touch the network.
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    done = subprocess.run(
        [sys.executable, "-m", "cwmb", "apps", "fetch", "--out", str(tmp_path / "apps")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2 and done.stderr.startswith(
        "error: cannot download test.jsonl of codeparrot/apps"
    )
    assert not (tmp_path / "apps" / "test.jsonl").exists()
