"""Run collection for many envs, in parallel worker processes, with progress callbacks."""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

from cwmb.errors import CwmbError
from cwmb.trajectories.collection import CollectionRequest, collect_env
from cwmb.trajectories.storage import MANIFEST_FILE, dataset_dir, write_dataset

ProgressFn = Callable[[str, int], None]


def check_overwrite(out: Path, requests: list[CollectionRequest], force: bool) -> None:
    """Refuse, before any work, to replace existing datasets unless ``force``."""
    if force:
        return
    existing = [
        r.spec.name for r in requests if (dataset_dir(out, r.spec.name, r.split) / MANIFEST_FILE).exists()
    ]
    if existing:
        shown = ", ".join(existing[:4]) + (f" and {len(existing) - 4} more" if len(existing) > 4 else "")
        raise CwmbError(
            f"a dataset already exists in {out} for {shown}",
            "pass --force to replace it, or --out DIR to write elsewhere",
        )


def check_heldout_seeds(out: Path, requests: list[CollectionRequest]) -> None:
    """Refuse a held-out collection whose seed is the one the search split next to it was made from.

    Same seed, same env and same code path would give the search trajectories again, and a
    "held-out" score on them would measure nothing.
    """
    for request in requests:
        search = dataset_dir(out, request.spec.name) / MANIFEST_FILE
        if request.split != "heldout" or not search.exists():
            continue
        try:
            search_seed = json.loads(search.read_text()).get("seed")
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
            continue
        if search_seed == request.seed:
            raise CwmbError(
                f"the search split of {request.spec.name} in {out} was collected with seed {request.seed}; "
                "a held-out split from the same seed would repeat it",
                "pass another --seed (the held-out default is 1)",
            )


def collect_and_write(request: CollectionRequest, out: str, queue: Any = None) -> dict[str, Any]:
    """Collect one env and write it under ``out``; report each finished trajectory on ``queue``."""

    def report(index: int) -> None:
        if queue is not None:
            queue.put((request.spec.name, index))

    data, manifest = collect_env(request, report)
    write_dataset(out, data, manifest)
    return manifest


def run_collection(
    requests: list[CollectionRequest], out: Path, workers: int, progress: ProgressFn | None = None
) -> list[dict[str, Any]]:
    """Collect every request (``workers`` processes when > 1); return the manifests in order."""
    if workers <= 1:
        return [collect_and_write(r, str(out), _CallbackQueue(progress)) for r in requests]
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        queue = manager.Queue()
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            # Longest first (MuJoCo humanoids), so two workers finish close together.
            order = sorted(range(len(requests)), key=lambda i: -_cost_rank(requests[i]))
            futures = {pool.submit(collect_and_write, requests[i], str(out), queue): i for i in order}
            results: dict[int, dict[str, Any]] = {}
            pending = set(futures)
            while pending:
                _drain(queue, progress)
                done = [f for f in pending if f.done()]
                for future in done:
                    results[futures[future]] = future.result()
                    pending.discard(future)
                if pending:
                    _wait(pending)
            _drain(queue, progress)
    return [results[i] for i in range(len(requests))]


def _wait(pending: set) -> None:
    wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)


def _drain(queue: Any, progress: ProgressFn | None) -> None:
    while not queue.empty():
        env, index = queue.get()
        if progress:
            progress(env, index)


def _cost_rank(request: CollectionRequest) -> int:
    heavy = ("HumanoidStandup-v4", "Humanoid-v4", "Ant-v4", "Walker2d-v4", "Hopper-v4")
    return len(heavy) - heavy.index(request.spec.name) if request.spec.name in heavy else 0


class _CallbackQueue:
    """A queue-like adapter that calls the progress function directly (single process)."""

    def __init__(self, progress: ProgressFn | None) -> None:
        self.progress = progress

    def put(self, item: tuple[str, int]) -> None:
        if self.progress:
            self.progress(*item)
