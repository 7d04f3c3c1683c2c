"""The plug-in contract of a program-search method, and the settings every method shares.

A method is a class with a ``name``, a frozen ``config`` (a :class:`SearchConfig`
subclass: the shared settings plus its own) and ``run(task, llm, evaluator, ...)``
returning a :class:`~cwmb.methods.records.SearchResult`. Dependencies come in as
arguments: the LLM (anything with ``complete``), the evaluator (anything with
``evaluate``) and the observers, so tests pass a scripted LLM and a fake evaluator.

Adding a method: copy ``baselines.py`` (the simplest), subclass :class:`SessionMethod`
and implement ``search(session)``, give it a config dataclass, register it with
:func:`cwmb.methods.registry.register_method`, and add ``configs/methods/<name>.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

from cwmb.llm import LLM
from cwmb.methods.evaluation import Evaluator
from cwmb.methods.records import SearchResult
from cwmb.methods.session import SearchObserver, Session, Task
from cwmb.scoring import METRICS


@dataclass(frozen=True)
class SearchConfig:
    """Settings every method has.

    ``budget`` is the number of LLM calls (the paper: 50 for Llama 3 70B, 10 for GPT-4
    Turbo); ``metric`` the accuracy metric (``default`` or ``original``) that also decides
    when a program is perfect; ``feedback_transitions`` how many failing transitions an
    improve prompt shows (the original showed 1); ``eval_timeout_s`` the sandbox's
    wall-clock limit for scoring one program.
    """

    budget: int = 50
    metric: str = "default"
    feedback_transitions: int = 1
    eval_timeout_s: float = 10.0

    def __post_init__(self) -> None:
        if self.budget < 1:
            raise ValueError("budget must be at least 1 LLM call")
        if self.metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, not {self.metric!r}")
        if self.feedback_transitions < 1:
            raise ValueError("feedback_transitions must be at least 1")
        if self.eval_timeout_s <= 0:
            raise ValueError("eval_timeout_s must be positive")

    @classmethod
    def keys_without_effect(cls, values: Mapping[str, Any]) -> dict[str, str]:
        """Keys of ``values`` (a config as written) that this method would ignore, with the reason.

        A config that sets such a key is refused (:mod:`cwmb.config_keys`), so nobody
        believes an ablation or a setting took effect when it did not. Methods override
        this; every key has an effect by default.
        """
        return {}


@runtime_checkable
class SearchMethod(Protocol):
    """A program-search method (see the module docstring)."""

    name: str
    config: Any

    def run(
        self,
        task: Task,
        llm: LLM,
        evaluator: Evaluator,
        *,
        seed: int = 0,
        observers: Sequence[SearchObserver] = (),
    ) -> SearchResult:
        """Search for a world model of ``task`` with at most ``config.budget`` LLM calls."""
        ...


class SessionMethod:
    """Base for methods built on a :class:`Session`: ``run`` makes one, ``search`` uses it."""

    name: ClassVar[str] = "method"

    def __init__(self, config: SearchConfig) -> None:
        self.config = config

    def run(
        self,
        task: Task,
        llm: LLM,
        evaluator: Evaluator,
        *,
        seed: int = 0,
        observers: Sequence[SearchObserver] = (),
    ) -> SearchResult:
        """Search for a world model of ``task`` with at most ``config.budget`` LLM calls."""
        session = Session(task, llm, evaluator, budget=self.config.budget, seed=seed, observers=observers)
        return self.search(session)

    def search(self, session: Session) -> SearchResult:
        """The algorithm: ask through ``session`` until it is finished, then return its result."""
        raise NotImplementedError
