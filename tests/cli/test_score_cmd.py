"""``cwmb check`` and ``cwmb score`` as a user runs them, on the shipped dataset."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from cwmb.benchmark.reference import reference_source

CRASHES_ON_LINE_9 = textwrap.dedent(
    """\
    import numpy as np

    class Environment:
        def __init__(self):
            self.state = None
        def set_state(self, state):
            self.state = state
        def step(self, action):
            return self.state, 1.0, undefined_name
    """
)

TWO_OUTPUTS = textwrap.dedent(
    """\
    class Environment:
        def __init__(self):
            self.state = None
        def set_state(self, state):
            self.state = state
        def step(self, action):
            return self.state, 1.0
    """
)


def cwmb(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cwmb", *args], capture_output=True, text=True, timeout=120)


def test_reference_model_scores_perfectly():
    result = cwmb("score", "--reference", "--env", "CartPole-v1", "--json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["status"] == "ok" and body["score"]["perfect"] is True


def test_score_of_a_program_file_shows_failures(tmp_path):
    wrong = reference_source("CartPole-v1").replace("9.8", "9.0")
    assert wrong != reference_source("CartPole-v1")
    (tmp_path / "model.py").write_text(wrong)
    result = cwmb("score", str(tmp_path / "model.py"), "--env", "CartPole-v1", "--show", "1")
    assert result.returncode == 0, result.stderr
    assert "accuracy 0." in result.stdout and "WRONG" in result.stdout


def test_crashing_program_names_its_line(tmp_path):
    (tmp_path / "model.py").write_text(CRASHES_ON_LINE_9)
    result = cwmb("score", str(tmp_path / "model.py"), "--env", "CartPole-v1")
    assert result.returncode == 1
    assert "error" in result.stdout and "line 9" in result.stdout and "undefined_name" in result.stdout


def test_check_lists_what_does_not_conform(tmp_path):
    (tmp_path / "model.py").write_text(TWO_OUTPUTS)
    result = cwmb("check", str(tmp_path / "model.py"), "--env", "CartPole-v1")
    assert result.returncode == 1
    assert "does not conform" in result.stdout
    assert "step returned 2 values" in result.stdout and "(samples 0, 1, 2" in result.stdout
    assert result.stdout.count("step returned 2 values") == 1


def test_check_passes_the_reference():
    result = cwmb("check", "--reference", "--env", "MountainCar-v0")
    assert result.returncode == 0 and "conforms" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["score", "missing.py", "--env", "CartPole-v1"], "no such file"),
        (["score", "--reference", "--env", "CartPole-v1", "--metric", "exact"], "unknown metric 'exact'"),
        (["score", "--reference", "--env", "Ant-v4"], "no reference model for Ant-v4"),
        (["check", "--env", "CartPole-v1"], "no program given"),
    ],
)
def test_bad_input_is_one_line(args, message):
    result = cwmb(*args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
