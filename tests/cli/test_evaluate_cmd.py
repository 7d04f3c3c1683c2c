"""``cwmb evaluate`` as a user runs it: a run directory, a model file, the references."""

from __future__ import annotations

import json
import subprocess
import sys

from cwmb.benchmark.reference import reference_source

TINY = ["--set", "episode_cap=6", "--set", "mcts.simulations=4", "--set", "mcts.max_rollout_steps=4"]


def cwmb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cwmb", *args], capture_output=True, text=True, timeout=300)


def test_evaluates_every_env_of_a_run(tmp_path):
    for env in ("CartPole-v1", "Taxi-v3"):
        (tmp_path / "myrun" / env).mkdir(parents=True)
        (tmp_path / "myrun" / env / "best.py").write_text(reference_source(env))
    result = cwmb("evaluate", "myrun", "--results", str(tmp_path), "--episodes", "1", *TINY)
    assert result.returncode == 0, result.stderr
    assert "CartPole-v1 episode 0: return 6.0" in result.stderr
    record = json.loads((tmp_path / "myrun" / "Taxi-v3" / "evaluation.json").read_text())
    assert record["accuracy"]["default"]["perfect"] and record["returns"]["n"] == 1
    assert record["profile"]["episode_cap"] == 6


def test_model_file_and_reference(tmp_path):
    (tmp_path / "m.py").write_text(reference_source("CartPole-v1"))
    by_file = cwmb(
        "evaluate", "--model", str(tmp_path / "m.py"), "--env", "CartPole-v1", "--episodes", "1", *TINY
    )
    assert by_file.returncode == 0, by_file.stderr
    assert "1.000" in by_file.stdout
    by_reference = cwmb("evaluate", "--reference", "--env", "CartPole-v1", "--episodes", "1", *TINY)
    assert by_reference.returncode == 0 and "CartPole-v1" in by_reference.stdout


def test_bad_requests_are_one_line(tmp_path):
    for args, message in [
        ([], "give exactly one of RUN"),
        (["nosuchrun", "--results", str(tmp_path)], "no run directory"),
        (["--reference"], "need --env"),
        (["--reference", "--env", "Hopper-v4"], "no reference model for Hopper-v4"),
        (["--reference", "--env", "CartPole-v1", "--profile", "fast"], "fast"),
    ]:
        result = cwmb("evaluate", *args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr
