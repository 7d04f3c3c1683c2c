"""The MuJoCo oracle steps MuJoCo itself and still agrees with gymnasium's env.step bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from cwmb.benchmark import ENVS
from cwmb.benchmark.making import make_env
from cwmb.benchmark.snapshot import restore, snapshot
from cwmb.planning.cem_agent import plan_returns
from cwmb.planning.episodes import OraclePolicy, RandomPolicy, run_episode
from cwmb.planning.mujoco_oracle import MujocoOracleModel, has_fast_oracle
from cwmb.planning.profiles import load_profile
from cwmb.planning.references import load_reference_returns
from cwmb.planning.world_model import TrueEnvModel

MUJOCO = [spec for spec in ENVS if spec.family == "mujoco"]


def random_start(spec, rng: np.random.Generator):
    """A real env in a random state: a seeded reset, random steps, then noise on qpos and qvel."""
    env = make_env(spec)
    env.reset(seed=int(rng.integers(2**31)))
    low, high = env.action_space.low, env.action_space.high
    for _ in range(int(rng.integers(0, 20))):
        env.step(rng.uniform(low, high))
    # set_state runs mj_forward, so the derived quantities rewards read are consistent.
    env.set_state(
        env.data.qpos + rng.normal(0, 0.05, env.model.nq), env.data.qvel + rng.normal(0, 0.5, env.model.nv)
    )
    return env


@pytest.mark.parametrize("spec", MUJOCO, ids=lambda s: s.name)
def test_every_step_equals_gymnasiums_env_step_exactly(spec):
    rng = np.random.default_rng(sum(map(ord, spec.name)))
    for _trial in range(3):
        gym_env = random_start(spec, rng)
        oracle = MujocoOracleModel(make_env(spec))
        oracle.load(snapshot(gym_env))
        low, high = gym_env.action_space.low, gym_env.action_space.high
        for _ in range(25):
            # float32 actions, as gymnasium's own sampler gives: the control cost is then in float32.
            action = rng.uniform(low, high).astype(gym_env.action_space.dtype)
            expected, reward, terminated, _, _ = gym_env.step(action)
            observation, oracle_reward, oracle_terminated = oracle.step(action)
            assert np.array_equal(observation, expected)
            assert oracle_reward == float(reward) and oracle_terminated == bool(terminated)
            if terminated:
                break


@pytest.mark.parametrize("spec", MUJOCO, ids=lambda s: s.name)
def test_population_returns_equal_stepping_the_env_one_action_at_a_time(spec):
    rng = np.random.default_rng(7 + sum(map(ord, spec.name)))
    real = random_start(spec, rng)
    token = snapshot(real)
    low, high = real.action_space.low, real.action_space.high
    plans = rng.uniform(low, high, (5, 30, low.shape[0]))
    planning_env = make_env(spec)
    expected = plan_returns(TrueEnvModel(planning_env), token, plans)
    fast = MujocoOracleModel(make_env(spec)).plan_returns(token, plans)
    assert np.array_equal(fast, expected)
    # Scoring must not disturb the token: a second pass gives the same numbers.
    assert np.array_equal(MujocoOracleModel(planning_env).plan_returns(token, plans), expected)


def test_terminating_rollouts_stop_counting_at_termination():
    spec = next(s for s in MUJOCO if s.name == "InvertedPendulum-v4")
    real = make_env(spec)
    real.reset(seed=0)
    token = snapshot(real)
    # Full force one way topples the pole within the horizon; rewards are 1 per step until then.
    plans = np.full((1, 200, 1), 3.0)
    returns = MujocoOracleModel(make_env(spec)).plan_returns(token, plans)
    restore(real, token)
    steps = 0
    while True:
        steps += 1
        if real.step(np.array([3.0]))[2]:
            break
    assert steps < 200 and returns[0] == float(steps)


def test_only_the_benchmarks_mujoco_envs_get_the_fast_oracle():
    assert all(has_fast_oracle(make_env(spec)) for spec in MUJOCO)
    assert not has_fast_oracle(make_env("Pendulum-v1"))
    assert not has_fast_oracle(make_env("CartPole-v1"))
    # Same class name, other formulas (v5 adds contact costs): no v4 rule for it.
    import gymnasium

    assert not has_fast_oracle(gymnasium.make("Ant-v5").unwrapped)


def test_the_oracle_policy_uses_it_on_mujoco_and_the_env_step_elsewhere():
    cheetah, pendulum = make_env("HalfCheetah-v4"), make_env("Pendulum-v1")
    planner = RandomPolicy  # any object: OraclePolicy only stores it
    assert isinstance(OraclePolicy(cheetah, make_env("HalfCheetah-v4"), planner, 1).model, MujocoOracleModel)
    assert isinstance(OraclePolicy(pendulum, make_env("Pendulum-v1"), planner, 1).model, TrueEnvModel)


@pytest.mark.parametrize("env", ["Reacher-v4", "InvertedDoublePendulum-v4", "HalfCheetah-v4", "Hopper-v4"])
def test_quick_profile_oracle_episodes_reproduce_the_shipped_references(env):
    # The shipped returns were computed through env.step; the fast oracle must give them again.
    profile = load_profile("quick")
    stored = load_reference_returns("quick").block(env, "oracle")
    assert stored is not None
    assert run_episode(env, "oracle", profile, 0).episode_return == stored.episodes[0]["return"]
