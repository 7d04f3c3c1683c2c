"""The cross-entropy method over open-loop action sequences.

CEM here knows nothing about environments: it asks a callable for the returns of a batch
of action sequences and refits a diagonal Gaussian to the best of them. The same code
plans on the true environment (through exact snapshots), on a reference model, or on a
generated world model inside the sandbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

ReturnsFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class CEMSettings:
    """CEM hyperparameters. The paper's: horizon 100, 20 iterations, 1000 samples, 100 elites.

    ``init_std_scale`` times ``max(|low|, |high|)`` is the initial standard deviation per
    action dimension (the paper uses one half).
    """

    horizon: int = 100
    iterations: int = 20
    samples: int = 1000
    elites: int = 100
    init_std_scale: float = 0.5
    min_std: float = 1e-3


def cem_plan(
    returns_of: ReturnsFn,
    low: np.ndarray,
    high: np.ndarray,
    settings: CEMSettings,
    rng: np.random.Generator,
    init_mean: np.ndarray | None = None,
) -> np.ndarray:
    """Return the best open-loop plan, shape ``(horizon, action_dim)``, clipped to bounds.

    ``returns_of(plans)`` takes an array ``(samples, horizon, action_dim)`` and returns the
    return of each plan. The best plan seen in any iteration is returned (not just the
    final mean), so more iterations never give a worse plan.
    """
    low = np.asarray(low, dtype=np.float64)
    high = np.asarray(high, dtype=np.float64)
    shape = (settings.horizon, low.shape[0])
    mean = np.zeros(shape) if init_mean is None else np.asarray(init_mean, dtype=np.float64)
    std = np.broadcast_to(settings.init_std_scale * np.maximum(np.abs(low), np.abs(high)), shape).copy()
    best_plan, best_return = np.clip(mean, low, high), -np.inf
    for _ in range(settings.iterations):
        noise = rng.standard_normal((settings.samples, *shape))
        plans = np.clip(mean + std * noise, low, high)
        returns = np.asarray(returns_of(plans), dtype=np.float64)
        order = np.argsort(-returns, kind="stable")
        if returns[order[0]] > best_return:
            best_return, best_plan = float(returns[order[0]]), plans[order[0]]
        elite = plans[order[: settings.elites]]
        mean = elite.mean(axis=0)
        std = np.maximum(elite.std(axis=0), settings.min_std)
    return best_plan
