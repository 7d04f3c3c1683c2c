"""What every search method shares: one LLM call per step, extraction, evaluation and bookkeeping.

A method decides *what* to ask (which action, from which program); a :class:`Session`
does the asking: it renders the prompt, picks the request's sample index, calls the LLM,
extracts the program, evaluates it, and after the method has placed the result in its
tree or pool, records the step (best program so far, anytime curve, tokens, cost) and
tells the observers. It also owns the stopping rules: the call budget, a perfect
program (``Evaluation.perfect``, never a float compared with 1.0) and the cost cap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from cwmb.llm import LLM, BudgetExceeded, LLMRequest, LLMResponse
from cwmb.llm.protocol import stable_hash
from cwmb.methods.evaluation import NO_CODE_MESSAGE, Evaluation, Evaluator, failed
from cwmb.methods.extraction import Extraction, continue_program, extract_program
from cwmb.methods.records import NodeRecord, SearchResult, StepRecord, program_hash
from cwmb.prompts import fix_messages, generate_messages, improve_messages

# Sample index of the k-th identical request of a run with seed s: s * SEED_STRIDE + k. Runs with
# different seeds therefore draw different samples (different cache entries), while the same seed
# replays the same ones, and different methods with the same seed share their first answers.
SEED_STRIDE = 10_000
ACTIONS = ("generate", "improve", "fix")


@dataclass(frozen=True)
class Task:
    """The problem a search solves: its name, its prompt description (with the contract) and prompt set.

    ``prompts`` names the templates' set (``cwmb.prompts``): ``cwmb`` for world models,
    a domain's own (``apps``) otherwise.
    """

    env_name: str
    description: str
    prompts: str = "cwmb"


@dataclass(frozen=True)
class Candidate:
    """One LLM answer turned into a program and evaluated."""

    action: str
    program: str
    evaluation: Evaluation
    extraction: Extraction
    response: LLMResponse


class SearchObserver(Protocol):
    """Told about every call: before it (to show the current action) and after it (to record it)."""

    def before_call(self, call: int, action: str, parent: int | None) -> None:
        """Call number ``call`` is about to ask the LLM for ``action`` on node ``parent``."""
        ...

    def after_call(self, step: StepRecord, program: str, evaluation: Evaluation) -> None:
        """Call ``step.call`` is finished and recorded."""
        ...


class Session:
    """One search run's shared machinery; see the module docstring.

    ``seed`` seeds :attr:`rng` (the method's only source of randomness) and selects the
    stream of LLM samples (:data:`SEED_STRIDE`).
    """

    def __init__(
        self,
        task: Task,
        llm: LLM,
        evaluator: Evaluator,
        *,
        budget: int,
        seed: int = 0,
        observers: Sequence[SearchObserver] = (),
    ) -> None:
        if budget < 1 or budget >= SEED_STRIDE:
            raise ValueError(f"budget must be between 1 and {SEED_STRIDE - 1} LLM calls")
        if seed < 0:
            raise ValueError("seed must be >= 0")
        self.task = task
        self.llm = llm
        self.evaluator = evaluator
        self.budget = budget
        self.seed = seed
        self.observers = tuple(observers)
        self.rng = np.random.default_rng(seed)
        self.calls = 0
        self.stop_reason: str | None = None
        self.steps: list[StepRecord] = []
        self.programs: dict[str, str] = {}
        self._repeats: Counter[str] = Counter()
        self._best: tuple[int, float, str, bool] | None = None
        self._usage = {"tokens_in": 0, "tokens_out": 0, "cost_usd": 0.0, "calls_unknown_cost": 0}
        self._simulated = False
        self._evaluations: dict[str, Evaluation] = {}

    @property
    def finished(self) -> bool:
        """True once a stopping rule fired or the budget is spent."""
        return self.stop_reason is not None or self.calls >= self.budget

    def stop(self, reason: str) -> None:
        """Stop the search (``exhausted``: the method has nothing left to try)."""
        self.stop_reason = self.stop_reason or reason

    def propose(
        self,
        action: str,
        *,
        parent: int | None,
        prefix: str = "",
        program: str = "",
        feedback: str = "",
        error: str = "",
        continue_prefix: bool = True,
        reformat: Callable[[str], str] | None = None,
    ) -> Candidate | None:
        """Make one LLM call for ``action`` and evaluate the program; None when the cost cap stops it.

        generate continues ``prefix`` (empty: a fresh program); improve rewrites ``program``
        given ``feedback``; fix repairs ``program`` given ``error``. ``continue_prefix`` False
        takes a generate answer as the whole program, and ``reformat`` rewrites every program
        before it is scored (both for ``fidelity: original``).
        """
        if self.finished:
            raise RuntimeError("the session is finished: no call is left")
        request = self._request(action, prefix, program, feedback, error)
        for observer in self.observers:
            observer.before_call(self.calls + 1, action, parent)
        try:
            response = self.llm.complete(request)
        except BudgetExceeded:
            self.stop("cost_cap")
            return None
        self.calls += 1
        extraction = extract_program(response.text)
        source = extraction.code
        if action == "generate" and continue_prefix:
            source = continue_program(prefix, source)
        if reformat is not None and source.strip():
            source = reformat(source)
        return Candidate(action, source, self._evaluate(source), extraction, response)

    def _request(self, action: str, prefix: str, program: str, feedback: str, error: str) -> LLMRequest:
        description, prompts = self.task.description, self.task.prompts
        if action == "generate":
            messages, subject = generate_messages(description, prefix, prompts), prefix or None
        elif action == "improve":
            messages, subject = improve_messages(description, program, feedback, prompts), program
        elif action == "fix":
            messages, subject = fix_messages(description, program, error, prompts), program
        else:
            raise ValueError(f"action must be one of {ACTIONS}, not {action!r}")
        key = stable_hash([messages, action, subject])
        index = self.seed * SEED_STRIDE + self._repeats[key]
        self._repeats[key] += 1
        return LLMRequest.chat(
            messages, action=action, sample_index=index, env_name=self.task.env_name, program=subject
        )

    def _evaluate(self, source: str) -> Evaluation:
        """Evaluate once per distinct program (models often repeat themselves)."""
        if not source.strip():
            # A domain's evaluator may word this for its programs (APPS has no `Environment`).
            return failed("no_code", getattr(self.evaluator, "no_code_message", NO_CODE_MESSAGE))
        digest = program_hash(source)
        if digest not in self._evaluations:
            self._evaluations[digest] = self.evaluator.evaluate(source)
        return self._evaluations[digest]

    def record(
        self,
        candidate: Candidate,
        *,
        node: int,
        parent: int | None,
        extra: Mapping[str, Any] | None = None,
    ) -> StepRecord:
        """Record the call that produced ``candidate`` (now node ``node``), update the best, notify."""
        evaluation, response = candidate.evaluation, candidate.response
        digest = program_hash(candidate.program)
        self.programs[digest] = candidate.program
        improved = self._best is None or evaluation.accuracy > self._best[1]
        if improved:
            self._best = (node, evaluation.accuracy, candidate.program, evaluation.perfect)
        self._account(response)
        assert self._best is not None
        step = StepRecord(
            call=self.calls,
            node=node,
            parent=parent,
            action=candidate.action,
            accuracy=evaluation.accuracy,
            perfect=evaluation.perfect,
            status=evaluation.status,
            error=evaluation.error,
            program_hash=digest,
            best_node=self._best[0],
            best_accuracy=self._best[1],
            llm={
                "tokens_in": response.tokens_in,
                "tokens_out": response.tokens_out,
                "cost_usd": response.cost_usd,
                "cache_hit": response.cache_hit,
            },
            extra=dict(extra or {}),
        )
        self.steps.append(step)
        for observer in self.observers:
            observer.after_call(step, candidate.program, evaluation)
        if evaluation.perfect:
            self.stop("perfect")
        elif self.calls >= self.budget:
            self.stop("budget")
        return step

    def _account(self, response: LLMResponse) -> None:
        self._usage["tokens_in"] += response.tokens_in
        self._usage["tokens_out"] += response.tokens_out
        if response.cost_usd is None:
            self._usage["calls_unknown_cost"] += 1
        else:
            self._usage["cost_usd"] += response.cost_usd
        self._simulated = self._simulated or response.simulated

    def result(self, method: str, nodes: Sequence[NodeRecord]) -> SearchResult:
        """The run's :class:`SearchResult` (call when the search loop is over)."""
        if self.stop_reason is None:
            self.stop("budget" if self.calls >= self.budget else "exhausted")
        best_node, best_accuracy, best_program, perfect = self._best or (None, 0.0, "", False)
        return SearchResult(
            method=method,
            env=self.task.env_name,
            best_program=best_program,
            best_node=best_node,
            best_accuracy=best_accuracy,
            perfect=perfect,
            curve=tuple(s.best_accuracy for s in self.steps),
            steps=tuple(self.steps),
            nodes=tuple(nodes),
            programs=dict(self.programs),
            calls=self.calls,
            budget=self.budget,
            tokens_in=int(self._usage["tokens_in"]),
            tokens_out=int(self._usage["tokens_out"]),
            cost_usd=float(self._usage["cost_usd"]),
            calls_unknown_cost=int(self._usage["calls_unknown_cost"]),
            stop_reason=str(self.stop_reason),
            simulated=self._simulated,
        )
