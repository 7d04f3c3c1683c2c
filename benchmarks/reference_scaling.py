"""Reference episodes on 1 and on 2 workers: how well `cwmb references --workers 2` scales.

Issue 14's goal 6 asks for 2 workers >= 1.9x of 1 on reference episodes as well as on
scoring. A reference run is hours of CEM oracle episodes on MuJoCo, so this runs the same
code path (``compute_references``, spawn-context worker processes, the file rewritten
after every episode) with a small CEM (the paper's horizon and iterations, fewer samples)
and 100-step episodes on HalfCheetah-v4: ``--episodes`` episodes on 1 worker (in-process,
as the CLI does) and twice as many on 2 workers. Two ratios:

* **steady state**: episodes per second of episode time, from the seconds each episode
  record holds (what a run of hours sees; spawning the workers is excluded);
* **wall**: episodes per wall second of the whole call, spawning and imports included
  (what this short run sees; it understates a long run).

Run: .venv/bin/python benchmarks/reference_scaling.py [--episodes 2] [--samples 100]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from figures import figure

from cwmb.benchmark import get_env
from cwmb.planning.profiles import load_profile
from cwmb.planning.reference_runner import compute_references

ENV = "HalfCheetah-v4"
CAP = 100  # one CEM plan per episode (the paper's re-plans every 100 steps)
TARGET = 1.9


def run(workers: int, episodes: int, samples: int, directory: Path) -> tuple[float, list[float]]:
    """(wall seconds of the call, each episode's own seconds) for ``episodes`` oracle episodes."""
    profile = load_profile(
        "paper",
        {
            "episodes": episodes,
            "episode_cap": CAP,
            "cem.samples": samples,
            "cem.elites": max(1, samples // 10),
        },
    )
    out = directory / f"workers-{workers}.json"
    started = time.perf_counter()
    report = compute_references(profile, [get_env(ENV)], ["oracle"], out, workers=workers)
    wall = time.perf_counter() - started
    if report.failures or report.finished != episodes:
        raise SystemExit(f"reference run failed: {report.failures or report.finished}")
    block = json.loads(out.read_text())["envs"][ENV]["oracle"]
    return wall, [float(seconds) for seconds in block["seconds"]]


def main() -> None:
    """Print the per-worker-count table and the two figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--episodes", type=int, default=2, help="episodes on 1 worker (2 workers run twice as many)"
    )
    parser.add_argument("--samples", type=int, default=100, help="CEM samples per iteration (paper: 1000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        one_wall, one_each = run(1, args.episodes, args.samples, Path(scratch))
        two_wall, two_each = run(2, 2 * args.episodes, args.samples, Path(scratch))
    print(f"{ENV} oracle, paper CEM with {args.samples} samples, episodes of {CAP} steps")
    print(f"{'workers':>7} {'episodes':>8} {'wall s':>8} {'mean episode s':>15}")
    print(f"{1:7d} {len(one_each):8d} {one_wall:8.2f} {sum(one_each) / len(one_each):15.2f}")
    print(f"{2:7d} {len(two_each):8d} {two_wall:8.2f} {sum(two_each) / len(two_each):15.2f}")
    steady = 2 * (sum(one_each) / len(one_each)) / (sum(two_each) / len(two_each))
    wall = (len(two_each) / two_wall) / (len(one_each) / one_wall)
    figure("reference episodes, 2 workers vs 1 (steady state)", steady, f">= {TARGET}x")
    figure("reference episodes, 2 workers vs 1 (wall, spawn included)", wall, "info: short run")


if __name__ == "__main__":
    main()
