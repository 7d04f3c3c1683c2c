"""Compute reference returns: (env, agent, episode) jobs over spawn-context worker processes.

One job is one episode of one agent on one env (or, with ``estimate``, the start of one
episode, timed and scaled up to a full episode). Jobs run in up to ``workers`` processes,
each lowered to a ``nice`` level so that a long oracle run leaves a shared machine usable.
The parent alone writes the file, after every finished job (see
:class:`~cwmb.planning.references.ReferenceReturns`), so stopping a run, with Ctrl-C or
SIGTERM, loses only the episodes in flight and the same command continues it.

Order: all random episodes first (they cost seconds), then the oracle env by env in the
order asked for, episode by episode, so a stopped run leaves whole envs finished rather
than every env half done.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cwmb.benchmark import EnvSpec, get_env
from cwmb.errors import CwmbError
from cwmb.planning.profiles import PlannerProfile
from cwmb.planning.references import REFERENCE_AGENTS, ReferenceReturns, library_versions

# MCTS decides every step, so its per-step cost is steady after a few steps.
ESTIMATE_MCTS_STEPS = 20


@dataclass(frozen=True)
class Job:
    """One episode of ``agent`` on ``env`` (``kind="episode"``) or a cost probe (``"estimate"``)."""

    env: str
    agent: str
    episode: int = 0
    kind: str = "episode"
    probe_iterations: int | None = None


@dataclass(frozen=True)
class JobOutcome:
    """What a job produced: a record for the file, or the error that stopped it."""

    job: Job
    record: dict[str, Any] | None = None
    error: str | None = None


ProgressFn = Callable[[JobOutcome, int, int], None]


@dataclass
class RunReport:
    """What a run did: jobs planned and finished, failures, blocks dropped as stale, the store."""

    store: ReferenceReturns
    planned: int
    finished: int = 0
    dropped: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def prepare_worker(nice: int) -> None:
    """Run in each worker: lower its priority, leave Ctrl-C to the parent, quiet known warnings."""
    import signal
    import warnings

    if nice > 0:
        os.nice(nice)
    # The parent stops the workers itself; a SIGINT reaching them too would only add tracebacks.
    if multiprocessing.parent_process() is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    warnings.filterwarnings("ignore", message=r".*is out of date.*")


def episode_record(result: Any) -> dict[str, Any]:
    """The fields of an :class:`~cwmb.planning.episodes.EpisodeResult` that the file keeps."""
    return {
        "return": float(result.episode_return),
        "length": int(result.length),
        "seconds": round(float(result.seconds), 3),
        "decisions": int(result.decisions),
        "outcome": result.outcome,
    }


def estimate_record(
    spec: EnvSpec, agent: str, profile: PlannerProfile, probe_iterations: int | None = None
) -> dict[str, Any]:
    """Time the start of episode 0 (one CEM plan, or a few MCTS steps) and scale it to a full episode.

    The time is the worker's CPU time, so that a busy machine does not inflate the estimate.

    ``probe_iterations`` runs that first CEM plan with fewer iterations and scales the time
    up by ``iterations / probe_iterations``; cheaper, but rougher where rollouts terminate
    early (early iterations sample worse plans, which fall sooner and cost fewer steps).
    """
    from cwmb.planning.episodes import run_episode

    cap = profile.cap_for(spec.episode_cap)
    uses_cem = agent == "oracle" and spec.planner == "cem"
    probe = min(cap, profile.cem.horizon if uses_cem else ESTIMATE_MCTS_STEPS)
    scale, probed = 1.0, profile
    if uses_cem and probe_iterations is not None and probe_iterations < profile.cem.iterations:
        scale = profile.cem.iterations / probe_iterations
        probed = dataclasses.replace(
            profile, cem=dataclasses.replace(profile.cem, iterations=probe_iterations)
        )
    # CPU time, not wall time: on a shared machine (and under --nice) a worker waits for a
    # core, and the wait says nothing of what the episode costs on a core of its own.
    cpu_started = time.process_time()
    result = run_episode(spec, agent, probed, 0, episode_cap=probe)
    cpu = time.process_time() - cpu_started
    reduced = f" with {probe_iterations} of {profile.cem.iterations} CEM iterations" if scale != 1 else ""
    if result.outcome == "terminated" and scale == 1:
        seconds, basis = cpu, f"one whole episode (it ended after {result.length} steps), CPU time"
    else:
        # A CEM plan is paid for up front, for its whole span, however soon the episode ends;
        # a weaker probe planner ending early says nothing of how long the real one survives.
        span = probe if uses_cem else max(result.length, 1)
        seconds = cpu * scale * cap / span
        basis = (
            f"the first {span} of {cap} steps ({result.decisions} decision(s)){reduced} took "
            f"{cpu:.1f} s of CPU time ({result.seconds:.1f} s wall), scaled linearly to {cap} steps"
        )
        if scale != 1:
            basis += f" and {profile.cem.iterations} iterations"
        if result.outcome == "terminated":
            basis += f"; an upper bound if episodes end early (the probe's ended after {result.length} steps)"
    return {
        "seconds_per_episode": round(seconds, 3),
        "basis": basis,
        "probe_steps": result.length,
        "probe_seconds": round(result.seconds, 3),
        "probe_cpu_seconds": round(cpu, 3),
    }


def run_job(job: Job, profile: PlannerProfile) -> JobOutcome:
    """Run one job (in a worker); an exception becomes the outcome's error, not a dead pool."""
    from cwmb.planning.episodes import run_episode

    try:
        if job.kind == "estimate":
            record = estimate_record(get_env(job.env), job.agent, profile, job.probe_iterations)
            return JobOutcome(job, record)
        return JobOutcome(job, episode_record(run_episode(job.env, job.agent, profile, job.episode)))
    except Exception as problem:  # one failing episode must not lose the others
        return JobOutcome(job, error=f"{type(problem).__name__}: {problem}")


def execute(
    jobs: Sequence[Job], profile: PlannerProfile, workers: int, nice: int = 0
) -> Iterator[JobOutcome]:
    """Run ``jobs`` and yield outcomes as they finish (in-process when ``workers`` is 1).

    Jobs start in the order given. If the consumer stops early or is interrupted, queued
    jobs are cancelled and the running workers are terminated.
    """
    if workers <= 1 or len(jobs) <= 1:
        prepare_worker(nice)
        for job in jobs:
            yield run_job(job, profile)
        return
    context = multiprocessing.get_context("spawn")
    before = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)), mp_context=context, initializer=prepare_worker, initargs=(nice,)
    )
    finished = False
    try:
        futures = [pool.submit(run_job, job, profile) for job in jobs]
        for future in as_completed(futures):
            yield future.result()
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:
            _stop(pool, before)


def _stop(pool: ProcessPoolExecutor, before: set) -> None:
    """Cancel queued jobs and terminate this pool's workers (the episodes in flight are lost)."""
    pool.shutdown(wait=False, cancel_futures=True)
    # Only children that appeared with this pool: never touch processes started by others.
    for child in set(multiprocessing.active_children()) - before:
        child.terminate()
    for child in set(multiprocessing.active_children()) - before:
        child.join(timeout=5)
    pool.shutdown(wait=True)


def plan_jobs(
    store: ReferenceReturns, envs: Sequence[EnvSpec], agents: Sequence[str], limit: int | None = None
) -> list[Job]:
    """The episodes still to run: random ones first, then the oracle env by env.

    ``limit`` runs only episodes ``0 .. limit-1`` (default: the profile's count).
    """
    count = store.target if limit is None else limit
    jobs = []
    for agent in [a for a in REFERENCE_AGENTS if a in agents]:
        for spec in envs:
            block = store.block(spec.name, agent)
            done = block.episodes if block else {}
            jobs += [Job(spec.name, agent, episode) for episode in range(count) if episode not in done]
    return jobs


def plan_estimates(
    store: ReferenceReturns,
    envs: Sequence[EnvSpec],
    agents: Sequence[str],
    probe_iterations: int | None = None,
) -> list[Job]:
    """One cost probe per selected (env, agent) that still misses episodes."""
    jobs = []
    for agent in [a for a in REFERENCE_AGENTS if a in agents]:
        for spec in envs:
            block = store.block(spec.name, agent)
            if block is None or block.missing(store.target):
                jobs.append(Job(spec.name, agent, kind="estimate", probe_iterations=probe_iterations))
    return jobs


def check_agents(agents: Sequence[str] | None) -> list[str]:
    """Validate agent names (none means both)."""
    chosen = list(agents) if agents else list(REFERENCE_AGENTS)
    for agent in chosen:
        if agent not in REFERENCE_AGENTS:
            raise CwmbError(f"unknown reference agent '{agent}'", f"use {' or '.join(REFERENCE_AGENTS)}")
    return chosen


def open_store(path: Path, profile: PlannerProfile, command: str | None, force: bool) -> tuple:
    """Read the file and adopt ``profile``; refuse to drop finished episodes unless ``force``."""
    store = ReferenceReturns.read(path)
    versions = library_versions()
    stale = store.stale_blocks(profile, versions)
    losing = [f"{env} {agent} ({', '.join(keys)})" for (env, agent), keys in stale.items()]
    if any(store.blocks[key].episodes for key in stale) and not force:
        shown = "; ".join(losing[:4]) + (f"; and {len(losing) - 4} more" if len(losing) > 4 else "")
        raise CwmbError(
            f"{path} holds episodes made with other settings: {shown}",
            "pass --force to discard them and recompute, or --out FILE to write elsewhere",
        )
    return store, store.adopt(profile, versions, command)


def compute_references(
    profile: PlannerProfile,
    envs: Sequence[EnvSpec],
    agents: Sequence[str],
    out: Path,
    workers: int = 1,
    nice: int = 0,
    command: str | None = None,
    force: bool = False,
    estimate: bool = False,
    limit: int | None = None,
    probe_iterations: int | None = None,
    progress: ProgressFn | None = None,
    run_jobs: Callable[[Sequence[Job], PlannerProfile], Iterator[JobOutcome]] | None = None,
) -> RunReport:
    """Run the missing episodes (or, with ``estimate``, cost probes) and keep ``out`` up to date.

    Finished episodes already in ``out`` are skipped; blocks made with other settings are
    dropped (only with ``force`` if they hold episodes). The file is rewritten after each job.
    ``limit`` runs only the first ``limit`` episodes now; the profile's count stays the target.
    ``probe_iterations``: see :func:`estimate_record`. ``run_jobs`` runs the jobs elsewhere
    (e.g. as Ray tasks) instead of :func:`execute`; this process still writes ``out`` alone.
    """
    store, dropped = open_store(Path(out), profile, command, force)
    chosen = check_agents(agents)
    if estimate:
        jobs = plan_estimates(store, envs, chosen, probe_iterations)
    else:
        jobs = plan_jobs(store, envs, chosen, limit)
    report = RunReport(store, len(jobs), dropped=dropped)
    store.write()  # the header (profile, versions, command) even when nothing is left to run
    running = run_jobs(jobs, profile) if run_jobs else execute(jobs, profile, workers, nice)
    with closing(running) as outcomes:
        for outcome in outcomes:
            _take(report, outcome)
            if progress is not None:
                progress(outcome, report.finished + len(report.failures), len(jobs))
    return report


def _take(report: RunReport, outcome: JobOutcome) -> None:
    """Store one outcome and rewrite the file, or note the failure."""
    job, store = outcome.job, report.store
    if outcome.error is not None:
        report.failures.append(f"{job.env} {job.agent} {job.kind} {job.episode}: {outcome.error}")
        return
    assert outcome.record is not None
    if job.kind == "estimate":
        store.record_estimate(job.env, job.agent, outcome.record)
    else:
        store.record(job.env, job.agent, job.episode, outcome.record)
    store.write()
    report.finished += 1
