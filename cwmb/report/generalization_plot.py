"""The ``generalization`` figure: search and held-out accuracy per env, one pair of bars per group.

A solid bar is the accuracy on the search data (what the paper reports), the hatched bar
beside it the accuracy on the held-out split; a model that memorized its search data shows
a tall solid bar next to a short hatched one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cwmb.report.generalization import generalization_frame
from cwmb.report.tables import envs_by_kind

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from cwmb.report.build import Report


def generalization_figure(report: Report) -> Figure | None:
    """Grouped bars of search vs held-out accuracy per env and group; None without held-out values."""
    from cwmb.report.plots import _colour, _figure

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
