"""The shared key checks: unknown keys name the closest ones, keys without effect say why."""

from __future__ import annotations

import pytest

from cwmb.config_keys import check_effective_keys, check_known_keys, unknown_key_error
from cwmb.errors import CwmbError


def test_unknown_key_names_the_closest_known_ones():
    with pytest.raises(CwmbError) as problem:
        check_known_keys({"temperature": 1, "top_q": 0.5}, ["temperature", "top_p"], "key", " in x.yaml")
    assert problem.value.message == "unknown key 'top_q' in x.yaml"
    assert (
        problem.value.hint.startswith("did you mean top_p?")
        and "known: temperature, top_p" in problem.value.hint
    )


def test_known_keys_pass():
    check_known_keys({"a": 1}, ["a", "b"])


def test_unknown_key_without_a_close_name_lists_the_known_ones():
    error = unknown_key_error("planner section", "zzz", ["mcts", "cem"])
    assert error.message == "unknown planner section 'zzz'" and error.hint == "known: mcts, cem"


def test_a_key_without_effect_is_refused_with_the_reason():
    with pytest.raises(CwmbError) as problem:
        check_effective_keys(
            {"api_base": "u", "seed": 1}, {"api_base": "offline sends nothing"}, " in o.yaml"
        )
    assert problem.value.message == "key 'api_base' in o.yaml has no effect: offline sends nothing"
    assert problem.value.hint == "remove 'api_base'"
    check_effective_keys({"seed": 1}, {"api_base": "offline sends nothing"}, "")
