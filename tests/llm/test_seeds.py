"""Per-sample seeds: sent where the provider takes one, different per sample and run seed, logged.

Runs with different ``--seed`` values use different sample indices
(``seed * SEED_STRIDE + k``); the seed sent is a hash of the index, so every (run seed,
repeat) pair gets its own seed. The response cache key is unchanged by all this.
"""

from __future__ import annotations

import random

import pytest

from cwmb.llm import LLMRequest, ResponseCache, config_from_dict, make_llm, read_call_log
from cwmb.llm.litellm_backend import LiteLLMBackend, sample_seed
from cwmb.methods.session import SEED_STRIDE

# The key this request had before seeds were sent (computed with the previous commit's
# backend): existing cache entries must keep answering it.
KEY_BEFORE_SEEDS = "ff46a4294b57c6726c808a47fb6d9dd67c8d9b9c050f33f9ab5d26bd5f1a91e2"


def config(api_base: str, **extra):
    data = {"backend": "litellm", "model": "openai/fake-model", "api_base": api_base}
    return config_from_dict(data | {"temperature": 1.0, "max_tokens": 64} | extra)


def request(sample_index: int, text: str = "Write a world model.") -> LLMRequest:
    return LLMRequest.chat([{"role": "user", "content": text}], action="generate", sample_index=sample_index)


@pytest.fixture(autouse=True)
def no_key(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


def test_each_sample_of_each_run_seed_sends_its_own_seed_and_logs_it(server, tmp_path):
    log = tmp_path / "llm_calls.jsonl"
    llm = make_llm(config(server.api_base), call_log=log, rng=random.Random(0))
    indices = [run * SEED_STRIDE + k for run in (0, 1) for k in (0, 1, 2)]
    for index in indices:
        llm.complete(request(index))
    sent = [body["seed"] for body in server.requests]
    assert sent == [sample_seed(i) for i in indices]
    assert len(set(sent)) == len(indices) and all(0 <= s < 2**31 for s in sent)
    assert [line["seed"] for line in read_call_log(log)] == sent


def test_a_cache_hit_sends_nothing_and_logs_no_seed(server, tmp_path):
    log = tmp_path / "llm_calls.jsonl"
    make_llm(config(server.api_base), call_log=log).complete(request(3))
    make_llm(config(server.api_base), call_log=log).complete(request(3))
    lines = read_call_log(log)
    assert len(server.requests) == 1
    assert lines[0]["seed"] == sample_seed(3) and lines[1]["cache_hit"] and lines[1]["seed"] is None


def test_the_cache_key_is_what_it_was_before_seeds():
    backend = LiteLLMBackend(config("http://127.0.0.1:9/v1"))
    assert ResponseCache.key_for(backend.cache_key_parts(request(10_001))) == KEY_BEFORE_SEEDS


def test_providers_that_take_no_seed_get_none(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    bedrock = LiteLLMBackend(config_from_dict({"model": "bedrock/anthropic.claude-3-haiku-20240307-v1:0"}))
    bedrock.prepare()
    assert bedrock.request_seed(request(0)) is None
    for model in ("openai/x", "hosted_vllm/m", "ollama_chat/llama3:70b", "gpt-4-turbo"):
        backend = LiteLLMBackend(config_from_dict({"model": model, "api_base": "http://127.0.0.1:9/v1"}))
        backend.prepare()
        assert backend.request_seed(request(0)) == sample_seed(0), model
