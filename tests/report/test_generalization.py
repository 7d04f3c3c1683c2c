"""Held-out accuracy in the report: Table 2's extra columns, the generalization table, the plot."""

from __future__ import annotations

import json

from cwmb.report import build_report, write_report
from tests.report.fakes import write_env_run, write_evaluation


def add_heldout(env_dir, heldout: float | None, where: str = "evaluation.json"):
    """Record a held-out block as `cwmb evaluate` (or, in summary.json, `cwmb synthesize`) writes it."""
    path = env_dir / where
    record = json.loads(path.read_text())
    block = {"status": "missing", "message": "no held-out split", "accuracy": None}
    if heldout is not None:
        block = {"status": "ok", "message": "", "transitions": 400, "accuracy": heldout}
        block |= {"default": {"accuracy": heldout}, "original": {"accuracy": heldout}}
    if where == "evaluation.json":
        record["accuracy"]["heldout"] = block
    else:
        record |= {"heldout": block, "heldout_accuracy": heldout}
    path.write_text(json.dumps(record))


def runs(results):
    """Run "m": a memorizer (1.0 on search data) and a generalizer; run "s": only summaries."""
    memo = write_env_run(results, "m", "CartPole-v1", accuracies=[1.0])
    write_evaluation(memo, 1.0, 0.5)
    add_heldout(memo, 0.3)
    taxi = write_env_run(results, "m", "Taxi-v3", accuracies=[0.9])
    write_evaluation(taxi, 0.9, 0.8)
    add_heldout(taxi, 0.9)
    pendulum = write_env_run(results, "m", "Pendulum-v1", accuracies=[0.6])
    write_evaluation(pendulum, 0.6, 0.2)
    add_heldout(pendulum, None)  # a data root without the held-out split
    searched = write_env_run(results, "s", "CartPole-v1", method="worldcoder", accuracies=[0.8])
    add_heldout(searched, 0.7, "summary.json")
    return results


def table_rows(table):
    return {row[0]: dict(zip(table.columns, row, strict=True)) for row in table.rows}


def test_table_2_keeps_the_papers_columns_and_adds_held_out_ones(tmp_path):
    report = build_report(["m"], runs(tmp_path))
    main = report.table("main")
    assert main.columns[:8] == [
        "Source",
        "LLM",
        "Method",
        "Budget",
        "Discrete acc.",
        "Discrete R",
        "Continuous acc.",
        "Continuous R",
    ]
    assert main.columns[8:] == ["Discrete held-out acc.", "Continuous held-out acc."]
    mine = table_rows(main)["run m"]
    assert mine["Discrete acc."] == "0.95 ± 0.05" and mine["Discrete held-out acc."] == "0.60 ± 0.30"
    assert mine["Continuous held-out acc."] == "missing"
    assert main.values[0]["discrete_heldout_accuracy_mean"] == 0.6
    paper = [row for row in main.rows if row[0].startswith("paper")]
    assert paper and all(row[-2:] == ["not reported", "not reported"] for row in paper)
    assert any("Not reported by the paper" in note for note in main.notes)


def test_the_generalization_table_shows_held_out_minus_search_accuracy(tmp_path):
    report = build_report(["m", "s"], runs(tmp_path))
    table = report.table("generalization")
    rows = table_rows(table)
    gif, worldcoder = (
        c.removesuffix(" generalization") for c in table.columns if c.endswith("generalization")
    )
    assert rows["CartPole-v1"][f"{gif} acc."] == "1.00"
    assert rows["CartPole-v1"][f"{gif} held-out acc."] == "0.30"
    assert rows["CartPole-v1"][f"{gif} generalization"] == "-0.70"
    assert rows["Taxi-v3"][f"{gif} generalization"] == "+0.00"
    assert rows["Pendulum-v1"][f"{gif} held-out acc."] == "missing"
    assert rows["Pendulum-v1"][f"{gif} generalization"] == "–"
    # from the search's summary.json when the run was not evaluated
    assert rows["CartPole-v1"][f"{worldcoder} held-out acc."] == "0.70"
    record = next(v for v in table.values if v["env"] == "CartPole-v1")
    assert abs(record[f"{gif} generalization"] - -0.7) < 1e-12


def test_no_generalization_table_without_any_held_out_value(tmp_path):
    write_evaluation(write_env_run(tmp_path, "old", "CartPole-v1", accuracies=[0.5]), 0.5, 0.1)
    report = build_report(["old"], tmp_path)
    assert report.table("generalization") is None
    assert table_rows(report.table("main"))["run old"]["Discrete held-out acc."] == "missing"


def test_the_generalization_plot_is_written(tmp_path):
    report = build_report(["m", "s"], runs(tmp_path / "results"))
    written = write_report(report, tmp_path / "out", ["md"], plots=True)
    names = {path.name for path in written}
    assert {"generalization.png", "generalization.svg"} <= names
    assert "Generalization" in (tmp_path / "out" / "report.md").read_text()
