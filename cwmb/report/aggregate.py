"""Groups of comparable runs and the paper's averages over envs.

A *group* is one line of the paper's Table 2: one method with one LLM and one budget.
Runs that differ only in their seed fall into the same group (the paper's Llama 3 rows
average 3 seeds); runs with other method settings (an ablation) form their own group.

Averaging follows the paper (``reference/paper.md`` §2):

1. per env, the value of a group is the mean over its runs (seeds);
2. a table cell is the mean over the envs of one action kind, with the standard error of
   that mean across envs (``std(ddof=1) / sqrt(n)``; none for a single env);
3. envs whose R is N/A are left out of the R mean (MountainCar and Acrobot, where oracle and
   random returns are equal), as the paper does;
4. a *failed* env (no program of the search runs) counts as accuracy 0 in the accuracy mean
   and its R is N/A, left out of the R mean; every mean says how many envs failed, so that a
   weak LLM's mean over many envs does not look better than it is (``docs/report.md``
   compares this with what the paper did);
5. envs not synthesized or not evaluated are left out too, but counted as *gaps*, so that
   a cell says "[3/4]" instead of silently averaging fewer envs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cwmb.report import published

METHOD_ORDER = ("gif_mcts", "worldcoder", "rex", "best_of_n", "zero_shot")
METHOD_LABELS = {
    "gif_mcts": "GIF-MCTS",
    "worldcoder": "WorldCoder",
    "rex": "REx",
    "best_of_n": "Best-of-N",
    "zero_shot": "Zero-shot",
}
_VALUED = ("ok", "partial")  # states that carry a number
FAILED = "failed"  # no program of the search runs
# What a failed run counts as in a mean, per quantity: accuracy 0; R is N/A (left out).
FAILED_VALUE: dict[str, float | None] = {"accuracy": 0.0, "R": None}
# When no run of a group has a number for an env, the cell shows the most telling state.
_STATE_PRIORITY = (FAILED, "N/A", "partial", "no reference", "not evaluated", "missing")


@dataclass(frozen=True)
class Group:
    """Runs of one method, LLM, budget and method settings (seeds pooled)."""

    key: tuple[str, str, str, int]
    method: str
    llm: str
    llm_model: str | None
    simulated: bool
    budget: int | None
    runs: tuple[str, ...]
    seeds: tuple[Any, ...]
    switches: dict[str, bool] = field(default_factory=dict)
    variant: str = ""

    @property
    def method_label(self) -> str:
        """The method's display name, with the ablation it runs (if any)."""
        base = METHOD_LABELS.get(self.method, self.method)
        return f"{base} ({self.variant})" if self.variant else base

    @property
    def llm_label(self) -> str:
        """The LLM's display name; simulated models say they are not LLMs."""
        return f"{self.llm} (simulated, not an LLM)" if self.simulated else self.llm

    @property
    def short(self) -> str:
        """A short column or legend label: method and LLM name (marked when simulated)."""
        return f"{self.method_label} · {self.llm}" + (" (simulated)" if self.simulated else "")

    @property
    def paper_llm(self) -> str | None:
        """The paper's LLM this group's LLM is, if any."""
        return published.match_llm(self.llm_model, self.simulated)

    @property
    def paper_row(self) -> published.PaperRow | None:
        """The paper row (Table 2 or 6) with the same method, LLM and ablation, if any."""
        return published.paper_row_for(self.method, self.paper_llm, self.switches)


def groups(frame: pd.DataFrame) -> list[Group]:
    """The groups present in the tidy table, in the paper's method order."""
    if frame.empty:
        return []
    found: list[Group] = []
    keys = ["method", "llm", "llm_hash", "settings_hash", "budget"]
    for _key, part in frame.groupby(keys, sort=False, dropna=False):
        first = part.iloc[0]
        found.append(
            Group(
                key=(first["method"], first["llm_hash"], first["settings_hash"], first["budget"]),
                method=first["method"],
                llm=first["llm"],
                llm_model=first["llm_model"],
                simulated=bool(first["simulated"]),
                budget=None if first["budget"] is None else int(first["budget"]),
                runs=tuple(dict.fromkeys(part["run"])),
                seeds=tuple(dict.fromkeys(part["seed"])),
                switches=json.loads(first["switches"] or "{}"),
            )
        )
    found = _name_variants(found, frame)
    rank = {m: i for i, m in enumerate(METHOD_ORDER)}
    return sorted(
        found, key=lambda g: (rank.get(g.method, len(rank)), g.method, g.llm, g.budget or 0, g.variant)
    )


def _name_variants(found: list[Group], frame: pd.DataFrame) -> list[Group]:
    """Label groups that share method and LLM by the settings that tell them apart."""
    named = []
    for group in found:
        twins = [g for g in found if g.method == group.method and g.llm == group.llm and g is not group]
        off = [k.removeprefix("allow_") for k, v in sorted(group.switches.items()) if v is False]
        variant = f"no {', no '.join(off)}" if off else ""
        if not variant and any(g.key[2] != group.key[2] for g in twins):
            mine = _settings(frame, group)
            differing = {k: v for k, v in mine.items() if any(_settings(frame, t).get(k) != v for t in twins)}
            variant = ", ".join(f"{k}={v}" for k, v in sorted(differing.items())[:3])
        named.append(Group(**{**group.__dict__, "variant": variant}))
    return named


def _settings(frame: pd.DataFrame, group: Group) -> dict[str, Any]:
    return json.loads(rows_of(frame, group).iloc[0]["settings"] or "{}")


def rows_of(frame: pd.DataFrame, group: Group) -> pd.DataFrame:
    """The tidy rows of one group."""
    mask = (
        (frame["method"] == group.method)
        & (frame["llm_hash"] == group.key[1])
        & (frame["settings_hash"] == group.key[2])
        & (frame["budget"].map(lambda b: b == group.budget or (b is None and group.budget is None)))
    )
    return frame[mask]


def mean_se(values: Sequence[float]) -> tuple[float | None, float | None]:
    """Mean and standard error of the mean (ddof=1); SE is None below two values."""
    if not values:
        return None, None
    mean = math.fsum(values) / len(values)
    if len(values) < 2:
        return mean, None
    variance = math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return mean, math.sqrt(variance / len(values))


@dataclass(frozen=True)
class Cell:
    """One group's value for one env (mean over its runs), or why there is none.

    ``failed`` counts the runs (seeds) where no program ran; ``counts_as`` is what a cell
    without a value counts as in a mean (accuracy 0 for a failed env; None: left out).
    """

    value: float | None
    state: str
    runs: int = 0
    partial: bool = False
    from_search: bool = False
    failed: int = 0
    counts_as: float | None = None

    @property
    def mean_value(self) -> float | None:
        """The number this cell adds to a mean over envs, or None when it is left out."""
        return self.value if self.value is not None else self.counts_as


def env_cell(rows: pd.DataFrame, column: str, state_column: str) -> Cell:
    """Merge the rows of one group and env (one per seed) into a :class:`Cell`.

    ``from_search`` marks an accuracy taken from the search's summary (no evaluation yet).
    A failed seed counts as :data:`FAILED_VALUE` of ``column`` (accuracy 0) beside the others.
    """
    states = list(rows[state_column])
    failed, fallback = states.count(FAILED), FAILED_VALUE.get(column)
    values = [float(v) for v, s in zip(rows[column], states, strict=True) if s in _VALUED and v is not None]
    if values:
        values += [fallback] * failed if fallback is not None else []
        searched = column == "accuracy" and "search" in set(rows["acc_source"])
        partial = "partial" in states
        return Cell(math.fsum(values) / len(values), "ok", len(values), partial, searched, failed)
    for state in _STATE_PRIORITY:
        if state in states:
            return Cell(None, state, failed=failed, counts_as=fallback if state == FAILED else None)
    return Cell(None, "missing")


def env_cells(frame: pd.DataFrame, group: Group, column: str, state_column: str) -> dict[str, Cell]:
    """:func:`env_cell` for every env of the report (envs a group never ran are ``missing``)."""
    mine = rows_of(frame, group)
    cells = {}
    for env in dict.fromkeys(frame["env"]):
        part = mine[mine["env"] == env]
        cells[env] = env_cell(part, column, state_column) if len(part) else Cell(None, "missing")
    return cells


@dataclass(frozen=True)
class Average:
    """A Table 2 cell: mean ± SE over the envs of one kind, with what was left out and why.

    ``failed`` lists the envs where no program ran: in the accuracy mean as 0 (counted in
    ``n``), left out of the R mean (not counted).
    """

    mean: float | None
    se: float | None
    n: int
    gaps: tuple[str, ...]
    not_applicable: tuple[str, ...]
    partial: bool
    state: str
    from_search: bool = False
    failed: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "mean": self.mean,
            "se": self.se,
            "n": self.n,
            "gaps": list(self.gaps),
            "not_applicable": list(self.not_applicable),
            "failed": list(self.failed),
            "partial": self.partial,
            "state": self.state,
            "from_search": self.from_search,
        }


def average(cells: dict[str, Cell], envs: Iterable[str]) -> Average:
    """Mean ± SE over ``envs`` of ``cells`` with the N/A, failed and gap rules of the module docstring."""
    envs = [e for e in envs if e in cells]
    if not envs:
        return Average(None, None, 0, (), (), False, "none")
    valued = [e for e in envs if cells[e].mean_value is not None]
    failed = tuple(e for e in envs if cells[e].state == FAILED)
    not_applicable = tuple(e for e in envs if cells[e].state == "N/A")
    gaps = tuple(e for e in envs if cells[e].value is None and cells[e].state not in ("N/A", FAILED))
    mean, se = mean_se([cells[e].mean_value for e in valued])
    partial = any(cells[e].partial for e in valued)
    searched = any(cells[e].from_search for e in valued)
    if valued:
        state = "ok"
    else:
        # "failed" only when every env failed; else the other reason, with "(k failed)" beside it
        order = (*_STATE_PRIORITY[1:], FAILED)
        state = next((s for s in order if any(cells[e].state == s for e in envs)), "missing")
    return Average(mean, se, len(valued), gaps, not_applicable, partial, state, searched, failed)
