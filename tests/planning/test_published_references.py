"""The paper's Table 12 normalizers: the numbers, R with them, and their label."""

from __future__ import annotations

import pytest

from cwmb.benchmark import ENVS
from cwmb.errors import CwmbError
from cwmb.evaluation import EvaluationRequest, _returns_block
from cwmb.planning.profiles import load_profile
from cwmb.planning.published_references import (
    PUBLISHED_LABEL,
    TABLE_12,
    check_choice,
    published_summaries,
)


def test_table_12_covers_every_benchmark_env():
    assert set(TABLE_12) == {spec.name for spec in ENVS}
    # Spot checks against shared/reference/paper.md §6.
    assert TABLE_12["CartPole-v1"] == (24.4, 494.0)
    assert TABLE_12["HumanoidStandup-v4"] == (33240.2, 138075.6)
    assert TABLE_12["CliffWalking-v0"] == (-1169.2, -100.0)


def test_summaries_carry_the_label_and_no_standard_error():
    refs = published_summaries("halfcheetah-v4")
    assert refs.env == "HalfCheetah-v4" and refs.label == PUBLISHED_LABEL
    assert (refs.random.mean, refs.oracle.mean) == (-304.5, 893.3)
    assert refs.random.standard_error == refs.oracle.standard_error == 0.0


def _block(env: str, returns: list[float]) -> dict:
    request = EvaluationRequest(ENVS[0] if env is None else _spec(env), "", "x", load_profile("quick"))
    return _returns_block([{"episode_return": r} for r in returns], request, published_summaries)


def _spec(env: str):
    from cwmb.benchmark import get_env

    return get_env(env)


def test_an_evaluation_with_them_is_labelled_and_normalized_by_the_paper():
    block = _block("CartPole-v1", [259.2, 259.2])
    assert block["normalized"] == pytest.approx((259.2 - 24.4) / (494.0 - 24.4))
    assert block["normalizers"] == PUBLISHED_LABEL and block["oracle_episodes"] == 10


def test_equal_paper_means_give_na_not_a_division():
    block = _block("MountainCar-v0", [-200.0])
    assert block["normalized"] is None and "equal" in block["normalized_note"]


def test_bad_choice_is_a_user_error():
    assert check_choice("published") == "published"
    with pytest.raises(CwmbError) as problem:
        check_choice("paper")
    assert "ours" in problem.value.hint
