"""``cwmb report`` on APPS runs: the paper's Table 1 beside the published rows, and strict accuracy vs calls.

Each run contributes one row from its ``apps_evaluation.json`` (made by ``cwmb evaluate``).
The headline strict accuracy is the *selected* program's (the search's best by its value):
on hidden tests under protocol ``clean``; on all tests under ``paper``, the like-for-like
comparison with the published rows (whose search also saw every test). Every row says
which protocol made it, and simulated models say they are not LLMs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from cwmb.apps.evaluate import RUN_EVALUATION_FILE
from cwmb.apps.synthesis import read_run_file
from cwmb.errors import CwmbError
from cwmb.methods.rundir import read_json
from cwmb.report.tables import ReportTable
from cwmb.report.writers import csv_text, json_text, latex, markdown

METHOD_LABELS = {
    "gif_mcts": "GIF-MCTS",
    "worldcoder": "WorldCoder",
    "rex": "REx",
    "best_of_n": "best-of-N",
    "zero_shot": "zero-shot",
    "zero_shot_cot": "Zero-shot CoT",
}
COLUMNS = [
    "Method",
    "Model",
    "Size",
    "Strict accuracy (%)",
    "Evaluation strategy",
    "Protocol",
    "Strict, all tests (%)",
    "pass@any (%)",
    "Problems",
]


def published_rows() -> list[dict[str, Any]]:
    """The published Table 1 rows (``cwmb/apps/published.json``)."""
    raw = resources.files("cwmb.apps").joinpath("published.json").read_text(encoding="utf-8")
    return list(json.loads(raw)["rows"])


def load_evaluations(runs: Sequence[str | Path], results: Path) -> list[dict[str, Any]]:
    """The ``apps_evaluation.json`` of every run (clean errors when a run is missing or not evaluated)."""
    found = []
    for run in runs:
        path = Path(run) if Path(run).is_dir() else Path(results) / run
        if read_run_file(path) is None:
            raise CwmbError(
                f"{path} is not an APPS run", "APPS runs come from `cwmb synthesize --suite apps`"
            )
        evaluation = read_json(path / RUN_EVALUATION_FILE)
        if evaluation is None:
            raise CwmbError(
                f"APPS run {path.name} has not been evaluated", f"run `cwmb evaluate {run}` first"
            )
        found.append(evaluation)
    return found


def _pct(stat: Any) -> tuple[str, float | None]:
    if not isinstance(stat, dict) or stat.get("mean") is None:
        return "n/a", None
    mean, error = 100 * stat["mean"], 100 * (stat.get("standard_error") or 0.0)
    return f"{mean:.1f} ± {error:.1f}", mean


def _our_row(evaluation: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    llm = evaluation.get("llm") or {}
    model = str(llm.get("model") or llm.get("name") or "?")
    if evaluation.get("simulated"):
        model += " (simulated, NOT an LLM)"
    clean = evaluation["protocol"] == "clean"
    headline = evaluation["strict_accuracy_hidden" if clean else "strict_accuracy_all"]
    text, value = _pct(headline)
    all_text, all_value = _pct(evaluation["strict_accuracy_all"])
    any_text, any_value = _pct(evaluation["pass_any_all"])
    strategy = f"selected of {evaluation['budget']} calls, " + ("hidden tests" if clean else "all tests")
    protocol = "clean (search saw public tests)" if clean else "paper (search saw all tests)"
    method = METHOD_LABELS.get(str(evaluation["method"]), str(evaluation["method"]))
    row = [
        f"{method} (run {evaluation['run']})",
        model,
        "",
        text,
        strategy,
        protocol,
        all_text,
        any_text,
        str(evaluation["problems"]),
    ]
    record = {
        "source": "run",
        "run": evaluation["run"],
        "method": method,
        "model": model,
        "strict_accuracy": value,
        "strict_accuracy_all": all_value,
        "pass_any_all": any_value,
        "protocol": evaluation["protocol"],
        "problems": evaluation["problems"],
        "simulated": bool(evaluation.get("simulated")),
    }
    return row, record


def table1(evaluations: Sequence[dict[str, Any]]) -> ReportTable:
    """Table 1: published rows, then one row per run."""
    rows, values = [], []
    for paper in published_rows():
        error = f" ± {paper['error']}" if paper["error"] is not None else ""
        rows.append(
            [
                f"{paper['method']} (paper)",
                paper["model"],
                paper["size"],
                f"{paper['strict_accuracy']}{error}",
                paper["strategy"],
                "paper (search saw all tests)",
                "",
                "",
                "1000",
            ]
        )
        values.append({"source": "paper", **paper})
    for evaluation in evaluations:
        row, record = _our_row(evaluation)
        rows.append(row)
        values.append(record)
    notes = [
        "Published rows: Dainese et al. 2024, Table 1 (APPS competition split, 1000 problems, Llama 3 70B, "
        "budget 20); their search value used every test, the same tests that define strict accuracy.",
        "Our rows: strict accuracy of the program the search selected; under protocol clean on hidden tests "
        "(never seen by the search), under paper on all tests (like for like with the published rows).",
        "pass@any: some program among all the search's calls passes every test (an oracle choice).",
    ]
    if any(e.get("simulated") for e in evaluations):
        notes.append("Rows marked simulated come from the offline simulated coder, NOT an LLM.")
    return ReportTable(
        "apps_table1",
        "Table 1: APPS competition, strict accuracy",
        COLUMNS,
        rows,
        values,
        notes,
        rules_after=[len(published_rows()) - 1],
        left_columns=3,
    )


def sources_table(evaluations: Sequence[dict[str, Any]]) -> ReportTable:
    """Strict accuracy per source judge (the paper's Appendix E breakdown), one row per run and source."""
    rows, values = [], []
    for evaluation in evaluations:
        for source, stats in evaluation["by_source"].items():
            hidden, hidden_value = _pct(stats["strict_accuracy_hidden"])
            every, every_value = _pct(stats["strict_accuracy_all"])
            rows.append([evaluation["run"], source, str(stats["problems"]), hidden, every])
            values.append(
                {
                    "run": evaluation["run"],
                    "source": source,
                    "problems": stats["problems"],
                    "strict_hidden": hidden_value,
                    "strict_all": every_value,
                }
            )
    notes = [
        "Paper (Appendix E): Kattis 691 problems, strict accuracy 0.347; AtCoder 41 problems, 0 for every "
        "method; Codeforces 264 problems."
    ]
    return ReportTable(
        "apps_sources",
        "Strict accuracy per source",
        ["Run", "Source", "Problems", "Strict, hidden (%)", "Strict, all (%)"],
        rows,
        values,
        notes,
        left_columns=2,
    )


def curve_figure(evaluations: Sequence[dict[str, Any]]) -> Any:
    """Strict accuracy of the selected program (hidden tests) and pass@any, against LLM calls."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.5, 4), layout="constrained")
    ax = figure.add_subplot()
    for number, evaluation in enumerate(evaluations):
        colour = f"C{number % 10}"
        label = f"{METHOD_LABELS.get(str(evaluation['method']), evaluation['method'])} ({evaluation['run']})"
        if evaluation.get("simulated"):
            label += " [simulated, not an LLM]"
        curves = evaluation["curves"]
        key = "strict_selected_hidden" if evaluation["protocol"] == "clean" else "strict_selected_all"
        chosen = "selected, hidden tests" if key == "strict_selected_hidden" else "selected, all tests"
        for name, style, what in ((key, "-", chosen), ("pass_any_all", ":", "pass@any, all tests")):
            points = [(i + 1, 100 * v) for i, v in enumerate(curves[name]) if v is not None]
            if points:
                xs, ys = zip(*points, strict=True)
                ax.plot(xs, ys, style, color=colour, label=f"{label}: {what}", lw=1.8)
    for paper in published_rows():
        if paper["strategy"] == "pass@20":
            ax.scatter([20], [paper["strict_accuracy"]], marker="x", color="grey")
            ax.annotate(
                f"paper {paper['method']}",
                (20, paper["strict_accuracy"]),
                fontsize=7,
                xytext=(4, 0),
                textcoords="offset points",
            )
    ax.set_xlabel("LLM calls")
    ax.set_ylabel("strict accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=7)
    return figure


def write_apps_report(
    runs: Sequence[str | Path], results: Path, out: Path, formats: Sequence[str], plots: bool
) -> tuple[list[ReportTable], list[Path]]:
    """Write Table 1, the per-source table and the curve plot for APPS runs into ``out``."""
    evaluations = load_evaluations(runs, results)
    tables = [table1(evaluations), sources_table(evaluations)]
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    images: list[str] = []
    if plots:
        from cwmb.report.plots import save

        written += save(curve_figure(evaluations), out / "apps_curve")
        images = ["apps_curve.png"]
    names = ", ".join(f"`{e['run']}`" for e in evaluations)
    header = ["# cwmb report: APPS\n", f"Runs: {names}.\n"]
    files = {
        "md": lambda: [(out / "report.md", markdown(tables, header, images))],
        "csv": lambda: [(out / f"{t.name}.csv", csv_text(t)) for t in tables],
        "tex": lambda: [(out / "report.tex", latex(tables))],
        "json": lambda: [
            (
                out / "report.json",
                json_text(
                    {
                        "kind": "cwmb.apps.report",
                        "schema_version": 1,
                        "tables": {t.name: t.as_dict() for t in tables},
                        "runs": list(evaluations),
                    }
                ),
            )
        ],
    }
    for fmt in formats:
        for path, text in files[fmt]():
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return tables, written
