"""cwmb report: RTFM runs get their own Table 3 beside the paper's numbers, never Table 2's averages."""

from __future__ import annotations

import json

import pytest

from cwmb.report.build import build_report, write_report
from tests.report.fakes import GPT4, write_env_run, write_evaluation

NAME = "RTFM-SimpleStationary-v0"


@pytest.fixture
def results(tmp_path):
    for seed, (acc, r) in enumerate([(1.0, 1.0), (0.9, 0.6)]):
        env_dir = write_env_run(
            tmp_path, f"gpt-s{seed}", NAME, llm=GPT4, budget=50, seed=seed, accuracies=[acc]
        )
        write_evaluation(env_dir, acc, r)
        cart = write_env_run(
            tmp_path, f"gpt-s{seed}", "CartPole-v1", llm=GPT4, budget=50, seed=seed, accuracies=[0.2]
        )
        write_evaluation(cart, 0.2, 0.1)
    return tmp_path


def test_rtfm_rows_make_table_3_beside_the_paper_and_stay_out_of_table_2(results):
    report = build_report(["gpt-s0", "gpt-s1"], results)
    table = report.table("rtfm")
    assert table is not None
    ours, paper = table.values[0], table.values[1]
    assert ours["accuracy_mean"] == pytest.approx(0.95) and ours["accuracy_se"] == pytest.approx(0.05)
    assert ours["R_mean"] == pytest.approx(0.8) and ours["R_n"] == 2
    assert paper["source"] == "paper Table 3" and (paper["accuracy_mean"], paper["R_mean"]) == (1.0, 1.0)
    assert table.rows[1][:4] == ["paper, Table 3", "GPT-4 Turbo", "GIF-MCTS", "50"]
    main = report.table("main")
    assert main.values[0]["discrete_accuracy_mean"] == pytest.approx(0.2)  # CartPole alone
    assert NAME not in [row[0] for row in report.table("per_env").rows]


def test_other_budgets_and_llms_list_the_papers_rows_for_reference(tmp_path):
    env_dir = write_env_run(tmp_path, "offline", NAME, budget=10, accuracies=[0.7])
    write_evaluation(env_dir, 0.7, 0.2)
    table = build_report(["offline"], tmp_path).table("rtfm")
    assert "simulated, not an LLM" in table.rows[0][1]
    paper_rows = [row for row in table.rows if row[0].startswith("paper")]
    assert len(paper_rows) == 3 and all("other LLM" in row[0] for row in paper_rows)
    assert report_tables(tmp_path) == {"rtfm", "usage"}


def report_tables(results) -> set[str]:
    return {t.name for t in build_report(["offline"], results).tables}


def test_every_format_holds_the_rtfm_table(results, tmp_path):
    out = tmp_path / "report"
    written = {p.name for p in write_report(build_report(["gpt-s0", "gpt-s1"], results), out)}
    assert {"report.md", "rtfm.csv", "report.tex", "report.json"} <= written
    assert "RTFM (layout of the paper's Table 3)" in (out / "report.md").read_text()
    assert "RTFM (layout of the paper" in (out / "report.tex").read_text()
    payload = json.loads((out / "report.json").read_text())
    assert payload["tables"]["rtfm"]["values"][1]["R_mean"] == 1.0


def test_show_renders_an_rtfm_tree(tmp_path):
    import subprocess
    import sys

    write_env_run(tmp_path, "t", NAME, accuracies=[None, 0.5, 1.0], actions=["generate", "fix", "improve"])
    page = tmp_path / "tree.html"
    command = [sys.executable, "-m", "cwmb", "show", "t", "--env", NAME, "--html", str(page)]
    result = subprocess.run(
        [*command, "--results", str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert (
        NAME in result.stdout
        and "1 generate bug" in result.stdout
        and "3 improve 1.0000  best" in result.stdout
    )
    assert page.exists() and NAME in page.read_text()
