"""The accuracy ceiling of observation-only world models on the MuJoCo envs, and where it comes from.

:func:`measure_ceiling` scores the observation-only reference model of an env on a dataset
(by default the shipped one) under both metrics and keeps the errors behind the score: the
largest error per state dimension, how many transitions each dimension fails, the reward
errors, the ``done`` flips, and the tolerance each part would need to pass everywhere.
``benchmarks/ceilings.py`` prints them; ``docs/ceilings.md`` explains them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cwmb.benchmark.reference import predict_in_process
from cwmb.benchmark.reference_mujoco import mujoco_reference_class
from cwmb.benchmark.registry import get_env
from cwmb.predictions import Predictions
from cwmb.scoring import ScoreResult, score, tolerance_for
from cwmb.trajectories import load_dataset
from cwmb.trajectories.dataset import Dataset
from cwmb.trajectories.locate import packaged_dataset_root


@dataclass(frozen=True)
class Ceiling:
    """The reference model's scores on one dataset, and the errors that keep them below 1."""

    env: str
    default: ScoreResult
    original: ScoreResult
    state_error: np.ndarray  # (obs_dim,) largest |predicted - true| per state dimension
    state_failures: np.ndarray  # (obs_dim,) transitions where that dimension is out of tolerance
    reward_error: np.ndarray  # (n,) |predicted - true| reward per transition
    done_flips: int
    # The smallest t with |error| <= t + t |truth| on every transition (rtol = atol = t).
    state_tolerance_needed: float
    reward_tolerance_needed: float

    def worst_dimensions(self, count: int = 3) -> list[tuple[int, float, int]]:
        """``(dimension, max |error|, failing transitions)`` of the dimensions failing most often."""
        order = np.lexsort((-self.state_error, -self.state_failures))
        return [
            (int(d), float(self.state_error[d]), int(self.state_failures[d]))
            for d in order[:count]
            if self.state_failures[d] > 0
        ]


def shipped_dataset(env_name: str) -> Dataset:
    """The dataset shipped with cwmb for ``env_name`` (never a working directory's own)."""
    return load_dataset(packaged_dataset_root(), get_env(env_name).name)


def needed_tolerance(truth: np.ndarray, predicted: np.ndarray) -> float:
    """The smallest common rtol = atol under which every element of ``predicted`` matches ``truth``."""
    return float(np.max(np.abs(predicted - truth) / (1.0 + np.abs(truth))))


def ceiling_from_predictions(dataset: Dataset, predictions: Predictions) -> Ceiling:
    """Score ``predictions`` (the reference model's) on ``dataset`` and collect their errors."""
    tol = tolerance_for(dataset.env)
    truth = dataset.next_states.astype(np.float64)
    state_diff = np.abs(predictions.next_states - truth)
    state_bad = ~np.isclose(predictions.next_states, truth, rtol=tol.rtol, atol=tol.atol)
    return Ceiling(
        env=dataset.env,
        default=score(dataset, predictions),
        original=score(dataset, predictions, metric="original"),
        state_error=state_diff.max(axis=0),
        state_failures=state_bad.sum(axis=0),
        reward_error=np.abs(predictions.rewards - dataset.rewards),
        done_flips=int((predictions.dones != dataset.terminated).sum()),
        state_tolerance_needed=needed_tolerance(truth, predictions.next_states),
        reward_tolerance_needed=needed_tolerance(dataset.rewards.astype(np.float64), predictions.rewards),
    )


def measure_ceiling(env_name: str, dataset: Dataset | None = None) -> Ceiling:
    """The ceiling of ``env_name`` on ``dataset`` (default: the shipped dataset)."""
    data = dataset if dataset is not None else shipped_dataset(env_name)
    return ceiling_from_predictions(data, predict_in_process(mujoco_reference_class(env_name), data))
