"""The reference models, the metric and the shipped dataset agree: exact envs score 1.0."""

from __future__ import annotations

from pathlib import Path

import pytest

from cwmb.benchmark.reference import REFERENCE_ENVS, predict_in_process, reference_class
from cwmb.scoring import score
from cwmb.trajectories import load_dataset

SHIPPED = Path(__file__).resolve().parents[3] / "trajectories"
EXACT = [env for env in REFERENCE_ENVS if env != "Blackjack-v1"]


@pytest.mark.parametrize("env", EXACT)
def test_exact_reference_is_perfect_on_shipped_data(env):
    data = load_dataset(SHIPPED, env)
    result = score(data, predict_in_process(reference_class(env), data))
    assert result.perfect and result.accuracy == pytest.approx(1.0)
    if env != "Pendulum-v1":  # the only one of them that never terminates
        assert data.terminated.any(), f"{env}: the shipped data should exercise termination"


def test_blackjack_reference_reaches_its_ceiling_only():
    data = load_dataset(SHIPPED, "Blackjack-v1")
    result = score(data, predict_in_process(reference_class("Blackjack-v1"), data))
    assert 0.6 < result.accuracy < 1.0 and not result.perfect
