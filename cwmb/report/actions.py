"""Action statistics of the search trees, in the layout of the paper's Table 7.

Per tree: :func:`cwmb.report.tree.action_stats`. Per group and action kind: first the
mean over a group's runs (seeds) of each env, then the mean over envs; the paper does not
say how it averaged, so the numbers beside it are for orientation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cwmb.report import published
from cwmb.report.aggregate import Group, mean_se, rows_of
from cwmb.report.runs import LoadedRuns
from cwmb.report.tables import KINDS, ReportTable, number
from cwmb.report.tree import STAT_LABELS, action_stats, load_tree


def group_stats(loaded: LoadedRuns, group: Group) -> dict[str, dict[str, float]]:
    """Mean action statistics of ``group`` per action kind (kinds without a tree are absent)."""
    per_env: dict[tuple[str, str], list[dict[str, float]]] = {}
    for _, row in rows_of(loaded.frame, group).iterrows():
        if row["path"] is None or row["status"] == "missing":
            continue
        stats = action_stats(load_tree(Path(row["path"])))
        if stats is not None:
            per_env.setdefault((row["kind"], row["env"]), []).append(stats)
    result: dict[str, dict[str, float]] = {}
    for kind in KINDS:
        envs = [_mean_dicts(v) for (k, _), v in per_env.items() if k == kind]
        if envs:
            result[kind] = _mean_dicts(envs) | {"envs": float(len(envs))}
    return result


def _mean_dicts(items: list[dict[str, float]]) -> dict[str, float]:
    return {key: mean_se([item[key] for item in items])[0] for key in items[0]}


def actions_table(loaded: LoadedRuns, groups: list[Group]) -> ReportTable | None:
    """Table 7's rows (quantities) by columns (group and kind), with the paper's columns; None if no tree."""
    columns_data: list[tuple[str, dict[str, float], dict[str, Any]]] = []
    paper_llms: dict[str, bool] = {}
    for group in groups:
        for kind, stats in group_stats(loaded, group).items():
            count = int(stats["envs"])
            header = f"{kind.capitalize()}, {group.short} ({count} env{'s' if count > 1 else ''})"
            columns_data.append((header, stats, {"group": group.short, "kind": kind, "source": "runs"}))
            if group.method == published.published()["table7"]["method"]:
                llm = group.paper_llm or published.reference_llm()
                paper_llms.setdefault(llm, group.paper_llm is None)
    if not columns_data:
        return None
    kinds = {meta["kind"] for _, _, meta in columns_data}
    for llm, other in paper_llms.items():
        for kind in (k for k in KINDS if k in kinds):
            stats = published.table7(llm, kind)
            if stats:
                who = f"paper GIF-MCTS · {published.llm_label(llm)}{' (other LLM)' if other else ''}"
                meta = {"group": who, "kind": kind, "source": "paper Table 7"}
                columns_data.append((f"{kind.capitalize()}, {who}", stats, meta))
    columns = ["Quantity", *(header for header, _, _ in columns_data)]
    rows = [
        [label, *(number(stats.get(key), 1) for _, stats, _ in columns_data)]
        for key, label in STAT_LABELS.items()
    ]
    values = [{**meta, **{k: stats.get(k) for k in STAT_LABELS}} for _, stats, meta in columns_data]
    notes = [
        "Shares of generate / improve / fix over all LLM calls of a search and on the path from the root "
        "to the best program; path length = actions on that path; tree depth = deepest node (root = 0).",
        "Means over envs of one action kind (each env first averaged over a group's seeds). "
        "Accuracy metric: not used in this table.",
        published.source_note() + " Table 7 is qualitative in the paper.",
    ]
    title = "Search actions (layout of the paper's Table 7)"
    return ReportTable("actions", title, columns, rows, values, notes, left_columns=1)
