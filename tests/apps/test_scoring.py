"""pass@k, means with their error, and the run-level aggregation."""

from __future__ import annotations

import math

import pytest

from cwmb.apps.scoring import aggregate, by_source, mean_and_error, pass_at_k


def test_pass_at_k_matches_the_binomial_definition():
    for n, c, k in ((10, 3, 1), (10, 3, 5), (20, 1, 20), (5, 0, 2), (7, 7, 3)):
        exact = 1 - math.comb(n - c, k) / math.comb(n, k)
        assert pass_at_k(n, c, k) == pytest.approx(exact)
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    with pytest.raises(ValueError):
        pass_at_k(3, 1, 5)


def test_mean_and_standard_error():
    assert mean_and_error([]) == (None, None)
    assert mean_and_error([1.0]) == (1.0, 0.0)
    mean, error = mean_and_error([0.0, 1.0, 1.0, 0.0])
    assert mean == 0.5 and error == pytest.approx(math.sqrt(1 / 3 / 4))


def record(pid, source, strict_hidden, strict_all, hidden=2, samples=4, correct=1):
    return {
        "problem_id": pid,
        "source": source,
        "hidden_tests": hidden,
        "strict_hidden": strict_hidden,
        "strict_all": strict_all,
        "test_average_hidden": float(strict_hidden or 0),
        "test_average_all": 0.5,
        "pass_any_all": correct > 0,
        "samples": samples,
        "correct_samples_all": correct,
    }


def test_single_test_problems_are_kept_apart():
    records = [
        record("1", "kattis", True, True),
        record("2", "codeforces", False, False, correct=0),
        record("3", "atcoder", None, True, hidden=0),
    ]
    result = aggregate(records)
    assert (
        result["strict_accuracy_hidden"]["problems"] == 2 and result["strict_accuracy_hidden"]["mean"] == 0.5
    )
    assert result["strict_accuracy_all"]["mean"] == pytest.approx(2 / 3)
    assert result["single_test"]["problems"] == 1
    assert result["pass_at_k_all"]["1"]["mean"] == pytest.approx((0.25 + 0 + 0.25) / 3)
    assert "5" not in result["pass_at_k_all"]  # no problem has 5 samples
    assert by_source(records)["atcoder"]["strict_accuracy_hidden"]["problems"] == 0
