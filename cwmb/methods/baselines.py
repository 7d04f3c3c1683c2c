"""The simplest methods: best-of-N independent programs, and zero-shot (one program).

This is the file to copy when adding a method: a config dataclass, a class with a
``search(session)`` loop that asks through the session, and a registration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cwmb.methods.base import SearchConfig, SessionMethod
from cwmb.methods.records import NodeRecord, SearchResult
from cwmb.methods.registry import register_method
from cwmb.methods.session import Session


@dataclass(frozen=True)
class BestOfNConfig(SearchConfig):
    """Best-of-N: ``budget`` independent generate calls (N = budget)."""

    @classmethod
    def keys_without_effect(cls, values: Mapping[str, Any]) -> dict[str, str]:
        """``feedback_transitions``: a generate prompt shows no feedback."""
        return {"feedback_transitions": "this method only generates, and a generate prompt shows no feedback"}


@register_method("best_of_n", BestOfNConfig, "best-of-N: independent programs, keep the best")
class BestOfN(SessionMethod):
    """Write ``budget`` programs from scratch, each independently; keep the most accurate."""

    def search(self, session: Session) -> SearchResult:
        """Generate until the budget is spent or a program is perfect."""
        nodes: list[NodeRecord] = []
        while not session.finished:
            candidate = session.propose("generate", parent=None)
            if candidate is None:
                break
            evaluation = candidate.evaluation
            step = session.record(candidate, node=session.calls, parent=None)
            nodes.append(
                NodeRecord(
                    id=step.node,
                    parent=None,
                    action="generate",
                    depth=1,
                    call=step.call,
                    program_hash=step.program_hash,
                    accuracy=evaluation.accuracy,
                    perfect=evaluation.perfect,
                    status=evaluation.status,
                    error=evaluation.error,
                )
            )
        return session.result(self.name, nodes)


@dataclass(frozen=True)
class ZeroShotConfig(BestOfNConfig):
    """Zero-shot: exactly one generate call."""

    budget: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.budget != 1:
            raise ValueError("zero_shot makes exactly one LLM call (budget 1); use best_of_n for more")


@register_method("zero_shot", ZeroShotConfig, "zero-shot: one program, no feedback")
class ZeroShot(BestOfN):
    """One generate call: the program as first written."""
