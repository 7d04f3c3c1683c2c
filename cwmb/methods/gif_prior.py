"""GIF-MCTS's value estimate for an action not yet taken: a learned mix of global and local averages.

For each action type t (generate, improve, fix) the search keeps

- the *global* average v_G of the values that type-t expansions have produced so far
  anywhere in the tree, started from the prior value v_t with weight ``count`` (Table 4:
  generate 0.5 (2), improve 0.55 (2), fix 0.5 (2));
- at a node P, the *local* average v_L of the values of P's type-t children, if any.

The estimate is ``(w_G v_G + w_L v_L) / (w_G + w_L)``, or v_G when P has no type-t child,
clipped to [0, 1]. The weights start at 0.5 each and take one gradient step on the squared
error after every expansion of type t, with learning rate 1 / n (n starts at 1 + count and
grows by one per step), as in the original implementation.

Decision (a deviation, see ``docs/methods.md``): the step uses the very (v_G, v_L) the
selection saw, runs only when a local average existed and keeps the weights at 1e-3 or more.
The original recomputed v_L after expanding the new child, including that child's
not-yet-backed-up value 0 in the average, always stepped and never clamped;
``update(..., original=True)`` does that (``fidelity: original``).
"""

from __future__ import annotations

from dataclasses import dataclass

# Weights stay positive so the mix stays a weighted average (the original let them drift freely).
_MIN_WEIGHT = 1e-3


@dataclass
class ActionPrior:
    """The running statistics and learned weights of one action type (see the module docstring)."""

    init_value: float
    init_count: float
    value_sum: float = 0.0
    count: int = 0
    w_global: float = 0.5
    w_local: float = 0.5
    steps: int = 0

    @property
    def global_mean(self) -> float:
        """v_G: the prior-smoothed mean of the values type-t expansions produced."""
        total = self.init_value * self.init_count + self.value_sum
        return total / (self.init_count + self.count)

    def estimate(self, local_mean: float | None) -> float:
        """The value of an untried type-t action at a node whose type-t children average ``local_mean``."""
        return _clip(self._mix(self.global_mean, local_mean))

    def _mix(self, global_mean: float, local_mean: float | None) -> float:
        if local_mean is None:
            return global_mean
        total = self.w_global + self.w_local
        return (self.w_global * global_mean + self.w_local * local_mean) / total

    def update(
        self,
        global_mean: float,
        local_mean: float | None,
        target: float,
        learn: bool = True,
        original: bool = False,
    ) -> None:
        """Learn from one expansion whose estimate used (``global_mean``, ``local_mean``) and gave ``target``.

        Without a local mean the estimate did not depend on the weights (zero gradient), so
        only the global statistics change. ``original``: the caller passes the original's
        local mean (never None), and the weights are not clamped.
        """
        floor = -float("inf") if original else _MIN_WEIGHT
        if learn and local_mean is not None:
            rate = 1.0 / (1.0 + self.init_count + self.steps)
            total = self.w_global + self.w_local
            error = self._mix(global_mean, local_mean) - target
            # d(mix)/d(w_G) = w_L (v_G - v_L) / total^2, and symmetrically for w_L.
            grad_global = 2.0 * error * self.w_local * (global_mean - local_mean) / total**2
            grad_local = 2.0 * error * self.w_global * (local_mean - global_mean) / total**2
            self.w_global = max(floor, self.w_global - rate * grad_global)
            self.w_local = max(floor, self.w_local - rate * grad_local)
            self.steps += 1
        self.value_sum += target
        self.count += 1

    def as_dict(self) -> dict[str, float]:
        """The current statistics, for the run's records."""
        return {
            "global_mean": self.global_mean,
            "count": self.count,
            "w_global": self.w_global,
            "w_local": self.w_local,
        }


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))
