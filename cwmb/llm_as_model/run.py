"""Run the direct-prediction experiment for one env: queries, answers, score, timings."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from cwmb.benchmark.registry import EnvSpec
from cwmb.llm.protocol import LLM, LLMRequest
from cwmb.llm_as_model.prompting import Shot, parse_answer, prediction_messages
from cwmb.predictions import Predictions
from cwmb.scoring import score
from cwmb.trajectories.dataset import Dataset


@dataclass(frozen=True)
class DirectPredictionResult:
    """What the LLM-as-model experiment found on one env (Table 8's row, and more)."""

    env: str
    model: str
    simulated: bool
    transitions: int
    shots: int
    unparseable: int
    accuracy: float
    accuracy_original: float
    correct: int  # transitions with next state, reward and done all right (default metric)
    llm_seconds: list[float]
    cache_hits: int
    problems: list[str] = field(default_factory=list)

    @property
    def llm_median_seconds(self) -> float | None:
        """Median provider time per transition (cache hits left out); None if all were cached."""
        return statistics.median(self.llm_seconds) if self.llm_seconds else None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the result file and --json."""
        return {**self.__dict__, "llm_median_seconds": self.llm_median_seconds}


def _subset(data: Dataset, rows: np.ndarray) -> Dataset:
    """The transitions ``rows`` of ``data`` as a dataset of their own."""
    names = ("trajectory", "step", "states", "actions", "rewards", "next_states", "terminated", "truncated")
    return replace(data, **{name: getattr(data, name)[rows] for name in names})


def choose_rows(n: int, transitions: int, shots: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct query rows and shot rows (never overlapping), drawn with ``seed``."""
    order = np.random.default_rng(seed).permutation(n)
    transitions = min(transitions, n)
    return np.sort(order[:transitions]), order[transitions : transitions + shots]


def run_llm_as_model(
    spec: EnvSpec,
    data: Dataset,
    llm: LLM,
    description: str,
    *,
    transitions: int = 10,
    shots: int = 2,
    seed: int = 0,
) -> tuple[DirectPredictionResult, Dataset]:
    """Ask ``llm`` to predict ``transitions`` recorded transitions; score and time its answers.

    Returns the result (without the CWM's row, which the caller measures) and the queried
    transitions as a dataset, so that a CWM can be timed on exactly the same ones.
    """
    queries, shot_rows = choose_rows(len(data), transitions, shots, seed)
    examples = [
        Shot(
            data.states[i],
            data.actions[i],
            data.next_states[i],
            float(data.rewards[i]),
            bool(data.terminated[i]),
        )
        for i in shot_rows
    ]
    dim = data.next_states.shape[1]
    next_states = np.full((len(queries), dim), np.nan)
    rewards, dones = np.full(len(queries), np.nan), np.zeros(len(queries), dtype=bool)
    valid, problems, seconds, hits, simulated = np.zeros(len(queries), dtype=bool), [], [], 0, False
    for k, i in enumerate(queries):
        messages = prediction_messages(
            description, examples, data.states[i], data.actions[i], data.obs_kind, data.action_kind
        )
        response = llm.complete(LLMRequest.chat(messages, sample_index=seed, env_name=spec.name))
        simulated = simulated or response.simulated
        if response.cache_hit:
            hits += 1
        else:
            seconds.append(response.latency_s)  # the call alone: parsing comes after
        answer = parse_answer(response.text, dim)
        problems.append(answer.problem)
        if answer.next_state is not None:
            next_states[k], rewards[k], dones[k], valid[k] = (
                answer.next_state,
                answer.reward,
                answer.done,
                True,
            )
    queried = _subset(data, queries)
    predictions = Predictions(next_states, rewards, dones, valid, tuple(problems))
    scored = score(queried, predictions)
    result = DirectPredictionResult(
        env=spec.name,
        model=llm.name,
        simulated=simulated,
        transitions=len(queries),
        shots=len(examples),
        unparseable=int((~valid).sum()),
        accuracy=scored.accuracy,
        accuracy_original=score(queried, predictions, "original").accuracy,
        correct=scored.n_correct,
        llm_seconds=seconds,
        cache_hits=hits,
        problems=[p for p in problems if p],
    )
    return result, queried
