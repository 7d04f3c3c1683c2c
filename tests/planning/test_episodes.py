"""Episodes on the true env: oracle >> random, a true-dynamics model ≈ oracle, seeded, crash-safe."""

from __future__ import annotations

import numpy as np
import pytest

from cwmb.planning.episodes import ActionInfo, RandomPolicy, episode_seeds, play, run_episode, run_episodes
from cwmb.planning.profiles import load_profile
from tests.planning.fakes import CartPoleFromTrueDynamics


@pytest.fixture(scope="module")
def quick():
    return load_profile("quick")


def returns(results) -> list[float]:
    return [r.episode_return for r in results]


def test_oracle_far_above_random_on_cartpole(quick):
    oracle = run_episodes("CartPole-v1", "oracle", quick)
    random = run_episodes("CartPole-v1", "random", quick)
    assert len(oracle) == quick.episodes == 2
    assert np.mean(returns(oracle)) >= 45 and np.mean(returns(oracle)) > np.mean(returns(random)) + 15
    first = oracle[0]
    assert first.settings["planner"] == "mcts" and first.settings["mcts"]["simulations"] == 8
    assert first.settings["episode_cap"] == 50 and first.length <= 50
    assert first.decisions == first.length and first.seconds > 0


def test_model_with_the_true_dynamics_comes_close_to_the_oracle(quick):
    oracle = run_episodes("CartPole-v1", "oracle", quick, episode_cap=80)
    model = run_episodes(
        "CartPole-v1", "model", quick, model_factory=CartPoleFromTrueDynamics, episode_cap=80
    )
    assert all(r.outcome != "model_error" for r in model)
    assert abs(np.mean(returns(model)) - np.mean(returns(oracle))) <= 0.1 * np.mean(returns(oracle))


def test_all_agents_start_from_the_same_state_and_results_repeat(quick):
    a = run_episode("CartPole-v1", "oracle", quick, episode=1)
    b = run_episode("CartPole-v1", "oracle", quick, episode=1)
    c = run_episode("CartPole-v1", "random", quick, episode=1)
    assert a.reset_seed == c.reset_seed == episode_seeds(quick.seed, 1)[0]
    assert (a.episode_return, a.length, a.outcome) == (b.episode_return, b.length, b.outcome)
    assert episode_seeds(0, 1) != episode_seeds(0, 2)


def test_cem_executes_its_plan_open_loop_before_replanning(quick):
    result = run_episode("Pendulum-v1", "oracle", quick, episode_cap=40)
    # Horizon 15: plans at steps 0, 15 and 30 (the last one clipped to the 10 steps left).
    assert (result.length, result.decisions, result.outcome) == (40, 3, "truncated")
    assert result.settings["cem"]["horizon"] == 15


class CrashesLater(CartPoleFromTrueDynamics):
    """Works for a while, then raises inside step()."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def step(self, action):
        self.calls += 1
        if self.calls > 200:
            raise ZeroDivisionError("division by zero")
        return super().step(action)


def test_a_crashing_model_ends_its_episode_with_the_return_so_far(quick):
    result = run_episode("CartPole-v1", "model", quick, model=CrashesLater())
    assert result.outcome == "model_error" and "ZeroDivisionError" in result.error
    assert 0 < result.length < 50 and result.episode_return == result.length


def test_random_policy_actions_fit_their_spaces():
    box = RandomPolicy(ActionInfo(low=(-2.0, -1.0), high=(2.0, 1.0)), seed=0)
    actions = np.array([box.decide(None, 1)[0] for _ in range(100)])
    assert actions.shape == (100, 2) and (np.abs(actions) <= [2.0, 1.0]).all()
    discrete = RandomPolicy(ActionInfo(n=3), seed=0)
    assert {int(discrete.decide(None, 1)[0]) for _ in range(100)} == {0, 1, 2}


class Scripted:
    """A policy that replays fixed plans, to check the loop's bookkeeping."""

    def __init__(self, plans) -> None:
        self.plans = list(plans)

    def decide(self, observation, steps_left):
        return self.plans.pop(0)


def test_play_stops_at_termination_and_counts_decisions():
    from cwmb.benchmark.making import make_env

    # Up, right x11 along the top row, then down into the goal: 13 steps of -1, ends mid-plan.
    plans = [[0, 1], [1] * 10, [2, 1, 1]]
    played = play(make_env("CliffWalking-v0"), Scripted(plans), reset_seed=0, cap=100)
    assert (played["length"], played["decisions"], played["outcome"]) == (13, 3, "terminated")
    assert played["episode_return"] == -13.0
    bounded = play(make_env("CliffWalking-v0"), Scripted([[1] * 10]), reset_seed=0, cap=4)
    assert (bounded["length"], bounded["decisions"], bounded["outcome"]) == (4, 1, "truncated")
