"""The litellm backend against a real HTTP server on 127.0.0.1 (no mocks of litellm).

Retry backoff goes through an injected ``sleep`` that records the delays, so the retry
tests do not wait; timeouts are real (a fraction of a second).
"""

from __future__ import annotations

import random
import socket

import pytest

from cwmb.errors import CwmbError
from cwmb.llm import BudgetExceeded, LLMError, LLMRequest, config_from_dict, make_llm, read_call_log
from cwmb.llm.litellm_backend import backoff_delay
from tests.llm.fake_openai_server import Malformed, Reply, Slow, Status


def make(server, tmp_path, sleeps=None, **overrides):
    data = {
        "name": "fake",
        "backend": "litellm",
        "model": "openai/fake-model",
        "api_base": server.api_base if server is not None else None,
        "api_key_env": "FAKE_SERVER_KEY",
        "temperature": 1.0,
        "max_tokens": 64,
        "timeout_s": 5.0,
        "max_retries": 3,
    } | overrides
    config = config_from_dict({k: v for k, v in data.items() if v is not None})
    return make_llm(
        config,
        call_log=tmp_path / "run" / "llm_calls.jsonl",
        sleep=(sleeps.append if sleeps is not None else lambda s: None),
        rng=random.Random(0),
    )


def req(text="Write a world model.", sample_index=0):
    return LLMRequest.chat(
        [{"role": "system", "content": "You write code."}, {"role": "user", "content": text}],
        action="generate",
        sample_index=sample_index,
    )


@pytest.fixture(autouse=True)
def fake_key(monkeypatch):
    monkeypatch.setenv("FAKE_SERVER_KEY", "sk-test-123")


def test_a_real_call_logs_usage_and_unknown_cost(server, tmp_path):
    server.push(Reply("class Environment: ...", prompt_tokens=42, completion_tokens=9))
    response = make(server, tmp_path).complete(req())
    assert response.text == "class Environment: ..."
    assert (response.tokens_in, response.tokens_out) == (42, 9)
    assert response.cost_usd is None and not response.cache_hit and not response.simulated
    body = server.requests[0]
    assert body["model"] == "fake-model" and body["temperature"] == 1.0 and body["max_tokens"] == 64
    assert body["messages"][1] == {"role": "user", "content": "Write a world model."}
    assert server.headers[0]["Authorization"] == "Bearer sk-test-123"
    (record,) = read_call_log(tmp_path / "run" / "llm_calls.jsonl")
    assert (
        record["cost_usd"] == "unknown"
        and record["tokens_in"] == 42
        and record["model"] == "openai/fake-model"
    )
    assert record["latency_s"] > 0 and record["error"] is None


def test_price_override_and_litellm_price_map(server, tmp_path):
    server.push(Reply("a", 1000, 500), Reply("b", 1000, 500))
    priced = make(server, tmp_path, price={"input_per_mtok": 1.0, "output_per_mtok": 2.0}).complete(req())
    assert priced.cost_usd == pytest.approx(0.002)
    # A model litellm knows is priced from its bundled map (gpt-4-turbo: $10 / $30 per M tokens).
    known = make(server, tmp_path, model="openai/gpt-4-turbo").complete(req())
    assert known.cost_usd == pytest.approx(1000 * 10e-6 + 500 * 30e-6)


def test_cache_hit_on_replay_sends_nothing(server, tmp_path):
    llm = make(server, tmp_path)
    first = llm.complete(req())
    again = make(server, tmp_path).complete(req())  # a new client, as in a re-run
    assert len(server.requests) == 1
    assert again.cache_hit and again.text == first.text and again.tokens_in == first.tokens_in
    assert [r["cache_hit"] for r in read_call_log(tmp_path / "run" / "llm_calls.jsonl")] == [False, True]


def test_distinct_sample_indices_are_distinct_requests(server, tmp_path):
    llm = make(server, tmp_path)
    texts = [llm.complete(req(sample_index=i)).text for i in range(3)]
    assert len(server.requests) == 3 and len(set(texts)) == 3
    assert [llm.complete(req(sample_index=i)).text for i in range(3)] == texts
    assert len(server.requests) == 3


def test_changed_sampling_parameters_miss_the_cache(server, tmp_path):
    make(server, tmp_path).complete(req())
    make(server, tmp_path, temperature=0.2).complete(req())
    assert len(server.requests) == 2


def test_retries_rate_limit_and_server_errors_then_succeeds(server, tmp_path):
    server.push(Status(429, retry_after=3), Status(500), Status(503), Reply("finally"))
    sleeps: list[float] = []
    response = make(server, tmp_path, sleeps).complete(req())
    assert response.text == "finally" and len(server.requests) == 4
    assert len(sleeps) == 3 and sleeps[0] >= 3.0  # Retry-After is honoured


def test_gives_up_after_the_retry_budget(server, tmp_path):
    server.push(*[Status(500)] * 4)
    sleeps: list[float] = []
    with pytest.raises(LLMError) as problem:
        make(server, tmp_path, sleeps, max_retries=2).complete(req())
    assert len(server.requests) == 3 and len(sleeps) == 2
    assert "server errors after 3 attempts" in problem.value.message
    assert read_call_log(tmp_path / "run" / "llm_calls.jsonl")[0]["error"] == problem.value.message


def test_timeout_is_retried_then_succeeds(server, tmp_path):
    server.push(Slow(1.5), Reply("in time"))
    response = make(server, tmp_path, timeout_s=0.3).complete(req())
    assert response.text == "in time" and len(server.requests) == 2


def test_timeout_every_time_is_a_clean_error(server, tmp_path):
    server.push(Slow(1.5), Slow(1.5))
    with pytest.raises(LLMError) as problem:
        make(server, tmp_path, timeout_s=0.3, max_retries=1).complete(req())
    assert "did not answer within 0.3 s (after 2 attempts)" in problem.value.message
    assert "timeout_s" in problem.value.hint


def test_malformed_json_is_a_clean_error(server, tmp_path):
    server.push(Malformed(), Malformed())
    with pytest.raises(LLMError) as problem:
        make(server, tmp_path, max_retries=1).complete(req())
    assert server.api_base in problem.value.message


def test_bad_request_is_not_retried(server, tmp_path):
    server.push(Status(400, message="context too long"))
    sleeps: list[float] = []
    with pytest.raises(LLMError, match="context too long"):
        make(server, tmp_path, sleeps).complete(req())
    assert len(server.requests) == 1 and sleeps == []


def test_rejected_key_names_the_variable(server, tmp_path):
    server.push(Status(401, message="invalid api key"))
    with pytest.raises(LLMError) as problem:
        make(server, tmp_path).complete(req())
    assert "rejected the credentials" in problem.value.message and "FAKE_SERVER_KEY" in problem.value.hint
    assert len(server.requests) == 1


def test_unreachable_server_names_the_url(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    sleeps: list[float] = []
    with pytest.raises(LLMError) as problem:
        make(None, tmp_path, sleeps, api_base=url, max_retries=1).complete(req())
    assert url in problem.value.message and "offline" in problem.value.hint
    assert len(sleeps) == 1


def test_missing_openai_key_names_the_variable_without_a_request(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    llm = make(None, tmp_path, model="gpt-4-turbo", api_key_env=None)
    with pytest.raises(CwmbError) as problem:
        llm.complete(req())
    assert "OPENAI_API_KEY" in problem.value.message and "offline" in problem.value.hint


def test_missing_configured_key_variable_is_named(server, tmp_path, monkeypatch):
    monkeypatch.delenv("FAKE_SERVER_KEY")
    with pytest.raises(CwmbError, match="FAKE_SERVER_KEY is not set"):
        make(server, tmp_path).complete(req())
    assert server.requests == []


def test_local_server_without_key_gets_a_placeholder(server, tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    make(server, tmp_path, api_key_env=None).complete(req())
    assert server.headers[0]["Authorization"].startswith("Bearer sk-no-key")


def test_cost_cap_stops_before_the_call(server, tmp_path):
    price = {"input_per_mtok": 1000.0, "output_per_mtok": 1000.0}  # 18 tokens = $0.018
    llm = make(server, tmp_path, price=price, max_cost=0.03, max_tokens=None)
    llm.complete(req(sample_index=0))
    with pytest.raises(BudgetExceeded):
        llm.complete(req(sample_index=1))
    assert len(server.requests) == 1


def test_extra_provider_params_reach_the_server(server, tmp_path):
    make(server, tmp_path, top_p=0.8, extra={"top_k": 100}).complete(req())
    body = server.requests[0]
    assert body["top_k"] == 100 and body["top_p"] == 0.8


def test_backoff_grows_is_jittered_and_capped():
    rng = random.Random(1)
    delays = [backoff_delay(a, 1.0, 10.0, rng, None) for a in range(6)]
    assert all(0.5 * min(10, 2**a) <= d <= min(10, 2**a) for a, d in enumerate(delays))
    assert backoff_delay(0, 1.0, 10.0, rng, retry_after=4.0) >= 4.0
    assert backoff_delay(0, 1.0, 10.0, rng, retry_after=60.0) == 10.0
