"""The local executor: cells in a process pool on this machine (``--executor local --workers N``).

Each pool process runs whole cells (``suite.run``), writing the cell's run directory and
the shared response cache directly (this machine's disk is the driver's). A pool process
dies with the driver (``PR_SET_PDEATHSIG``), so after a ``kill -9`` of the driver nothing
keeps paying for answers no one records. When a pool process dies, the pool is rebuilt
and its cells are resubmitted; they resume from their journals.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import queue
import signal
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from cwmb.grid.cells import Cell

_PR_SET_PDEATHSIG = 1
MAX_ATTEMPTS = 3  # a cell whose process died this many times is recorded as failed


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        # Without it, orphans finish their cell and exit; results stay correct.
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def run_cell_in_process(cell: Cell, root: str, context: Any) -> dict[str, Any]:
    """Run one cell; failures come back as a record (exceptions of a cell must not cross processes)."""
    from cwmb.grid.suites import get_suite

    try:
        return get_suite(cell.suite).run(cell, Path(root), context)
    except Exception as problem:  # recorded for the grid, which goes on with the other cells
        return failure_record(cell, problem)


def failure_record(cell: Cell, problem: BaseException) -> dict[str, Any]:
    """The record of a failed cell, with a one-line error."""
    message = getattr(problem, "message", None) or str(problem) or type(problem).__name__
    hint = getattr(problem, "hint", None)
    return {
        "cell": cell.key,
        "status": "failed",
        "error": f"{type(problem).__name__}: {message}",
        "hint": hint,
    }


def drain(finished: queue.Queue, timeout: float) -> list[Any]:
    """Every item in ``finished``, waiting up to ``timeout`` s for the first (none: an empty list)."""
    found = []
    try:
        found.append(finished.get(timeout=timeout))
        while True:
            found.append(finished.get_nowait())
    except queue.Empty:
        pass
    return found


class LocalExecutor:
    """Runs cells in ``workers`` processes; :meth:`poll` hands back finished cells."""

    name = "local"

    def __init__(self, root: Path, context: Any, workers: int) -> None:
        self.root = Path(root)
        self.context = context
        self.workers = workers
        self._finished: queue.Queue[tuple[Cell, dict[str, Any]]] = queue.Queue()
        self._attempts: dict[str, int] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._running: set[str] = set()

    @property
    def capacity(self) -> int:
        """How many cells may run at once."""
        return self.workers

    def start(self) -> None:
        """Start the process pool (spawned processes: no state forked from the driver)."""
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=die_with_parent,
        )

    def submit(self, cell: Cell) -> None:
        """Start ``cell`` in the pool."""
        if self._pool is None:
            self.start()
        assert self._pool is not None
        self._attempts[cell.key] = self._attempts.get(cell.key, 0) + 1
        self._running.add(cell.key)
        future = self._pool.submit(run_cell_in_process, cell, str(self.root), self.context)
        future.add_done_callback(lambda done, c=cell: self._done(c, done))

    def _done(self, cell: Cell, future: Future) -> None:
        try:
            record = future.result()
        except BrokenProcessPool:
            record = {"cell": cell.key, "status": "crashed", "error": "the worker process died"}
        except Exception as problem:
            record = failure_record(cell, problem)
        self._finished.put((cell, record))

    def poll(self, timeout: float) -> list[tuple[Cell, dict[str, Any]]]:
        """Cells finished since the last poll (waiting up to ``timeout`` s for the first)."""
        found = drain(self._finished, timeout)
        return [item for item in (self._after_crash(c, r) for c, r in found) if item is not None]

    def _after_crash(self, cell: Cell, record: dict[str, Any]) -> tuple[Cell, dict[str, Any]] | None:
        """Resubmit a cell whose process died (the pool is rebuilt once for all of them)."""
        if record.get("status") != "crashed":
            self._running.discard(cell.key)
            return cell, record
        if self._attempts.get(cell.key, 0) >= MAX_ATTEMPTS:
            self._running.discard(cell.key)
            return cell, record | {"status": "failed"}
        if self._pool is not None and getattr(self._pool, "_broken", False):
            self._pool.shutdown(wait=False, cancel_futures=True)
            self.start()
        self.submit(cell)
        return None

    def close(self) -> None:
        """Stop the pool (waiting for running cells)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
