"""Normalized return: the paper's formula on hand-computed numbers, and the N/A rule."""

from __future__ import annotations

import math

import pytest

from cwmb.planning.normalized import (
    ReturnSummary,
    denominator_is_noise,
    mean,
    mean_defined,
    normalized_return,
    normalized_score,
    standard_error,
)


def test_paper_formula_on_table_12_numbers():
    # CartPole-v1, GPT-4 GIF-MCTS: (310.4 - 24.4) / (494 - 24.4) = 286 / 469.6.
    assert normalized_return(310.4, 24.4, 494.0) == pytest.approx(286 / 469.6)
    # Pendulum-v1: negative returns, better than random but far from the oracle.
    assert normalized_return(-739.8, -1122.8, -373.6) == pytest.approx(383.0 / 749.2)


def test_no_clipping():
    assert normalized_return(-10.0, 0.0, 10.0) == -1.0
    assert normalized_return(15.0, 0.0, 10.0) == 1.5


@pytest.mark.parametrize(("random", "oracle"), [(-200.0, -200.0), (-500.0, -500.0), (0.0, 0.0)])
def test_equal_references_are_not_applicable(random, oracle):
    assert normalized_return(-200.0, random, oracle) is None


def test_float_level_ties_are_not_applicable_but_small_real_gaps_are_kept():
    assert normalized_return(1.0, -500.0, -500.0 + 1e-12) is None
    assert normalized_return(0.5, 0.0, 1.0) == 0.5


def test_a_gap_within_the_combined_standard_error_is_not_applicable():
    # hypot(0.6, 0.6) = 0.849 < 1: defined; hypot(0.8, 0.8) = 1.131 > 1: noise.
    assert normalized_return(0.5, 0.0, 1.0, random_se=0.6, oracle_se=0.6) == 0.5
    assert normalized_return(0.5, 0.0, 1.0, random_se=0.8, oracle_se=0.8) is None
    assert not denominator_is_noise(1.0, 0.0, 0.8, 0.8, noise_k=0.5)


def test_mean_and_standard_error_by_hand():
    assert mean([1.0, 2.0, 3.0, 4.0]) == 2.5
    # sample variance 5/3, so SE = sqrt(5/3 / 4).
    assert standard_error([1.0, 2.0, 3.0, 4.0]) == pytest.approx(math.sqrt(5 / 12))
    assert standard_error([7.0]) == 0.0
    with pytest.raises(ValueError):
        mean([])


def test_score_from_episode_returns():
    score = normalized_score([3.0, 5.0], [0.0, 0.0, 0.0], [8.0, 8.0])
    assert score.value == 0.5 and score.reason is None
    assert score.model == ReturnSummary(4.0, 1.0, 2)
    flat = normalized_score([-200.0], [-200.0] * 3, [-200.0] * 3)
    assert flat.value is None and "equal within noise" in flat.reason


def test_average_over_envs_leaves_out_not_applicable():
    # The paper's discrete R for GPT-4: mean of 4 envs, MountainCar and Acrobot left out.
    assert mean_defined([0.99, 0.98, None, 0.87, 0.41, None]) == pytest.approx(0.8125)
    assert mean_defined([None, None]) is None
