"""CEM planning through a world model: score plans by stepping the model, plan open loop.

:func:`cwmb.planning.cem.cem_plan` knows nothing about models; :class:`CEMPlanner` gives
it the returns of a batch of plans, each rolled out from the same saved state through a
:class:`PlanningModel` with the undiscounted sum of rewards, stopping at ``done`` (as the
original). The episode runner executes the returned plan open loop until it is used up
and then asks for a new one, as the original did (no receding-horizon MPC).

Differences from the original (``src/cem/cem*.py``, ``src/environments/planning.py``):

* the horizon is clipped to the steps left in the episode, not only to the episode
  length; with the paper's settings the two agree (every replan starts at a multiple of
  the horizon), and with short episode caps no model steps are spent past the cap;
* ``cem_plan`` returns the best plan seen in any iteration, not the best of the last one,
  so extra iterations never make the plan worse;
* the generator is seeded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from cwmb.planning.cem import CEMSettings, cem_plan
from cwmb.planning.world_model import PlanningModel


def plan_returns(model: PlanningModel, token: Any, plans: np.ndarray) -> np.ndarray:
    """Undiscounted return of each plan ``(samples, horizon, action_dim)`` from ``token``.

    Each rollout stops at the first ``done``: rewards after termination do not count.
    """
    totals = np.zeros(plans.shape[0], dtype=np.float64)
    for index, plan in enumerate(plans):
        model.load(token)
        total = 0.0
        for action in plan:
            _, reward, done = model.step(action)
            total += reward
            if done:
                break
        totals[index] = total
    return totals


def population_returns(model: PlanningModel, token: Any) -> Callable[[np.ndarray], np.ndarray]:
    """The returns function CEM calls: the model's own ``plan_returns`` if it has one.

    A model that scores a whole population itself (the MuJoCo oracle,
    :class:`~cwmb.planning.mujoco_oracle.MujocoOracleModel`) does it with less work per step;
    any other model is stepped one action at a time by :func:`plan_returns`.
    """
    batch = getattr(model, "plan_returns", None)
    if callable(batch):
        return lambda plans: batch(token, plans)
    return lambda plans: plan_returns(model, token, plans)


class CEMPlanner:
    """Plans open-loop action sequences with CEM for a Box action space ``[low, high]``."""

    def __init__(self, low: Any, high: Any, settings: CEMSettings | None = None, seed: int = 0) -> None:
        self.low = np.asarray(low, dtype=np.float64).reshape(-1)
        self.high = np.asarray(high, dtype=np.float64).reshape(-1)
        if self.low.shape != self.high.shape or np.any(self.low > self.high):
            raise ValueError("CEM needs matching bounds with low <= high")
        self.settings = settings or CEMSettings()
        self.rng = np.random.default_rng(seed)

    def plan(self, model: PlanningModel, token: Any, steps_left: int | None = None) -> list[np.ndarray]:
        """Return a plan of ``min(horizon, steps_left)`` float64 actions, best first to last."""
        horizon = self.settings.horizon if steps_left is None else min(self.settings.horizon, steps_left)
        horizon = max(horizon, 1)
        settings = dataclasses.replace(self.settings, horizon=horizon)
        # The original starts every replan from the middle of the bounds (not a shifted plan).
        init_mean = np.broadcast_to((self.low + self.high) / 2.0, (horizon, self.low.shape[0]))
        best = cem_plan(
            population_returns(model, token),
            self.low,
            self.high,
            settings,
            self.rng,
            init_mean,
        )
        return [np.array(action, dtype=np.float64) for action in best]
