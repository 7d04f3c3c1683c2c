"""The registry's plain data agrees with the installed gymnasium, and bad names fail clearly."""

from __future__ import annotations

import re

import gymnasium as gym
import numpy as np
import pytest

from cwmb.benchmark import ENVS, env_names, get_env, resolve_envs
from cwmb.benchmark.making import make_env
from cwmb.errors import CwmbError

PAPER_NAMES = [
    "Blackjack-v1",
    "CliffWalking-v0",
    "Taxi-v3",
    "CartPole-v1",
    "MountainCar-v0",
    "Acrobot-v1",
    "Pendulum-v1",
    "Reacher-v4",
    "Pusher-v4",
    "InvertedPendulum-v4",
    "InvertedDoublePendulum-v4",
    "HalfCheetah-v4",
    "Hopper-v4",
    "Swimmer-v4",
    "Walker2d-v4",
    "Ant-v4",
    "Humanoid-v4",
    "HumanoidStandup-v4",
]


def test_the_18_paper_names_in_order():
    assert env_names() == PAPER_NAMES


def test_planner_follows_action_kind():
    assert [s.name for s in ENVS if s.planner == "mcts"] == PAPER_NAMES[:6]
    assert all(s.planner == "cem" for s in ENVS[6:])


def test_renamed_ids_say_why():
    renamed = {s.name: s.gym_id for s in ENVS if s.name != s.gym_id}
    assert renamed == {"CliffWalking-v0": "CliffWalking-v1", "Taxi-v3": "Taxi-v4", "Pusher-v4": "Pusher-v5"}
    assert all(get_env(name).id_note for name in renamed)


@pytest.mark.parametrize("spec", ENVS, ids=lambda s: s.name)
def test_spec_matches_installed_gymnasium(spec):
    env = make_env(spec)
    assert gym.spec(spec.gym_id).max_episode_steps == spec.gym_time_limit
    if spec.gym_time_limit is not None:
        assert spec.episode_cap == spec.gym_time_limit
    if spec.is_discrete:
        assert spec.action_space == f"Discrete({env.action_space.n})"
    else:
        assert f"({env.action_space.shape[0]},)" in spec.action_space
        bound = float(re.search(r"±([\d.]+)", spec.action_space).group(1))
        assert np.allclose(env.action_space.high, bound) and np.allclose(env.action_space.low, -bound)
    space = env.observation_space
    if hasattr(space, "shape") and space.shape:
        assert spec.observation_space == f"Box({space.shape[0]},) {space.dtype}"
    elif hasattr(space, "n"):
        assert spec.observation_space == f"Discrete({space.n})"
    else:
        assert [s.n for s in space.spaces] == [32, 11, 2]


def test_lookup_accepts_gym_id_and_any_case():
    assert get_env("taxi-v4").name == "Taxi-v3"
    assert get_env("cartpole-v1").name == "CartPole-v1"


def test_unknown_name_suggests_closest():
    with pytest.raises(CwmbError) as caught:
        get_env("CartPol-v1")
    assert "unknown environment 'CartPol-v1'" in caught.value.message
    assert "CartPole-v1" in caught.value.hint
    assert "cwmb envs" in caught.value.hint


def test_resolve_all_and_lists():
    assert len(resolve_envs(None)) == 18
    assert len(resolve_envs(["all"])) == 18
    assert [s.name for s in resolve_envs(["Ant-v4,Hopper-v4", "Ant-v4"])] == ["Ant-v4", "Hopper-v4"]
