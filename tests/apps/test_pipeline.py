"""The APPS pipeline as a user runs it: synthesize (offline coder), a SIGKILL mid-run, evaluate, report."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.apps.conftest import HUB, run_cli

REPO = Path(__file__).resolve().parents[2]


def synthesize_command(results: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "cwmb",
        "synthesize",
        "--suite",
        "apps",
        "--data",
        str(HUB),
        "--results",
        str(results),
        "--test-timeout",
        "1",
        *args,
    ]


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_synthesize_evaluate_report(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CWMB_CACHE_DIR", str(tmp_path / "cache"))
    results = tmp_path / "results"
    code, out, err = run_cli(
        capsys,
        *synthesize_command(results, "--problems", "0:4", "--budget", "4", "--run", "r", "--workers", "2")[
            3:
        ],
    )
    assert code == 0, err
    assert out.splitlines()[0].startswith("note: LLM = offline/simulated-coder") and "NOT an LLM" in out
    assert sum(line.startswith("problem 30") for line in out.splitlines()) == 4
    run = results / "r"
    record = json.loads((run / "apps_run.json").read_text())
    assert record["problems"] == ["3000", "3001", "3002", "3003"] and record["apps"]["protocol"] == "clean"
    summary = json.loads((run / "3000" / "summary.json").read_text())
    assert summary["domain"] == "apps" and summary["llm"]["simulated"] and summary["prompts"] == "apps"
    prompt = lines(run / "3000" / "llm_calls.jsonl")
    assert prompt and len(lines(run / "3000" / "tree.jsonl")) == summary["calls"]

    code, out, err = run_cli(capsys, "evaluate", "r", "--results", str(results))
    assert code == 0, err
    evaluation = json.loads((run / "apps_evaluation.json").read_text())
    assert evaluation["problems"] == 4 and evaluation["problems_with_hidden_tests"] == 3
    assert evaluation["single_test"]["problems"] == 1 and evaluation["simulated"]
    assert set(evaluation["by_source"]) == {"codeforces", "kattis", "atcoder"}
    assert "strict accuracy, hidden tests" in out and "[simulated, not an LLM]" in out
    per_problem = json.loads((run / "3003" / "evaluation.json").read_text())
    assert per_problem["strict_hidden"] is None and per_problem["hidden_tests"] == 0

    code, out, err = run_cli(capsys, "report", "r", "--results", str(results), "--out", str(tmp_path / "rep"))
    assert code == 0, err
    report = (tmp_path / "rep" / "report.md").read_text()
    assert "GIF-MCTS (paper)" in report and "28.3 ± 1.4" in report and "simulated, NOT an LLM" in report
    assert (tmp_path / "rep" / "apps_curve.png").exists() and (tmp_path / "rep" / "apps_table1.csv").exists()

    html = tmp_path / "tree.html"
    code, out, err = run_cli(
        capsys, "show", "r", "--env", "3001", "--results", str(results), "--html", str(html)
    )
    assert code == 0, err
    assert out.startswith("3001 · gif_mcts") and html.exists()


def test_zero_shot_cot_uses_best_of_n_with_the_cot_prompts(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CWMB_CACHE_DIR", str(tmp_path / "cache"))
    args = synthesize_command(
        tmp_path, "--problems", "3007", "--budget", "2", "--config", "zero_shot_cot", "--run", "cot"
    )[3:]
    code, _, err = run_cli(capsys, *args)
    assert code == 0, err
    summary = json.loads((tmp_path / "cot" / "3007" / "summary.json").read_text())
    assert summary["method"] == "best_of_n" and summary["prompts"] == "apps_cot"


def test_bad_apps_options_are_one_line_errors(tmp_path, capsys):
    code, _, err = run_cli(capsys, "synthesize", "--suite", "apps", "--results", str(tmp_path))
    assert code == 2 and err.startswith("error: --suite apps needs --data PATH")
    code, _, err = run_cli(
        capsys, *synthesize_command(tmp_path, "--problems", "0:2", "--protocol", "leaky")[3:]
    )
    assert code == 2 and "protocol must be one of" in err
    code, _, err = run_cli(capsys, *synthesize_command(tmp_path, "--problems", "77:80")[3:])
    assert code == 2 and "starts past the last" in err


def test_resume_after_sigkill_pays_no_call_twice(tmp_path):
    env = {**os.environ, "CWMB_CACHE_DIR": str(tmp_path / "cache")}
    args = synthesize_command(tmp_path, "--problems", "0:6", "--budget", "8", "--run", "k")
    first = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    tree = tmp_path / "k" / "3000" / "tree.jsonl"
    deadline = time.monotonic() + 120
    while not lines(tree) and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    assert first.wait() == -signal.SIGKILL  # killed mid-run, not finished
    run = tmp_path / "k"
    before = {d.name: len(lines(d / "completions.jsonl")) for d in run.iterdir() if d.is_dir()}
    assert sum(before.values()) >= 1
    second = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    for folder in (d for d in run.iterdir() if d.is_dir()):
        summary = json.loads((folder / "summary.json").read_text())
        assert summary["status"] == "finished"
        journal = lines(folder / "completions.jsonl")
        assert len(journal) == summary["calls"]
        # Replayed answers are not asked for again; a call cut off before its journal line was
        # written is asked again, but answered by the cache: nothing is paid twice.
        paid = [r for r in lines(folder / "llm_calls.jsonl") if not r["cache_hit"]]
        assert len(paid) == summary["calls"]
    replayed = [line for line in second.stdout.splitlines() if " replayed" in line]
    assert any(f"{before['3000']} replayed" in line for line in replayed if line.startswith("problem 3000"))


def test_paper_protocol_run_is_reported_as_such(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CWMB_CACHE_DIR", str(tmp_path / "cache"))
    args = synthesize_command(
        tmp_path, "--problems", "3000,3007", "--budget", "2", "--protocol", "paper", "--run", "p"
    )[3:]
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    assert "on all tests (paper protocol)" in out
    code, out, err = run_cli(capsys, "evaluate", "p", "--results", str(tmp_path))
    assert code == 0, err
    assert "protocol paper (the search saw every test: selection on the answer key)" in out
    code, out, err = run_cli(
        capsys,
        "report",
        "p",
        "--results",
        str(tmp_path),
        "--out",
        str(tmp_path / "rep"),
        "--no-plots",
        "--format",
        "csv",
    )
    assert code == 0, err
    rows = list(csv.DictReader((tmp_path / "rep" / "apps_table1.csv").open()))
    ours = [r for r in rows if r["source"] == "run"]
    assert len(ours) == 1 and ours[0]["protocol"] == "paper" and ours[0]["simulated"] == "True"


def test_score_one_program(tmp_path, capsys):
    program = tmp_path / "sum.py"
    program.write_text("a, b = map(int, input().split())\nprint(a + b if a < 50 else 0)\n")
    code, out, err = run_cli(
        capsys, "score", "--suite", "apps", "--data", str(HUB), "--problem", "3000", str(program), "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert (report["passed"], report["tests"], report["strict_all"]) == (3, 4, False)
    assert report["public_passed"] == 2 and report["hidden_passed"] == 1
    assert [v["verdict"] for v in report["verdicts"]] == ["pass", "pass", "wrong_answer", "pass"]
    code, _, err = run_cli(capsys, "score", "--suite", "apps", "--data", str(HUB), str(program))
    assert code == 2 and "needs a PROGRAM.py and --problem ID" in err
