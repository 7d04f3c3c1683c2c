"""The report's generalization table: search accuracy, held-out accuracy and their difference.

The per-row columns come from :mod:`cwmb.report.heldout_columns`. ``generalization`` is
held-out minus search accuracy: near 0 for a model that generalizes, strongly negative for
one that memorized its search data. The paper does not report it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from cwmb.report.aggregate import Group, env_cells
from cwmb.report.heldout_columns import HELDOUT_NOTE, HELDOUT_QUANTITY
from cwmb.report.tables import STATE_TEXT, ReportTable, envs_by_kind, metric_note, number


def generalization_frame(frame: pd.DataFrame, groups: list[Group]) -> pd.DataFrame:
    """One row per (group, env) with both accuracies and their difference (means over seeds)."""
    records = []
    for group in groups:
        search = env_cells(frame, group, "accuracy", "acc_state")
        heldout = env_cells(frame, group, *HELDOUT_QUANTITY[:2])
        for env, cell in search.items():
            held = heldout[env]
            gap = held.value - cell.value if held.value is not None and cell.value is not None else None
            records.append(
                {
                    "group": group.short,
                    "env": env,
                    "accuracy": cell.value,
                    "acc_state": cell.state,
                    "heldout_accuracy": held.value,
                    "heldout_state": held.state,
                    "generalization": gap,
                }
            )
    return pd.DataFrame.from_records(
        records,
        columns=[
            "group",
            "env",
            "accuracy",
            "acc_state",
            "heldout_accuracy",
            "heldout_state",
            "generalization",
        ],
    )


def generalization_table(loaded: Any, groups: list[Group]) -> ReportTable | None:
    """Per env and group: search accuracy, held-out accuracy and generalization; None without held-out."""
    frame = generalization_frame(loaded.frame, groups)
    if frame.empty or frame["heldout_accuracy"].isna().all():
        return None
    columns = ["Environment", "Action"]
    for group in groups:
        columns += [f"{group.short} acc.", f"{group.short} held-out acc.", f"{group.short} generalization"]
    rows, values = [], []
    for kind, envs in envs_by_kind(loaded.frame).items():
        for env in envs:
            row, record = [env, kind], {"env": env, "kind": kind}
            for group in groups:
                line = frame[(frame["group"] == group.short) & (frame["env"] == env)].iloc[0]
                row += [_shown(line["accuracy"], line["acc_state"])]
                row += [
                    _shown(line["heldout_accuracy"], line["heldout_state"]),
                    _signed(line["generalization"]),
                ]
                record |= {
                    f"{group.short} accuracy": _plain(line["accuracy"]),
                    f"{group.short} heldout_accuracy": _plain(line["heldout_accuracy"]),
                    f"{group.short} heldout_state": line["heldout_state"],
                    f"{group.short} generalization": _plain(line["generalization"]),
                }
            rows.append(row)
            values.append(record)
    notes = [metric_note(loaded), HELDOUT_NOTE, "Values are means over the runs (seeds) of a group."]
    title = "Generalization: accuracy on search and held-out transitions"
    return ReportTable("generalization", title, columns, rows, values, notes)


def _plain(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _shown(value: Any, state: str) -> str:
    plain = _plain(value)
    return STATE_TEXT.get(state, state) if plain is None else number(plain)


def _signed(value: Any) -> str:
    plain = _plain(value)
    return "–" if plain is None else f"{plain:+.2f}"
