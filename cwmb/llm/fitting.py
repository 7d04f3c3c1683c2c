"""Least-squares world models fitted to a dataset, for the offline coder's continuous-env mode.

The simulated coder has no reference world model for the 11 MuJoCo envs (theirs step the
real simulator, which a generated program may not use), so for those it writes a numpy-only
program whose dynamics are *fitted* to the env's dataset. The fit runs here, in the harness
process, on trusted data; the program that embeds its coefficients runs only in the sandbox.

* **Next state**: ``next[:k] = state[:k] + W @ [state[:k], action, 1]``, ``W`` by least
  squares on the dataset's transitions. ``k`` is the observation size, except for the
  Humanoids, whose 376 values are mostly derived quantities (com inertias and velocities,
  actuator and contact forces): there only qpos and qvel (the first 45) are fitted and the
  rest are carried over unchanged.
* **Reward**: a constant where the data's reward is constant (InvertedPendulum), else least
  squares on ``[state[:k], action, action**2, 1]`` plus the env's known reward terms that are
  not linear (:data:`REWARD_TERMS`: distances that Reacher's and Pusher's rewards read).
* **Done**: a fitted healthy-range rule: the episode ends when a chosen dimension of the next
  state leaves its healthy range, whose bounds lie halfway between the non-terminal next
  states of the data and the terminal ones beyond them. Dimensions are chosen
  greedily while they make the rule agree with more of the data's ``terminated`` flags;
  envs whose data never terminates get ``done = False``.

Everything is deterministic (numpy's ``lstsq`` on the same arrays gives the same bits), so
the same dataset always gives the same program.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cwmb.trajectories.dataset import Dataset

# Observation values fitted per env where not all of them are (see the module docstring).
MODELLED_DIMS = {"Humanoid-v4": 45, "HumanoidStandup-v4": 45}
# Known reward terms that are not linear in (state, action), from the envs' documentation:
# name -> the norms they take, as (source, start, stop, minus_start) slices of a state vector.
# Reacher-v4 reads the current observation's fingertip - target vector; Pusher reads the
# distances object - fingertip and object - goal after the step.
REWARD_TERMS: dict[str, tuple[tuple[str, int, int, int | None], ...]] = {
    "Reacher-v4": (("state", 8, 11, None),),
    "Pusher-v4": (("next", 17, 20, 14), ("next", 17, 20, 20)),
}
MAX_DONE_DIMS = 3


@dataclass(frozen=True)
class LinearFit:
    """A fitted world model: the coefficients the generated program embeds.

    ``state_weights`` has one row per modelled dimension over ``[state[:k], action, 1]``;
    ``reward_weights`` is over ``[state[:k], action, action**2, 1, *reward terms]`` (all zero
    but the constant when ``reward_constant`` is set); ``done_dims`` with ``done_low`` and
    ``done_high`` is the healthy-range rule.
    """

    env: str
    state_dim: int
    action_dim: int
    modelled: int
    state_weights: np.ndarray
    reward_constant: float | None
    reward_weights: np.ndarray
    reward_terms: tuple[tuple[str, int, int, int | None], ...]
    done_dims: tuple[int, ...]
    done_low: tuple[float, ...]
    done_high: tuple[float, ...]


def _state_features(states: np.ndarray, actions: np.ndarray, modelled: int) -> np.ndarray:
    return np.hstack([states[:, :modelled], actions, np.ones((states.shape[0], 1))])


def term_values(
    terms: tuple[tuple[str, int, int, int | None], ...], states: np.ndarray, next_states: np.ndarray
) -> np.ndarray:
    """The known reward terms (norms of state slices) for every row, shape (N, len(terms))."""
    columns = []
    for source, start, stop, minus in terms:
        rows = states if source == "state" else next_states
        vector = rows[:, start:stop]
        if minus is not None:
            vector = vector - rows[:, minus : minus + (stop - start)]
        columns.append(np.linalg.norm(vector, axis=1))
    return np.column_stack(columns) if columns else np.zeros((states.shape[0], 0))


def _least_squares(features: np.ndarray, targets: np.ndarray) -> np.ndarray:
    solution, *_ = np.linalg.lstsq(features, targets, rcond=None)
    return solution


def _fit_reward(
    data: Dataset, modelled: int, terms: tuple, predicted_next: np.ndarray
) -> tuple[float | None, np.ndarray]:
    """(the constant reward or None, the reward weights).

    The known terms are computed from the *predicted* next state, as the program computes them.
    """
    rewards = data.rewards.astype(np.float64)
    size = modelled + 2 * data.actions.shape[1] + 1 + len(terms)
    if np.all(rewards == rewards[0]):
        return float(rewards[0]), np.zeros(size)
    actions = data.actions.astype(np.float64)
    features = np.hstack(
        [
            _state_features(data.states, actions, modelled)[:, :-1],
            actions * actions,
            np.ones((len(data), 1)),
            term_values(terms, data.states, predicted_next),
        ]
    )
    return None, _least_squares(features, rewards)


def _rule_agreement(
    next_states: np.ndarray, terminated: np.ndarray, dims: list[int], low: np.ndarray, high: np.ndarray
) -> int:
    """How many transitions the healthy-range rule over ``dims`` gets right."""
    outside = np.zeros(len(terminated), dtype=bool)
    for dim in dims:
        outside |= (next_states[:, dim] < low[dim]) | (next_states[:, dim] > high[dim])
    return int(np.sum(outside == terminated))


def _healthy_range(alive: np.ndarray, ended: np.ndarray) -> tuple[float, float]:
    """Bounds halfway between the non-terminal values and the terminal ones beyond them.

    A side with no terminal value beyond it is unbounded: the data gives no reason to end
    an episode there. The halfway margin keeps a prediction a rounding error off the data
    from ending an episode the data continues.
    """
    low, high = float(alive.min()), float(alive.max())
    above, below = ended[ended > high], ended[ended < low]
    return (
        (low + float(below.max())) / 2 if below.size else -np.inf,
        (high + float(above.min())) / 2 if above.size else np.inf,
    )


def fit_done_rule(
    next_states: np.ndarray, terminated: np.ndarray, modelled: int
) -> tuple[tuple[int, ...], tuple[float, ...], tuple[float, ...]]:
    """Greedy healthy ranges: (dims, lows, highs) that best reproduce ``terminated`` in the data."""
    if not terminated.any() or terminated.all():
        return (), (), ()
    ranges = [
        _healthy_range(next_states[~terminated, d], next_states[terminated, d]) for d in range(modelled)
    ]
    low, high = np.array([r[0] for r in ranges]), np.array([r[1] for r in ranges])
    chosen: list[int] = []
    best = _rule_agreement(next_states, terminated, chosen, low, high)
    while len(chosen) < MAX_DONE_DIMS:
        scores = [
            (_rule_agreement(next_states, terminated, [*chosen, d], low, high), -d)
            for d in range(modelled)
            if d not in chosen
        ]
        score, negative_dim = max(scores)
        if score <= best:
            break
        best = score
        chosen.append(-negative_dim)
    return (
        tuple(chosen),
        tuple(float(low[d]) for d in chosen),
        tuple(float(high[d]) for d in chosen),
    )


def fit_linear_model(data: Dataset) -> LinearFit:
    """Fit next state, reward and done of ``data``'s env (see the module docstring)."""
    if data.obs_kind != "box" or data.action_kind != "continuous":
        raise ValueError(f"{data.env}: the linear fit needs box observations and continuous actions")
    states = data.states.astype(np.float64)
    next_states = data.next_states.astype(np.float64)
    actions = data.actions.astype(np.float64)
    modelled = min(MODELLED_DIMS.get(data.env, states.shape[1]), states.shape[1])
    features = _state_features(states, actions, modelled)
    weights = _least_squares(features, next_states[:, :modelled] - states[:, :modelled]).T
    predicted = next_states.copy()
    predicted[:, :modelled] = states[:, :modelled] + features @ weights.T
    terms = REWARD_TERMS.get(data.env, ())
    constant, reward_weights = _fit_reward(data, modelled, terms, predicted)
    dims, low, high = fit_done_rule(next_states, data.terminated.astype(bool), modelled)
    return LinearFit(
        env=data.env,
        state_dim=states.shape[1],
        action_dim=actions.shape[1],
        modelled=modelled,
        state_weights=weights,
        reward_constant=constant,
        reward_weights=reward_weights,
        reward_terms=terms,
        done_dims=dims,
        done_low=low,
        done_high=high,
    )
