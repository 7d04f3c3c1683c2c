"""The learned mix of global and local averages behind GIF-MCTS's untried-action values."""

from __future__ import annotations

import pytest

from cwmb.methods.gif_prior import ActionPrior


def test_global_mean_starts_at_the_prior_and_averages_what_expansions_produced():
    prior = ActionPrior(0.55, 2)
    assert prior.global_mean == 0.55
    prior.update(prior.global_mean, None, 0.9)
    assert prior.global_mean == pytest.approx((0.55 * 2 + 0.9) / 3)


def test_estimate_is_the_global_mean_without_local_children_and_the_even_mix_with_them():
    prior = ActionPrior(0.5, 2)
    assert prior.estimate(None) == 0.5
    assert prior.estimate(0.9) == pytest.approx(0.7)
    assert ActionPrior(0.9, 2).estimate(1.5) == 1.0  # clipped to [0, 1]


def test_one_gradient_step_by_hand():
    prior = ActionPrior(0.5, 2)
    # Estimate (0.5*0.4 + 0.5*0.8) / 1 = 0.6, target 1.0, learning rate 1 / (1 + 2) = 1/3.
    prior.update(0.4, 0.8, 1.0)
    error = 0.6 - 1.0
    grad_global = 2 * error * 0.5 * (0.4 - 0.8)  # = 0.16: the global weight shrinks
    grad_local = 2 * error * 0.5 * (0.8 - 0.4)  # = -0.16: the local weight grows
    assert prior.w_global == pytest.approx(0.5 - grad_global / 3)
    assert prior.w_local == pytest.approx(0.5 - grad_local / 3)
    assert prior.steps == 1 and prior.count == 1
    # The next step uses learning rate 1/4.
    w_global, w_local = prior.w_global, prior.w_local
    prior.update(0.5, 0.5, 0.5)  # equal means, zero error: no change
    assert (prior.w_global, prior.w_local) == (w_global, w_local) and prior.steps == 2


def test_no_local_mean_means_no_weight_step_and_learning_can_be_switched_off():
    prior = ActionPrior(0.5, 2)
    prior.update(0.5, None, 1.0)
    assert (prior.w_global, prior.w_local, prior.steps) == (0.5, 0.5, 0)
    fixed = ActionPrior(0.5, 2)
    fixed.update(0.4, 0.8, 1.0, learn=False)
    assert (fixed.w_global, fixed.w_local) == (0.5, 0.5) and fixed.count == 1
