"""Build a report from run directories and write it to disk in the asked formats.

:func:`build_report` reads the runs and makes the tables; :func:`write_report` writes
``report.md``, one CSV per table (plus ``runs.csv``, the tidy table), ``report.tex``,
``report.json`` and the plots (PNG and SVG) into one folder.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cwmb.report.actions import actions_table
from cwmb.report.aggregate import Group, groups
from cwmb.report.generalization import generalization_table
from cwmb.report.runs import LoadedRuns, load_runs
from cwmb.report.tables import ReportTable, main_table, per_env_table
from cwmb.report.usage import usage_table
from cwmb.report.writers import FORMATS, csv_text, json_text, latex, markdown

SCHEMA_VERSION = 1


@dataclass
class Report:
    """The loaded runs, their groups and the tables made from them."""

    loaded: LoadedRuns
    groups: list[Group]
    tables: list[ReportTable]

    def table(self, name: str) -> ReportTable | None:
        """The table called ``name`` (``main``, ``per_env``, ``usage``, ``actions``), if present."""
        return next((t for t in self.tables if t.name == name), None)

    @property
    def runs(self) -> list[str]:
        """Names of the runs in the report."""
        return list(self.loaded.run_paths)


def build_report(
    runs: Sequence[str | Path], results: Path = Path("results"), metric: str = "default"
) -> Report:
    """Read ``runs`` and make every table (see the module docstring)."""
    loaded = load_runs(runs, results, metric)
    found = groups(loaded.frame)
    tables = [main_table(loaded, found), per_env_table(loaded, found), usage_table(loaded)]
    actions = actions_table(loaded, found)
    if actions is not None:
        tables.append(actions)
    generalization = generalization_table(loaded, found)
    if generalization is not None:
        tables.append(generalization)
    return Report(loaded, found, tables)


def parse_formats(text: str) -> list[str]:
    """``md,csv`` -> ``["md", "csv"]``; unknown formats are refused with the known ones."""
    from cwmb.errors import CwmbError

    asked = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in asked if f not in FORMATS]
    if unknown or not asked:
        raise CwmbError(
            f"unknown report format(s): {', '.join(unknown) or text!r}", f"use any of {','.join(FORMATS)}"
        )
    return list(dict.fromkeys(asked))


def write_report(
    report: Report, out: Path, formats: Sequence[str] = FORMATS, plots: bool = True
) -> list[Path]:
    """Write the report into ``out``; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    images: list[str] = []
    if plots:
        from cwmb.report.plots import write_plots

        pictures = write_plots(report, out)
        written += pictures
        images = [p.name for p in pictures if p.suffix == ".png"]
    if "md" in formats:
        written.append(_write(out / "report.md", markdown(report.tables, markdown_header(report), images)))
    if "csv" in formats:
        for table in report.tables:
            written.append(_write(out / f"{table.name}.csv", csv_text(table)))
        tidy = ReportTable("runs", "", [], [], _tidy_records(report))
        written.append(_write(out / "runs.csv", csv_text(tidy)))
    if "tex" in formats:
        written.append(_write(out / "report.tex", latex(report.tables)))
    if "json" in formats:
        written.append(_write(out / "report.json", json_text(report_payload(report))))
    return written


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def markdown_header(report: Report) -> list[str]:
    """The title, the runs and their LLMs, and any warnings, for the top of ``report.md``."""
    lines = ["# cwmb report\n", f"Runs: {', '.join(f'`{r}`' for r in report.runs)}.\n"]
    for group in report.groups:
        note = " This model is **not an LLM**." if group.simulated else ""
        who = f"- {group.method_label} with `{group.llm}` (`{group.llm_model}`), budget {group.budget}"
        lines.append(f"{who}, runs {', '.join(group.runs)}.{note}")
    if report.loaded.warnings:
        lines.append("\nWarnings:\n")
        lines += [f"- {w}" for w in report.loaded.warnings]
    return [*lines, ""]


def _tidy_records(report: Report) -> list[dict[str, Any]]:
    frame = report.loaded.frame
    return [] if frame.empty else frame.drop(columns=["curve"]).to_dict("records")


def report_payload(report: Report) -> dict[str, Any]:
    """Everything in the report as plain data (``report.json``)."""
    frame = report.loaded.frame
    envs = [] if frame.empty else frame.to_dict("records")
    for record in envs:
        record["curve"] = json.loads(record["curve"]) if record.get("curve") else None
    return {
        "kind": "cwmb.report",
        "schema_version": SCHEMA_VERSION,
        "metric": report.loaded.metric,
        "runs": {name: str(path) for name, path in report.loaded.run_paths.items()},
        "groups": [
            {
                "method": g.method,
                "label": g.method_label,
                "llm": g.llm,
                "llm_model": g.llm_model,
                "simulated": g.simulated,
                "budget": g.budget,
                "runs": list(g.runs),
                "seeds": list(g.seeds),
                "paper_llm": g.paper_llm,
            }
            for g in report.groups
        ],
        "warnings": report.loaded.warnings,
        "tables": {t.name: t.as_dict() for t in report.tables},
        "envs": envs,
    }
