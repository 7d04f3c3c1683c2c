"""The LLM client methods use: any backend behind one cache, one call log, a budget and a concurrency cap.

Flow of :meth:`LLMClient.complete`: look the request up in the response cache (a hit
costs nothing and is logged as such); otherwise reserve the estimated cost against the
cost cap, wait for a concurrency slot shared by every client of the same endpoint, call
the backend (which does its own retries), price the answer, store it, log it.

Latency is the backend's time to answer only. A backend's one-off start-up (importing
and warming up litellm: seconds, see ``benchmarks/llm_startup.py``) is timed apart as
``startup_s``: it is paid on the first call that misses the cache, never on a cache
hit. The client counts cache hits and provider calls (:attr:`LLMClient.cache_hits`,
:attr:`LLMClient.backend_calls`) for run summaries.

Cost cap rule (``max_cost``): before a call that is not in the cache, its cost is
estimated as the mean cost of the paid calls made so far by this budget (before the
first one: from the price override, the prompt length and ``max_tokens``, else 0). If
the dollars already spent, plus the estimates of calls still in flight, plus this
estimate exceed ``max_cost``, the call is not sent and :class:`BudgetExceeded` is raised.
Cache hits are free and never refused, so a stopped run re-run with a higher cap replays
its answers for nothing. If the price of a call is unknown, the cap cannot be enforced:
the next paid call raises a :class:`~cwmb.errors.CwmbError` asking for a price override.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from cwmb.errors import CwmbError
from cwmb.llm.cache import ResponseCache
from cwmb.llm.calllog import CallLog, CallRecord, money, utc_now
from cwmb.llm.config import Price
from cwmb.llm.errors import BudgetExceeded
from cwmb.llm.protocol import Backend, Completion, LLMRequest, LLMResponse, rough_token_count


@runtime_checkable
class PreparedBackend(Protocol):
    """A backend with a one-off start-up (``prepare``) and a per-request provider seed."""

    def prepare(self) -> None:
        """Do the start-up work (idempotent)."""
        ...

    def request_seed(self, request: LLMRequest) -> int | None:
        """The seed sent with ``request``, or None."""
        ...


_SEMAPHORES: dict[str, threading.BoundedSemaphore] = {}
_SEMAPHORES_LOCK = threading.Lock()


def shared_semaphore(endpoint: str, limit: int) -> threading.BoundedSemaphore:
    """One semaphore per endpoint for the whole process, so parallel envs share one rate limit.

    The first caller fixes the limit; later callers with another limit get the same object.
    """
    with _SEMAPHORES_LOCK:
        if endpoint not in _SEMAPHORES:
            _SEMAPHORES[endpoint] = threading.BoundedSemaphore(limit)
        return _SEMAPHORES[endpoint]


class Budget:
    """Thread-safe dollar accounting with an optional cap; see the module docstring for the rule."""

    def __init__(self, max_cost: float | None = None) -> None:
        self.max_cost = max_cost
        self.spent_usd = 0.0
        self.paid_calls = 0
        self._in_flight = 0.0
        self._unknown_model: str | None = None
        self._lock = threading.Lock()

    def reserve(self, prior_estimate: float = 0.0) -> float:
        """Reserve the estimated cost of one paid call, or raise :class:`BudgetExceeded`."""
        with self._lock:
            if self.max_cost is None:
                return 0.0
            if self._unknown_model is not None:
                raise CwmbError(
                    f"cannot enforce max_cost: the price of {self._unknown_model} is unknown",
                    "add price: {input_per_mtok: ..., output_per_mtok: ...} to the LLM config, "
                    "or drop --max-cost",
                )
            estimate = self.spent_usd / self.paid_calls if self.paid_calls else prior_estimate
            committed = self.spent_usd + self._in_flight
            # `committed >= max_cost` also makes max_cost = 0 mean "cached answers only".
            if committed + estimate > self.max_cost or committed >= self.max_cost:
                raise BudgetExceeded(committed, estimate, self.max_cost)
            self._in_flight += estimate
            return estimate

    def settle(self, reserved: float, cost_usd: float | None, model: str) -> None:
        """Replace a reservation by the actual cost of the call (None = price unknown)."""
        with self._lock:
            self._in_flight -= reserved
            self.paid_calls += 1
            if cost_usd is None:
                self._unknown_model = self._unknown_model or model
            else:
                self.spent_usd += cost_usd

    def release(self, reserved: float) -> None:
        """Drop a reservation whose call failed without being charged."""
        with self._lock:
            self._in_flight -= reserved


class LLMClient:
    """An :class:`~cwmb.llm.protocol.LLM`: a backend plus cache, call log, budget and concurrency cap."""

    def __init__(
        self,
        backend: Backend,
        *,
        cache: ResponseCache | None = None,
        call_log: CallLog | None = None,
        budget: Budget | None = None,
        price: Price | None = None,
        max_tokens: int | None = None,
        semaphore: threading.BoundedSemaphore | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.backend = backend
        self.cache = cache
        self.call_log = call_log
        self.budget = budget or Budget()
        self.price = price
        self._max_tokens = max_tokens
        self._semaphore = semaphore or threading.BoundedSemaphore(4)
        self._clock = clock
        self._count_lock = threading.Lock()
        self.backend_calls = 0  # calls that reached the backend (not cache hits)
        self.cache_hits = 0
        self.startup_s = 0.0  # the backend's one-off start-up, apart from any call's latency
        self.provider_latency_s = 0.0  # summed over successful backend calls

    @property
    def name(self) -> str:
        """The backend's model label."""
        return self.backend.name

    def complete(self, request: LLMRequest) -> LLMResponse:
        """Answer ``request`` from the cache or the backend; log the call either way."""
        start = self._clock()
        parts = self.backend.cache_key_parts(request)
        key = ResponseCache.key_for(parts)
        cached = self.cache.get(key) if self.cache is not None else None
        if cached is not None:
            with self._count_lock:
                self.cache_hits += 1
            cached = self._priced(cached)
            return self._finish(request, cached, self._clock() - start, cache_hit=True, spent=0.0)
        call = _CallFacts(start)
        try:
            reserved = self.budget.reserve(self._prior_estimate(request))
        except CwmbError as problem:
            self._log_error(request, call, problem)
            raise
        try:
            with self._semaphore:
                completion = self._call_backend(request, call)
        except CwmbError as problem:
            self.budget.release(reserved)
            self._log_error(request, call, problem)
            raise
        except BaseException:  # a bug or Ctrl-C: free the reservation, let it propagate unlogged
            self.budget.release(reserved)
            raise
        self.budget.settle(reserved, completion.cost_usd, self.name)
        spent = completion.cost_usd
        if self.cache is not None:
            completion = self.cache.put(key, self.name, completion, parts)
        with self._count_lock:
            self.provider_latency_s += call.latency_s
        return self._finish(request, completion, call.latency_s, cache_hit=False, spent=spent, call=call)

    def _call_backend(self, request: LLMRequest, call: _CallFacts) -> Completion:
        """Start the backend up if needed (timed apart), then time the call itself."""
        with self._count_lock:
            self.backend_calls += 1
        if isinstance(self.backend, PreparedBackend):
            begin = self._clock()
            self.backend.prepare()
            call.startup_s = self._clock() - begin
            # A provider seed that the backend cannot compute (bad key) surfaces as its error.
            call.seed = self.backend.request_seed(request)
            with self._count_lock:
                self.startup_s += call.startup_s
        begin = self._clock()
        try:
            return self._priced(self.backend.generate(request))
        finally:
            call.latency_s = self._clock() - begin

    def _priced(self, completion: Completion) -> Completion:
        if self.price is None:
            return completion
        cost = self.price.cost(completion.tokens_in, completion.tokens_out)
        return dataclasses.replace(completion, cost_usd=cost)

    def _prior_estimate(self, request: LLMRequest) -> float:
        if self.price is None:
            return 0.0
        prompt_tokens = sum(rough_token_count(m.content) for m in request.messages)
        return self.price.cost(prompt_tokens, self._max_tokens or 0)

    def _finish(
        self,
        request: LLMRequest,
        completion: Completion,
        latency: float,
        *,
        cache_hit: bool,
        spent: float | None,
        call: _CallFacts | None = None,
    ) -> LLMResponse:
        response = LLMResponse(
            text=completion.text,
            model=self.name,
            tokens_in=completion.tokens_in,
            tokens_out=completion.tokens_out,
            cost_usd=completion.cost_usd,
            spent_usd=spent,
            latency_s=latency,
            cache_hit=cache_hit,
            simulated=self.backend.simulated,
        )
        self._log(
            request,
            completion.tokens_in,
            completion.tokens_out,
            completion.cost_usd,
            spent,
            latency,
            cache_hit,
            None,
            call,
        )
        return response

    def _log_error(self, request: LLMRequest, call: _CallFacts, problem: CwmbError) -> None:
        latency = call.latency_s if call.latency_s else self._clock() - call.start
        self._log(request, 0, 0, 0.0, 0.0, latency, False, problem.message, call)

    def _log(
        self,
        request: LLMRequest,
        tokens_in: int,
        tokens_out: int,
        cost: float | None,
        spent: float | None,
        latency: float,
        cache_hit: bool,
        error: str | None,
        call: _CallFacts | None,
    ) -> None:
        if self.call_log is None:
            return
        self.call_log.append(
            CallRecord(
                time=utc_now(),
                model=self.name,
                simulated=self.backend.simulated,
                action=request.action,
                sample_index=request.sample_index,
                env=request.env_name,
                prompt_hash=request.prompt_hash(),
                tokens_in=tokens_in,
                tokens_out=tokens_out,
                cost_usd=money(cost),
                spent_usd=money(spent),
                latency_s=round(latency, 6),
                cache_hit=cache_hit,
                error=error,
                seed=call.seed if call is not None else None,
                startup_s=round(call.startup_s, 6) if call is not None else 0.0,
            )
        )


class _CallFacts:
    """What one provider call measured: its start, start-up and latency seconds, and its seed."""

    def __init__(self, start: float) -> None:
        self.start = start
        self.startup_s = 0.0
        self.latency_s = 0.0
        self.seed: int | None = None
