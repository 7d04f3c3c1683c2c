"""What the kernel isolation layers cost: per job, and once per worker.

Two pools run the same jobs in turn: one with every layer this machine has (the default)
and one with the namespaces, Landlock and seccomp skipped and jobs kept at the harness's
uid, i.e. the sandbox before kernel isolation. Per job, the figure is the median round trip
of a 1-row CartPole prediction (the fixed cost) and of a 400-row one, timed both back to
back and with a 20 ms pause between jobs (the usual case in a search, where the LLM call
dwarfs everything and the next job process is forked during the pause). Run with::

    .venv/bin/python benchmarks/isolation_cost.py
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from cwmb.sandbox import Limits, PredictJob, WorkerPool
from sandbox_overhead import CARTPOLE as CARTPOLE_MODEL

_BARE = Limits(run_as=None, skip_layers=("namespaces", "landlock", "seccomp"))


def _rows(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    states = rng.uniform(-0.05, 0.05, size=(n, 4)).astype(np.float32)
    return states, rng.integers(0, 2, size=(n, 1)).astype(np.int64)


def _round_trips(pools: dict[str, WorkerPool], job: PredictJob, repeats: int, pause: float) -> dict[str, float]:
    """Median ms per job for each pool, interleaved so that background load hits both alike."""
    times: dict[str, list[float]] = {name: [] for name in pools}
    for _ in range(repeats):
        for name, pool in pools.items():
            time.sleep(pause)
            start = time.perf_counter()
            outcome = pool.run(job, timeout=10.0)
            times[name].append(time.perf_counter() - start)
            assert outcome.ok, outcome.message
    return {name: 1000 * statistics.median(values) for name, values in times.items()}


def _start_up(limits: Limits, repeats: int = 5) -> float:
    """Median seconds from creating a one-worker pool to its first answered job."""
    states, actions = _rows(1)
    job = PredictJob(CARTPOLE_MODEL, "box", "discrete", states, actions)
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        with WorkerPool(size=1, limits=limits) as pool:
            pool.run(job, timeout=10.0)
            seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def main() -> None:
    """Print per-job and start-up costs with and without the kernel layers."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=60)
    args = parser.parse_args()
    with WorkerPool(size=1) as full, WorkerPool(size=1, limits=_BARE) as bare:
        print(f"isolated: {full.isolation.summary()}")
        print(f"bare:     {bare.isolation.summary()}")
        pools = {"isolated": full, "bare": bare}
        print(f"{'rows':>5} {'pause':>6} {'bare ms':>8} {'isolated ms':>12} {'added ms':>9} {'ratio':>6}")
        for n in (1, 400):
            states, actions = _rows(n)
            job = PredictJob(CARTPOLE_MODEL, "box", "discrete", states, actions)
            for pause in (0.0, 0.02):
                ms = _round_trips(pools, job, args.repeats, pause)
                added = ms["isolated"] - ms["bare"]
                print(
                    f"{n:>5} {pause * 1000:>4.0f}ms {ms['bare']:>8.2f} {ms['isolated']:>12.2f} "
                    f"{added:>9.2f} {ms['isolated'] / ms['bare']:>6.2f}"
                )
    print(f"worker start-up to first job: bare {_start_up(_BARE):.3f} s, isolated {_start_up(Limits()):.3f} s")
    print("target (issue 14): fixed cost per job <= 1 ms with every layer on; never trade a layer for speed")


if __name__ == "__main__":
    main()
