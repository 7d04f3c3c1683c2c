"""The report's figures (matplotlib, Agg, PNG and SVG), made from a built :class:`~cwmb.report.Report`.

- ``anytime``: best accuracy against LLM calls, one panel per env plus the mean over envs,
  one line per group (method and LLM);
- ``returns``: normalized return R per env, one bar per group, the paper's values marked;
- ``actions``: shares of generate / improve / fix over all calls and on the best path
  (the paper's Table 7), beside the paper's;
- ``generalization``: accuracy on search data (solid bars) and held-out data (hatched) per
  env, a pair of bars per group; a model that memorized its search data shows a tall solid
  bar beside a short hatched one.

matplotlib is imported here only (``cwmb --help`` and the tables never load it). Figures
are built with :class:`matplotlib.figure.Figure`, which renders through Agg without
touching pyplot's global state; file metadata that changes between runs is left out.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cwmb.planning.published_references import PUBLISHED_LABEL
from cwmb.report import published
from cwmb.report.aggregate import Group, env_cells, rows_of
from cwmb.report.generalization import generalization_frame
from cwmb.report.model import Report
from cwmb.report.tables import envs_by_kind, paper_references
from cwmb.report.tree import ACTIONS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ACTION_COLOURS = {"generate": "#4C78A8", "improve": "#72B7B2", "fix": "#E45756"}
STATE_SHORT = {
    "N/A": "N/A",
    "failed": "failed",
    "not evaluated": "n/e",
    "missing": "missing",
    "no reference": "no ref",
}


def write_plots(report: Report, out: Path) -> list[Path]:
    """Draw every figure that has data; returns the PNG and SVG files written."""
    written: list[Path] = []
    figures = {"anytime": anytime_figure, "returns": returns_figure, "actions": actions_figure}
    for name, draw in (*figures.items(), ("generalization", generalization_figure)):
        figure = draw(report)
        if figure is not None:
            written += save(figure, out / name)
    return written


def save(figure: Figure, stem: Path) -> list[Path]:
    """Write ``stem.png`` and ``stem.svg`` without timestamps (reproducible bytes)."""
    import matplotlib

    matplotlib.use("Agg")
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cwmb"}):
        figure.savefig(paths[0], dpi=110, metadata={"Software": None})
        figure.savefig(paths[1], metadata={"Date": None, "Creator": None})
    return paths


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _colour(index: int) -> str:
    palette = ["#1F77B4", "#FF7F0E", "#2CA02C", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F", "#BCBD22"]
    return palette[index % len(palette)]


def group_curves(report: Report, group: Group) -> dict[str, list[float]]:
    """Per env, the anytime curve of a group (mean over its runs, finished runs held to the budget)."""
    curves: dict[str, list[list[float]]] = {}
    for _, row in rows_of(report.loaded.frame, group).iterrows():
        curve = json.loads(row["curve"]) if row["curve"] else []
        if not curve:
            continue
        if row["status"] in ("finished", "stopped") and row["budget"]:
            # a search that stopped early (perfect, exhausted) keeps its best program
            curve = curve + [curve[-1]] * max(0, int(row["budget"]) - len(curve))
        curves.setdefault(row["env"], []).append(curve)
    return {env: _mean_curve(runs) for env, runs in curves.items()}


def _mean_curve(curves: list[list[float]]) -> list[float]:
    """Pointwise mean over the calls all curves reached."""
    length = min(len(c) for c in curves)
    return [math.fsum(c[k] for c in curves) / len(curves) for k in range(length)]


def anytime_figure(report: Report) -> Figure | None:
    """Best accuracy vs LLM calls per env, and the mean over envs; None without any curve."""
    per_group = [(g, group_curves(report, g)) for g in report.groups]
    envs = [e for e in dict.fromkeys(report.loaded.frame["env"]) if any(e in c for _, c in per_group)]
    if not envs:
        return None
    panels = [*envs, "mean over envs"]
    columns = min(4, len(panels))
    rows = math.ceil(len(panels) / columns)
    figure = _figure(3.2 * columns, 2.5 * rows + 0.6)
    axes = figure.subplots(rows, columns, squeeze=False, sharey=True)
    for index, (ax, panel) in enumerate(zip(axes.flat, panels, strict=False)):
        for number, (group, curves) in enumerate(per_group):
            curve = (
                _mean_curve(list(curves.values())) if panel == panels[-1] and curves else curves.get(panel)
            )
            if curve:
                ax.plot(range(1, len(curve) + 1), curve, color=_colour(number), label=group.short, lw=1.8)
        ax.set_title(panel, fontsize=9, fontweight="bold" if panel == panels[-1] else "normal")
        ax.set_ylim(-0.03, 1.05)
        ax.grid(alpha=0.3)
        if index % columns == 0:
            ax.set_ylabel("best accuracy")
        ax.set_xlabel("LLM calls", fontsize=8)
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=min(4, len(labels)), fontsize=8)
    figure.suptitle(f"Best accuracy so far against LLM calls ({report.loaded.metric} metric)", fontsize=10)
    return figure


def returns_figure(report: Report) -> Figure | None:
    """Grouped bars of R per env and group; the paper's per-env R marked; None without any R."""
    frame, found = report.loaded.frame, report.groups
    envs = [e for envs in envs_by_kind(frame).values() for e in envs]
    cells = [env_cells(frame, g, "R", "r_state") for g in found]
    if not envs or not any(c.value is not None for per in cells for c in per.values()):
        return None
    figure = _figure(max(6.0, 1.1 * len(envs) * max(1, len(found)) ** 0.5 + 2), 3.8)
    ax = figure.subplots()
    width = 0.8 / len(found)
    for number, (group, per) in enumerate(zip(found, cells, strict=True)):
        xs = [i - 0.4 + width * (number + 0.5) for i in range(len(envs))]
        shown = [(x, per[e].value) for x, e in zip(xs, envs, strict=True) if per[e].value is not None]
        ax.bar(
            [x for x, _ in shown],
            [v for _, v in shown],
            width * 0.92,
            color=_colour(number),
            label=group.short,
        )
        for x, env in zip(xs, envs, strict=True):
            if per[env].value is None:  # say why there is no bar instead of drawing a zero
                text = STATE_SHORT.get(per[env].state, per[env].state)
                ax.text(x, 0.02, text, ha="center", va="bottom", rotation=90, fontsize=7, color="#555555")
        _mark_paper(ax, group, envs, xs, _colour(number))
    ax.axhline(0, color="black", lw=0.8)
    ax.axhline(1, color="#999999", lw=0.8, ls=":")
    ax.set_xticks(range(len(envs)), envs, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("normalized return R")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    title = "Normalized return per environment (1 = oracle planner, 0 = random)"
    if report.references == "published":
        title += f"\nR with the {PUBLISHED_LABEL}"
    ax.set_title(title, fontsize=10)
    return figure


def _mark_paper(ax: Any, group: Group, envs: list[str], xs: list[float], colour: str) -> None:
    """Black diamonds at the paper's R for the group's method (its LLM, or the reference LLM)."""
    refs = [(llm, other) for llm, method, other in paper_references([group]) if method == group.method]
    if not refs:
        return
    llm, other = refs[0]
    values = published.per_env(llm, group.method)
    points = [
        (x, values[e][1]) for x, e in zip(xs, envs, strict=True) if e in values and values[e][1] is not None
    ]
    if points:
        label = f"paper {published.method_label(group.method)} · {published.llm_label(llm)}"
        label += " (other LLM)" if other else ""
        ax.scatter(
            [p[0] for p in points],
            [p[1] for p in points],
            marker="D",
            s=26,
            color="black",
            edgecolor=colour,
            linewidth=1.4,
            zorder=3,
            label=label,
        )


def actions_figure(report: Report) -> Figure | None:
    """Stacked shares of actions (all calls / best path) per table column; None without trees."""
    table = report.table("actions")
    if table is None:
        return None
    columns = table.values
    figure = _figure(7.5, 0.55 * 2 * len(columns) + 1.4)
    ax = figure.subplots()
    labels, y = [], 0.0
    for column in columns:
        who = f"{column['kind']}, {column['group']}"
        for scope, prefix in (("all calls", ""), ("best path", "path_")):
            left = 0.0
            for action in ACTIONS:
                share = column.get(f"{prefix}{action}_pct") or 0.0
                ax.barh(
                    y,
                    share,
                    left=left,
                    color=ACTION_COLOURS[action],
                    edgecolor="white",
                    height=0.8,
                    label=action if not labels else None,
                )
                if share >= 8:
                    ax.text(
                        left + share / 2,
                        y,
                        f"{share:.0f}",
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white",
                    )
                left += share
            labels.append((y, f"{who} · {scope}"))
            y += 1
        y += 0.5
    ax.set_yticks([p for p, _ in labels], [t for _, t in labels], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of actions")
    ax.legend(loc="lower right", fontsize=7, bbox_to_anchor=(1.0, 1.0), ncols=3)
    ax.set_title("Search actions (paper's Table 7)", fontsize=10, loc="left")
    return figure


def generalization_figure(report: Report) -> Figure | None:
    """Grouped bars of search vs held-out accuracy per env and group; None without held-out values."""
    frame = generalization_frame(report.loaded.frame, report.groups)
    if frame.empty or frame["heldout_accuracy"].isna().all():
        return None
    envs = [e for envs in envs_by_kind(report.loaded.frame).values() for e in envs]
    groups = list(dict.fromkeys(frame["group"]))
    figure = _figure(max(6.0, 0.9 * len(envs) * max(1, len(groups)) ** 0.5 + 2.5), 3.8)
    ax = figure.subplots()
    width = 0.8 / (2 * len(groups))
    for number, group in enumerate(groups):
        mine = frame[frame["group"] == group].set_index("env")
        for offset, (column, hatch, what) in enumerate(
            (("accuracy", None, "search"), ("heldout_accuracy", "//", "held-out"))
        ):
            xs = [i - 0.4 + width * (2 * number + offset + 0.5) for i in range(len(envs))]
            heights = [mine.at[e, column] if e in mine.index else None for e in envs]
            shown = [(x, h) for x, h in zip(xs, heights, strict=True) if h is not None and h == h]
            ax.bar(
                [x for x, _ in shown],
                [h for _, h in shown],
                width * 0.92,
                color="white" if hatch else _colour(number),
                edgecolor=_colour(number),
                hatch=hatch,
                label=f"{group} · {what}",
            )
    ax.set_ylim(0, 1.05)
    ax.set_xticks(range(len(envs)), envs, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel(f"accuracy ({report.loaded.metric} metric)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title("Accuracy on search data (solid) and held-out data (hatched)", fontsize=10)
    return figure
