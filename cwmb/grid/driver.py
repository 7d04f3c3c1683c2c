"""The grid driver: skip complete cells, schedule the rest on an executor, record every outcome.

Scheduling respects the executor's capacity and each LLM endpoint's ``max_concurrency``
(counted in cells: a cell makes one call at a time), so a provider's rate limit holds
across all cells. A failed cell is recorded with its error in the shard's ledger
(``<root>/.grid/shard-I-of-N.json``, written atomically by the driver only) and does not
stop the others; after ``max_failures`` failures no new cell starts. With ``max_cost``, no
new cell starts once the grid's recorded spend (its cells' call logs, running cells included)
reaches the cap; running cells finish, so a capped grid resumes with the same command.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cwmb.atomic import write_json_atomic
from cwmb.grid.cells import Cell
from cwmb.grid.progress import GridProgress
from cwmb.grid.suites import CellContext, get_suite
from cwmb.grid.usage import SpendMeter

LEDGER_DIR = ".grid"
LEDGER_SCHEMA_VERSION = 1


class Executor(Protocol):
    """Runs cells somewhere; the driver alone decides what runs and records results."""

    name: str

    @property
    def capacity(self) -> int:
        """How many cells may run at once."""
        ...

    def submit(self, cell: Cell) -> None:
        """Start a cell (returns at once)."""
        ...

    def poll(self, timeout: float) -> list[tuple[Cell, dict[str, Any]]]:
        """Cells finished since the last poll, as (cell, record)."""
        ...

    def close(self) -> None:
        """Stop; running cells are waited for."""
        ...


@dataclass
class GridOutcome:
    """What a grid run did."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    not_started: list[str] = field(default_factory=list)
    cost_capped: bool = False  # the grid's cost cap stopped new cells from starting
    spent_usd: float | None = None  # the grid's recorded spend at the end (with a cost cap)

    @property
    def failed(self) -> dict[str, str]:
        """Failed cells and their errors."""
        return {k: str(r.get("error")) for k, r in self.records.items() if r.get("status") == "failed"}


def endpoint_limits(cells: Sequence[Cell]) -> dict[str, tuple[str, int]]:
    """Cell key -> (LLM endpoint, cells allowed at once): the config's max_concurrency for real LLMs."""
    from cwmb.llm import load_llm_config

    configs = {name: load_llm_config(name) for name in {cell.llm for cell in cells}}
    limits = {}
    for cell in cells:
        config = configs[cell.llm]
        endpoint = f"{config.backend}|{config.model}|{config.api_base or ''}"
        # Simulated models (offline, scripted) have no provider whose rate limit needs protecting.
        limit = config.max_concurrency if config.backend == "litellm" else len(cells)
        limits[cell.key] = (endpoint, limit)
    return limits


def grid_spend(cells: Sequence[Cell], root: Path, meter: SpendMeter | None = None) -> float:
    """Dollars the cells' LLM calls have spent so far, from their call logs on disk."""
    logs = [log for cell in cells for log in get_suite(cell.suite).call_logs(cell, root)]
    return (meter or SpendMeter()).total(logs)


def ledger_path(root: Path, shard: tuple[int, int]) -> Path:
    """Where a shard's ledger lives."""
    return Path(root) / LEDGER_DIR / f"shard-{shard[0]}-of-{shard[1]}.json"


def run_grid(
    cells: Sequence[Cell],
    root: Path,
    context: CellContext,
    executor: Executor,
    progress: GridProgress,
    *,
    shard: tuple[int, int] = (1, 1),
    max_failures: int | None = None,
    max_cost: float | None = None,
) -> GridOutcome:
    """Run every incomplete cell; see the module docstring."""
    outcome = GridOutcome()
    meter = SpendMeter()
    todo = []
    for cell in cells:
        if get_suite(cell.suite).is_complete(cell, root, context):
            outcome.skipped.append(cell.key)
            progress.cell_skipped(cell)
        else:
            todo.append(cell)
    ledger = _Ledger(ledger_path(root, shard), shard, executor.name)
    for key in outcome.skipped:
        ledger.mark(key, {"status": "complete", "note": "complete on disk, skipped"})
    limits = endpoint_limits(todo)
    busy: dict[str, int] = {}
    running: set[str] = set()
    while todo or running:
        if max_cost is not None and todo and not outcome.cost_capped:
            outcome.cost_capped = grid_spend(cells, root, meter) >= max_cost
        stop = outcome.cost_capped or (max_failures is not None and len(outcome.failed) > max_failures)
        for cell in [] if stop else list(todo):
            if len(running) >= executor.capacity:
                break
            endpoint, limit = limits[cell.key]
            if busy.get(endpoint, 0) >= limit:
                continue
            todo.remove(cell)
            busy[endpoint] = busy.get(endpoint, 0) + 1
            running.add(cell.key)
            ledger.mark(cell.key, {"status": "running"})
            progress.cell_started(cell, get_suite(cell.suite).cell_directory(cell, root))
            executor.submit(cell)
        if stop and not running:
            outcome.not_started = [cell.key for cell in todo]
            break
        for cell, record in executor.poll(timeout=0.5):
            running.discard(cell.key)
            busy[limits[cell.key][0]] -= 1
            outcome.records[cell.key] = record
            ledger.mark(cell.key, record)
            progress.cell_finished(cell, record)
        progress.refresh()
    if max_cost is not None:
        outcome.spent_usd = grid_spend(cells, root, meter)
    return outcome


class _Ledger:
    """The shard's record of every cell's last status (and error), rewritten after each change."""

    def __init__(self, path: Path, shard: tuple[int, int], executor: str) -> None:
        self.path = path
        self.data: dict[str, Any] = {
            "schema_version": LEDGER_SCHEMA_VERSION,
            "kind": "cwmb.grid.ledger",
            "shard": f"{shard[0]}/{shard[1]}",
            "executor": executor,
            "cells": {},
        }
        try:  # keep what earlier runs of this shard recorded (errors of cells not retried yet)
            earlier = json.loads(path.read_text()).get("cells", {})
        except (OSError, ValueError, AttributeError):
            earlier = {}
        self.data["cells"].update(earlier if isinstance(earlier, dict) else {})

    def mark(self, key: str, record: dict[str, Any]) -> None:
        self.data["cells"][key] = record
        write_json_atomic(self.path, self.data)
