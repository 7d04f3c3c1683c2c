"""Planning and reference episodes as Ray tasks (``cwmb evaluate/references --executor ray``).

One task per episode. A world-model episode starts a cwmb sandbox pool on the worker and
plans there (generated code never runs outside the sandbox); a reference episode (random
or oracle) steps only the true env, as ``cwmb references`` does locally. Tasks return
plain records; the driver alone writes ``evaluation.json`` or the reference file, after
each one, so a stopped run keeps every finished episode.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from cwmb.grid.ray_executor import connect_ray


def _world_model_episode(
    spec: Any, source: str, profile: Any, episode: int, timeout: float
) -> dict[str, Any]:
    """One planning episode of ``source`` on ``spec``, in a sandbox pool started on this worker."""
    from cwmb.planning.sandboxed import PLANNING_PRELOAD, run_sandboxed_episode
    from cwmb.sandbox import WorkerPool

    with WorkerPool(size=1, preload=PLANNING_PRELOAD) as pool:
        return run_sandboxed_episode(spec, source, profile, episode, pool, None, timeout).to_dict()


def _reference_job(job: Any, profile: Any) -> Any:
    """One reference job (the true env only: no generated code)."""
    from cwmb.planning.reference_runner import run_job

    return run_job(job, profile)


def _as_completed(ray: Any, pending: list[Any]) -> Iterator[Any]:
    """Results of ``pending`` tasks in the order they finish; unfinished tasks are cancelled on exit."""
    try:
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            yield ray.get(ready[0])
    finally:
        for reference in pending:
            ray.cancel(reference, force=True)


class RayEpisodes:
    """A Ray connection for one command; :meth:`close` stops a Ray this object started."""

    def __init__(self, address: str | None = None, local_cpus: int = 2) -> None:
        self.ray, self._started_here = connect_ray(address, local_cpus)

    def world_model_runner(self, request: Any) -> Callable[[Sequence[int]], Iterator[dict[str, Any]]]:
        """A function running the given episodes of ``request`` as Ray tasks, yielding their records."""
        task = self.ray.remote(max_retries=1)(_world_model_episode)
        shared = (self.ray.put(request.spec), self.ray.put(request.source), self.ray.put(request.profile))

        def run(episodes: Sequence[int]) -> Iterator[dict[str, Any]]:
            """Submit every episode at once; Ray spreads them over the cluster's CPUs."""
            pending = [task.remote(*shared, episode, request.timeout) for episode in episodes]
            yield from _as_completed(self.ray, pending)

        return run

    def reference_runner(self) -> Callable[[Sequence[Any], Any], Iterator[Any]]:
        """A replacement for :func:`cwmb.planning.reference_runner.execute` on Ray."""
        task = self.ray.remote(max_retries=1)(_reference_job)

        def run(jobs: Sequence[Any], profile: Any) -> Iterator[Any]:
            """Jobs start in the order given; outcomes come back as they finish."""
            shared = self.ray.put(profile)
            yield from _as_completed(self.ray, [task.remote(job, shared) for job in jobs])

        return run

    def close(self) -> None:
        """Stop Ray if this object started it."""
        if self._started_here:
            self.ray.shutdown()


def episode_executor(kind: str, address: str | None, workers: int) -> RayEpisodes | None:
    """``--executor`` of evaluate and references: None for local processes, a Ray connection for ray."""
    from cwmb.errors import CwmbError

    if kind == "local":
        return None
    if kind != "ray":
        raise CwmbError(f"unknown executor '{kind}'", "use --executor local or --executor ray")
    return RayEpisodes(address, local_cpus=workers)
