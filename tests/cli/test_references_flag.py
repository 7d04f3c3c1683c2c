"""`--references` on evaluate and report: a bad value is one clean line; `published` labels R."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.report.fakes import write_env_run, write_evaluation


def cwmb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cwmb", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("command", [["evaluate", "--reference", "--env", "CartPole-v1"], ["report", "nope"]])
def test_an_unknown_choice_is_one_line_with_a_hint(command):
    result = cwmb(*command, "--references", "paper")
    assert result.returncode == 2
    assert result.stderr.startswith("error: unknown references 'paper'") and "hint:" in result.stderr
    assert "Traceback" not in result.stderr


def test_report_with_published_normalizers_says_so_in_its_files(tmp_path):
    env_dir = write_env_run(tmp_path, "a", "CartPole-v1", accuracies=[0.5])
    write_evaluation(env_dir, 0.5, 0.5)
    out = tmp_path / "report"
    options = ["--results", str(tmp_path), "--out", str(out), "--references", "published", "--no-plots"]
    result = cwmb("report", "a", *options)
    assert result.returncode == 0, result.stderr
    assert "paper's normalizers, other physics version" in (out / "report.md").read_text()
