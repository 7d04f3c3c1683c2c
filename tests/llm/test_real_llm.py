"""A real model behind a real server, on demand: run only when ``CWMB_TEST_LLM_BASE`` is set.

Start llama-cpp-python's server with SmolLM2-135M-Instruct (README, "Try a real model
locally in ten minutes"), then::

    CWMB_TEST_LLM_BASE=http://127.0.0.1:8080/v1 .venv/bin/python -m pytest -m real_llm tests/llm -q

``CWMB_TEST_LLM_MODEL`` names the served model (default ``openai/smollm2``, the alias in
``configs/llms/llama-cpp-local.yaml``). Without the variable every test here is skipped
with that reason, so CI and ``make test`` never need a model.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cwmb.llm import LLMRequest, config_from_dict, make_llm, read_call_log

REPO = Path(__file__).resolve().parents[2]
BASE = os.environ.get("CWMB_TEST_LLM_BASE", "")
MODEL = os.environ.get("CWMB_TEST_LLM_MODEL", "openai/smollm2")

pytestmark = [
    pytest.mark.real_llm,
    pytest.mark.skipif(
        not BASE, reason="set CWMB_TEST_LLM_BASE to a real OpenAI-compatible server's /v1 URL"
    ),
]


def write_config(folder: Path, max_tokens: int) -> Path:
    """An LLM config for the server under test, short answers so that a CPU model is quick."""
    path = folder / "real.yaml"
    path.write_text(
        f"backend: litellm\nmodel: {MODEL}\napi_base: {BASE}\ntemperature: 1.0\ntop_p: 0.8\n"
        f"max_tokens: {max_tokens}\ntimeout_s: 600\nmax_retries: 1\nmax_concurrency: 1\n"
        "price: {input_per_mtok: 0.0, output_per_mtok: 0.0}\n"
    )
    return path


def cwmb(*args: str, cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "CWMB_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "cwmb", *args], capture_output=True, text=True, timeout=1800, env=env, cwd=REPO
    )


def test_ping_answers_from_the_real_server(tmp_path):
    done = cwmb("llm", "ping", "--llm", str(write_config(tmp_path, 16)), cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    answer = next(line for line in done.stdout.splitlines() if line.startswith("answer"))
    assert answer.removeprefix("answer").strip() and "simulated" not in done.stdout
    assert "(derived from the sample index)" in done.stdout


def test_different_samples_are_independent_draws(tmp_path):
    config = config_from_dict(json_safe(write_config(tmp_path, 24)))
    llm = make_llm(config, cache=False, call_log=tmp_path / "calls.jsonl")
    prompt = [{"role": "user", "content": "Name a random animal and a random colour."}]
    answers = [llm.complete(LLMRequest.chat(prompt, sample_index=i)).text for i in range(4)]
    seeds = [line["seed"] for line in read_call_log(tmp_path / "calls.jsonl")]
    assert len(set(seeds)) == 4
    assert len(set(answers)) >= 2, answers


def test_synthesize_end_to_end_handles_whatever_it_writes(tmp_path):
    config = write_config(tmp_path, 400)
    args = ("synthesize", "--env", "CartPole-v1", "--llm", str(config), "--config", "best_of_n")
    done = cwmb(
        *args, "--budget", "2", "--results", str(tmp_path / "results"), "--run", "real", cache=tmp_path / "c"
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "results" / "real" / "CartPole-v1" / "summary.json").read_text())
    assert summary["calls"] == 2 and summary["llm"]["simulated"] is False
    assert "2 from the provider" in done.stdout and "Traceback" not in done.stderr


def json_safe(path: Path) -> dict:
    """The YAML config as a dict (for building the config object in-process)."""
    import yaml

    return yaml.safe_load(path.read_text())
