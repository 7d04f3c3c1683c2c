"""``cwmb report`` and ``cwmb show`` as a user runs them, on small fake run directories."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.report.fakes import NA, write_env_run, write_evaluation


def cwmb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cwmb", *args], capture_output=True, text=True, timeout=300)


def make_runs(root):
    for env, accuracy, r in (
        ("CartPole-v1", 1.0, 1.0),
        ("MountainCar-v0", 0.9, NA),
        ("Pendulum-v1", 0.4, 0.2),
    ):
        write_evaluation(write_env_run(root, "a", env, accuracies=[0.2, accuracy]), accuracy, r)
    write_env_run(root, "b", "CartPole-v1", method="worldcoder", accuracies=[None, 0.7])


def test_report_prints_tables_and_writes_files(tmp_path):
    make_runs(tmp_path)
    out = tmp_path / "out"
    result = cwmb("report", "a", "b", "--results", str(tmp_path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Main results" in result.stdout and "not evaluated" in result.stdout and "missing" in result.stdout
    assert "0.95 ± 0.05" in result.stdout  # GIF-MCTS discrete accuracy: mean(1.0, 0.9)
    for name in ("report.md", "main.csv", "report.tex", "report.json", "anytime.png", "returns.svg"):
        assert (out / name).stat().st_size > 0, name
    assert json.loads((out / "report.json").read_text())["runs"].keys() == {"a", "b"}


def test_default_folder_formats_and_no_plots(tmp_path):
    make_runs(tmp_path)
    result = cwmb("report", "a", "--results", str(tmp_path), "--format", "md", "--no-plots")
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "reports" / "a"
    assert sorted(p.name for p in folder.iterdir()) == ["report.md"]


def test_report_errors_are_one_line(tmp_path):
    make_runs(tmp_path)
    for args, message in (
        (["nosuchrun"], "no run directory 'nosuchrun'"),
        (["a", "--format", "pdf"], "unknown report format"),
        (["a", "--metric", "exact"], "unknown metric"),
    ):
        result = cwmb("report", *args, "--results", str(tmp_path))
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr


def test_show_prints_the_tree_and_writes_the_page(tmp_path):
    make_runs(tmp_path)
    page = tmp_path / "tree.html"
    result = cwmb("show", "b", "--env", "cartpole-v1", "--html", str(page), "--results", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "2 improve 0.7000  best" in result.stdout and "1 generate bug" in result.stdout
    assert page.read_text().startswith("<!DOCTYPE html>")
    missing = cwmb("show", "b", "--env", "Taxi-v3", "--results", str(tmp_path))
    assert missing.returncode == 2 and "has no Taxi-v3" in missing.stderr and "CartPole-v1" in missing.stderr


def test_help_loads_neither_pandas_nor_matplotlib():
    probe = "import sys; from cwmb.cli.main import app; "
    probe += "print(sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr
