"""The reference world models agree with the real gymnasium envs.

Measured on 100,000 random transitions per env (plus 100,000 goal-reaching ones for
MountainCar and Acrobot): every transition is correct within rtol = atol = 1e-5, so the tests
below assert 100 % everywhere; CliffWalking and Taxi are bit-exact on every (state, action).
Blackjack is stochastic; its best deterministic model's accuracy is asserted as measured.
"""

from __future__ import annotations

import ast

import numpy as np
import pytest

from cwmb.benchmark.making import make_env
from cwmb.benchmark.reference import (
    REFERENCE_ENVS,
    collect_transitions,
    dataset_from_records,
    predict_in_process,
    reference_class,
    reference_source,
)
from cwmb.scoring import score

DETERMINISTIC = [name for name in REFERENCE_ENVS if name != "Blackjack-v1"]
ALLOWED_IMPORTS = {"numpy", "math", "fractions", "functools"}


def _pump_mountain_car(obs, rng):
    """Push along the velocity (10 % random): reaches the flag in about 120 steps."""
    return int(rng.integers(3)) if rng.random() < 0.1 else (2 if obs[1] >= 0 else 0)


def _pump_acrobot(obs, rng):
    """Torque along the second joint's velocity (10 % random): swings up in about 90 steps."""
    return int(rng.integers(3)) if rng.random() < 0.1 else (2 if obs[5] > 0 else 0)


def _correct(name, data):
    """Per-transition correctness of the reference model under the default metric."""
    predictions = predict_in_process(reference_class(name), data)
    return predictions, score(data, predictions)


@pytest.mark.parametrize("name", DETERMINISTIC)
def test_random_transitions_are_all_correct(name):
    data = collect_transitions(name, 400, seed=0)
    predictions, result = _correct(name, data)
    assert result.perfect, f"{name}: wrong on transitions {result.failing[:10]}"
    assert result.accuracy == 1.0
    if data.obs_kind == "discrete":  # exact envs: bit for bit, not only within tolerance
        assert np.array_equal(predictions.next_states, data.next_states)
        assert np.array_equal(predictions.rewards, data.rewards)


@pytest.mark.parametrize(
    ("name", "policy", "max_steps"),
    [("MountainCar-v0", _pump_mountain_car, 200), ("Acrobot-v1", _pump_acrobot, 500)],
)
def test_goal_reaching_transitions_are_all_correct(name, policy, max_steps):
    data = collect_transitions(name, 600, seed=0, max_steps=max_steps, policy=policy)
    assert data.terminated.sum() >= 3  # the termination rule is really exercised
    _, result = _correct(name, data)
    assert result.perfect, f"{name}: wrong on transitions {result.failing[:10]}"


@pytest.mark.parametrize("name", ["CliffWalking-v0", "Taxi-v3"])
def test_every_state_and_action_is_exact(name):
    env = make_env(name)
    env.reset(seed=0)
    records = []
    for state in range(env.observation_space.n):
        for action in range(env.action_space.n):
            env.s = state
            next_state, reward, terminated, _, _ = env.step(action)
            records.append((state, action, state, action, reward, next_state, terminated, False))
    data = dataset_from_records(name, records)
    assert data.terminated.any() and (data.rewards < -1).any()
    predictions, result = _correct(name, data)
    assert result.perfect
    assert np.array_equal(predictions.next_states, data.next_states)
    assert np.array_equal(predictions.rewards, data.rewards)


def _set_internal(name, model, env):
    """Give the model gymnasium's float64 internal state instead of the float32 observation."""
    if name == "Pendulum-v1":
        model.theta, model.theta_dot = env.state
    else:
        model.state = np.array(env.state, dtype=np.float64)


@pytest.mark.parametrize("name", ["CartPole-v1", "MountainCar-v0", "Acrobot-v1", "Pendulum-v1"])
def test_dynamics_are_bit_exact_from_the_internal_state(name):
    """All inexactness comes from the float32 observation, none from the equations."""
    env = make_env(name)
    env.reset(seed=1)
    env.action_space.seed(1)
    model = reference_class(name)()
    for t in range(300):
        _set_internal(name, model, env)
        action = env.action_space.sample()
        expected = env.step(action)
        obs, reward, done = model.step(action)
        assert np.array_equal(obs, expected[0]) and obs.dtype == np.float32, t
        assert reward == expected[1] and done == expected[2], t
        if expected[2] or t % 100 == 99:
            env.reset()


def test_blackjack_ceiling():
    """Measured on this seeded data; about 0.767 on 100,000 random transitions."""
    data = collect_transitions("Blackjack-v1", 2000, seed=0)
    _, result = _correct("Blackjack-v1", data)
    assert result.accuracy == pytest.approx(4573 / 6000)  # 0.7622: state 0.637, reward 0.751, done 0.900
    assert 0.62 < result.state < 0.67 and 0.73 < result.reward < 0.77 and 0.88 < result.done < 0.92
    stick = data.actions[:, 0] == 0
    assert result.state_ok[stick].all() and result.done_ok[stick].all()  # sticking is certain


def test_blackjack_predicts_the_most_frequent_outcome():
    """Against the real env's frequencies, per (observation, action) seen 100+ times."""
    data = collect_transitions("Blackjack-v1", 15000, seed=3)
    predictions = predict_in_process(reference_class("Blackjack-v1"), data)
    keys = np.column_stack([data.states, data.actions])
    _, group = np.unique(keys, axis=0, return_inverse=True)
    order = np.argsort(group, kind="stable")
    checked = 0
    for rows in np.split(order, np.flatnonzero(np.diff(group[order])) + 1):
        if len(rows) < 100:
            continue
        values, counts = np.unique(data.rewards[rows], return_counts=True)
        top = np.sort(counts)[::-1]
        if len(top) > 1 and top[0] - top[1] < 4 * np.sqrt(len(rows)):
            continue  # too close to call from this sample
        assert predictions.rewards[rows[0]] == values[np.argmax(counts)], keys[rows[0]]
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("name", REFERENCE_ENVS)
def test_sources_are_self_contained(name):
    source = reference_source(name)
    tree = ast.parse(source)
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= ALLOWED_IMPORTS, imported
    cls = reference_class(name)
    assert cls.__name__ == "Environment"
    assert not cls.__module__.startswith("cwmb.benchmark.reference")  # loaded from text


def test_lookup_by_gym_id_and_unknown_env():
    assert reference_source("Taxi-v4") == reference_source("Taxi-v3")
    with pytest.raises(KeyError, match="no reference model for Hopper-v4"):
        reference_source("Hopper-v4")


class _WrongShape:
    """A world model whose step returns a 3-element state for CartPole's 4."""

    def set_state(self, state):
        self.state = state

    def step(self, action):
        return self.state[:3], 1.0, False


def test_malformed_outputs_become_invalid_rows():
    data = collect_transitions("CartPole-v1", 5, seed=0)
    predictions = predict_in_process(_WrongShape, data)
    assert not predictions.valid.any()
    assert "3 values, expected 4" in predictions.problems[0]
    assert score(data, predictions).accuracy == 0.0
