"""Planning on RTFM: MCTS over valid actions, the three agents, sandboxed evaluation and R."""

from __future__ import annotations

import numpy as np
import pytest

from cwmb.benchmark import get_env
from cwmb.evaluation import EvaluationRequest, evaluate_program
from cwmb.planning.episodes import run_episode
from cwmb.planning.mcts import MCTSPlanner, MCTSSettings
from cwmb.planning.profiles import load_profile
from cwmb.planning.references import reference_summaries
from cwmb.rtfm import rules
from cwmb.rtfm.planning import RtfmRandomPolicy

NAME = "RTFM-SimpleStationary-v0"


class CorridorModel:
    """A planning model whose only valid actions are Stay and Down; Down pays 1 and ends."""

    def __init__(self) -> None:
        self.position = 0
        self.tried: set[int] = set()

    def save(self) -> int:
        return self.position

    def load(self, token: int) -> None:
        self.position = token

    def valid_actions(self) -> tuple[int, ...]:
        return (0, 2)

    def step(self, action):
        self.tried.add(int(action))
        return self.position, (1.0 if action == 2 else 0.0), bool(action == 2)


def test_mcts_expands_only_the_valid_actions():
    model = CorridorModel()
    planner = MCTSPlanner(5, MCTSSettings(simulations=30, max_rollout_steps=5, discount=0.5), seed=1)
    stats = planner.search(model, 0)
    assert model.tried == {0, 2}
    assert [v for a, v in enumerate(stats.visits) if a not in (0, 2)] == [0, 0, 0]
    assert planner.plan(model, 0) == [2]


def test_random_policy_draws_only_valid_actions():
    board = rules.empty_board()
    board[1, 1, 0] = rules.YOU  # top-left corner: Up and Left lead into walls
    policy = RtfmRandomPolicy(seed=0)
    drawn = {policy.decide({"board": board, "inventory": rules.EMPTY}, 10)[0] for _ in range(200)}
    assert drawn == {0, 2, 4}


def test_oracle_wins_where_random_mostly_loses():
    profile = load_profile("paper")
    oracle = [run_episode(NAME, "oracle", profile, i).episode_return for i in range(3)]
    assert oracle == [1.0, 1.0, 1.0]
    committed = reference_summaries(NAME, profile)
    assert committed.oracle.mean == 1.0 and committed.random.mean < 0


@pytest.fixture(scope="module")
def paper_profile():
    return load_profile("paper")


def test_sandboxed_evaluation_of_the_reference_reaches_r_of_one(pool, reference, paper_profile):
    request = EvaluationRequest(get_env(NAME), reference, "reference", paper_profile)
    record = evaluate_program(request, pool, episodes=1, references=reference_summaries)
    assert record["accuracy"]["default"]["perfect"] and record["accuracy"]["original"]["accuracy"] == 1.0
    assert [e["episode_return"] for e in record["episodes"]] == [1.0]
    assert record["returns"]["normalized"] == pytest.approx(1.0)


def test_a_model_that_never_lists_valid_actions_still_plans_over_all(pool, reference, paper_profile):
    lazy = reference.replace(
        "return (self.board.copy(), self.inventory), self.valid_actions(), reward, done",
        "return (self.board.copy(), self.inventory), [], reward, done",
    )
    request = EvaluationRequest(get_env(NAME), lazy, "lazy", paper_profile)
    record = evaluate_program(request, pool, episodes=1)
    assert record["episodes"][0]["outcome"] in ("terminated", "truncated")


def test_a_crashing_model_ends_its_episode_with_model_error(pool, reference, paper_profile):
    crashing = reference.replace(
        "        dr, dc = MOVES[int(action)]\n", "        dr, dc = MOVES[int(action)]\n        1 / 0\n"
    )
    assert crashing != reference
    request = EvaluationRequest(get_env(NAME), crashing, "crash", paper_profile)
    record = evaluate_program(request, pool, episodes=1)
    episode = record["episodes"][0]
    assert episode["outcome"] == "model_error" and "ZeroDivisionError" in episode["error"]
    assert np.isfinite(episode["episode_return"])


def test_cli_evaluates_the_rtfm_reference():
    import subprocess
    import sys

    command = [sys.executable, "-m", "cwmb", "evaluate", "--reference", "--env", NAME, "--profile", "paper"]
    result = subprocess.run([*command, "--episodes", "1"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "1.000" in result.stdout and NAME in result.stdout
