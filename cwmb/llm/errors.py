"""Errors of the LLM layer; all are :class:`~cwmb.errors.CwmbError`, so the CLI prints them cleanly."""

from __future__ import annotations

from cwmb.errors import CwmbError

OFFLINE_HINT = "or run without a network on the offline simulated coder: --llm configs/llms/offline.yaml"


class LLMError(CwmbError):
    """An LLM call failed for good (after retries): unreachable server, missing key, bad request..."""


class BudgetExceeded(CwmbError):
    """The next LLM call would take the run past its cost cap (``max_cost``); nothing was sent."""

    def __init__(self, spent_usd: float, estimate_usd: float, max_cost_usd: float) -> None:
        super().__init__(
            f"cost cap reached: ${spent_usd:.4f} spent, the next call is estimated at ${estimate_usd:.4f} "
            f"and the cap is ${max_cost_usd:.4f}",
            "raise --max-cost (or max_cost in the LLM config) and re-run the same command; "
            "cached calls are replayed for free",
        )
        self.spent_usd = spent_usd
        self.estimate_usd = estimate_usd
        self.max_cost_usd = max_cost_usd


class ScriptExhausted(CwmbError):
    """The scripted model was asked for more completions than it was given."""
