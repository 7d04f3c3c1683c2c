"""Cells: expansion of an experiment, names of run directories, and shards."""

from __future__ import annotations

import pytest

from cwmb.errors import CwmbError
from cwmb.grid.cells import parse_shard, shard_cells
from cwmb.grid.expansion import expand_cells
from cwmb.grid.experiment import experiment_from_dict


def _experiment(**changes):
    data = {
        "suites": {"cwmb": {"envs": ["CartPole-v1", "Taxi-v3"]}},
        "methods": ["gif_mcts", "worldcoder"],
        "llms": [{"config": "offline", "seeds": [0, 1], "budgets": [2, 5]}],
    }
    return experiment_from_dict(data | changes)


def test_every_combination_is_one_cell_with_an_ordinary_run_name():
    cells = expand_cells(_experiment()).cells
    assert len(cells) == 2 * 2 * 2 * 2
    assert len({cell.key for cell in cells}) == len(cells)
    assert cells[0].key == "gif_mcts-offline-b2-seed0/CartPole-v1"
    assert cells[0].stages == ("synthesize", "evaluate")  # report is one step for the whole grid


def test_groups_expand_and_the_offline_coder_skips_envs_it_cannot_write():
    expansion = expand_cells(_experiment(suites={"cwmb": {"envs": ["discrete", "continuous"]}}))
    targets = {cell.target for cell in expansion.cells}
    assert targets == {"Blackjack-v1", "CliffWalking-v0", "Taxi-v3", "CartPole-v1", "MountainCar-v0",
                       "Acrobot-v1", "Pendulum-v1"}  # fmt: skip
    assert expansion.notes and "cannot write" in expansion.notes[0] and "HalfCheetah-v4" in expansion.notes[0]


def test_an_unknown_env_or_method_fails_before_anything_runs():
    with pytest.raises(CwmbError, match="unknown environment 'CartPol-v1'"):
        expand_cells(_experiment(suites={"cwmb": {"envs": ["CartPol-v1"]}}))
    with pytest.raises(CwmbError, match="no method config 'gif-mcts'"):
        expand_cells(_experiment(methods=["gif-mcts"]))


@pytest.mark.parametrize("count", [1, 2, 3, 5, 16, 40])
def test_shards_are_disjoint_and_cover_the_grid(count):
    cells = expand_cells(_experiment()).cells
    shards = [shard_cells(cells, i, count) for i in range(1, count + 1)]
    keys = [cell.key for shard in shards for cell in shard]
    assert sorted(keys) == sorted(cell.key for cell in cells) and len(keys) == len(set(keys))
    assert max(map(len, shards)) - min(map(len, shards)) <= 1


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0"])
def test_a_bad_shard_is_refused(text):
    with pytest.raises(CwmbError, match="bad --shard"):
        parse_shard(text)


class _NumbersSuite:
    """A suite kind a user could add: targets are numbered problems."""

    name = "numbers"

    def targets(self, section, where):
        return [f"n{i}" for i in range(section["count"])]

    def usable_targets(self, targets, llm_config):
        return targets, []

    def method_spec(self, name):
        from cwmb.methods import load_method_config

        return load_method_config(name)


def test_a_registered_suite_kind_expands_like_the_built_in_ones():
    from cwmb.grid.suites import _SUITES, get_suite, register_suite

    register_suite(_NumbersSuite())
    try:
        cells = expand_cells(_experiment(suites={"numbers": {"count": 3}})).cells
        assert get_suite("numbers").name == "numbers"
    finally:
        _SUITES.pop("numbers")
    assert [c.key for c in cells[:2]] == ["gif_mcts-offline-b2-seed0/n0", "gif_mcts-offline-b2-seed1/n0"]
    assert len(cells) == 3 * 2 * 2 * 2 and {c.suite for c in cells} == {"numbers"}


def test_an_unknown_suite_names_the_known_ones():
    with pytest.raises(CwmbError, match="unknown suite 'cwbm'") as raised:
        expand_cells(_experiment(suites={"cwbm": {}}))
    assert "did you mean cwmb?" in raised.value.hint
