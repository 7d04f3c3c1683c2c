"""Resuming a killed run: replay the LLM answers it already received, reuse the evaluations it made.

A search is deterministic given its seed, its LLM answers and its evaluations, so a
killed run resumes by running again from the start: :class:`JournaledLLM` answers the
first calls from the run's ``completions.jsonl`` journal (no LLM, no cache, no cost) as
long as each request is the one recorded, and :class:`StoredEvaluator` returns the
evaluations stored next to the candidates instead of running the programs again. The
search therefore retraces the same decisions up to where it stopped and continues with
new calls from there, ending where an uninterrupted run would have ended.

A request that differs from the recorded one (the code or the prompts changed) ends the
replay: the journal is cut at that call and the run goes on with real calls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cwmb.llm import LLM, LLMRequest, LLMResponse
from cwmb.llm.protocol import stable_hash
from cwmb.methods.evaluation import NO_CODE_MESSAGE, Evaluation, Evaluator
from cwmb.methods.rundir import SCHEMA_VERSION, RunDirectory, append_line, keep_first_lines, read_lines


def request_fingerprint(request: LLMRequest) -> str:
    """A hash of everything a request asks (messages, action, sample index, env, program)."""
    return stable_hash(
        [request.message_dicts(), request.action, request.sample_index, request.env_name, request.program]
    )


class JournaledLLM:
    """An :class:`~cwmb.llm.LLM` that journals every answer and replays the journal first (module docstring).

    Replayed answers come back exactly as first received (same text, tokens, cost and
    cache flag), except ``spent_usd`` = 0: nothing is paid again.
    """

    def __init__(self, inner: LLM, journal: Path) -> None:
        self.inner = inner
        self.journal = journal
        self._records = read_lines(journal)
        self._position = 0
        self.replayed = 0
        self.new_calls = 0
        self.diverged_at: int | None = None

    @property
    def name(self) -> str:
        """The wrapped model's name."""
        return self.inner.name

    @property
    def recorded(self) -> int:
        """Answers in the journal when the run started."""
        return len(self._records)

    def complete(self, request: LLMRequest) -> LLMResponse:
        """Replay the recorded answer of this call if it matches; otherwise ask the LLM and journal it."""
        fingerprint = request_fingerprint(request)
        index = self._position
        if index < len(self._records):
            record = self._records[index]
            if record.get("fingerprint") == fingerprint:
                self._position += 1
                self.replayed += 1
                return _response(record)
            self.diverged_at = index + 1
            keep_first_lines(self.journal, index)
            self._records = self._records[:index]
        response = self.inner.complete(request)
        record = _record(index + 1, fingerprint, request, response)
        append_line(self.journal, record)
        self._records.append(record)
        self._position += 1
        self.new_calls += 1
        return response


def _record(call: int, fingerprint: str, request: LLMRequest, response: LLMResponse) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "call": call,
        "fingerprint": fingerprint,
        "action": request.action,
        "sample_index": request.sample_index,
        "model": response.model,
        "simulated": response.simulated,
        "text": response.text,
        "tokens_in": response.tokens_in,
        "tokens_out": response.tokens_out,
        "cost_usd": response.cost_usd,
        "latency_s": response.latency_s,
        "cache_hit": response.cache_hit,
    }


def _response(record: dict[str, Any]) -> LLMResponse:
    return LLMResponse(
        text=record["text"],
        model=record["model"],
        tokens_in=int(record["tokens_in"]),
        tokens_out=int(record["tokens_out"]),
        cost_usd=record.get("cost_usd"),
        spent_usd=0.0,
        latency_s=float(record.get("latency_s", 0.0)),
        cache_hit=bool(record.get("cache_hit", False)),
        simulated=bool(record.get("simulated", False)),
    )


class StoredEvaluator:
    """An :class:`~cwmb.methods.evaluation.Evaluator` that stores every program and evaluation in the run.

    A program evaluated by an earlier session of the run is not run again: its stored
    evaluation is returned, so a resumed run sees exactly what the first one saw (even
    where a timeout could go either way under load).
    """

    def __init__(self, inner: Evaluator, run_dir: RunDirectory) -> None:
        self.inner = inner
        self.run_dir = run_dir
        self.reused = 0

    @property
    def no_code_message(self) -> str:
        """The wrapped evaluator's message for an answer without a program (else the default one)."""
        return str(getattr(self.inner, "no_code_message", NO_CODE_MESSAGE))

    def evaluate(self, source: str) -> Evaluation:
        """The stored evaluation of ``source``, or a fresh one (then stored)."""
        stored = self.run_dir.stored_evaluation(source)
        if stored is not None:
            self.reused += 1
            return stored
        evaluation = self.inner.evaluate(source)
        self.run_dir.store_candidate(source, evaluation)
        return evaluation
