"""CEM finds good plans for a known objective, respects bounds and is reproducible."""

from __future__ import annotations

import numpy as np

from cwmb.planning.cem import CEMSettings, cem_plan

TARGET = np.array([[0.5, -0.25]] * 5)


def negative_distance(plans: np.ndarray) -> np.ndarray:
    return -((plans - TARGET) ** 2).sum(axis=(1, 2))


def plan(iterations: int, seed: int = 0) -> np.ndarray:
    settings = CEMSettings(horizon=5, iterations=iterations, samples=200, elites=20)
    return cem_plan(
        negative_distance, np.array([-1.0, -1.0]), np.array([1.0, 1.0]), settings, np.random.default_rng(seed)
    )


def test_converges_to_the_target():
    assert np.abs(plan(15) - TARGET).max() < 0.05


def test_more_iterations_never_worse():
    scores = [negative_distance(plan(k)[None])[0] for k in (1, 2, 4, 8)]
    assert scores == sorted(scores)


def test_plans_stay_within_bounds():
    settings = CEMSettings(horizon=3, iterations=3, samples=50, elites=5)
    far = cem_plan(
        lambda p: p.sum(axis=(1, 2)), np.array([-0.3]), np.array([0.2]), settings, np.random.default_rng(1)
    )
    assert far.max() <= 0.2 and far.min() >= -0.3 and far.mean() > 0.15


def test_same_seed_same_plan():
    assert np.array_equal(plan(3, seed=4), plan(3, seed=4))
