"""Fixtures for grid tests: experiment files in a temporary folder, the CLI as a subprocess, one real Ray."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DECISION_KEYS = ("call", "node", "parent", "action", "accuracy", "status", "error", "program_hash", "extra")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch) -> None:
    """Every test gets its own response cache (in-process and in the subprocesses it starts)."""
    monkeypatch.setenv("CWMB_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[Any]:
    """One real local Ray for the whole test session (start-up stays out of per-test time)."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def write_experiment(folder: Path, **changes: Any) -> Path:
    """A small offline experiment file (2 envs x 2 methods x 2 seeds, budget 2) with ``changes``."""
    data: dict[str, Any] = {
        "name": "small",
        "output": str(folder / "grid"),
        "suites": {"cwmb": {"envs": ["CartPole-v1", "Taxi-v3"]}},
        "methods": ["gif_mcts", "worldcoder"],
        "llms": [{"config": "offline", "seeds": [0, 1], "budget": 2}],
        "stages": ["synthesize", "evaluate"],
        "planner": {"profile": "quick", "episodes": 1},
        "trajectories": str(REPO / "trajectories"),
    }
    data.update(changes)
    path = folder / "experiment.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def cwmb_command(*args: str) -> list[str]:
    """``python -m cwmb ARGS``."""
    return [sys.executable, "-m", "cwmb", *args]


def run_cwmb(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the CLI to the end; the test's cache variable is inherited."""
    return subprocess.run(
        cwmb_command(*args),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
        env={**os.environ, **(env or {})},
    )


def cell_dirs(root: Path) -> set[str]:
    """``run/ENV`` of every cell folder with a summary under a grid root."""
    return {f"{p.parent.parent.name}/{p.parent.name}" for p in root.glob("*/*/summary.json")}


def lines(path: Path) -> list[dict[str, Any]]:
    """The JSON lines of a file."""
    return [json.loads(line) for line in path.read_text().splitlines()]


def comparable_cell(folder: Path) -> dict[str, Any]:
    """What a cell decided, without timings and cache provenance (which depend on where it ran)."""
    summary = json.loads((folder / "summary.json").read_text())
    config = json.loads((folder / "config.json").read_text())
    record: dict[str, Any] = {
        "config": {k: v for k, v in config.items() if k != "created"},
        "tree": [{k: line[k] for k in DECISION_KEYS} for line in lines(folder / "tree.jsonl")],
        "best": (folder / "best.py").read_text(),
        "summary": {k: summary[k] for k in ("best", "curve", "calls", "status", "stop_reason", "llm")},
        "completions": [line.get("text") for line in lines(folder / "completions.jsonl")],
    }
    evaluation = folder / "evaluation.json"
    if evaluation.exists():
        data = json.loads(evaluation.read_text())
        record["accuracy"] = data["accuracy"]
        record["episodes"] = [{k: v for k, v in e.items() if "seconds" not in k} for e in data["episodes"]]
        record["returns"] = data["returns"]
        record["program"] = data["program"]
    return record


@pytest.fixture(scope="session")
def local_grid(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The small grid run once by ``cwmb run`` with the local executor: (experiment file, result)."""
    folder = tmp_path_factory.mktemp("local-grid")
    path = write_experiment(folder, stages=["synthesize", "evaluate", "report"])
    done = run_cwmb(
        "run", str(path), "--workers", "2", "--no-plots", env={"CWMB_CACHE_DIR": str(folder / "c")}
    )
    return path, done
