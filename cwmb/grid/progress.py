"""One display for a whole grid: cells done / running / failed, LLM calls and cost so far.

On a terminal it is a rich live panel refreshed by the driver; otherwise (CI, logs) one
line per finished cell. Calls and cost of running cells are read from their run
directories' ``tree.jsonl`` (written after every call), so both executors show the same.
Simulated LLMs are labelled as such.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from cwmb.grid.cells import Cell

SIMULATED_LABEL = "[simulated, not an LLM]"


def tree_usage(cell_dir: Path) -> tuple[int, float]:
    """(calls, dollars) recorded so far in a run directory's ``tree.jsonl``."""
    calls, cost = 0, 0.0
    try:
        lines = (cell_dir / "tree.jsonl").read_text().splitlines()
    except OSError:
        return 0, 0.0
    for line in lines:
        try:
            step = json.loads(line)
        except ValueError:
            continue  # a torn last line while the cell writes
        if "call" in step:
            calls += 1
            cost += float((step.get("llm") or {}).get("cost_usd") or 0.0)
    return calls, cost


@dataclass
class GridTally:
    """Counts shown by the display."""

    total: int
    skipped: int = 0
    done: int = 0
    failed: int = 0
    running: dict[str, Path] = field(default_factory=dict)
    finished_calls: int = 0
    finished_cost: float = 0.0
    simulated: bool = False

    def usage(self) -> tuple[int, float]:
        """Calls and cost of finished cells plus what running cells have recorded."""
        calls, cost = self.finished_calls, self.finished_cost
        for cell_dir in self.running.values():
            more_calls, more_cost = tree_usage(cell_dir)
            calls, cost = calls + more_calls, cost + more_cost
        return calls, cost


class GridProgress:
    """The driver's display; use as a context manager and call the ``cell_*`` methods."""

    def __init__(self, title: str, total: int, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.title = title
        self.tally = GridTally(total)
        self._live: Live | None = None

    def __enter__(self) -> GridProgress:
        if self.console.is_terminal:
            self._live = Live(self._render(), console=self.console, refresh_per_second=2)
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.update(self._render(), refresh=True)
            self._live.__exit__(None, None, None)

    def cell_skipped(self, cell: Cell) -> None:
        """A cell already complete on disk."""
        self.tally.skipped += 1

    def cell_started(self, cell: Cell, cell_dir: Path) -> None:
        """A cell was handed to the executor."""
        self.tally.running[cell.key] = cell_dir
        self.refresh()

    def cell_finished(self, cell: Cell, record: dict[str, Any]) -> None:
        """A cell ended (finished, stopped or failed)."""
        cell_dir = self.tally.running.pop(cell.key, None)
        calls, cost = tree_usage(cell_dir) if cell_dir else (0, 0.0)
        self.tally.finished_calls += calls
        self.tally.finished_cost += cost
        self.tally.simulated = self.tally.simulated or bool(record.get("simulated"))
        failed = record.get("status") == "failed"
        self.tally.failed += failed
        self.tally.done += not failed
        if self._live is None:
            self.console.print(self._line(cell, record), highlight=False, markup=False, soft_wrap=True)
        self.refresh()

    def refresh(self) -> None:
        """Redraw the live panel (no-op without a terminal)."""
        if self._live is not None:
            self._live.update(self._render(), refresh=True)

    def _line(self, cell: Cell, record: dict[str, Any]) -> str:
        t = self.tally
        position = f"[{t.done + t.failed + t.skipped}/{t.total}]"
        if record.get("status") == "failed":
            return f"{position} failed {cell.key}: {record.get('error')}"
        accuracy = record.get("best_accuracy")
        shown = f"accuracy {accuracy:.4f}" if isinstance(accuracy, int | float) else "done"
        label = f" {SIMULATED_LABEL}" if record.get("simulated") else ""
        evaluation = record.get("evaluation") or {}
        normalized = evaluation.get("normalized")
        planning = f", R {normalized:.3f}" if isinstance(normalized, int | float) else ""
        calls = record.get("new_calls")
        paid = f", {calls} new call(s)" if calls is not None else ""
        return f"{position} {record.get('status')} {cell.key}: {shown}{planning}{paid}{label}"

    def _render(self) -> Group:
        t = self.tally
        calls, cost = t.usage()
        pending = t.total - t.done - t.failed - t.skipped - len(t.running)
        label = f" {SIMULATED_LABEL}" if t.simulated else ""
        head = Text(
            f"{self.title}: {t.done} done, {len(t.running)} running, {t.failed} failed, "
            f"{t.skipped} already complete, {pending} pending | {calls} LLM calls, ${cost:.4f}{label}"
        )
        table = Table(show_header=True, header_style="bold", box=None)
        table.add_column("running cell")
        table.add_column("calls", justify="right")
        for key, cell_dir in list(t.running.items())[:12]:
            table.add_row(key, str(tree_usage(cell_dir)[0]))
        return Group(head, table)
