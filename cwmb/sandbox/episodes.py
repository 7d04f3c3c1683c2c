"""Trusted helpers that run a world model for many steps inside one sandbox job.

Called through :class:`~cwmb.sandbox.jobs.CallJob` (``"cwmb.sandbox.episodes:rollout"``),
so that imagined steps cost no round trip each.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cwmb.sandbox.convert import PredictionTable
from cwmb.sandbox.tasks import action_converter, state_converter


def rollout(
    env_class: type,
    *,
    state: np.ndarray,
    actions: np.ndarray,
    obs_kind: str,
    action_kind: str,
) -> dict[str, Any]:
    """Run the model from ``state`` through the rows of ``actions``, open loop.

    ``state`` is one stored state row, ``actions`` an (H, k) array of stored action rows.
    ``set_state`` is called once; then ``step`` is called repeatedly, so the model carries
    its own internal state from step to step. Stops after the first step that says done
    or gives a malformed answer. Returns the
    visited next states (T, d) float64, rewards (T,), dones (T,), and ``problem`` (the
    reason a malformed answer was rejected, else '').
    """
    to_state, to_action = state_converter(obs_kind), action_converter(action_kind)
    table = PredictionTable(actions.shape[0], int(np.asarray(state).shape[0]), obs_kind)
    env = env_class()
    env.set_state(to_state(np.asarray(state)))
    steps, problem = 0, ""
    for i in range(actions.shape[0]):
        table.store(i, env.step(to_action(actions[i])))
        steps = i + 1
        if not table.valid[i]:
            problem = table.problems[i]
            break
        if table.dones[i]:
            break
    return {
        "states": table.next_states[:steps],
        "rewards": table.rewards[:steps],
        "dones": table.dones[:steps],
        "problem": problem,
    }


def time_steps(
    env_class: type,
    *,
    states: np.ndarray,
    actions: np.ndarray,
    obs_kind: str,
    action_kind: str,
    repeats: int = 20,
) -> dict[str, Any]:
    """Seconds one ``set_state`` + ``step`` takes, per transition (the best of ``repeats`` passes).

    Inputs are converted before the clock starts, so only the model's own calls are timed,
    as the paper's Table 8 times a code world model. The program shares this process and
    could tamper with the clock: the figure is a speed estimate, never a score.
    """
    import time

    to_state, to_action = state_converter(obs_kind), action_converter(action_kind)
    rows = [(to_state(states[i]), to_action(actions[i])) for i in range(states.shape[0])]
    env = env_class()
    best = float("inf")
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        for state, action in rows:
            env.set_state(state)
            env.step(action)
        best = min(best, time.perf_counter() - start)
    return {"seconds_per_step": best / max(1, len(rows))}
