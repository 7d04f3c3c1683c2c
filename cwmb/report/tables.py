"""The report's tables: Table 2 (main), Tables 10/11 (per env), LLM usage and Table 7 (actions).

Every table is a :class:`ReportTable`: display strings for Markdown, LaTeX and the
terminal, raw values for CSV and JSON, and notes that say which metric and which planner
profile produced the numbers and what each mark means. Absent values are written as
``missing``, ``not evaluated``, ``no reference``, ``N/A`` or ``failed``, never as 0; a
failed env (no program that runs) counts as accuracy 0 in the means, which say how many
envs failed (:mod:`cwmb.report.aggregate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cwmb.report import published
from cwmb.report.aggregate import FAILED, Average, Cell, Group, average, env_cells
from cwmb.report.heldout_columns import HELDOUT_NOTE, HELDOUT_QUANTITY
from cwmb.report.runs import LoadedRuns

KINDS = ("discrete", "continuous")
QUANTITIES = (("accuracy", "acc_state", "acc."), ("R", "r_state", "R"))
STATE_TEXT = {"no reference": "no ref.", "none": "–"}
PARTIAL_MARK, SEARCH_MARK = "‡", "†"
FAILED_NOTE = (
    "(k failed) = k envs where no program of the search runs: each counts as accuracy 0 in the"
    " accuracy mean (and in n); its R is N/A and left out of the R mean. The paper instead left"
    " such envs out of its accuracy means and gave them R = 0.00 (docs/report.md)."
)
NOT_REPORTED = "not reported"


@dataclass
class ReportTable:
    """One table: ``rows`` of display strings under ``columns``, ``values`` as raw records."""

    name: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    values: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    rules_after: list[int] = field(default_factory=list)  # row indexes followed by a separator
    left_columns: int = 2  # leading text columns (left-aligned); the rest hold numbers

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "title": self.title,
            "columns": self.columns,
            "rows": self.rows,
            "values": self.values,
            "notes": self.notes,
        }


def number(value: float | None, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals (``-0.00`` becomes ``0.00``)."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def cell_text(cell: Cell) -> str:
    """How one per-env value is shown."""
    if cell.value is None:
        return STATE_TEXT.get(cell.state, cell.state)
    marks = (SEARCH_MARK if cell.from_search else "") + (PARTIAL_MARK if cell.partial else "")
    failed = f" ({cell.failed} failed)" if cell.failed else ""  # some seeds failed, others ran
    return number(cell.value) + marks + failed


def average_text(avg: Average) -> str:
    """How a Table 2 cell is shown: ``mean ± SE``, ``[k/n]`` when envs are missing, marks."""
    failed = f" ({len(avg.failed)} failed)" if avg.failed else ""
    if avg.mean is None:
        return STATE_TEXT.get(avg.state, avg.state) + ("" if avg.state == FAILED else failed)
    text = number(avg.mean) + ("" if avg.se is None else f" ± {number(avg.se)}")
    if avg.gaps:
        text += f" [{avg.n}/{avg.n + len(avg.gaps)}]"
    return text + (SEARCH_MARK if avg.from_search else "") + (PARTIAL_MARK if avg.partial else "") + failed


def envs_by_kind(frame: pd.DataFrame) -> dict[str, list[str]]:
    """The report's envs of each action kind, in the registry's order (the frame's order)."""
    envs = dict.fromkeys(frame["env"]) if not frame.empty else {}
    kinds = dict(zip(frame["env"], frame["kind"], strict=True)) if not frame.empty else {}
    return {kind: [e for e in envs if kinds[e] == kind] for kind in KINDS}


def metric_note(loaded: LoadedRuns) -> str:
    """The sentence every table carries about where its accuracy comes from."""
    metric = loaded.metric
    what = "paper Eq. 2, floats within rtol = atol = 1e-5" if metric == "default" else "the original code's"
    return (
        f"Accuracy metric: `{metric}` ({what}), from evaluation.json; "
        f"{SEARCH_MARK} = from the search's summary.json (not evaluated yet)."
    )


def profile_note(frame: pd.DataFrame) -> str:
    """Which planner profiles and episode counts produced the returns."""
    done = frame[frame["r_state"].isin(["ok", "N/A", "no reference"])] if not frame.empty else frame
    if done.empty:
        return "R: normalized return (paper Eq. 3); no run is evaluated yet (`cwmb evaluate RUN`)."
    profiles = sorted(
        {
            f"{p} ({int(n or 0)} episode{'s' if n != 1 else ''})"
            for p, n in zip(done["profile"], done["episodes"], strict=True)
        }
    )
    return f"R: normalized return (paper Eq. 3), planner profile {', '.join(profiles)}."


def common_notes(loaded: LoadedRuns, groups: list[Group]) -> list[str]:
    """Notes shared by the accuracy/R tables."""
    notes = [metric_note(loaded), profile_note(loaded.frame)]
    notes.append(f"{PARTIAL_MARK} = synthesis not finished (best program so far).")
    if any(g.simulated for g in groups):
        notes.append(
            "The offline simulated coder is NOT an LLM: "
            "it writes reference or fitted world models with injected faults."
        )
    return notes


def main_table(loaded: LoadedRuns, groups: list[Group]) -> ReportTable:
    """The paper's Table 2: per group, accuracy and R averaged over discrete and continuous envs."""
    frame, kinds = loaded.frame, envs_by_kind(loaded.frame)
    columns = ["Source", "LLM", "Method", "Budget"]
    columns += [f"{k.capitalize()} {label}" for k in KINDS for _, _, label in QUANTITIES]
    columns += [f"{k.capitalize()} {HELDOUT_QUANTITY[2]}" for k in KINDS]  # cwmb's, after the paper's
    rows, values, rules = [], [], []
    for group in groups:
        cells = {q: env_cells(frame, group, q, s) for q, s, _ in QUANTITIES}
        avgs = {(k, q): average(cells[q], kinds[k]) for k in KINDS for q, _, _ in QUANTITIES}
        heldout = env_cells(frame, group, *HELDOUT_QUANTITY[:2])
        avgs |= {(k, HELDOUT_QUANTITY[0]): average(heldout, kinds[k]) for k in KINDS}
        source = f"run {', '.join(group.runs)}"
        rows.append(
            [
                source,
                group.llm_label,
                group.method_label,
                str(group.budget),
                *map(average_text, avgs.values()),
            ]
        )
        values.append(_main_values(group, source, avgs))
        paper = group.paper_row
        if paper is not None:
            rows.append(_paper_main_row(paper))
            values.append(_paper_main_values(paper))
        rules.append(len(rows) - 1)
    references = _reference_rows(groups)
    for paper in references:
        rows.append(_paper_main_row(paper, other=True))
        values.append(_paper_main_values(paper))
    notes = common_notes(loaded, groups)
    notes.append(
        "± = standard error of the mean across envs (ddof=1); none with a single env. "
        "[k/n] = only k of n envs have a value (the others are missing or not evaluated)."
    )
    notes += _na_notes(frame, groups)
    notes.append(HELDOUT_NOTE)
    notes.append(
        published.source_note()
        + " The paper's accuracy is its original code's metric and its R used the paper's planners"
        " over 10 episodes: compare with care."
    )
    rules = rules if references else rules[:-1]
    title = "Main results (layout of the paper's Table 2)"
    return ReportTable("main", title, columns, rows, values, notes, rules, left_columns=4)


def _main_values(group: Group, source: str, avgs: dict[tuple[str, str], Average]) -> dict[str, Any]:
    record = {"source": source, "llm": group.llm, "llm_model": group.llm_model, "simulated": group.simulated}
    record |= {
        "method": group.method,
        "variant": group.variant,
        "budget": group.budget,
        "seeds": list(group.seeds),
    }
    for (kind, q), avg in avgs.items():
        for key, value in avg.as_dict().items():
            record[f"{kind}_{q}_{key}"] = ";".join(value) if isinstance(value, list) else value
    return record


def _paper_main_row(paper: published.PaperRow, other: bool = False) -> list[str]:
    source = f"paper, {paper.table}" + (" (other LLM)" if other else "")
    cells = [f"{number(m)} ± {number(pm)}" for m, pm in paper.values.values()]
    cells += [NOT_REPORTED] * len(KINDS)  # the paper has no held-out accuracy
    seeds = f"{paper.seeds} seed{'s' if paper.seeds > 1 else ''}"
    return [source, f"{paper.llm_label} ({seeds})", paper.label, str(paper.budget), *cells]


def _paper_main_values(paper: published.PaperRow) -> dict[str, Any]:
    record: dict[str, Any] = {
        "source": f"paper {paper.table}",
        "llm": paper.llm_label,
        "method": paper.method,
    }
    record |= {"variant": paper.label, "budget": paper.budget, "seeds": paper.seeds}
    for key, (mean, plus_minus) in paper.values.items():
        record |= {f"{key}_mean": mean, f"{key}_se": plus_minus, f"{key}_state": "published"}
    return record


def _reference_rows(groups: list[Group]) -> list[published.PaperRow]:
    """Table 2 rows of the report's methods that no group matched (other LLMs), for reference."""
    matched = {(g.method, g.paper_llm) for g in groups if g.paper_row is not None}
    methods = dict.fromkeys(g.method for g in groups)
    return [r for m in methods for r in published.table2_rows(m) if (r.method, r.llm) not in matched]


def _na_notes(frame: pd.DataFrame, groups: list[Group]) -> list[str]:
    """Which envs have an N/A R (left out of the means) and which failed (counted as accuracy 0)."""
    notes = []
    r_cells = [c for g in groups for c in env_cells(frame, g, "R", "r_state").items()]
    na = sorted({env for env, cell in r_cells if cell.state == "N/A"})
    if na:
        why = "oracle and random returns are equal"
        notes.append(f"N/A R ({why}) is left out of the means: {', '.join(na)}.")
    accuracy_cells = [c for g in groups for c in env_cells(frame, g, "accuracy", "acc_state").items()]
    failed = sorted({env for env, cell in accuracy_cells if cell.state == FAILED or cell.failed})
    if failed:
        notes.append(f"{FAILED_NOTE} Failed: {', '.join(failed)}.")
    return notes


def per_env_table(loaded: LoadedRuns, groups: list[Group]) -> ReportTable:
    """The paper's Tables 10/11: accuracy and R per env, per group, with the paper's columns."""
    frame = loaded.frame
    columns = ["Environment", "Action"]
    cells = []
    for group in groups:
        cells.append({q: env_cells(frame, group, q, s) for q, s, _ in QUANTITIES})
        columns += [f"{group.short} acc.", f"{group.short} R"]
    references = paper_references(groups)
    for llm, method, _ in references:
        who = f"paper {published.method_label(method)} · {published.llm_label(llm)}"
        columns += [f"{who} acc.", f"{who} R"]
    rows, values = [], []
    for kind, envs in envs_by_kind(frame).items():
        for env in envs:
            row, record = [env, kind], {"env": env, "kind": kind}
            for group, mine in zip(groups, cells, strict=True):
                for q, _, _ in QUANTITIES:
                    cell = mine[q][env]
                    row.append(cell_text(cell))
                    record |= {f"{group.short} {q}": cell.value, f"{group.short} {q} state": cell.state}
            for llm, method, _ in references:
                paper = published.per_env(llm, method).get(env, (None, None))
                row += ["N/A" if v is None else number(v) for v in paper]
                record |= {f"paper {method} {llm} accuracy": paper[0], f"paper {method} {llm} R": paper[1]}
            rows.append(row)
            values.append(record)
    notes = common_notes(loaded, groups)
    notes.append(
        "Values are means over the runs (seeds) of a group. Paper columns: " + _reference_note(references)
    )
    return ReportTable(
        "per_env",
        "Results per environment (layout of the paper's Tables 10 and 11)",
        columns,
        rows,
        values,
        notes,
    )


def paper_references(groups: list[Group]) -> list[tuple[str, str, bool]]:
    """(paper LLM, method, is another LLM) whose per-env numbers sit beside the groups.

    A group's own LLM when the paper ran it, else the paper's reference LLM (GPT-4 Turbo),
    labelled as another LLM; only methods the paper ran.
    """
    found: dict[tuple[str, str], bool] = {}
    for group in groups:
        if published.method_label(group.method) is None or group.variant:
            continue
        llm = group.paper_llm or published.reference_llm()
        found.setdefault((llm, group.method), group.paper_llm is None)
    return [(llm, method, other) for (llm, method), other in found.items()]


def _reference_note(references: list[tuple[str, str, bool]]) -> str:
    if not references:
        return "none (the paper ran GIF-MCTS and WorldCoder only)."
    tables = sorted({published.per_env_table(llm) for llm, _, _ in references})
    text = f"{' and '.join(tables)} of the paper; N/A as published (R undefined, or no program that runs)."
    others = sorted({published.llm_label(llm) for llm, _, other in references if other})
    if others:
        text += f" The paper did not use your LLM: {', '.join(others)} is shown for reference (another LLM)."
    return text
