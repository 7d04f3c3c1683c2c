"""The evaluator a search scores its candidates with, chosen by the dataset's domain.

``cwmb synthesize`` and a grid cell (:mod:`cwmb.grid.cell_run`) both search through this
one factory, so an RTFM env is scored by the RTFM metric (valid actions included) wherever
it runs. Every candidate runs in the given sandbox pool.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def sandbox_evaluator_factory(pool: Any) -> Callable[[Any, Any], Any]:
    """``make(dataset, method_config)``: a sandbox evaluator for the dataset with the method's settings."""

    def make(dataset: Any, config: Any) -> Any:
        """RTFM's evaluator for an RTFM dataset, the world-model one for every other."""
        if dataset.obs_kind == "rtfm":
            from cwmb.rtfm.evaluator import RtfmSandboxEvaluator as Evaluator
        else:
            from cwmb.methods.sandbox_evaluator import SandboxEvaluator as Evaluator
        return Evaluator(
            pool,
            dataset,
            metric=config.metric,
            feedback_transitions=config.feedback_transitions,
            timeout_s=config.eval_timeout_s,
        )

    return make
