"""The CEM agent scores plans through a model, respects done and the steps left, beats random."""

from __future__ import annotations

import numpy as np

from cwmb.planning.cem import CEMSettings
from cwmb.planning.cem_agent import CEMPlanner, plan_returns
from cwmb.planning.episodes import run_episode
from cwmb.planning.profiles import load_profile
from cwmb.planning.world_model import ObservationModel


class Target:
    """1-D point: the state moves by the action; reward is minus the distance to 0.7.

    ``done`` after ``life`` steps, so rewards past it must not count.
    """

    def __init__(self, life: int = 1000) -> None:
        self.x, self.t, self.life = 0.0, 0, life

    def set_state(self, state):
        self.x, self.t = float(state[0]), int(state[1])

    def step(self, action):
        self.x += float(action[0])
        self.t += 1
        return np.array([self.x, self.t]), -abs(self.x - 0.7), self.t >= self.life


def test_returns_stop_at_done_and_restart_from_the_token():
    model = ObservationModel(Target(life=2))
    plans = np.zeros((3, 10, 1))
    plans[1] += 0.35
    returns = plan_returns(model, np.array([0.0, 0.0]), plans)
    assert returns.tolist() == [-1.4, -0.35, -1.4]


def test_finds_the_target_and_clips_the_horizon_to_the_steps_left():
    planner = CEMPlanner([-1.0], [1.0], CEMSettings(horizon=8, iterations=6, samples=200, elites=20), seed=0)
    plan = planner.plan(ObservationModel(Target()), np.array([0.0, 0.0]), steps_left=5)
    assert len(plan) == 5 and all(a.dtype == np.float64 and a.shape == (1,) for a in plan)
    assert abs(plan[0][0] - 0.7) < 0.15
    assert len(planner.plan(ObservationModel(Target()), np.array([0.0, 0.0]))) == 8


def test_same_seed_same_plan():
    def plan(seed):
        planner = CEMPlanner([-1.0], [1.0], CEMSettings(horizon=4, iterations=2, samples=20, elites=4), seed)
        return np.array(planner.plan(ObservationModel(Target()), np.array([0.0, 0.0])))

    assert np.array_equal(plan(3), plan(3))


def test_beats_random_on_pendulum_with_a_small_budget():
    small = {"cem.horizon": 25, "cem.iterations": 4, "cem.samples": 60, "cem.elites": 6}
    profile = load_profile("quick", small)
    oracle, random = [
        [
            run_episode("Pendulum-v1", agent, profile, episode, episode_cap=60).episode_return
            for episode in range(4)
        ]
        for agent in ("oracle", "random")
    ]
    assert np.mean(oracle) > np.mean(random) + 50
