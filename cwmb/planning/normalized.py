"""Normalized return (paper Eq. 3), with a documented rule for when it is undefined.

``R = (R_model - R_random) / (R_oracle - R_random)``: 0 is as good as acting at random, 1
is as good as the same planner on the true environment. No clipping (as the paper): a
model can score below 0 or above 1.

**The N/A rule.** R is reported as N/A (``None``) when the denominator is within noise:

    |R_oracle - R_random| <= max(abs_tol + rel_tol·max(|R_oracle|, |R_random|),
                                 noise_k·sqrt(SE_oracle² + SE_random²))

where SE is the standard error of each mean over episodes (``noise_k = 1`` by default).
The first term catches exact ties such as the paper's MountainCar (-200 / -200) and
Acrobot (-500 / -500), where neither planner ever reaches the goal; the second catches an
oracle that is not distinguishable from random at the number of episodes run, whose
ratio would be noise divided by noise. With a single episode the standard errors are 0
and only the first term applies.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ABS_TOL = 1e-8
REL_TOL = 1e-6
NOISE_K = 1.0


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean; raises ``ValueError`` on an empty sequence."""
    if not values:
        raise ValueError("mean of no values")
    return math.fsum(values) / len(values)


def standard_error(values: Sequence[float]) -> float:
    """Standard error of the mean, ``std(ddof=1) / sqrt(n)``; 0 for fewer than two values."""
    n = len(values)
    if n < 2:
        return 0.0
    centre = mean(values)
    variance = math.fsum((v - centre) ** 2 for v in values) / (n - 1)
    return math.sqrt(variance / n)


@dataclass(frozen=True)
class ReturnSummary:
    """Mean and standard error of a set of episode returns."""

    mean: float
    standard_error: float
    episodes: int

    @classmethod
    def of(cls, returns: Sequence[float]) -> ReturnSummary:
        """Summarise a non-empty sequence of episode returns."""
        return cls(mean(returns), standard_error(returns), len(returns))


def denominator_is_noise(
    oracle: float,
    random: float,
    oracle_se: float = 0.0,
    random_se: float = 0.0,
    *,
    noise_k: float = NOISE_K,
    abs_tol: float = ABS_TOL,
    rel_tol: float = REL_TOL,
) -> bool:
    """True when ``oracle - random`` is too small to divide by (the rule in the module docstring)."""
    tie = abs_tol + rel_tol * max(abs(oracle), abs(random))
    noise = noise_k * math.hypot(oracle_se, random_se)
    return abs(oracle - random) <= max(tie, noise)


def normalized_return(
    model: float,
    random: float,
    oracle: float,
    random_se: float = 0.0,
    oracle_se: float = 0.0,
    *,
    noise_k: float = NOISE_K,
    abs_tol: float = ABS_TOL,
    rel_tol: float = REL_TOL,
) -> float | None:
    """``(model - random) / (oracle - random)``, or ``None`` (N/A) when the denominator is noise."""
    if denominator_is_noise(
        oracle, random, oracle_se, random_se, noise_k=noise_k, abs_tol=abs_tol, rel_tol=rel_tol
    ):
        return None
    return (model - random) / (oracle - random)


@dataclass(frozen=True)
class NormalizedScore:
    """R with the three summaries it was computed from; ``value`` is None for N/A."""

    value: float | None
    model: ReturnSummary
    random: ReturnSummary
    oracle: ReturnSummary

    @property
    def reason(self) -> str | None:
        """Why R is N/A, or None when it is defined."""
        if self.value is not None:
            return None
        return (
            f"oracle ({self.oracle.mean:g} ± {self.oracle.standard_error:g}) and random "
            f"({self.random.mean:g} ± {self.random.standard_error:g}) returns are equal within noise"
        )


def normalized_score(
    model_returns: Sequence[float],
    random_returns: Sequence[float],
    oracle_returns: Sequence[float],
    *,
    noise_k: float = NOISE_K,
) -> NormalizedScore:
    """R from per-episode returns: means, standard errors, then :func:`normalized_return`."""
    model, random, oracle = (ReturnSummary.of(r) for r in (model_returns, random_returns, oracle_returns))
    value = normalized_return(
        model.mean, random.mean, oracle.mean, random.standard_error, oracle.standard_error, noise_k=noise_k
    )
    return NormalizedScore(value, model, random, oracle)


def mean_defined(values: Iterable[float | None]) -> float | None:
    """Mean over the defined values (the paper averages R over envs, leaving out N/A); None if none."""
    defined = [v for v in values if v is not None]
    return mean(defined) if defined else None
