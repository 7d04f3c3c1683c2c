"""The records of scoring, below both metrics: tolerances, results and elementwise matching.

:mod:`cwmb.scoring` (the default metric, feedback) and :mod:`cwmb.scoring_original` (the
original code's metric) both build on this module, so imports run one way:
``scoring -> scoring_original -> scoring_records``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

DEFAULT_RTOL = 1e-5
DEFAULT_ATOL = 1e-5


@dataclass(frozen=True)
class Tolerance:
    """Tolerances of the float comparisons: ``|pred - true| <= atol + rtol * |true|``.

    The reward tolerances default to the state ones.
    """

    rtol: float = DEFAULT_RTOL
    atol: float = DEFAULT_ATOL
    reward_rtol: float | None = None
    reward_atol: float | None = None

    def for_reward(self) -> tuple[float, float]:
        """(rtol, atol) for rewards."""
        rtol = self.rtol if self.reward_rtol is None else self.reward_rtol
        atol = self.atol if self.reward_atol is None else self.reward_atol
        return rtol, atol


@dataclass(frozen=True)
class ScoreRecord:
    """What every domain's accuracy record holds (CWMB's :class:`ScoreResult`, RTFM's result).

    ``state``, ``reward`` and ``done`` are the fractions of transitions whose part is correct.
    ``perfect`` and ``failing`` come from per-transition booleans, never from the float
    accuracy, so a float sum that misses 1.0 by an ulp changes nothing. A domain that
    judges more parts lists them in :meth:`extra_parts`.
    """

    metric: str
    env: str
    accuracy: float
    state: float
    reward: float
    done: float
    n: int
    n_correct: int
    perfect: bool
    failing: tuple[int, ...]

    def extra_parts(self) -> dict[str, Any]:
        """The domain's further parts, written after ``done`` in :meth:`as_dict` (none here)."""
        return {}

    def as_dict(self, max_failing: int = 20) -> dict[str, Any]:
        """JSON-friendly summary (the first ``max_failing`` failing indices only)."""
        return {
            "metric": self.metric,
            "env": self.env,
            "accuracy": self.accuracy,
            "state": self.state,
            "reward": self.reward,
            "done": self.done,
            **self.extra_parts(),
            "n": self.n,
            "n_correct": self.n_correct,
            "perfect": self.perfect,
            "n_failing": len(self.failing),
            "failing": list(self.failing[:max_failing]),
        }


@dataclass(frozen=True)
class ScoreResult(ScoreRecord):
    """Accuracy of one model on one dataset under one metric.

    For ``original``, ``state`` counts only the transitions where the state is judged (the
    non-terminal ones). ``tolerance`` is what the float comparisons used.
    """

    tolerance: Tolerance
    # Per-transition correctness of each part, for feedback; not part of the record's identity.
    state_ok: np.ndarray = field(repr=False, compare=False)
    reward_ok: np.ndarray = field(repr=False, compare=False)
    done_ok: np.ndarray = field(repr=False, compare=False)


def element_matches(truth: np.ndarray, predicted: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """Elementwise correctness: ``np.isclose`` for float truth, equality for integer truth.

    NaN never matches. Integer truth is compared exactly (in float64, exact below 2**53).
    """
    if np.issubdtype(truth.dtype, np.floating):
        return np.isclose(predicted, truth.astype(np.float64), rtol=rtol, atol=atol)
    return predicted == truth
