"""``cwmb run --dry-run``: what a grid would cost before anything runs.

- LLM calls: the upper bound is the sum of the cells' budgets (a search stops early only
  when a program is perfect or the cost cap is hit).
- Tokens per call: input = the env's generate prompt (≈ 4 characters per token) plus one
  answer's worth (improve and fix prompts carry a program); output = the LLM config's
  ``max_tokens`` (1500, the paper's, when unset). An estimate, stated as such.
- Dollars: the config's ``price`` if given, else litellm's bundled price table; a model
  missing from both is reported as unknown, never as free. Simulated models cost $0.
- Planning core-hours: episodes x the committed oracle seconds per episode of the same
  profile and env (``cwmb/benchmark/reference_returns/<profile>.json``, measured or
  estimated by ``cwmb references``); envs without a timing are counted as unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from cwmb.grid.cells import Cell

DEFAULT_OUTPUT_TOKENS = 1500  # the paper's max_new_tokens (Table 5)
APPS_PROMPT_TOKENS = 1000  # a rough APPS problem statement when the suite cannot render one


@dataclass
class LLMEstimate:
    """Calls, tokens and dollars of one LLM config over its cells."""

    name: str
    model: str
    simulated: bool
    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    dollars: float | None = 0.0
    price_source: str = ""


@dataclass
class GridEstimate:
    """The dry run's numbers; see the module docstring for how each is made."""

    cells: int
    llms: dict[str, LLMEstimate] = field(default_factory=dict)
    planning_seconds: float = 0.0
    planning_unknown: list[str] = field(default_factory=list)

    @property
    def calls(self) -> int:
        """Upper bound of LLM calls of the whole grid."""
        return sum(e.calls for e in self.llms.values())

    @property
    def dollars(self) -> float | None:
        """Total dollars, None when some model's price is unknown."""
        values = [e.dollars for e in self.llms.values()]
        return None if any(v is None for v in values) else sum(v or 0.0 for v in values)


def estimate_grid(cells: Sequence[Cell], context: Any) -> GridEstimate:
    """The :class:`GridEstimate` of ``cells`` (nothing runs, no network)."""
    from cwmb.llm import load_llm_config

    estimate = GridEstimate(len(cells))
    for cell in cells:
        config = load_llm_config(cell.llm)
        simulated = config.backend != "litellm"
        entry = estimate.llms.setdefault(cell.llm, LLMEstimate(config.name, config.model, simulated))
        out_tokens = config.max_tokens or DEFAULT_OUTPUT_TOKENS
        entry.calls += cell.budget
        entry.tokens_in += cell.budget * (prompt_tokens(cell.suite, cell.target) + out_tokens)
        entry.tokens_out += cell.budget * out_tokens
        if "evaluate" in cell.stages:
            seconds = planning_seconds(cell, context)
            if seconds is None:
                estimate.planning_unknown.append(cell.key)
            else:
                estimate.planning_seconds += seconds
    for spec, entry in estimate.llms.items():
        entry.dollars, entry.price_source = _dollars(load_llm_config(spec), entry)
    return estimate


@cache
def prompt_tokens(suite: str, target: str) -> int:
    """≈ tokens of the generate prompt of a target (4 characters per token)."""
    from cwmb.llm.protocol import rough_token_count

    if suite == "apps":
        return APPS_PROMPT_TOKENS
    from cwmb.benchmark import get_env
    from cwmb.benchmark.descriptions import describe_env
    from cwmb.prompts import generate_messages

    messages = generate_messages(describe_env(get_env(target)), "")
    return sum(rough_token_count(m["content"]) for m in messages)


def planning_seconds(cell: Cell, context: Any) -> float | None:
    """Core-seconds of the cell's planning episodes, from the committed oracle timings."""
    if cell.suite == "apps":
        return 0.0  # APPS has no planning stage
    from cwmb.grid.cell_run import planner_profile

    plan = planner_profile(context)
    per_episode = _oracle_seconds(plan.name, cell.target)
    return None if per_episode is None else per_episode * (context.episodes or plan.episodes)


@cache
def _oracle_seconds(profile: str, env: str) -> float | None:
    from cwmb.planning.references import ReferenceReturns, reference_path

    path = reference_path(profile)
    if not path.exists():
        return None
    block = ReferenceReturns.read(path).block(env, "oracle")
    return None if block is None else block.seconds_per_episode()[0]


def _dollars(config: Any, entry: LLMEstimate) -> tuple[float | None, str]:
    if entry.simulated:
        return 0.0, "simulated, no cost"
    if config.price is not None:
        return config.price.cost(entry.tokens_in, entry.tokens_out), "price in the LLM config"
    from cwmb.llm.litellm_backend import import_litellm

    litellm = import_litellm()
    try:
        cost_in, cost_out = litellm.cost_per_token(
            model=config.model, prompt_tokens=entry.tokens_in, completion_tokens=entry.tokens_out
        )
    except Exception:  # litellm raises for models missing from its price table
        return None, f"{config.model} is not in litellm's price table; set price: in the LLM config"
    return float(cost_in) + float(cost_out), "litellm's price table"


def estimate_lines(estimate: GridEstimate, profile: str) -> list[str]:
    """The dry run's report as plain lines."""
    lines = [f"{estimate.cells} cell(s); at most {estimate.calls} LLM call(s)"]
    for entry in estimate.llms.values():
        dollars = "unknown" if entry.dollars is None else f"${entry.dollars:,.2f}"
        label = " [simulated, not an LLM]" if entry.simulated else ""
        lines.append(
            f"  {entry.name} ({entry.model}){label}: {entry.calls} calls, ≈{entry.tokens_in:,} tokens in, "
            f"≈{entry.tokens_out:,} tokens out, {dollars} ({entry.price_source})"
        )
    total = "unknown (some prices are unknown)" if estimate.dollars is None else f"${estimate.dollars:,.2f}"
    lines.append(f"estimated LLM cost: {total}")
    hours = estimate.planning_seconds / 3600
    unknown = f"; no timing for {len(estimate.planning_unknown)} cell(s)" if estimate.planning_unknown else ""
    lines.append(
        f"estimated planning: {hours:,.2f} core-hours (profile {profile}, committed oracle timings){unknown}"
    )
    return lines
