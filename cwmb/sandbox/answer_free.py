"""Scoring a program without ever handing it the answers: answer-free batches of transitions.

A dataset's transitions come from trajectories, so the state of transition ``t + 1`` is
the expected next state of transition ``t``. A job that holds every state of a trajectory
therefore holds most of the answers, and a program can reach them from Python with no
privilege at all (``sys._getframe(1).f_locals``, ``gc``, or ``ctypes`` reading its own
memory). No Python-level guard can hide data that sits in the program's own process.

So the harness splits a dataset into batches in which no two transitions of one
trajectory are fewer than :data:`ANSWER_SPACING` steps apart (batch ``k`` holds the steps
``t`` with ``t % spacing == k``), and runs each batch as its own job, in its own fresh
process. The kernel then guarantees that the process predicting transition ``t`` never
held the state of step ``t + 1`` (or of any step up to ``t + spacing - 1``) of its
trajectory. The batches run concurrently over the pool's workers and their predictions
are put back in dataset order, so callers see one job's result.
"""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Protocol

import numpy as np

from cwmb.sandbox.outcome import Outcome

#: Minimum distance, in steps of one trajectory, between two transitions of one batch.
#: Why not 2: with ``s_t`` and ``s_{t+2}`` an Euler-integrated env gives ``s_{t+1}`` away
#: exactly (CartPole: ``x_{t+2} = x_{t+1} + tau * xdot_{t+1}`` and ``x_{t+1}`` follows
#: from ``s_t``). From ``s_t`` and ``s_{t+4}``, with three unknown actions in between, the
#: equations for ``s_{t+1}`` are underdetermined. Each batch is one job, so a larger
#: spacing costs one more process per dataset.
ANSWER_SPACING = 4


class RowJob(Protocol):
    """A job over dataset rows that can be cut into batches: a dataclass with these fields."""

    states: np.ndarray
    actions: np.ndarray
    row_ids: np.ndarray | None

    def request(self) -> dict[str, Any]:
        """The job as plain data for the worker."""
        ...

    def parse(self, value: Any) -> Any:
        """Build the typed result from the worker's reply."""
        ...


def answer_free_batches(
    trajectory: np.ndarray, step: np.ndarray, spacing: int = ANSWER_SPACING
) -> list[np.ndarray]:
    """Row indices grouped so that no batch holds two rows of a trajectory closer than ``spacing`` steps.

    Empty batches are left out; every row is in exactly one batch, in dataset order.
    """
    if spacing < 1:
        raise ValueError("spacing must be at least 1")
    # Steps are counted within each trajectory; rows that share a trajectory and a
    # residue are then at least ``spacing`` steps apart (steps of one trajectory are distinct).
    residue = np.asarray(step, dtype=np.int64) % spacing
    batches = [np.flatnonzero(residue == k) for k in range(spacing)]
    return [rows for rows in batches if rows.size]


def batch_job(job: RowJob, rows: np.ndarray) -> RowJob:
    """``job`` restricted to ``rows`` (which keep their dataset indices for messages)."""
    ids = rows if job.row_ids is None else job.row_ids[rows]
    return dataclasses.replace(job, states=job.states[rows], actions=job.actions[rows], row_ids=ids)  # type: ignore[type-var]


def gather(parts: list[Any], batches: list[np.ndarray], n: int) -> Any:
    """Put the per-batch result records (dataclasses of per-row arrays and tuples) back in row order."""
    first = parts[0]
    merged: dict[str, Any] = {}
    for field in dataclasses.fields(first):
        values = [getattr(part, field.name) for part in parts]
        if isinstance(values[0], np.ndarray):
            out = np.empty((n, *values[0].shape[1:]), dtype=values[0].dtype)
            for rows, value in zip(batches, values, strict=True):
                out[rows] = value
            merged[field.name] = out
        else:
            items: list[Any] = [None] * n
            for rows, value in zip(batches, values, strict=True):
                for row, item in zip(rows.tolist(), value, strict=True):
                    items[row] = item
            merged[field.name] = tuple(items)
    return type(first)(**merged)


def run_answer_free(pool: Any, job: RowJob, batches: list[np.ndarray], timeout: float) -> Outcome[Any]:
    """Run ``job`` as one job per batch on ``pool``; one Outcome, as if it had been one job.

    ``timeout`` applies to each batch. The first batch that fails (in batch order, so the
    message does not depend on timing) decides the outcome, and no further batch is started.
    """
    n = int(job.states.shape[0])
    if len(batches) == 1 and batches[0].size == n:
        return pool.run(batch_job(job, batches[0]), timeout=timeout)
    outcomes: list[Outcome[Any] | None] = [None] * len(batches)
    width = max(1, int(getattr(pool, "size", 1)))
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=width, thread_name_prefix="cwmb-batch") as executor:
        running: dict[Future[Outcome[Any]], int] = {}
        pending = iter(range(len(batches)))
        failed = False
        while True:
            while not failed and len(running) < width:
                index = next(pending, None)
                if index is None:
                    break
                running[executor.submit(pool.run, batch_job(job, batches[index]), timeout)] = index
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                index = running.pop(future)
                outcomes[index] = future.result()
                failed = failed or not outcomes[index].ok
    return _combine(outcomes, batches, n, time.monotonic() - started)


def _combine(
    outcomes: list[Outcome[Any] | None], batches: list[np.ndarray], n: int, seconds: float
) -> Outcome[Any]:
    """One Outcome from the batches': the first failure in batch order, else the gathered values.

    Batches start in order and none starts after a failure, so the lowest failing batch
    has always run: the outcome does not depend on which batch finished first.
    """
    finished = [o for o in outcomes if o is not None]
    for outcome in finished:
        if not outcome.ok:
            return dataclasses.replace(outcome, seconds=seconds)
    value = gather([o.value for o in finished], batches, n)
    output = next((o.output for o in finished if o.output), "")
    return Outcome("ok", value, "", output, seconds)
