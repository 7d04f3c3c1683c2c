"""Figures: written as PNG and SVG, non-empty, with the published values marked."""

from __future__ import annotations

from cwmb.report import build_report
from cwmb.report.plots import group_curves, returns_figure, write_plots
from tests.report.fakes import write_env_run

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_all_figures_are_written(two_runs):
    report = build_report(["a", "b"], two_runs)
    written = write_plots(report, two_runs)
    assert sorted(p.name for p in written) == sorted(
        f"{n}.{s}" for n in ("anytime", "returns", "actions") for s in ("png", "svg")
    )
    for path in written:
        assert path.stat().st_size > 5000, path
    assert (two_runs / "anytime.png").read_bytes().startswith(PNG_SIGNATURE)
    svg = (two_runs / "returns.svg").read_text()
    assert "paper GIF-MCTS · GPT-4 Turbo (other LLM)" in svg  # the published values are marked
    assert "n/e" in svg and "N/A" in svg  # no bar, but the reason, where R is absent
    assert "Best accuracy so far" in (two_runs / "anytime.svg").read_text()


def test_curves_of_finished_runs_are_held_to_the_budget(two_runs):
    report = build_report(["a", "b"], two_runs)
    curves = group_curves(report, report.groups[0])
    assert curves["CartPole-v1"] == [0.5] + [1.0] * 9
    assert len(curves["Taxi-v3"]) == 10


def test_no_returns_figure_without_any_evaluation(tmp_path):
    write_env_run(tmp_path, "x", "CartPole-v1", accuracies=[0.4])
    report = build_report(["x"], tmp_path)
    assert returns_figure(report) is None
    assert [p.name for p in write_plots(report, tmp_path)] == [
        "anytime.png",
        "anytime.svg",
        "actions.png",
        "actions.svg",
    ]
