"""Planner profiles: shipped ones load with the paper's numbers; overrides; clear errors."""

from __future__ import annotations

import pytest

from cwmb.errors import CwmbError
from cwmb.planning.cem import CEMSettings
from cwmb.planning.mcts import MCTSSettings
from cwmb.planning.profiles import (
    list_profiles,
    load_profile,
    parse_override,
    profile_from_dict,
)


def test_paper_profile_has_the_papers_settings():
    paper = load_profile("paper")
    assert paper.mcts == MCTSSettings(25, 100, 1.0, 1.0, 0.99, 0.01)
    assert (paper.cem.horizon, paper.cem.iterations, paper.cem.samples, paper.cem.elites) == (
        100,
        20,
        1000,
        100,
    )
    assert paper.cem.init_std_scale == 0.5
    assert (paper.episodes, paper.episode_cap, paper.name) == (10, None, "paper")
    assert paper.cap_for(1000) == 1000


def test_quick_profile_is_small():
    quick = load_profile("quick")
    assert (quick.mcts.simulations, quick.mcts.max_rollout_steps) == (8, 20)
    assert quick.cem == CEMSettings(horizon=15, iterations=2, samples=40, elites=5)
    assert (quick.episodes, quick.cap_for(1000), quick.cap_for(30)) == (2, 50, 30)
    assert {"paper", "quick"} <= set(list_profiles())


def test_any_setting_can_be_overridden():
    profile = load_profile(
        "paper", {"cem.samples": 200, "mcts.temperature": 1, "episodes": 3, "episode_cap": 20}
    )
    assert (profile.cem.samples, profile.cem.iterations, profile.mcts.temperature) == (200, 20, 1.0)
    assert (profile.episodes, profile.episode_cap) == (3, 20)
    assert parse_override("cem.elites=7") == ("cem.elites", 7)
    assert parse_override("episode_cap=null") == ("episode_cap", None)
    assert parse_override("oracle_randomness=shared") == ("oracle_randomness", "shared")


def test_to_dict_round_trips():
    profile = load_profile("quick", {"seed": 5})
    assert profile_from_dict(profile.to_dict()) == profile.__class__(**{**profile.__dict__, "source": None})


def test_the_unvisited_rule_is_recorded_only_when_it_is_not_the_default():
    # References made before the rule existed record no such key and must stay valid.
    default = load_profile("paper")
    assert "unvisited" not in default.planner_settings("mcts")
    assert "unvisited" not in default.to_dict()["mcts"]
    original = load_profile("paper", {"mcts.unvisited": "optimistic", "mcts.visit_offset": 0.001})
    assert original.planner_settings("mcts")["unvisited"] == "optimistic"
    assert original.planner_settings("mcts")["unvisited_value"] == 1.0
    assert profile_from_dict(original.to_dict()).mcts == original.mcts
    assert profile_from_dict(default.to_dict()).mcts == default.mcts


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"episods": 3}, "unknown key"),
        ({"cem.sample": 3}, "unknown cem setting"),
        ({"mtcs.simulations": 3}, "unknown planner section"),
        ({"cem.samples": "many"}, "must be an integer"),
        ({"cem.samples": 2.5}, "must be an integer"),
        ({"mcts.discount": True}, "must be a number"),
        ({"mcts.discount": 1.5}, "in (0, 1]"),
        ({"mcts.temperature": 0}, "> 0"),
        ({"episodes": 0}, ">= 1"),
        ({"oracle_randomness": "psychic"}, "one of fresh, shared"),
        ({"cem.elites": 50}, "exceeds cem.samples"),
        ({"mcts": 5}, "must be a mapping"),
        ({"mcts.unvisited": "eager"}, "one of first, optimistic"),
    ],
)
def test_bad_settings_are_clear_errors(overrides, message):
    with pytest.raises(CwmbError) as caught:
        load_profile("quick", overrides)
    assert message in caught.value.message


def test_unknown_keys_get_a_suggestion():
    with pytest.raises(CwmbError) as caught:
        load_profile("quick", {"cem.iteration": 3})
    assert "iterations" in caught.value.hint


def test_unknown_profile_and_bad_files(tmp_path):
    with pytest.raises(CwmbError) as caught:
        load_profile("quik")
    assert "quick" in caught.value.hint
    listed = tmp_path / "list.yaml"
    listed.write_text("- 1\n- 2\n")
    with pytest.raises(CwmbError, match="mapping"):
        load_profile(listed)
    broken = tmp_path / "broken.yaml"
    broken.write_text("cem: [unclosed\n")
    with pytest.raises(CwmbError, match="cannot parse"):
        load_profile(broken)
    with pytest.raises(CwmbError) as caught:
        parse_override("cem.samples")
    assert "KEY=VALUE" in caught.value.hint


def test_a_profile_file_with_only_some_keys_uses_defaults(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("episodes: 4\nmcts:\n  simulations: 50\n")
    profile = load_profile(path)
    assert (profile.name, profile.episodes, profile.mcts.simulations) == ("mine", 4, 50)
    assert profile.mcts.max_rollout_steps == 100 and profile.cem == CEMSettings()
