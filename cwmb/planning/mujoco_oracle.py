"""The oracle's simulator for MuJoCo envs at physics speed: MuJoCo stepped directly.

:class:`~cwmb.planning.world_model.TrueEnvModel` goes through gymnasium's ``env.step``,
which on this machine kind costs about 1.6x the physics on HalfCheetah (shape checks,
observation arrays and info dicts the planner never reads). :class:`MujocoOracleModel`
is the same simulator without that: restore the exact ``MjData``, set the controls,
``mj_step`` x frame_skip, and compute reward and termination with gymnasium's own
formulas (:mod:`cwmb.planning.mujoco_rewards`). Its tokens are the same exact
:class:`~cwmb.benchmark.snapshot.Snapshot` objects, so the two are interchangeable and give
bit-identical returns (tested).

For CEM it also offers :meth:`MujocoOracleModel.plan_returns`, which scores a whole
population: control costs for every plan at once, then one tight loop per plan that builds
no observation and skips ``mj_rnePostConstraint`` unless the reward needs contact forces.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cwmb.benchmark.snapshot import Snapshot, snapshot
from cwmb.planning.mujoco_rewards import RULES, rule_for, rule_key
from cwmb.planning.world_model import Transition


def has_fast_oracle(env: Any) -> bool:
    """True when ``env`` (unwrapped) is one of the gymnasium MuJoCo envs with a reward rule here."""
    return hasattr(env, "data") and hasattr(env, "model") and rule_key(env) in RULES


class MujocoOracleModel:
    """A :class:`~cwmb.planning.world_model.PlanningModel` over a MuJoCo env, bypassing ``env.step``.

    ``done`` is ``terminated``, as for :class:`~cwmb.planning.world_model.TrueEnvModel`.
    MuJoCo's stepping draws no random numbers, so the env's RNG is neither saved nor used.
    """

    def __init__(self, env: Any) -> None:
        import mujoco

        self.env = env
        self.model, self.data = env.model, env.data
        self.frame_skip = int(env.frame_skip)
        self.rule = rule_for(env)
        self._mj_step = mujoco.mj_step
        self._post_constraint = mujoco.mj_rnePostConstraint
        self._copy_data = mujoco.mj_copyData

    def save(self) -> Snapshot:
        """An exact snapshot of the env (the same token :class:`TrueEnvModel` uses)."""
        return snapshot(self.env)

    def load(self, token: Snapshot) -> None:
        """Copy the snapshot's ``MjData`` into the env's own."""
        self._copy_data(self.data, self.model, token.mj_data)

    def step(self, action: Any) -> Transition:
        """One env step: ``(observation, reward, terminated)`` exactly as gymnasium's ``step``."""
        rule, data = self.rule, self.data
        before = rule.before()
        data.ctrl[:] = action
        self._mj_step(self.model, data, self.frame_skip)
        # gymnasium calls this after every step; later physics never reads what it writes.
        self._post_constraint(self.model, data)
        squares = np.sum(np.square(data.ctrl if rule.cost_from_ctrl else action))
        reward, terminated = rule.after(before, squares)
        return self.env._get_obs(), float(reward), bool(terminated)

    def plan_returns(self, token: Snapshot, plans: np.ndarray) -> np.ndarray:
        """Undiscounted return of each plan ``(samples, horizon, action_dim)`` from ``token``.

        The same numbers as :func:`cwmb.planning.cem_agent.plan_returns` through
        :meth:`step` (each rollout stops at the first termination), for less work.
        """
        plans = np.asarray(plans, dtype=np.float64)
        # One vectorised pass gives every step's sum(action**2); a row reduction of a
        # contiguous array sums in the same order as gymnasium's sum of one action.
        squares = np.sum(np.square(plans), axis=-1)
        totals = np.zeros(plans.shape[0], dtype=np.float64)
        for index in range(plans.shape[0]):
            self._copy_data(self.data, self.model, token.mj_data)
            totals[index] = self._rollout(plans[index], squares[index])
        return totals

    def _rollout(self, plan: np.ndarray, squares: np.ndarray) -> float:
        # The hot loop of the paper-profile oracle: locals only, nothing it does not need.
        rule, model, data, ctrl = self.rule, self.model, self.data, self.data.ctrl
        step, frame_skip = self._mj_step, self.frame_skip
        post = self._post_constraint if rule.reward_needs_forces else None
        total = 0.0
        for action, square in zip(plan, squares, strict=True):
            before = rule.before()
            ctrl[:] = action
            step(model, data, frame_skip)
            if post is not None:
                post(model, data)
            reward, terminated = rule.after(before, square)
            total += float(reward)
            if terminated:
                break
        return total
