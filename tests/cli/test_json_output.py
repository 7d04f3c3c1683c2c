"""``--json`` on every command that prints results: one JSON document on stdout, nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

TINY_PLAN = ["--set", "episode_cap=5", "--set", "mcts.simulations=2", "--set", "mcts.max_rollout_steps=3"]


def cwmb_json(*args: str, cache_dir) -> tuple[subprocess.CompletedProcess, object]:
    """Run ``cwmb ARGS --json`` in a subprocess; return it and its stdout parsed as one document."""
    environment = os.environ | {"CWMB_CACHE_DIR": str(cache_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "cwmb", *args, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
    )
    # json.loads refuses anything before or after the document, and NaN is refused as well.
    document = json.loads(result.stdout, parse_constant=_refuse)
    return result, document


def _refuse(constant: str) -> None:
    raise AssertionError(f"{constant} is not JSON")


COMMANDS = {
    "envs": (["envs"], lambda d: sum(row["group"] == "cwmb" for row in d) == 18),
    "describe": (
        ["describe", "Taxi-v3"],
        lambda d: d["env"] == "Taxi-v3" and "Environment" in d["description"],
    ),
    "dataset": (["dataset", "--env", "Blackjack-v1"], lambda d: d["envs"][0]["transitions"] > 0),
    "check": (["check", "--reference", "--env", "CartPole-v1"], lambda d: d["conforms"] is True),
    "score": (["score", "--reference", "--env", "Taxi-v3"], lambda d: d["score"]["perfect"] is True),
    "evaluate": (
        ["evaluate", "--reference", "--env", "CartPole-v1", "--episodes", "1", *TINY_PLAN],
        lambda d: d["evaluations"][0]["returns"]["n"] == 1,
    ),
    "references --status": (["references", "--status"], lambda d: len(d["envs"]) == 18),
    "cache stats": (["cache", "stats"], lambda d: d["entries"] == 0),
    "cache clear": (["cache", "clear", "--yes"], lambda d: d["deleted"] == 0),
    "llm ping": (["llm", "ping"], lambda d: d["simulated"] is True and d["model"].startswith("offline")),
    "llm presets": (["llm", "presets"], lambda d: "offline" in [p["name"] for p in d["presets"]]),
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_prints_one_json_document(name, tmp_path):
    args, expected = COMMANDS[name]
    result, document = cwmb_json(*args, cache_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert expected(document), document


def test_references_run_reports_its_jobs_as_json(tmp_path):
    out = tmp_path / "refs.json"
    args = ["references", "--env", "CartPole-v1", "--agent", "random", "--out", str(out), "--workers", "1"]
    result, document = cwmb_json(*args, "--set", "episodes=1", *TINY_PLAN, cache_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert document["jobs_run"] == 1 and document["path"] == str(out)
    assert "CartPole-v1 random episode 0" in result.stderr  # progress stays on stderr


def test_failing_check_is_a_document_and_a_non_zero_exit(tmp_path):
    program = tmp_path / "broken.py"
    program.write_text("class Environment:\n    def __init__(self):\n        pass\n")
    result, document = cwmb_json("check", str(program), "--env", "CartPole-v1", cache_dir=tmp_path)
    assert result.returncode == 1
    assert document["conforms"] is False and document["findings"]
