"""Method registry and configs: shipped presets, paper settings, clear errors."""

from __future__ import annotations

import pytest

from cwmb.errors import CwmbError
from cwmb.methods import GIFMCTSConfig, load_method_config, method_names, method_spec_from_dict
from cwmb.methods.registry import CONFIG_DIR, list_method_presets


def test_every_method_has_a_shipped_config_that_loads():
    assert (
        set(list_method_presets())
        == set(method_names())
        == {
            "gif_mcts",
            "worldcoder",
            "rex",
            "best_of_n",
            "zero_shot",
        }
    )
    for name in method_names():
        spec = load_method_config(name)
        assert spec.name == name and spec.source == str(CONFIG_DIR / f"{name}.yaml")


def test_the_gif_mcts_config_has_the_papers_table_4_settings():
    config = load_method_config("gif_mcts").config
    assert config == GIFMCTSConfig()
    assert (config.lines_per_generate, config.visit_offset, config.exploration, config.discount) == (
        2,
        1.0,
        0.1,
        1.0,
    )
    assert (config.generate_prior, config.generate_prior_count) == (0.5, 2)
    assert (config.improve_prior, config.improve_prior_count) == (0.55, 2)
    assert config.max_fixes == 3 and config.budget == 50
    assert [config.bug_value(k) for k in (3, 2, 1, 0)] == pytest.approx([0.99, 0.66, 0.33, 0.0])


def test_worldcoder_config_uses_c_5():
    assert load_method_config("worldcoder").config.heuristic_weight == 5.0


def test_unknown_keys_and_methods_are_errors_with_suggestions(tmp_path):
    with pytest.raises(CwmbError, match="unknown key 'exploraton'") as problem:
        method_spec_from_dict({"method": "gif_mcts", "exploraton": 0.2})
    assert "exploration" in problem.value.hint
    with pytest.raises(CwmbError, match="unknown search method 'gif-mcts'") as problem:
        method_spec_from_dict({"method": "gif-mcts"})
    assert "gif_mcts" in problem.value.hint
    with pytest.raises(CwmbError, match="must be true or false"):
        method_spec_from_dict({"method": "gif_mcts", "allow_fix": "no"})
    with pytest.raises(CwmbError, match="invalid gif_mcts config"):
        method_spec_from_dict({"method": "gif_mcts", "budget": 0})
    with pytest.raises(CwmbError, match="no method config"):
        load_method_config("nonexistent")
    path = tmp_path / "mine.yaml"
    path.write_text("method: rex\nheuristic_weight: 3\n")
    assert load_method_config(path).config.heuristic_weight == 3.0


def test_overrides_keep_everything_else():
    spec = load_method_config("gif_mcts").with_overrides(budget=10, seed=None)
    assert spec.config.budget == 10 and spec.config.exploration == 0.1
    assert spec.as_dict()["method"] == "gif_mcts" and spec.as_dict()["budget"] == 10
    with pytest.raises(CwmbError):
        load_method_config("zero_shot").with_overrides(budget=3)


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"method": "zero_shot", "feedback_transitions": 2}, "feedback_transitions"),
        ({"method": "best_of_n", "feedback_transitions": 1}, "feedback_transitions"),
        ({"method": "gif_mcts", "allow_fix": False, "fix_prior": 0.4}, "fix_prior"),
        ({"method": "gif_mcts", "allow_fix": False, "max_fixes": 2}, "max_fixes"),
        ({"method": "gif_mcts", "allow_improve": False, "improve_prior_count": 1}, "improve_prior_count"),
    ],
)
def test_a_setting_the_method_ignores_is_an_error(data, key):
    with pytest.raises(CwmbError) as problem:
        method_spec_from_dict(data, source="mine.yaml")
    assert problem.value.message.startswith(
        f"key '{key}' for method {data['method']} in mine.yaml has no effect"
    )


def test_the_same_settings_are_fine_where_they_act():
    assert (
        method_spec_from_dict({"method": "gif_mcts", "allow_fix": True, "fix_prior": 0.4}).config.fix_prior
        == 0.4
    )
    assert method_spec_from_dict({"method": "gif_mcts", "allow_fix": False}).config.allow_fix is False
    for name in list_method_presets():
        load_method_config(name)
