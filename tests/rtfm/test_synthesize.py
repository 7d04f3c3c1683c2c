"""Program search on RTFM: every method with the offline coder, and GIF-MCTS against a real HTTP LLM."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NAME = "RTFM-SimpleStationary-v0"


def synthesize(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CWMB_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "cwmb", "synthesize", "--results", str(tmp_path), "--env", NAME, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, cwd=REPO)


@pytest.mark.parametrize("method", ["gif_mcts", "worldcoder", "rex", "best_of_n", "zero_shot"])
def test_every_method_runs_on_rtfm_offline_and_says_simulated(tmp_path, pool, method):
    # In-process with the CLI's own evaluator factory and a shared real sandbox pool (fast).
    from cwmb.benchmark import get_env
    from cwmb.evaluators import sandbox_evaluator_factory
    from cwmb.llm import load_llm_config
    from cwmb.methods import load_method_config
    from cwmb.methods.synthesis import synthesize_env

    spec = load_method_config(method)
    spec = spec.with_overrides(budget=1 if method == "zero_shot" else 4)  # zero-shot makes one call
    outcome = synthesize_env(
        get_env(NAME),
        spec,
        load_llm_config(None),
        results_dir=tmp_path / "r",
        data_root=REPO / "trajectories",
        seed=0,
        evaluator_factory=sandbox_evaluator_factory(pool),
        cache_dir=tmp_path / "cache",
    )
    summary = outcome.summary
    assert summary["llm"]["simulated"] is True and summary["method"] == method
    assert 1 <= summary["calls"] <= 4 and summary["status"] == "finished"
    tree = (tmp_path / "r" / NAME / "tree.jsonl").read_text().splitlines()
    assert len(tree) == summary["calls"]


def test_gif_mcts_reaches_a_perfect_rtfm_model_offline(tmp_path):
    done = synthesize(tmp_path, "--budget", "20", "--run", "r")
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "r" / NAME / "summary.json").read_text())
    assert summary["best"]["perfect"] is True
    best = (tmp_path / "r" / NAME / "best.py").read_text()
    assert "NOT by an LLM" in best


def test_rtfm_prompts_reach_a_local_openai_compatible_server(tmp_path, reference):
    from tests.llm.fake_openai_server import FakeOpenAIServer, Reply

    three = reference.replace(
        "return (self.board.copy(), self.inventory), self.valid_actions(), reward, done",
        "return (self.board.copy(), self.inventory), reward, done",
    )
    with FakeOpenAIServer() as server:
        server.push(
            Reply(f"A first try.\n```python\n{three}```", 900, 700),
            Reply(
                f"## Error explanation\nFour values.\n\n## Correct code\n```python\n{reference}```", 900, 700
            ),
        )
        config = tmp_path / "local.yaml"
        config.write_text(
            f"backend: litellm\nmodel: openai/local-model\napi_base: {server.api_base}\nmax_retries: 0\n"
        )
        done = synthesize(tmp_path, "--llm", str(config), "--run", "local")
        assert done.returncode == 0, done.stderr
        prompts = [r["messages"][-1]["content"] for r in server.requests]
    assert len(prompts) == 2
    assert "Defeat the Order of the Forest" in prompts[0] and "## Board representation" in prompts[0]
    assert "step returned 3 values" in prompts[1]
    summary = json.loads((tmp_path / "local" / NAME / "summary.json").read_text())
    assert summary["best"]["perfect"] and summary["llm"]["simulated"] is False
