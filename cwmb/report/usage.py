"""The LLM usage table: calls, tokens, cost and cache hits per env and run, with a total per run."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cwmb.report.aggregate import METHOD_LABELS
from cwmb.report.runs import LoadedRuns
from cwmb.report.tables import ReportTable, metric_note

COLUMNS = [
    "Run",
    "Env",
    "Method",
    "LLM",
    "Calls",
    "Stop",
    "Tokens in",
    "Tokens out",
    "Cost (USD)",
    "Cache hits",
]
_SUMMED = ("calls", "tokens_in", "tokens_out", "cost_usd", "calls_unknown_cost", "cache_hits")


def cost_text(cost: float | None, unknown: int, simulated: bool) -> str:
    """Dollars spent, saying how many calls had no known price (never a silent 0)."""
    if cost is None:
        return "missing"
    text = f"{cost:.4f}"
    if unknown:
        text = f"≥ {text} ({unknown} call{'s' if unknown > 1 else ''} unknown)" if cost else "unknown"
    return text + (" (simulated)" if simulated else "")


def usage_table(loaded: LoadedRuns) -> ReportTable:
    """One row per (run, env), plus a total row per run; missing envs say so."""
    rows: list[list[str]] = []
    values: list[dict[str, Any]] = []
    rules: list[int] = []
    frame = loaded.frame
    for run, part in frame.groupby("run", sort=False) if not frame.empty else []:
        for _, row in part.iterrows():
            rows.append(_row(row))
            values.append(_values(row))
        present = part[part["status"] != "missing"]
        total = {k: _total(present, k) for k in _SUMMED}
        first = part.iloc[0]
        rows.append(_total_row(run, first, total, len(present), len(part)))
        values.append({"run": run, "env": "TOTAL", "method": first["method"], "llm": first["llm"], **total})
        rules.append(len(rows) - 1)
    notes = [
        "Calls, tokens, cost and cache hits are counted from tree.jsonl "
        "(one line per LLM call, replayed calls included).",
        "Cost is what the answers cost when they were made; a cache hit costs nothing now.",
        metric_note(loaded).split(";")[0] + " (the search's stop rule uses the method's metric).",
    ]
    title = "LLM usage per environment"
    return ReportTable("usage", title, COLUMNS, rows, values, notes, rules[:-1], left_columns=4)


def _row(row: pd.Series) -> list[str]:
    label = [row["run"], row["env"], METHOD_LABELS.get(row["method"], row["method"]), row["llm"]]
    if row["status"] == "missing":
        return [*label, "missing", "", "", "", "", ""]
    calls = f"{row['calls']}/{row['budget']}" if row["budget"] else str(row["calls"])
    stop = row["stop_reason"] or row["status"]
    if row["status"] not in ("finished", "stopped"):
        stop = f"{row['status']} (partial)"
    cost = cost_text(row["cost_usd"], int(row["calls_unknown_cost"] or 0), bool(row["simulated"]))
    counts = [_int(row["tokens_in"]), _int(row["tokens_out"]), cost, _int(row["cache_hits"])]
    return [*label, calls, stop, *counts]


def _values(row: pd.Series) -> dict[str, Any]:
    keys = (
        "run",
        "env",
        "method",
        "llm",
        "llm_model",
        "simulated",
        "status",
        "stop_reason",
        "budget",
        *_SUMMED,
    )
    return {k: row[k] for k in keys}


def _total(present: pd.DataFrame, key: str) -> float | int:
    numbers = [v for v in present[key] if v is not None]
    return sum(numbers) if numbers else 0


def _total_row(run: str, first: pd.Series, total: dict[str, Any], present: int, envs: int) -> list[str]:
    where = f"total ({present}/{envs} envs)" if present != envs else "total"
    cost = cost_text(total["cost_usd"], int(total["calls_unknown_cost"]), bool(first["simulated"]))
    counts = [_int(total["tokens_in"]), _int(total["tokens_out"]), cost, _int(total["cache_hits"])]
    return [run, where, "", "", str(int(total["calls"])), "", *counts]


def _int(value: Any) -> str:
    return "" if value is None else f"{int(value):,}"
