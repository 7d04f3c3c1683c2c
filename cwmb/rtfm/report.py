"""The RTFM table of ``cwmb report``: accuracy and R per method, LLM and budget (paper Table 3).

Each group of runs (method, LLM, budget; seeds pooled) gets one row: the mean over its
runs of the RTFM accuracy and normalized return, ± the standard error over runs. The
paper's row with the same method, LLM and budget follows it; when no group matches a
paper row, the paper's rows of the same methods are listed for reference.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from cwmb.report import published
from cwmb.report.aggregate import Group, mean_se, rows_of
from cwmb.report.tables import ReportTable, common_notes, number

QUANTITIES = (("accuracy", "acc_state", "Accuracy"), ("R", "r_state", "R"))
_VALUED = ("ok", "partial")


def table3_rows() -> list[dict[str, Any]]:
    """The paper's Table 3 rows (plain data from ``published.json``)."""
    return list(published.published()["table3"]["rows"])


def _cell(frame: pd.DataFrame, group: Group, column: str, state_column: str) -> dict[str, Any]:
    rows = rows_of(frame, group)
    values = [
        float(v)
        for v, s in zip(rows[column], rows[state_column], strict=True)
        if s in _VALUED and v is not None
    ]
    mean, se = mean_se(values)
    states = list(rows[state_column])
    state = (
        "ok"
        if values
        else next((s for s in ("N/A", "no reference", "not evaluated", "partial") if s in states), "missing")
    )
    return {"mean": mean, "se": se, "n": len(values), "state": state, "partial": "partial" in states}


def _text(cell: dict[str, Any]) -> str:
    if cell["mean"] is None:
        return {"none": "–"}.get(cell["state"], cell["state"])
    text = number(cell["mean"]) + ("" if cell["se"] is None else f" ± {number(cell['se'])}")
    return text + ("‡" if cell["partial"] else "")


def _paper_match(group: Group) -> dict[str, Any] | None:
    llm = group.paper_llm
    for row in table3_rows():
        if (row["llm"], row["method"], row["budget"]) == (llm, group.method, group.budget):
            return row
    return None


def _paper_line(row: dict[str, Any], other: bool) -> tuple[list[str], dict[str, Any]]:
    label = published.method_label(row["method"]) or row["method"]
    cells = [f"{number(m)} ± {number(pm)}" for m, pm in (row["accuracy"], row["R"])]
    source = "paper, Table 3" + (" (other LLM)" if other else "")
    line = [source, published.llm_label(row["llm"]), label, str(row["budget"]), *cells]
    record = {"source": "paper Table 3", "llm": published.llm_label(row["llm"]), "method": row["method"]}
    record |= {
        "budget": row["budget"],
        "accuracy_mean": row["accuracy"][0],
        "accuracy_se": row["accuracy"][1],
    }
    record |= {"R_mean": row["R"][0], "R_se": row["R"][1], "state": "published"}
    return line, record


def rtfm_table(loaded: Any, groups: list[Group]) -> ReportTable:
    """The report's RTFM table (see the module docstring); ``loaded`` holds only RTFM rows."""
    frame = loaded.frame
    columns = ["Source", "LLM", "Method", "Budget", "Accuracy", "R"]
    rows, values, rules, matched = [], [], [], []
    for group in groups:
        cells = [_cell(frame, group, q, s) for q, s, _ in QUANTITIES]
        source = f"run {', '.join(group.runs)}"
        rows.append([source, group.llm_label, group.method_label, str(group.budget), *map(_text, cells)])
        record = {"source": source, "llm": group.llm, "method": group.method, "budget": group.budget}
        for (q, _, _), cell in zip(QUANTITIES, cells, strict=True):
            record |= {
                f"{q}_mean": cell["mean"],
                f"{q}_se": cell["se"],
                f"{q}_state": cell["state"],
                f"{q}_n": cell["n"],
            }
        values.append(record | {"simulated": group.simulated})
        paper = _paper_match(group)
        if paper is not None:
            matched.append(paper)
            line, paper_record = _paper_line(paper, other=False)
            rows.append(line)
            values.append(paper_record)
        rules.append(len(rows) - 1)
    methods = {g.method for g in groups}
    others = [r for r in table3_rows() if r["method"] in methods and r not in matched]
    for row in others:
        line, record = _paper_line(row, other=True)
        rows.append(line)
        values.append(record)
    notes = common_notes(loaded, groups)
    notes.append(
        "On RTFM, `default` gives 1/4 each to next state (board and inventory), reward, done and valid "
        "actions (the exact set); `original` is the paper's code's RTFM metric (docs/rtfm.md)."
    )
    notes.append("± = standard error over the runs (seeds) of a group; none with a single run.")
    notes += [f"Paper: {note}" for note in published.published()["table3"]["notes"]]
    notes.append(published.source_note())
    title = "RTFM (layout of the paper's Table 3)"
    return ReportTable(
        "rtfm", title, columns, rows, values, notes, rules if others else rules[:-1], left_columns=4
    )
