"""The paper's published numbers (``published.json``) and how a user's run is matched to them.

The numbers were typed in from the paper's Tables 2, 6, 7, 10 and 11; ``published.json``
names its source. A run matches a paper row when its method is one the paper ran and its
LLM's model string matches one of the paper's LLMs (a regular expression per LLM, so
``gpt-4-turbo``, ``openai/gpt-4-turbo`` or a local ``llama3:70b`` all match). Simulated
models never match. GIF-MCTS runs with an action switched off match the ablation rows of
Table 6 instead of Table 2.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

KINDS = ("discrete", "continuous")
ABLATION_SWITCHES = ("allow_generate", "allow_improve", "allow_fix")


@dataclass(frozen=True)
class PaperRow:
    """One row of the paper's Table 2 or 6: means and '±' per (kind, quantity).

    ``values`` maps keys like ``discrete_accuracy`` to ``(mean, plus_minus)``.
    """

    table: str
    llm: str
    llm_label: str
    method: str
    label: str
    budget: int
    seeds: int
    values: Mapping[str, tuple[float, float]]


@lru_cache(maxsize=1)
def published() -> dict[str, Any]:
    """The shipped published numbers (parsed once)."""
    text = resources.files("cwmb.report").joinpath("published.json").read_text(encoding="utf-8")
    return json.loads(text)


def source_note() -> str:
    """One line naming where the published numbers come from."""
    source = published()["source"]
    return f"Published numbers: {source['paper']} {source['version']}."


def match_llm(model: str | None, simulated: bool) -> str | None:
    """The paper LLM key (``llama3-70b``, ``gpt-4-turbo``) that ``model`` is, or None."""
    if simulated or not model:
        return None
    lowered = model.lower()
    for key, entry in published()["llms"].items():
        if any(re.search(pattern, lowered) for pattern in entry["patterns"]):
            return key
    return None


def llm_label(key: str) -> str:
    """Display name of a paper LLM key."""
    return published()["llms"][key]["label"]


def method_label(method: str) -> str | None:
    """The paper's name for a method it ran (``WorldCoder*``), or None."""
    return published()["methods"].get(method)


def _row(table: str, entry: Mapping[str, Any], llm: str, method: str, label: str, budget: int, seeds: int):
    values = {f"{kind}_{q}": tuple(entry[f"{kind}_{q}"]) for kind in KINDS for q in ("accuracy", "R")}
    return PaperRow(table, llm, llm_label(llm), method, label, budget, seeds, values)


def table2_rows(method: str | None = None, llm: str | None = None) -> list[PaperRow]:
    """Table 2 rows, optionally only those of ``method`` and/or ``llm``."""
    rows = []
    for entry in published()["table2"]["rows"]:
        if (method and entry["method"] != method) or (llm and entry["llm"] != llm):
            continue
        label = published()["methods"][entry["method"]]
        rows.append(
            _row("Table 2", entry, entry["llm"], entry["method"], label, entry["budget"], entry["seeds"])
        )
    return rows


def paper_row_for(method: str, llm: str | None, switches: Mapping[str, bool]) -> PaperRow | None:
    """The paper row a group of runs compares with: Table 2, or Table 6 for a GIF-MCTS ablation."""
    if llm is None or method_label(method) is None:
        return None
    off = {k: False for k in ABLATION_SWITCHES if switches.get(k) is False}
    if not off:
        rows = table2_rows(method, llm)
        return rows[0] if rows else None
    ablation = published()["table6"]
    if method != ablation["method"] or llm != ablation["llm"]:
        return None  # the paper ran ablations with Llama 3 only
    for entry in ablation["rows"]:
        if entry["variant"] == off:
            return _row("Table 6", entry, llm, method, entry["label"], ablation["budget"], ablation["seeds"])
    return None


def per_env(llm: str, method: str) -> dict[str, tuple[float | None, float | None]]:
    """Per-env (accuracy, R) of Table 10 (Llama 3) or 11 (GPT-4 Turbo); None = N/A in the paper."""
    block = published()["per_env"].get(llm)
    if block is None:
        return {}
    return {env: tuple(cells[method]) for env, cells in block["rows"].items() if method in cells}


def per_env_table(llm: str) -> str:
    """Which paper table holds the per-env numbers of ``llm``."""
    return published()["per_env"][llm]["table"]


def table7(llm: str, kind: str) -> dict[str, float] | None:
    """Table 7's action statistics for a paper LLM and action kind."""
    for column in published()["table7"]["columns"]:
        if column["llm"] == llm and column["kind"] == kind:
            return dict(column["values"])
    return None


def reference_llm() -> str:
    """The paper LLM shown for reference when a run's LLM is not one of the paper's."""
    return published()["reference_llm"]
