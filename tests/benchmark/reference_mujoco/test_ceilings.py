"""The observation-only MuJoCo reference models reach the ceilings measured on the shipped data.

The numbers are deterministic (the models reset everything a prediction could carry over), so
they are asserted exactly; ``docs/ceilings.md`` explains each one. The sanity tests check the
reasons: the exact envs are exact, and where an env falls short, it falls short exactly on
the transitions whose observation lacks what the dynamics need.
"""

from __future__ import annotations

import ast
from functools import cache

import numpy as np
import pytest

from cwmb.benchmark.reference_mujoco import (
    MUJOCO_REFERENCE_ENVS,
    mujoco_reference_class,
    mujoco_reference_source,
)
from cwmb.benchmark.reference_mujoco.ceilings import Ceiling, measure_ceiling, shipped_dataset
from cwmb.trajectories.dataset import to_gym_action, to_gym_observation

# env -> (transitions with the state right, reward right, done right; transitions; original accuracy)
MEASURED = {
    "Reacher-v4": (500, 500, 500, 500, 0.653333333333333),
    "Pusher-v4": (895, 907, 1000, 1000, 0.6544057971014493),
    "InvertedPendulum-v4": (217, 217, 217, 217, 1.0),
    "InvertedDoublePendulum-v4": (133, 133, 133, 133, 0.6541353383458645),
    "HalfCheetah-v4": (1000, 1000, 1000, 1000, 0.6599999999999997),
    "Hopper-v4": (596, 596, 596, 596, 0.663870246085011),
    "Swimmer-v4": (1000, 1000, 1000, 1000, 0.6599999999999999),
    "Walker2d-v4": (224, 243, 523, 525, 0.5058076563958916),
    "Ant-v4": (875, 860, 875, 875, 0.6619047619047619),
    "Humanoid-v4": (518, 518, 518, 518, 0.6624839124839099),
    "HumanoidStandup-v4": (1000, 1000, 1000, 1000, 0.6603269936603243),
}
# Envs whose observation leaves out only root coordinates the dynamics do not depend on.
TRANSLATION_INVARIANT = [
    "HalfCheetah-v4",
    "Hopper-v4",
    "Swimmer-v4",
    "Ant-v4",
    "Humanoid-v4",
    "HumanoidStandup-v4",
]
PROGRAM_IMPORTS = {"numpy", "mujoco", "gymnasium", "warnings", "typing"}


@cache
def _ceiling(env: str) -> Ceiling:
    return measure_ceiling(env)


def _failing(ceiling: Ceiling) -> np.ndarray:
    result = ceiling.default
    return ~(result.state_ok & result.reward_ok & result.done_ok)


def test_every_mujoco_env_has_a_reference():
    assert set(MUJOCO_REFERENCE_ENVS) == set(MEASURED)


@pytest.mark.parametrize("env", MUJOCO_REFERENCE_ENVS)
def test_ceiling_on_shipped_data_is_as_measured(env):
    n_state, n_reward, n_done, n, original = MEASURED[env]
    ceiling = _ceiling(env)
    result = ceiling.default
    assert (int(result.state_ok.sum()), int(result.reward_ok.sum()), int(result.done_ok.sum()), result.n) == (
        n_state,
        n_reward,
        n_done,
        n,
    )
    assert result.accuracy == pytest.approx((n_state + n_reward + n_done) / (3 * n), abs=1e-9)
    assert ceiling.original.accuracy == pytest.approx(original, abs=1e-9)


def test_inverted_pendulum_ceiling_is_one_bit_for_bit():
    ceiling = _ceiling("InvertedPendulum-v4")  # the observation is (qpos, qvel) itself
    assert ceiling.default.perfect and ceiling.default.accuracy == 1.0
    assert ceiling.state_error.max() == 0.0 and ceiling.reward_error.max() == 0.0


@pytest.mark.parametrize("env", TRANSLATION_INVARIANT)
def test_translation_invariant_envs_predict_the_state(env):
    assert _ceiling(env).default.state >= 0.99


def test_walker2d_fails_exactly_where_the_observation_clips_qvel():
    data = shipped_dataset("Walker2d-v4")
    clipped = (np.abs(data.states[:, 8:]) >= 10.0).any(axis=1)  # qvel follows qpos[1:] (8 values)
    assert clipped.any(), "the shipped data should hit the ±10 clip"
    ceiling = _ceiling("Walker2d-v4")
    assert np.array_equal(_failing(ceiling), clipped)
    assert ceiling.default.accuracy < 1.0


def test_pusher_fails_only_where_the_unobserved_object_velocity_is_not_zero():
    data = shipped_dataset("Pusher-v4")
    same_trajectory = data.trajectory[1:] == data.trajectory[:-1]
    # The object moved during the previous step, so it may still have a velocity the obs lacks.
    was_moving = np.r_[
        False, same_trajectory & (data.states[1:, 17:19] != data.states[:-1, 17:19]).any(axis=1)
    ]
    failing = _failing(_ceiling("Pusher-v4"))
    assert failing.any() and not (failing & ~was_moving).any()


def test_reacher_reward_comes_bit_exact_from_the_observed_vector():
    ceiling = _ceiling("Reacher-v4")
    assert ceiling.reward_error.max() == 0.0 and ceiling.default.perfect


def test_ant_loses_only_rewards_and_humanoid_nearly_nothing():
    ant, humanoid = _ceiling("Ant-v4"), _ceiling("Humanoid-v4")
    # Ant's reward depends on the previous action, which the observation does not hold: even
    # with its 1e-2 reward tolerance a few transitions fail, and the error is far above 1e-5.
    assert ant.default.state == 1.0 and ant.default.done == 1.0 and 0.95 < ant.default.reward < 1.0
    assert ant.reward_error.max() > 1e-2
    # Humanoid's observed actuator forces give the previous action away.
    assert humanoid.default.state == 1.0 and humanoid.default.reward > 0.99


@pytest.mark.parametrize("env", MUJOCO_REFERENCE_ENVS)
def test_program_text_is_self_contained(env):
    tree = ast.parse(mujoco_reference_source(env))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= PROGRAM_IMPORTS
    assert any(isinstance(node, ast.ClassDef) and node.name == "Environment" for node in tree.body)


def test_a_prediction_does_not_depend_on_the_one_before():
    data = shipped_dataset("Humanoid-v4")
    model = mujoco_reference_class("Humanoid-v4")()
    picks = [5, 200, 201, 400]

    def predict(i):
        model.set_state(to_gym_observation(data.states[i], data.obs_kind))
        return model.step(to_gym_action(data.actions[i], data.action_kind))

    forward = [predict(i) for i in picks]
    backward = [predict(i) for i in reversed(picks)][::-1]
    for (obs_a, reward_a, done_a), (obs_b, reward_b, done_b) in zip(forward, backward, strict=True):
        assert np.array_equal(obs_a, obs_b) and reward_a == reward_b and done_a == done_b
