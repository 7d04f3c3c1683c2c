"""Build a report from run directories and write it to disk in the asked formats.

:func:`build_report` reads the runs and makes the tables; :func:`write_report` writes
``report.md``, one CSV per table (plus ``runs.csv``, the tidy table), ``report.tex``,
``report.json`` and the plots (PNG and SVG) into one folder.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cwmb.baselines import CQL_RECORDS
from cwmb.benchmark.registry import get_env
from cwmb.planning.published_references import PUBLISHED_LABEL, check_choice
from cwmb.report.actions import actions_table
from cwmb.report.aggregate import groups
from cwmb.report.generalization import generalization_table
from cwmb.report.model import Report
from cwmb.report.normalizers import normalizer_notes, with_published_normalizers
from cwmb.report.runs import LoadedRuns, load_runs
from cwmb.report.table8 import load_records, table8
from cwmb.report.table12 import load_cql_records, table12
from cwmb.report.tables import ReportTable, main_table, per_env_table
from cwmb.report.usage import usage_table
from cwmb.report.writers import FORMATS, csv_text, json_text, latex, markdown

SCHEMA_VERSION = 1


def build_report(
    runs: Sequence[str | Path],
    results: Path = Path("results"),
    metric: str = "default",
    references: str = "ours",
    cql_records: Path | None = None,
) -> Report:
    """Read ``runs`` and make every table (see the module docstring).

    ``references="published"`` normalizes R with the paper's Table 12 returns instead of
    the ones each evaluation used (see :mod:`cwmb.report.normalizers`). ``cql_records`` is
    the folder of ``cwmb baseline cql`` records for Table 12 (default: the shipped ones).
    """
    check_choice(references)
    loaded = load_runs(runs, results, metric)
    if references == "published":
        loaded.frame = with_published_normalizers(loaded.frame)
    found = groups(loaded.frame)
    # RTFM is its own domain: its rows go to its Table 3, never into Table 2's averages.
    cwmb_part, rtfm_part = split_domains(loaded)
    tables = []
    if not cwmb_part.frame.empty or rtfm_part.frame.empty:
        cwmb_groups = groups(cwmb_part.frame)
        r_tables = [main_table(cwmb_part, cwmb_groups), per_env_table(cwmb_part, cwmb_groups)]
        for table in r_tables:
            table.notes += normalizer_notes(cwmb_part.frame, references)
            if references == "published":
                table.title += f" — R with the {PUBLISHED_LABEL}"
        tables += r_tables
    if not rtfm_part.frame.empty:
        from cwmb.rtfm.report import rtfm_table

        tables.append(rtfm_table(rtfm_part, groups(rtfm_part.frame)))
    tables.append(usage_table(loaded))
    actions = actions_table(cwmb_part, groups(cwmb_part.frame)) if not cwmb_part.frame.empty else None
    if actions is not None:
        tables.append(actions)
    generalization = (
        generalization_table(cwmb_part, groups(cwmb_part.frame)) if not cwmb_part.frame.empty else None
    )
    if generalization is not None:
        tables.append(generalization)
    if not cwmb_part.frame.empty:
        records = load_cql_records(cql_records or CQL_RECORDS, loaded.warnings)
        baseline = table12(records, cwmb_part.frame, groups(cwmb_part.frame), references)
        if baseline is not None:
            tables.append(baseline)
    llm_as_model = table8(load_records(results, loaded.warnings), metric)  # Table 8, when records exist
    if llm_as_model is not None:
        tables.append(llm_as_model)
    return Report(loaded, found, tables, references)


def split_domains(loaded: LoadedRuns) -> tuple[LoadedRuns, LoadedRuns]:
    """(CWMB rows, RTFM rows) of the loaded runs, each with the same paths and warnings."""
    frame = loaded.frame
    is_rtfm = frame["env"].map(lambda env: get_env(env).family == "rtfm") if not frame.empty else frame
    parts = (frame[~is_rtfm], frame[is_rtfm]) if not frame.empty else (frame, frame)
    return tuple(LoadedRuns(part, loaded.run_paths, loaded.metric, loaded.warnings) for part in parts)  # type: ignore[return-value]


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
        from cwmb.report.plots import write_plots  # lazily: plots import matplotlib

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
