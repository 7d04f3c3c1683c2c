"""CQL training time per env (paper Table 12's baseline), and what torch's thread count does to it.

Trains d3rlpy's CQL / DiscreteCQL on each env's shipped dataset for a few gradient steps
(the same data adapter and library defaults as ``cwmb baseline cql``), times the marginal
cost of a gradient step (see :func:`seconds_per_step`), and extrapolates to the paper's 1000 steps. It also
prints the committed full run's measured training time per env (from
``cwmb/benchmark/reference_returns/cql/*.json``). Figures: the estimated time of 1000 steps on
one thread per env, target <= 120 s (so the 18-env run, two envs at a time, fits in about
20 minutes on 2 cores), and the time of 2 torch threads relative to 1 on one continuous env on
an otherwise idle machine (informational: below 1 means a lone run gains from a second thread;
``cwmb baseline cql`` defaults to one thread so that two runs can share 2 cores, see --threads).

Run: .venv/bin/python benchmarks/cql_training.py [--steps 30] [--envs CartPole-v1,HalfCheetah-v4]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from figures import figure

ENVS = ("CartPole-v1", "Taxi-v3", "Pendulum-v1", "HalfCheetah-v4", "Humanoid-v4")
RECORDS = Path(__file__).resolve().parents[1] / "cwmb" / "benchmark" / "reference_returns" / "cql"


def seconds_per_step(env: str, steps: int, threads: int) -> float:
    """Wall seconds per gradient step, ``threads`` torch threads, without the fixed costs.

    Two trainings, of 10 and of ``10 + steps`` steps, both split into 10 epochs like the real
    run; their difference is ``steps`` gradient steps, so that library imports, network
    building and per-epoch work (which the first env measured would otherwise carry alone)
    cancel out.
    """
    import torch

    from cwmb.baselines.cql import train
    from cwmb.benchmark.making import make_env
    from cwmb.benchmark.registry import get_env
    from cwmb.trajectories.storage import load_dataset

    torch.set_num_threads(threads)
    spec = get_env(env)
    data, real_env = load_dataset(None, spec.name), make_env(spec)
    timings = []
    train(data, spec, real_env, steps=10, seed=0, threads=threads)  # untimed warm-up (first imports)
    for total in (10, 10 + steps):
        started = time.perf_counter()
        train(data, spec, real_env, steps=total, seed=0, threads=threads)
        timings.append(time.perf_counter() - started)
    real_env.close()
    return max(timings[1] - timings[0], 0.0) / steps


def recorded_seconds(env: str) -> str:
    """The committed record's training time, or '–'."""
    path = RECORDS / f"{env}.json"
    if not path.exists():
        return "–"
    record = json.loads(path.read_text(encoding="utf-8"))
    return f"{record['train_seconds']:.1f} s ({record['steps']} steps)"


def main() -> None:
    """Print the table and the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="timed gradient steps per env")
    parser.add_argument("--envs", default=",".join(ENVS))
    args = parser.parse_args()
    envs = [name for name in args.envs.split(",") if name]
    print(f"{'env':<20} {'s/step (1 thread)':>18} {'est. 1000 steps':>16}   committed full run")
    estimates = {}
    for env in envs:
        per_step = seconds_per_step(env, args.steps, threads=1)
        estimates[env] = per_step * 1000
        print(f"{env:<20} {per_step:>18.4f} {estimates[env]:>14.1f} s   {recorded_seconds(env)}")
    continuous = next((env for env in envs if env not in ("CartPole-v1", "Taxi-v3")), None)
    for env in envs:
        figure(f"CQL 1000 steps (estimated), {env}, 1 thread", estimates[env], "<= 120 s", " s")
    if continuous is not None:
        two = seconds_per_step(continuous, args.steps, threads=2)
        one = estimates[continuous] / 1000
        print(f"{continuous}: 2 threads {two:.4f} s/step vs 1 thread {one:.4f} s/step")
        figure(f"CQL 2 vs 1 torch threads (idle machine), {continuous}", two / one, "info: < 1 helps", "x")


if __name__ == "__main__":
    main()
