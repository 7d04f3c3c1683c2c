"""The frozen records every search method produces: one per LLM call, one per node, one per run.

All methods return the same :class:`SearchResult`, whatever their structure (a tree for
GIF-MCTS, a pool of programs for WorldCoder/REx, independent samples for best-of-N), so
that the run directory, the reports and the anytime curves treat them alike. Node ids
are call numbers: node ``k`` was written by LLM call ``k`` (GIF-MCTS adds a root node 0
that holds no program).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

STOP_REASONS = ("perfect", "budget", "exhausted", "cost_cap")


def program_hash(program: str) -> str:
    """The short content hash naming a program (``candidates/<hash>.py``)."""
    return hashlib.sha256(program.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class StepRecord:
    """What one LLM call did: which node it expanded with which action, and what came out.

    ``best_node``/``best_accuracy`` are the best program *after* this call (the anytime
    curve). ``llm`` holds tokens, cost (None = unknown) and whether the answer came from
    the cache. ``extra`` is plain data specific to the method (GIF-MCTS: the selection
    path and the scores it compared; Thompson sampling: the draws and the updated Beta).
    """

    call: int
    node: int
    parent: int | None
    action: str
    accuracy: float
    perfect: bool
    status: str
    error: str | None
    program_hash: str
    best_node: int
    best_accuracy: float
    llm: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (one line of ``tree.jsonl``)."""
        return {
            "call": self.call,
            "node": self.node,
            "parent": self.parent,
            "action": self.action,
            "accuracy": self.accuracy,
            "perfect": self.perfect,
            "status": self.status,
            "error": self.error,
            "program_hash": self.program_hash,
            "best_node": self.best_node,
            "best_accuracy": self.best_accuracy,
            "llm": dict(self.llm),
            "extra": dict(self.extra),
        }


@dataclass(frozen=True)
class NodeRecord:
    """One program of the final tree or pool, with the method's statistics about it in ``extra``.

    ``program_hash`` is empty for GIF-MCTS's root, which holds no program.
    """

    id: int
    parent: int | None
    action: str
    depth: int
    call: int
    program_hash: str
    accuracy: float
    perfect: bool
    status: str
    error: str | None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "id": self.id,
            "parent": self.parent,
            "action": self.action,
            "depth": self.depth,
            "call": self.call,
            "program_hash": self.program_hash,
            "accuracy": self.accuracy,
            "perfect": self.perfect,
            "status": self.status,
            "error": self.error,
            "extra": dict(self.extra),
        }


@dataclass(frozen=True)
class SearchResult:
    """The record every method returns.

    ``curve[k]`` is the best accuracy after call ``k + 1`` (the anytime curve);
    ``stop_reason`` is one of :data:`STOP_REASONS` (``exhausted``: no action was left to
    take). ``cost_usd`` sums the known costs of the answers used; ``calls_unknown_cost``
    counts answers whose price was unknown. ``programs`` maps hashes to source.
    """

    method: str
    env: str
    best_program: str
    best_node: int | None
    best_accuracy: float
    perfect: bool
    curve: tuple[float, ...]
    steps: tuple[StepRecord, ...]
    nodes: tuple[NodeRecord, ...]
    programs: Mapping[str, str]
    calls: int
    budget: int
    tokens_in: int
    tokens_out: int
    cost_usd: float
    calls_unknown_cost: int
    stop_reason: str
    simulated: bool

    def summary(self) -> dict[str, Any]:
        """JSON-friendly summary (no program text)."""
        return {
            "method": self.method,
            "env": self.env,
            "best": {
                "node": self.best_node,
                "accuracy": self.best_accuracy,
                "perfect": self.perfect,
                "program_hash": program_hash(self.best_program) if self.best_node is not None else None,
            },
            "curve": list(self.curve),
            "calls": self.calls,
            "budget": self.budget,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "cost_usd": self.cost_usd,
            "calls_unknown_cost": self.calls_unknown_cost,
            "stop_reason": self.stop_reason,
            "simulated": self.simulated,
            "nodes": [n.as_dict() for n in self.nodes],
        }
