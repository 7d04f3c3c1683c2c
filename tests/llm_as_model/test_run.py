"""The LLM-as-model experiment end to end: a loopback OpenAI server, the offline predictor, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from cwmb.benchmark import get_env
from cwmb.llm import LLMClient, config_from_dict, make_llm
from cwmb.llm_as_model import run_llm_as_model
from cwmb.llm_as_model.run import choose_rows
from cwmb.llm_as_model.simulated import SimulatedPredictor
from cwmb.trajectories.pinned import shipped_root
from cwmb.trajectories.storage import load_dataset
from tests.llm.fake_openai_server import FakeOpenAIServer, Reply

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CWMB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("FAKE_SERVER_KEY", "sk-fake")


def _answer(data, i: int) -> str:
    values = ", ".join(repr(float(v)) for v in data.next_states[i])
    outcome = f"Reward: {float(data.rewards[i])}\nDone: {bool(data.terminated[i])}"
    return f"### Next Observation\n[{values}]\n{outcome}"


def test_queries_and_shots_never_overlap():
    queries, shots = choose_rows(50, 10, 3, seed=4)
    assert len(set(queries)) == 10 and len(shots) == 3 and not set(queries) & set(shots)


def test_answers_from_a_server_are_parsed_scored_and_each_query_is_its_own(tmp_path):
    spec = get_env("CartPole-v1")
    data = load_dataset(shipped_root(), spec.name)
    queries, _ = choose_rows(len(data), 4, 2, seed=0)
    with FakeOpenAIServer() as server:
        # Right, right, garbage, right-but-wrong-done: accuracy (1 + 1 + 0 + 2/3) / 4.
        wrong_done = _answer(data, queries[3]).replace(
            f"Done: {bool(data.terminated[queries[3]])}", "Done: True"
        )
        server.push(
            *(Reply(t) for t in (_answer(data, queries[0]), _answer(data, queries[1]), "no idea", wrong_done))
        )
        config = config_from_dict(
            {
                "backend": "litellm",
                "model": "openai/fake",
                "api_base": server.api_base,
                "api_key_env": "FAKE_SERVER_KEY",
            }
        )
        llm = make_llm(config, call_log=tmp_path / "calls.jsonl")
        result, queried = run_llm_as_model(spec, data, llm, "CartPole.", transitions=4, shots=2, seed=0)
        sent = [request["messages"][-1]["content"] for request in server.requests]
    # A fresh prompt per transition (the original re-sent the first one every time).
    assert len(sent) == 4 and len(set(sent)) == 4
    for content, i in zip(sent, queries, strict=True):
        assert (
            json.dumps([float(np.format_float_positional(v, unique=True)) for v in data.states[i]]) in content
        )
    assert result.unparseable == 1 and result.problems == ["next state: expected 4 numbers, found none"]
    assert result.accuracy == pytest.approx((1 + 1 + 0 + 2 / 3) / 4)
    assert len(result.llm_seconds) == 4 and result.cache_hits == 0 and not result.simulated
    assert len(queried) == 4


def test_the_offline_predictor_is_labelled_and_imprecise_on_continuous_states():
    spec = get_env("CartPole-v1")
    data = load_dataset(shipped_root(), spec.name)
    llm = LLMClient(SimulatedPredictor(spec, data.obs_kind))
    result, _ = run_llm_as_model(spec, data, llm, "CartPole.", transitions=10, shots=2)
    assert result.simulated and result.model == "offline/simulated-predictor"
    assert result.unparseable == 0 and 0.3 < result.accuracy < 1.0  # rounded states are wrong, the rest right


def test_cli_writes_the_record_and_times_the_cwm(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "cwmb", "llm-as-model", "--env", "Taxi-v3", "--out", str(tmp_path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document == json.loads((tmp_path / "Taxi-v3.json").read_text())
    assert document["simulated"] and document["transitions"] == 10 and document["accuracy"] == 1.0
    assert document["cwm_seconds_per_step"] > 0 and document["cwm_label"] == "reference model of Taxi-v3"
    assert (tmp_path / "Taxi-v3.llm_calls.jsonl").exists()
