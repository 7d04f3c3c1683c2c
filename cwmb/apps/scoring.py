"""The numbers of an APPS evaluation: strict accuracy, test-case average, pass@k, per-source breakdown.

Definitions (``docs/apps.md``):

- *strict accuracy* of a program on a set of tests: 1 if it passes all of them, else 0;
  averaged over problems, with the standard error of the mean (the paper's ±);
- *test-case average*: the fraction of tests passed, averaged over problems;
- *pass@k* (Chen et al., 2021, unbiased estimator): with ``n`` sampled programs of which
  ``c`` are correct, ``1 - C(n - c, k) / C(n, k)``; defined for ``k <= n``;
- *pass@any*: some program among all ``n`` is correct, the paper's "pass@B" for a budget B.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

PASS_AT_K = (1, 5, 10, 20)


def pass_at_k(n: int, c: int, k: int) -> float:
    """Chen et al.'s unbiased pass@k for ``c`` correct among ``n`` samples (needs ``1 <= k <= n``)."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"pass@k needs 0 <= c <= n and 1 <= k <= n, got n={n}, c={c}, k={k}")
    if n - c < k:
        return 1.0
    # The product form avoids the huge binomials of large n.
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def mean_and_error(values: Sequence[float]) -> tuple[float | None, float | None]:
    """Mean and standard error of the mean (None for no values; error 0 for one value)."""
    if not values:
        return None, None
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, 0.0
    variance = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return mean, math.sqrt(variance / len(values))


def _stat(records: Sequence[Mapping[str, Any]], key: str) -> dict[str, Any]:
    values = [float(r[key]) for r in records if r.get(key) is not None]
    mean, error = mean_and_error(values)
    return {"mean": mean, "standard_error": error, "problems": len(values)}


def aggregate(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Run-level numbers from per-problem records (see :func:`cwmb.apps.evaluate.evaluate_problem`).

    Problems with hidden tests make the main numbers; single-test problems (no hidden
    test) are reported on their own, scored on their one test (which the search saw).
    """
    with_hidden = [r for r in records if r["hidden_tests"] > 0]
    single = [r for r in records if r["hidden_tests"] == 0]
    result: dict[str, Any] = {
        "problems": len(records),
        "problems_with_hidden_tests": len(with_hidden),
        "strict_accuracy_hidden": _stat(with_hidden, "strict_hidden"),
        "strict_accuracy_all": _stat(records, "strict_all"),
        "test_case_average_hidden": _stat(with_hidden, "test_average_hidden"),
        "test_case_average_all": _stat(records, "test_average_all"),
        "pass_any_all": _stat(records, "pass_any_all"),
        "single_test": {"problems": len(single), "strict_accuracy_all": _stat(single, "strict_all")},
        "pass_at_k_all": {},
    }
    for k in PASS_AT_K:
        scored = [r for r in records if r["samples"] >= k]
        if scored:
            values = [pass_at_k(r["samples"], r["correct_samples_all"], k) for r in scored]
            result["pass_at_k_all"][str(k)] = {"mean": sum(values) / len(values), "problems": len(scored)}
    return result


def by_source(records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Strict accuracy (hidden and all tests) per source judge (codeforces, kattis, atcoder, ...)."""
    sources = sorted({r["source"] for r in records})
    return {
        s: {
            "problems": sum(r["source"] == s for r in records),
            "strict_accuracy_hidden": _stat(
                [r for r in records if r["source"] == s and r["hidden_tests"]], "strict_hidden"
            ),
            "strict_accuracy_all": _stat([r for r in records if r["source"] == s], "strict_all"),
        }
        for s in sources
    }


def curves(records: Sequence[Mapping[str, Any]], budget: int) -> dict[str, list[float | None]]:
    """Mean over problems, after each call: strict accuracy of the selected program, and pass@any."""
    out: dict[str, list[float | None]] = {
        "strict_selected_hidden": [],
        "strict_selected_all": [],
        "pass_any_all": [],
    }
    for call in range(budget):
        for key, field, pool in (
            ("strict_selected_hidden", "curve_selected_hidden", [r for r in records if r["hidden_tests"]]),
            ("strict_selected_all", "curve_selected_all", records),
            ("pass_any_all", "curve_pass_any_all", records),
        ):
            values = [r[field][min(call, len(r[field]) - 1)] for r in pool if r[field]]
            out[key].append(sum(values) / len(values) if values else None)
    return out
