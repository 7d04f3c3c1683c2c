"""LLMClient: cache, call log, cost cap and concurrency, with in-process fake backends."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from cwmb.errors import CwmbError
from cwmb.llm import (
    Budget,
    BudgetExceeded,
    CallLog,
    Completion,
    LLMClient,
    LLMRequest,
    Price,
    ResponseCache,
    ScriptedLLM,
    read_call_log,
    summarize_calls,
)
from cwmb.llm.client import shared_semaphore


class PricedEcho:
    """A fake backend: echoes the prompt, reports fixed usage and an optional cost, can be slow."""

    def __init__(self, cost: float | None = 0.01, delay: float = 0.0) -> None:
        self.cost = cost
        self.delay = delay
        self.calls = 0
        self.active = 0
        self.peak = 0
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return "echo"

    @property
    def simulated(self) -> bool:
        return True

    def cache_key_parts(self, request: LLMRequest) -> dict[str, Any]:
        return {"messages": request.message_dicts(), "sample_index": request.sample_index}

    def generate(self, request: LLMRequest) -> Completion:
        with self._lock:
            self.calls += 1
            self.active += 1
            self.peak = max(self.peak, self.active)
        time.sleep(self.delay)
        with self._lock:
            self.active -= 1
        return Completion(f"echo {request.messages[-1].content}", 100, 50, self.cost)


def req(text: str = "hello", sample_index: int = 0, action: str = "generate") -> LLMRequest:
    return LLMRequest.chat([{"role": "user", "content": text}], action=action, sample_index=sample_index)


def test_call_log_lines_have_every_field(tmp_path):
    log = tmp_path / "run" / "llm_calls.jsonl"
    llm = LLMClient(PricedEcho(), cache=ResponseCache(tmp_path / "c.sqlite3"), call_log=CallLog(log))
    llm.complete(req(action="improve", sample_index=2))
    llm.complete(req(action="improve", sample_index=2))
    first, second = read_call_log(log)
    assert set(first) == {
        "time", "model", "simulated", "action", "sample_index", "env", "prompt_hash", "tokens_in",
        "tokens_out", "cost_usd", "spent_usd", "latency_s", "cache_hit", "error", "seed", "startup_s",
    }  # fmt: skip
    assert first["action"] == "improve" and first["sample_index"] == 2 and first["tokens_in"] == 100
    assert first["cost_usd"] == 0.01 and first["spent_usd"] == 0.01 and not first["cache_hit"]
    assert second["cache_hit"] and second["cost_usd"] == 0.01 and second["spent_usd"] == 0.0
    assert first["prompt_hash"] == second["prompt_hash"] and first["error"] is None
    summary = summarize_calls([first, second])
    assert summary["calls"] == 2 and summary["cache_hits"] == 1 and summary["spent_usd"] == 0.01


def test_sample_index_keeps_samples_apart_and_replay_is_identical(tmp_path):
    backend = ScriptedLLM(["a", "b", "c"])
    cache = ResponseCache(tmp_path / "c.sqlite3")
    first = [LLMClient(backend, cache=cache).complete(req(sample_index=i)).text for i in range(3)]
    replay = [
        LLMClient(ScriptedLLM(["a", "b", "c"]), cache=cache).complete(req(sample_index=i)) for i in range(3)
    ]
    assert first == ["a", "b", "c"]
    assert [r.text for r in replay] == first and all(r.cache_hit for r in replay)


def test_unknown_cost_is_logged_as_unknown_and_price_override_gives_a_number(tmp_path):
    log = CallLog(tmp_path / "log.jsonl")
    LLMClient(PricedEcho(cost=None), call_log=log).complete(req("x"))
    LLMClient(PricedEcho(cost=None), call_log=log, price=Price(2.0, 4.0)).complete(req("y"))
    unknown, priced = read_call_log(tmp_path / "log.jsonl")
    assert unknown["cost_usd"] == "unknown" and unknown["spent_usd"] == "unknown"
    assert priced["cost_usd"] == pytest.approx((100 * 2.0 + 50 * 4.0) / 1e6)


def test_cost_cap_stops_before_the_call_that_would_exceed_it(tmp_path):
    backend = PricedEcho(cost=0.01)
    llm = LLMClient(
        backend,
        cache=ResponseCache(tmp_path / "c.sqlite3"),
        call_log=CallLog(tmp_path / "l.jsonl"),
        budget=Budget(max_cost=0.025),
    )
    llm.complete(req(sample_index=0))
    llm.complete(req(sample_index=1))
    with pytest.raises(BudgetExceeded) as stop:
        llm.complete(req(sample_index=2))
    assert backend.calls == 2  # refused before reaching the backend
    assert stop.value.spent_usd == pytest.approx(0.02) and stop.value.estimate_usd == pytest.approx(0.01)
    assert isinstance(stop.value, CwmbError) and "cost cap" in stop.value.message
    # Cached answers stay free and available after the cap is hit.
    assert llm.complete(req(sample_index=1)).cache_hit
    assert read_call_log(tmp_path / "l.jsonl")[2]["error"].startswith("cost cap reached")


def test_cost_cap_uses_the_price_override_before_the_first_call():
    backend = PricedEcho(cost=None)
    llm = LLMClient(backend, budget=Budget(max_cost=0.001), price=Price(10.0, 30.0), max_tokens=1500)
    with pytest.raises(BudgetExceeded):  # 1500 output tokens at $30/M = $0.045 > $0.001
        llm.complete(req())
    assert backend.calls == 0


def test_cost_cap_with_unknown_price_stops_with_a_clear_error():
    llm = LLMClient(PricedEcho(cost=None), budget=Budget(max_cost=1.0))
    llm.complete(req(sample_index=0))
    with pytest.raises(CwmbError, match="cannot enforce max_cost"):
        llm.complete(req(sample_index=1))


def test_budget_is_shared_and_respected_across_threads():
    budget = Budget(max_cost=0.05)
    backend = PricedEcho(cost=0.01, delay=0.01)
    llm = LLMClient(backend, budget=budget, semaphore=threading.BoundedSemaphore(8))
    llm.complete(req(sample_index=0))  # gives the budget its per-call estimate
    stopped = []

    def worker(i: int) -> None:
        try:
            llm.complete(req(sample_index=i))
        except BudgetExceeded:
            stopped.append(i)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(1, 20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert budget.spent_usd <= 0.05 + 1e-12 and backend.calls == 5 and len(stopped) == 15


def test_concurrency_limit_is_shared_by_threads():
    backend = PricedEcho(delay=0.05)
    llm = LLMClient(backend, semaphore=shared_semaphore("test-endpoint-limit-2", 2))
    threads = [threading.Thread(target=llm.complete, args=(req(sample_index=i),)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert backend.calls == 8 and backend.peak == 2
    assert shared_semaphore("test-endpoint-limit-2", 99) is shared_semaphore("test-endpoint-limit-2", 2)


def test_no_cache_means_every_call_reaches_the_backend():
    backend = PricedEcho()
    llm = LLMClient(backend)
    llm.complete(req())
    llm.complete(req())
    assert backend.calls == 2
