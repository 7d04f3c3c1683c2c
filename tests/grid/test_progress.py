"""The grid display: counts, calls read from running cells' trees, simulated labels."""

from __future__ import annotations

import io
import json

from rich.console import Console

from cwmb.grid.cells import Cell
from cwmb.grid.progress import GridProgress, tree_usage

CELL = Cell("cwmb", "CartPole-v1", "gif_mcts", "offline", "offline", 0, 3, ("synthesize",))


def _tree(folder, costs):
    folder.mkdir(parents=True)
    lines = [json.dumps({"call": i + 1, "llm": {"cost_usd": c}}) for i, c in enumerate(costs)]
    (folder / "tree.jsonl").write_text("\n".join(lines) + '\n{"call": 9, "llm"')  # a torn last line


def test_tree_usage_counts_calls_and_dollars_and_skips_a_torn_line(tmp_path):
    _tree(tmp_path / "cell", [0.5, None, 0.25])
    assert tree_usage(tmp_path / "cell") == (3, 0.75)
    assert tree_usage(tmp_path / "missing") == (0, 0.0)


def test_the_live_panel_shows_running_cells_and_totals(tmp_path):
    _tree(tmp_path / "cell", [0.5, 0.25])
    out = io.StringIO()
    with GridProgress("demo", 3, Console(file=out, force_terminal=True, width=200)) as progress:
        progress.cell_skipped(CELL)
        progress.cell_started(CELL, tmp_path / "cell")
        progress.refresh()
        progress.cell_finished(CELL, {"status": "finished", "simulated": True, "new_calls": 2})
    text = out.getvalue()
    assert "0 done, 1 running, 0 failed, 1 already complete, 1 pending | 2 LLM calls, $0.7500" in text
    assert "1 done, 0 running, 0 failed, 1 already complete, 1 pending" in text
    assert "[simulated, not an LLM]" in text


def test_without_a_terminal_each_finished_cell_is_one_line(tmp_path):
    out = io.StringIO()
    with GridProgress("demo", 2, Console(file=out, force_terminal=False, width=80)) as progress:
        progress.cell_started(CELL, tmp_path / "none")
        progress.cell_finished(CELL, {"status": "finished", "best_accuracy": 0.5, "simulated": True})
        progress.cell_started(CELL, tmp_path / "none")
        progress.cell_finished(CELL, {"status": "failed", "error": "CwmbError: no dataset"})
    assert out.getvalue().splitlines() == [
        "[1/2] finished gif_mcts-offline-b3-seed0/CartPole-v1: accuracy 0.5000 [simulated, not an LLM]",
        "[2/2] failed gif_mcts-offline-b3-seed0/CartPole-v1: CwmbError: no dataset",
    ]
