"""Files on disk: Markdown, CSV, LaTeX and JSON, with absent values written as such."""

from __future__ import annotations

import csv
import json

from cwmb.report import build_report, write_report
from cwmb.report.build import parse_formats
from cwmb.report.writers import latex_escape, print_tables


def test_writes_every_format_without_plots(two_runs):
    report = build_report(["a", "b"], two_runs)
    written = write_report(report, two_runs / "out", ["md", "csv", "tex", "json"], plots=False)
    names = sorted(p.name for p in written)
    assert names == sorted(
        [
            "report.md",
            "main.csv",
            "per_env.csv",
            "usage.csv",
            "actions.csv",
            "table12.csv",  # the shipped CQL records, for the runs' envs
            "runs.csv",
            "report.tex",
            "report.json",
        ]
    )
    markdown = (two_runs / "out" / "report.md").read_text()
    assert (
        "| run a | offline (simulated, not an LLM) | GIF-MCTS | 10 | 0.80 ± 0.11 | 0.70 ± 0.15 |" in markdown
    )
    assert "not an LLM" in markdown and "Accuracy metric: `default`" in markdown


def test_csv_leaves_absent_values_empty_with_a_state(two_runs):
    write_report(build_report(["a", "b"], two_runs), two_runs / "out", ["csv"], plots=False)
    with (two_runs / "out" / "per_env.csv").open() as handle:
        rows = {row["env"]: row for row in csv.DictReader(handle)}
    mountain = rows["MountainCar-v0"]
    assert mountain["WorldCoder · offline (simulated) accuracy"] == ""
    assert mountain["WorldCoder · offline (simulated) accuracy state"] == "missing"
    assert mountain["GIF-MCTS · offline (simulated) R state"] == "N/A"
    assert float(rows["Taxi-v3"]["GIF-MCTS · offline (simulated) accuracy"]) == 0.8
    with (two_runs / "out" / "runs.csv").open() as handle:
        tidy = list(csv.DictReader(handle))
    assert {r["run"] for r in tidy} == {"a", "b"} and len(tidy) == 10


def test_json_is_plain_data(two_runs):
    write_report(build_report(["a", "b"], two_runs), two_runs / "out", ["json"], plots=False)
    payload = json.loads((two_runs / "out" / "report.json").read_text())
    assert payload["kind"] == "cwmb.report" and payload["metric"] == "default"
    main = {v["source"]: v for v in payload["tables"]["main"]["values"]}
    assert main["run b"]["continuous_accuracy_state"] == "missing"
    assert main["run b"]["continuous_accuracy_mean"] is None
    cart = next(e for e in payload["envs"] if e["run"] == "a" and e["env"] == "CartPole-v1")
    assert cart["curve"] == [0.5, 1.0] and cart["R"] == 1.0


def test_latex_escapes_and_uses_booktabs(two_runs):
    write_report(build_report(["a", "b"], two_runs), two_runs / "out", ["tex"], plots=False)
    tex = (two_runs / "out" / "report.tex").read_text()
    assert r"\toprule" in tex and r"0.80 $\pm$ 0.11" in tex
    assert latex_escape("50% of a_b & c #1 <x>") == r"50\% of a\_b \& c \#1 \textless{}x\textgreater{}"


def test_terminal_tables_print_brackets_literally(two_runs, capsys):
    from rich.console import Console

    report = build_report(["a", "b"], two_runs)
    print_tables(report.tables, Console(width=250, force_terminal=False))
    out = capsys.readouterr().out
    assert "0.85 ± 0.15 [2/4]†" in out and "[k/n]" in out


def test_format_list_is_checked():
    assert parse_formats("md, csv,md") == ["md", "csv"]
    import pytest

    from cwmb.errors import CwmbError

    with pytest.raises(CwmbError, match="xls"):
        parse_formats("md,xls")
