"""``cwmb score`` and ``cwmb evaluate`` report held-out accuracy beside the search accuracy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from cwmb.benchmark.reference import reference_source

REPO = Path(__file__).resolve().parents[2]
TINY = ["--set", "episode_cap=4", "--set", "mcts.simulations=2", "--set", "mcts.max_rollout_steps=2"]


def cwmb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cwmb", *args], capture_output=True, text=True, timeout=300, cwd=REPO
    )


def test_score_shows_search_and_held_out_accuracy():
    result = cwmb("score", "--reference", "--env", "Taxi-v3", "--json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["accuracy"] == 1.0 and body["heldout_accuracy"] == 1.0
    assert body["heldout"]["status"] == "ok" and body["heldout"]["transitions"] > 0
    text = cwmb("score", "--reference", "--env", "Taxi-v3")
    assert "held-out accuracy 1.0000 on" in text.stdout and "(generalization +0.0000)" in text.stdout


def test_score_without_a_held_out_split_says_how_to_make_it(tmp_path):
    shutil.copytree(
        REPO / "trajectories" / "Taxi-v3", tmp_path / "Taxi-v3", ignore=shutil.ignore_patterns("heldout")
    )
    result = cwmb("score", "--reference", "--env", "Taxi-v3", "--trajectories", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "held-out accuracy n/a (no held-out split" in result.stdout
    assert "cwmb collect --split heldout --env Taxi-v3" in result.stdout


def test_evaluate_records_and_shows_the_held_out_accuracy(tmp_path):
    (tmp_path / "run" / "Taxi-v3").mkdir(parents=True)
    (tmp_path / "run" / "Taxi-v3" / "best.py").write_text(reference_source("Taxi-v3"))
    result = cwmb("evaluate", "run", "--results", str(tmp_path), "--episodes", "1", "--workers", "1", *TINY)
    assert result.returncode == 0, result.stderr
    assert "held-out acc." in result.stdout
    record = json.loads((tmp_path / "run" / "Taxi-v3" / "evaluation.json").read_text())
    heldout = record["accuracy"]["heldout"]
    assert record["heldout_accuracy"] == 1.0
    assert heldout["default"]["accuracy"] == heldout["accuracy"] == 1.0
    assert 0.0 < heldout["original"]["accuracy"] <= 1.0  # the original code's metric, its quirks included


def test_synthesize_prints_and_records_the_held_out_accuracy_of_best_py(tmp_path):
    args = ["synthesize", "--env", "Taxi-v3", "--budget", "6", "--run", "r", "--results", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, "-m", "cwmb", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={**os.environ, "CWMB_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "r" / "Taxi-v3" / "summary.json").read_text())
    assert summary["best"]["perfect"]  # the offline coder repairs Taxi within 5 calls
    assert summary["heldout"]["status"] == "ok" and summary["heldout_accuracy"] == 1.0
    assert f"held-out {summary['heldout_accuracy']:.4f}" in done.stdout
