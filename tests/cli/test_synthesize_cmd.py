"""``cwmb synthesize`` as a user runs it: real subprocesses, the offline coder, a SIGKILL mid-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DECISION_KEYS = ("call", "node", "parent", "action", "accuracy", "status", "error", "program_hash", "extra")


def command(results: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "cwmb",
        "synthesize",
        "--results",
        str(results),
        "--trajectories",
        str(REPO / "trajectories"),
        *args,
    ]


def cwmb(results: Path, *args: str, cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "CWMB_CACHE_DIR": str(cache)}
    return subprocess.run(
        command(results, *args), capture_output=True, text=True, timeout=300, env=env, cwd=REPO
    )


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_synthesize_cartpole_with_the_offline_coder(tmp_path):
    done = cwmb(tmp_path, "--env", "CartPole-v1", "--budget", "12", "--run", "demo", cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0].startswith("note: LLM = offline/simulated-coder") and "NOT an LLM" in out[0]
    assert out[1].startswith("CartPole-v1: best accuracy") and "[simulated, not an LLM]" in out[1]
    assert "CartPole-v1 call 1/12: generate from root -> node 1" in done.stderr  # plain lines: not a terminal
    folder = tmp_path / "demo" / "CartPole-v1"
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["llm"]["simulated"] is True and summary["status"] == "finished"
    assert summary["method"] == "gif_mcts" and summary["budget"] == 12
    assert 1 <= summary["calls"] <= 12 and len(summary["curve"]) == summary["calls"]
    for name in ("config.json", "tree.jsonl", "completions.jsonl", "llm_calls.jsonl", "best.py"):
        assert (folder / name).exists(), name
    assert len(lines(folder / "tree.jsonl")) == summary["calls"]


def test_a_run_killed_mid_run_resumes_to_the_uninterrupted_result(tmp_path):
    args = ("--env", "Blackjack-v1", "--budget", "80", "--seed", "3", "--run", "r")
    env = {**os.environ, "CWMB_CACHE_DIR": str(tmp_path / "cache")}
    tree = tmp_path / "killed" / "r" / "Blackjack-v1" / "tree.jsonl"
    process = subprocess.Popen(
        command(tmp_path / "killed", *args),
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if tree.exists() and tree.read_text().count("\n") >= 5:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    assert process.wait(timeout=60) == -signal.SIGKILL, "the run ended before it could be killed"
    recorded = tree.read_text().count("\n")
    assert 5 <= recorded < 80

    resumed = cwmb(tmp_path / "killed", *args, cache=tmp_path / "cache")
    assert resumed.returncode == 0, resumed.stderr
    whole = cwmb(tmp_path / "whole", *args, cache=tmp_path / "other-cache")
    assert whole.returncode == 0, whole.stderr

    killed_dir, whole_dir = tree.parent, tmp_path / "whole" / "r" / "Blackjack-v1"
    assert [{k: line[k] for k in DECISION_KEYS} for line in lines(killed_dir / "tree.jsonl")] == [
        {k: line[k] for k in DECISION_KEYS} for line in lines(whole_dir / "tree.jsonl")
    ]
    assert (killed_dir / "best.py").read_text() == (whole_dir / "best.py").read_text()
    summary, reference = (json.loads((d / "summary.json").read_text()) for d in (killed_dir, whole_dir))
    assert (summary["best"], summary["curve"], summary["calls"]) == (
        reference["best"],
        reference["curve"],
        reference["calls"],
    )
    # No answer was paid twice: across both sessions, exactly one call per search step missed the cache.
    calls = lines(killed_dir / "llm_calls.jsonl")
    assert sum(not c["cache_hit"] for c in calls) == summary["calls"] == 80
    session = summary["sessions"][-1]
    assert session["resumed"] and session["replayed_calls"] >= recorded and session["new_calls"] > 0


def test_the_cost_cap_stops_cleanly_and_the_same_command_resumes(tmp_path):
    args = ("--env", "CartPole-v1", "--budget", "5", "--run", "capped")
    stopped = cwmb(tmp_path, *args, "--max-cost", "0", cache=tmp_path / "cache")
    assert stopped.returncode == 2 and "error: cost cap reached during CartPole-v1" in stopped.stderr
    assert "raise --max-cost" in stopped.stderr
    folder = tmp_path / "capped" / "CartPole-v1"
    assert json.loads((folder / "summary.json").read_text())["status"] == "stopped"
    resumed = cwmb(tmp_path, *args, cache=tmp_path / "cache")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads((folder / "summary.json").read_text())["status"] == "finished"


def test_offline_writes_the_mujoco_envs_from_a_fit_to_their_dataset(tmp_path):
    args = ("--env", "InvertedPendulum-v4,Swimmer-v4", "--budget", "3", "--run", "fitted")
    done = cwmb(tmp_path, *args, cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    assert "skipping" not in done.stdout
    for env in ("InvertedPendulum-v4", "Swimmer-v4"):
        summary = json.loads((tmp_path / "fitted" / env / "summary.json").read_text())
        assert summary["llm"]["simulated"] and summary["calls"] == 3
        assert f"{env}: best accuracy" in done.stdout
    best = (tmp_path / "fitted" / "InvertedPendulum-v4" / "best.py").read_text()
    assert "NOT by an LLM" in best and "fitted by least squares" in best
    assert "import mujoco" not in best and "gymnasium" not in best
    # CEM plans with the fitted world model in the sandbox: the continuous planning path, offline.
    evaluate = [sys.executable, "-m", "cwmb", "evaluate", "fitted", "--results", str(tmp_path)]
    evaluated = subprocess.run(
        [*evaluate, "--env", "InvertedPendulum-v4", "--episodes", "1", "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert evaluated.returncode == 0, evaluated.stderr
    record = json.loads((tmp_path / "fitted" / "InvertedPendulum-v4" / "evaluation.json").read_text())
    (episode,) = record["episodes"]
    assert episode["error"] is None and episode["length"] > 0
    assert episode["settings"]["planner"] == "cem" and episode["settings"]["sandboxed"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--env", "HalfCheeta-v4"), "unknown environment 'HalfCheeta-v4'"),
        (("--env", "CartPole-v1", "--config", "gif-mcts"), "no method config 'gif-mcts'"),
        (("--env", "CartPole-v1", "--config", "zero_shot", "--budget", "3"), "zero_shot makes exactly one"),
    ],
)
def test_user_errors_are_one_clean_line(tmp_path, args, message):
    failed = cwmb(tmp_path, *args, cache=tmp_path / "cache")
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert message in failed.stderr.splitlines()[0]


def test_synthesize_against_a_local_openai_compatible_server(tmp_path):
    from cwmb.benchmark.reference import reference_source
    from tests.llm.fake_openai_server import FakeOpenAIServer, Reply

    good = reference_source("CartPole-v1")
    buggy = good.replace(
        "    def step(self, action):\n", "    def step(self, action):\n        undefined_name\n", 1
    )
    with FakeOpenAIServer() as server:
        server.push(
            Reply(f"Here is the simulator.\n```python\n{buggy}```", 900, 700),
            Reply(f"## Error explanation\nA stray name.\n\n## Correct code\n```python\n{good}```", 1200, 700),
        )
        config = tmp_path / "local.yaml"
        config.write_text(
            # No backend key: naming a server makes it a litellm config (issue 16, item 1).
            f"model: openai/local-model\napi_base: {server.api_base}\nmax_retries: 0\n"
        )
        done = cwmb(
            tmp_path, "--env", "CartPole-v1", "--llm", str(config), "--run", "local", cache=tmp_path / "c"
        )
        assert done.returncode == 0, done.stderr
        assert len(server.requests) == 2
        # A rerun under a new run name is answered by the response cache alone, and says so.
        again = cwmb(
            tmp_path, "--env", "CartPole-v1", "--llm", str(config), "--run", "again", cache=tmp_path / "c"
        )
        assert again.returncode == 0, again.stderr
        assert len(server.requests) == 2
        prompts = [r["messages"][-1]["content"] for r in server.requests]
    assert "## Class Definition" in prompts[0] and "undefined_name" in prompts[1]
    assert done.stdout.splitlines()[0].startswith("LLM: openai/local-model (litellm, inferred from api_base")
    summary = json.loads((tmp_path / "local" / "CartPole-v1" / "summary.json").read_text())
    assert summary["llm"]["simulated"] is False and "note" not in summary["llm"]
    assert [s["action"] for s in lines(tmp_path / "local" / "CartPole-v1" / "tree.jsonl")] == [
        "generate",
        "fix",
    ]
    assert summary["best"]["perfect"] and summary["calls"] == 2 and summary["calls_unknown_cost"] == 2
    first = next(line for line in done.stdout.splitlines() if line.startswith("CartPole-v1:"))
    assert "0 from the run's journal, 0 from the response cache, 2 from the provider" in first
    assert "provider latency" in first and "client start-up" in first
    assert summary["sessions"][-1]["provider_calls"] == 2 and summary["sessions"][-1]["startup_s"] > 0
    second = next(line for line in again.stdout.splitlines() if line.startswith("CartPole-v1:"))
    assert "0 from the run's journal, 2 from the response cache, 0 from the provider" in second
    assert "provider latency" not in second and "start-up" not in second
