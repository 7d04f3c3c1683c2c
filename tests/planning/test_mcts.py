"""MCTS picks the right action in small hand-made models, respects terminals, is seeded."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cwmb.planning.mcts import MCTSPlanner, MCTSSettings, RootStats, observation_key
from cwmb.planning.world_model import ObservationModel
from tests.planning.fakes import Corridor, Gamble, Patience, Strict


def strict(model) -> Strict:
    return Strict(ObservationModel(model))


@pytest.mark.parametrize("seed", range(5))
def test_walks_the_only_rewarding_path(seed):
    planner = MCTSPlanner(2, MCTSSettings(), seed)
    assert [int(a) for a in planner.plan(strict(Corridor(3)), 0)] == [1]


def test_plans_past_an_immediate_reward():
    stats = MCTSPlanner(2, MCTSSettings(), seed=0).search(strict(Patience()), 0)
    assert stats.q_values[0] == pytest.approx(1.0)
    assert stats.q_values[1] == pytest.approx(0.99 * 10.0)
    assert MCTSPlanner(2, MCTSSettings(), seed=0).plan(strict(Patience()), 0) == [1]


def test_never_steps_a_terminal_state_and_reloads_every_simulation():
    model = strict(Corridor(4))
    MCTSPlanner(2, MCTSSettings(simulations=40, max_rollout_steps=50), seed=3).search(model, 0)
    assert model.loads == 40
    # Action 0 always ends the episode, so no simulation can take more than
    # (tree depth + rollout) steps, and the Strict wrapper saw no step after done.
    assert model.steps <= 40 * 5


def test_terminal_children_are_not_expanded():
    # Patience: after action 0 the episode is over. Only action 1 leads anywhere, so after
    # the first two simulations every visit to action 0 re-reads the same terminal child.
    stats = MCTSPlanner(2, MCTSSettings(simulations=30), seed=1).search(strict(Patience()), 0)
    assert sum(stats.visits) == 30
    assert stats.q_values[0] == pytest.approx(1.0)


def test_stochastic_outcomes_average_to_their_expectation():
    planner = MCTSPlanner(2, MCTSSettings(simulations=200), seed=0)
    stats = planner.search(ObservationModel(Gamble(seed=5)), 0)
    assert abs(stats.q_values[0]) < 0.4
    assert stats.q_values[1] == pytest.approx(0.5)
    assert planner.choose(stats) == 1


def test_same_seed_same_search_and_action():
    def run(seed):
        planner = MCTSPlanner(2, MCTSSettings(simulations=25), seed)
        stats = planner.search(ObservationModel(Corridor(6)), 0)
        return stats, planner.choose(stats)

    assert run(7) == run(7)


def test_choose_is_near_greedy_at_low_temperature_and_skips_untried_actions():
    greedy = MCTSPlanner(3, MCTSSettings(temperature=0.01), seed=0)
    stats = RootStats(visits=(5, 5, 0), q_values=(1.0, 0.9, None))
    assert {greedy.choose(stats) for _ in range(50)} == {0}
    flat = MCTSPlanner(3, MCTSSettings(temperature=1e6), seed=0)
    assert {flat.choose(stats) for _ in range(200)} == {0, 1}


def test_every_root_action_is_tried_before_uct():
    stats = MCTSPlanner(6, MCTSSettings(simulations=6), seed=2).search(ObservationModel(Patience()), 0)
    assert stats.visits == (1, 1, 1, 1, 1, 1)


def test_optimistic_unvisited_rule_lets_a_good_first_action_crowd_out_the_others():
    # The original's rule: an unvisited action scores default Q = 1 plus the bonus, so once an
    # action of Patience pays 9.9 the untried ones (1 + a small bonus) are not tried at once.
    settings = MCTSSettings(simulations=6, unvisited="optimistic")
    searches = [MCTSPlanner(6, settings, seed).search(ObservationModel(Patience()), 0) for seed in range(4)]
    visits = [stats.visits for stats in searches]
    assert all(sum(v) == 6 for v in visits)
    assert any(0 in v for v in visits)


def test_optimistic_rule_with_the_original_offset_still_tries_every_root_action():
    # With the original's offset 1e-3 the zero-visit bonus sqrt(ln N / 1e-3) soon beats any
    # value of this model, so every action gets tried within a few simulations.
    settings = MCTSSettings(simulations=12, unvisited="optimistic", visit_offset=1e-3)
    stats = MCTSPlanner(6, settings, seed=0).search(ObservationModel(Patience()), 0)
    assert all(v >= 1 for v in stats.visits)


def test_observation_keys_are_exact_and_hashable():
    a = np.array([0.1, 0.2], dtype=np.float32)
    assert observation_key(a) == observation_key(a.copy())
    assert observation_key(a) != observation_key(a.astype(np.float64))
    assert observation_key((np.int64(3), 10, True)) == observation_key((3, 10, True))
    hash(observation_key([np.zeros(2), 1]))


@pytest.mark.parametrize("make_model", [lambda: Gamble(seed=5), lambda: Corridor(6), Patience])
def test_the_model_s_own_rollout_loop_gives_the_same_search(make_model):
    settings = MCTSSettings(simulations=40)
    fast = MCTSPlanner(2, settings, seed=3).search(ObservationModel(make_model()), 0)
    assert hasattr(ObservationModel(make_model()), "rollout") and not hasattr(strict(make_model()), "rollout")
    stepwise = MCTSPlanner(2, settings, seed=3).search(strict(make_model()), 0)
    assert fast == stepwise


class TextbookSelect(MCTSPlanner):
    """UCT selection written the plain way (a score list, max, then ties), for comparison."""

    def _select(self, node):
        s = self.settings
        choices = range(self.n_actions) if node.allowed is None else node.allowed
        if s.unvisited == "first" and len(node.actions) < len(choices):
            untried = [a for a in choices if a not in node.actions]
            return untried[int(self.rng.integers(len(untried)))] if len(untried) > 1 else untried[0]
        log_n = math.log(max(node.visits, 1))
        scores = []
        for a in choices:
            edge = node.actions.get(a)
            visits = edge.visits if edge is not None else 0
            value = edge.value_sum / visits if visits else s.unvisited_value
            scores.append(value + s.exploration * math.sqrt(log_n / (visits + s.visit_offset)))
        ties = [a for a, score in zip(choices, scores, strict=True) if score == max(scores)]
        return ties[0] if len(ties) == 1 else ties[int(self.rng.integers(len(ties)))]


@pytest.mark.parametrize("rule", ["first", "optimistic"])
@pytest.mark.parametrize("make_model", [lambda: Gamble(seed=5), lambda: Corridor(6), Patience])
def test_fast_uct_selection_gives_the_textbook_search(rule, make_model):
    settings = MCTSSettings(simulations=60, unvisited=rule)
    for seed in range(4):
        fast = MCTSPlanner(3, settings, seed).search(ObservationModel(make_model()), 0)
        assert fast == TextbookSelect(3, settings, seed).search(ObservationModel(make_model()), 0)


class ConstantReward:
    """A model whose every reward is the same odd value (NaN, an infinity)."""

    def __init__(self, reward):
        self.reward = reward

    def set_state(self, state):
        self.state = state

    def step(self, action):
        return self.state + 1, self.reward, self.state >= 4


@pytest.mark.parametrize("reward", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_rewards_still_give_a_valid_action(reward):
    for seed in range(3):
        plan = MCTSPlanner(2, MCTSSettings(), seed).plan(ObservationModel(ConstantReward(reward)), 0)
        assert int(plan[0]) in (0, 1)


def test_an_infinite_q_wins_the_choice():
    assert MCTSPlanner(3, seed=0).choose(RootStats((5, 5, 5), (1.0, float("inf"), float("nan")))) == 1
