"""The RTFM env: the paper's 999 transitions replay exactly, gymnasium's checker passes,
snapshots restore exactly."""

from __future__ import annotations

import warnings

import gymnasium
import numpy as np
from gymnasium.utils.env_checker import check_env

from cwmb.benchmark.making import make_env
from cwmb.benchmark.snapshot import restore, snapshot
from cwmb.rtfm import rules
from cwmb.rtfm.env import GYM_ID


def codes(board_words: list) -> np.ndarray:
    return np.vectorize(rules.CODE.__getitem__)(np.array(board_words, dtype=object)).astype(np.int64)


def test_every_transition_of_the_paper_buffer_is_reproduced(paper_buffer):
    assert len(paper_buffer) == 999
    env = make_env("RTFM-SimpleStationary-v0")
    mismatches = []
    for row in paper_buffer:
        env.set_text_state(codes(row["board"]), rules.CODE[row["inventory"]])
        obs, reward, terminated, truncated, info = env.step(row["action"])
        same = (
            np.array_equal(obs["board"], codes(row["next_board"]))
            and obs["inventory"] == rules.CODE[row["next_inventory"]]
            and reward == row["reward"]
            and terminated == row["done"]
            and not truncated
            and sorted(info["valid_actions"]) == sorted(row["valid_actions"])
        )
        if not same:
            mismatches.append((row["trajectory"], row["step"]))
    assert mismatches == []


def test_the_buffer_covers_every_kind_of_event(paper_buffer):
    # Guards the replay test against a buffer that would not exercise the rules.
    rewards = {row["reward"] for row in paper_buffer}
    assert rewards == {-1.0, 0.0, 1.0}
    assert {row["next_inventory"] for row in paper_buffer} == {"empty", "shimmering axe", "grandmasters bow"}
    assert {len(row["valid_actions"]) for row in paper_buffer} == {3, 4, 5}


def test_gymnasium_env_checker_passes_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(gymnasium.make(GYM_ID, render_mode="ansi").unwrapped)


def test_reset_places_five_entities_on_distinct_inside_cells():
    env = make_env("RTFM-SimpleStationary-v0")
    for seed in range(20):
        obs, info = env.reset(seed=seed)
        inside = obs["board"][1:-1, 1:-1, 0]
        assert sorted(inside[inside != rules.EMPTY].tolist()) == sorted(rules.ENTITIES)
        assert (obs["board"][:, :, 1] == rules.EMPTY).all()
        assert obs["inventory"] == rules.EMPTY
        assert 0 in info["valid_actions"]


def test_snapshot_restores_exactly_mid_episode():
    env = make_env("RTFM-SimpleStationary-v0")
    env.reset(seed=3)
    rng = np.random.default_rng(0)
    for _ in range(5):
        env.step(int(rng.integers(5)))
    snap = snapshot(env)
    first = [env.step(a)[:4] for a in (1, 4, 2, 3, 1, 1)]
    restore(env, snap)
    second = [env.step(a)[:4] for a in (1, 4, 2, 3, 1, 1)]
    for a, b in zip(first, second, strict=True):
        assert np.array_equal(a[0]["board"], b[0]["board"]) and a[1:] == b[1:]


def test_dead_player_has_all_actions_and_nothing_changes():
    board = rules.empty_board()
    board[2, 2, 0] = rules.YOU
    board[2, 3, 0] = rules.TARGET
    outcome = rules.step_board(board, rules.EMPTY, 4)
    assert (outcome.reward, outcome.done) == (-1.0, True)
    assert rules.player_position(outcome.board) is None
    assert rules.valid_actions(outcome.board) == rules.ALL_ACTIONS
    assert board[2, 2, 0] == rules.YOU  # the input is not modified
    again = rules.step_board(outcome.board, rules.EMPTY, 1)
    assert np.array_equal(again.board, outcome.board) and again.reward == 0.0


def test_registry_record_matches_the_registered_env():
    from cwmb.benchmark import get_env

    spec = get_env("RTFM-SimpleStationary-v0")
    env = make_env(spec)
    assert (spec.family, spec.planner, spec.episode_cap, spec.gym_time_limit) == ("rtfm", "mcts", 100, 100)
    assert gymnasium.spec(GYM_ID).max_episode_steps == spec.episode_cap
    assert env.action_space.n == rules.N_ACTIONS and spec.action_space == "Discrete(5)"
