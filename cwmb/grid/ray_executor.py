"""The Ray executor: each cell a Ray task (``--executor ray``), for a cluster without a shared filesystem.

The driver packs the cell's run directory (a resumed cell gets its journal this way) and
its trajectories into the task's arguments. The task (:func:`stream_cell`) runs the cell
in a private temporary folder on the worker, with a private response cache, inside a
cwmb sandbox pool started there, and *streams* back, after every LLM call, the files that
changed and the answers its cache gained (a Ray generator task). The driver alone writes
them into the results tree and its response cache and posts a receipt (:class:`Receipts`);
the cell's next call waits for it, so a driver killed mid-grid loses at most the call in
flight. With a shared filesystem this is still correct: nothing on the
worker writes outside its temporary folder.
"""

from __future__ import annotations

import dataclasses
import queue
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cwmb.errors import CwmbError
from cwmb.grid.cells import Cell
from cwmb.grid.local import MAX_ATTEMPTS, drain, failure_record
from cwmb.grid.transfer import (
    FolderWatch,
    apply_files,
    cache_rows_for,
    cache_rows_since,
    last_rowid,
    pack_folder,
    store_cache_rows,
)

RAY_MISSING = "Ray is not installed: pip install 'cwmb[ray]'"
RECEIPT_TIMEOUT_S = 600.0


def import_ray() -> Any:
    """Import Ray, or fail with the one line that says how to install it."""
    try:
        import ray
    except ImportError:
        raise CwmbError(RAY_MISSING) from None
    return ray


def connect_ray(address: str | None, local_cpus: int) -> tuple[Any, bool]:
    """(ray, started_here): join ``address`` (auto, ray://host:port) or start a local Ray for the run."""
    ray = import_ray()
    if ray.is_initialized():
        return ray, False
    if address:
        ray.init(address=address, log_to_driver=False)
    else:  # "local": a new Ray for this run, even if RAY_ADDRESS or a `ray start` cluster exists
        ray.init(address="local", num_cpus=local_cpus, include_dashboard=False, log_to_driver=False)
    return ray, True


class Receipts:
    """A Ray actor: how many calls of each cell stream the driver has written to its disk."""

    def __init__(self) -> None:
        self._written: dict[str, int] = {}

    def written(self, stream: str, through: int) -> None:
        """The driver has written everything up to call ``through`` of ``stream``."""
        self._written[stream] = max(self._written.get(stream, 0), through)

    def through(self, stream: str) -> int:
        """The last call of ``stream`` the driver has written (0: none)."""
        return self._written.get(stream, 0)


class _Handoff:
    """After each LLM call (or episode), wake the streaming loop and wait for the driver's receipt.

    The cell makes its next call only once the previous answer is on the driver's disk, so a
    driver killed at any moment loses at most the call in flight.
    """

    def __init__(self, receipts: Any, stream: str) -> None:
        self.receipts = receipts
        self.stream = stream
        self.calls = 0
        self.changed = threading.Event()

    def on_call(self) -> None:
        """Called by the cell's thread after the run directory holds the new call."""
        self.calls += 1
        wanted = self.calls
        self.changed.set()
        if self.receipts is None:
            return
        import ray

        deadline = time.monotonic() + RECEIPT_TIMEOUT_S
        while ray.get(self.receipts.through.remote(self.stream)) < wanted:
            if time.monotonic() > deadline:
                return  # a stalled driver must not stall the cell forever; the update is still sent
            time.sleep(0.01)


def _unpack(cell: Cell, bundle: dict[str, Any], work: Path, context: Any) -> tuple[Path, Path, Any]:
    """Lay out the bundle in ``work``; return (cell folder, private cache file, the worker's context)."""
    from cwmb.grid.suites import get_suite
    from cwmb.llm.cache import CACHE_FILE_NAME, ResponseCache

    cell_dir = get_suite(cell.suite).cell_directory(cell, work / "results")
    apply_files(cell_dir, bundle["cell"])
    for name, files in bundle["inputs"].items():
        apply_files(work / name, files)
    cache_file = work / "cache" / CACHE_FILE_NAME
    if bundle["cache"]:
        with ResponseCache(cache_file) as seeded:
            store_cache_rows(seeded, bundle["cache"])
    local = dataclasses.replace(context, cache_dir=str(work / "cache"))
    if not (Path(context.trajectories) / cell.target).is_dir():  # no shared filesystem: the copy
        local = dataclasses.replace(local, trajectories=work / "trajectories")
    return cell_dir, cache_file, local


def stream_cell(
    cell: Cell, context: Any, bundle: dict[str, Any], receipts: Any = None, stream: str = ""
) -> Iterator[dict[str, Any]]:
    """Run a cell in a private folder; yield updates (files, cache rows, calls covered), then the record.

    With ``receipts`` (the driver's :class:`Receipts` actor), each call waits until the driver
    has written the update that holds it (see :class:`_Handoff`).
    """
    from cwmb.grid.suites import get_suite

    with tempfile.TemporaryDirectory(prefix="cwmb-cell-") as folder:
        work = Path(folder)
        cell_dir, cache_file, local = _unpack(cell, bundle, work, context)
        watch, handoff, box = FolderWatch(cell_dir), _Handoff(receipts, stream or cell.key), {}

        def run() -> None:
            try:
                record = get_suite(cell.suite).run(cell, work / "results", local, on_call=handoff.on_call)
            except Exception as problem:  # the grid records it and goes on
                record = failure_record(cell, problem)
            box["record"] = record  # before the wake-up: the loop below must see the cell is over
            handoff.changed.set()

        threading.Thread(target=run, name=f"cell {cell.key}", daemon=True).start()
        last_row, sent = last_rowid(cache_file), 0  # the seeded answers are the driver's already
        while True:
            handoff.changed.wait(0.5)
            handoff.changed.clear()
            finished, through = "record" in box, handoff.calls  # read before the scan it covers
            files = watch.changes()
            rows, last_row = cache_rows_since(cache_file, last_row)
            if files or rows or through > sent:
                yield {"files": files, "cache": rows, "through": through}
                sent = through
            if finished:
                break
        yield {"record": box["record"]}


class RayExecutor:
    """Cells as Ray generator tasks; one driver thread per running cell applies its updates."""

    name = "ray"

    def __init__(self, root: Path, context: Any, address: str | None = None, local_cpus: int = 2) -> None:
        from cwmb.llm.cache import resolve_cache_path

        self.root = Path(root)
        self.context = context
        self.ray, self._started_here = connect_ray(address, local_cpus)
        self._task = self.ray.remote(max_retries=0)(_cell_task)
        self._cache_path = resolve_cache_path(context.cache_dir)
        self._cache: Any = None  # opened at the first answer (a check of the file costs time)
        self._cache_lock = threading.Lock()
        self._finished: queue.Queue[tuple[Cell, dict[str, Any]]] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._attempts: dict[str, int] = {}
        self._receipts = self.ray.remote(num_cpus=0)(Receipts).remote()
        self.cpus_per_cell = max(1, context.planning_workers)

    @property
    def capacity(self) -> int:
        """Cells that fit the cluster's CPUs at once."""
        cpus = int(self.ray.cluster_resources().get("CPU", 1))
        return max(1, cpus // self.cpus_per_cell)

    def submit(self, cell: Cell) -> None:
        """Pack the cell's files and start its task."""
        from cwmb.grid.suites import get_suite

        suite = get_suite(cell.suite)
        cell_dir = suite.cell_directory(cell, self.root)
        self._attempts[cell.key] = self._attempts.get(cell.key, 0) + 1
        bundle = {
            "cell": pack_folder(cell_dir),
            "inputs": {name: pack_folder(path) for name, path in suite.inputs(cell, self.context).items()},
            "cache": self._cached_answers(cell),
        }
        name = f"{cell.key}#{self._attempts[cell.key]}"  # a resubmitted cell counts its calls anew
        stream = self._task.options(num_cpus=self.cpus_per_cell).remote(
            cell, self.context, bundle, self._receipts, name
        )
        thread = threading.Thread(target=self._follow, args=(cell, cell_dir, stream, name), daemon=True)
        self._threads.append(thread)
        thread.start()

    def _cached_answers(self, cell: Cell) -> list[dict[str, Any]]:
        """Answers the driver's cache holds for this cell's model and target (others' cells paid them)."""
        config = self.context.llm_configs.get(cell.llm)
        if config is None or not config.cache:
            return []
        return cache_rows_for(self._cache_path, config.model, cell.target)

    def _follow(self, cell: Cell, cell_dir: Path, stream: Any, name: str) -> None:
        """Apply a task's updates as they arrive (the driver alone writes results and cache)."""
        record: dict[str, Any] = {"cell": cell.key, "status": "failed", "error": "the task sent no result"}
        try:
            for reference in stream:
                update = self.ray.get(reference)
                if "record" in update:
                    record = update["record"]
                    continue
                apply_files(cell_dir, update["files"])
                if update["cache"]:
                    store_cache_rows(self._driver_cache(), update["cache"])
                self._receipts.written.remote(name, update["through"])  # the cell may go on
        except Exception as problem:  # a dead worker or node (cell errors come back as records)
            if self._attempts[cell.key] < MAX_ATTEMPTS:
                self.submit(cell)  # repacked from what the driver holds now: the cell resumes
                return
            record = failure_record(cell, problem)
        self._finished.put((cell, record))

    def _driver_cache(self) -> Any:
        """The driver's response cache, one connection shared by the follower threads (it locks)."""
        from cwmb.llm.cache import ResponseCache

        with self._cache_lock:
            if self._cache is None:
                self._cache = ResponseCache(self._cache_path)
            return self._cache

    def poll(self, timeout: float) -> list[tuple[Cell, dict[str, Any]]]:
        """Cells finished since the last poll (waiting up to ``timeout`` s for the first)."""
        return drain(self._finished, timeout)

    def close(self) -> None:
        """Wait for the cells' threads; stop Ray if this executor started it."""
        while self._threads:  # a resubmitted cell adds a thread while others are joined
            self._threads.pop(0).join()
        if self._cache is not None:
            self._cache.close()
        if self._started_here:
            self.ray.shutdown()


def _cell_task(
    cell: Cell, context: Any, bundle: dict[str, Any], receipts: Any, stream: str
) -> Iterator[dict[str, Any]]:
    """The body of the Ray task (a generator, so Ray streams each update to the driver)."""
    yield from stream_cell(cell, context, bundle, receipts, stream)
