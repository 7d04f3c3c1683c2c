"""Time per cell of a small offline grid: direct ``cwmb synthesize`` calls vs the local pool vs Ray.

Usage: ``.venv/bin/python benchmarks/grid_overhead.py [--cells-per-env N] [--budget B]``
(about 2 minutes on 2 cores). The grid is gif_mcts with the offline simulated coder (NOT an
LLM) on CartPole-v1 and Taxi-v3, synthesize only, every run in a fresh output folder and
response cache, so every cell does the same work. Prints wall seconds per cell for:

- ``direct``: one ``cwmb synthesize`` process per cell, one after another;
- ``local 1`` and ``local 2``: ``cwmb run``'s process pool with 1 and 2 workers;
- ``ray 2``: the Ray executor on a local Ray with 2 CPUs;

the pool and Ray timings are "once started": each executor first runs one warm-up cell per
worker (other seeds), so process start-up and first imports are not counted. Each timing is
the best of ``--repeat`` runs (the machine is shared);

then Ray's start-up time on its own and the overhead ratio Ray / local pool at 2 workers
(target: at most 1.05) and the speed-up of 2 local workers over 1.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

from cwmb.grid.driver import run_grid
from cwmb.grid.expansion import expand_cells
from cwmb.grid.experiment import experiment_from_dict
from cwmb.grid.progress import GridProgress
from cwmb.grid.suites import CellContext, with_resolved_configs

REPO = Path(__file__).resolve().parents[1]
ENVS = ["CartPole-v1", "Taxi-v3"]
TARGET_RAY_RATIO = 1.05


def _grid(seeds: list[int], budget: int):
    experiment = experiment_from_dict(
        {
            "suites": {"cwmb": {"envs": ENVS}},
            "methods": ["gif_mcts"],
            "llms": [{"config": "offline", "seeds": seeds, "budget": budget}],
            "stages": ["synthesize"],
        }
    )
    cells = expand_cells(experiment).cells
    context = CellContext(REPO / "trajectories", "quick", None, 1, (), experiment.suites)
    return cells, with_resolved_configs(context, cells)


def _fresh(label: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f"cwmb-grid-bench-{label}-"))
    os.environ["CWMB_CACHE_DIR"] = str(folder / "cache")
    return folder


def time_direct(cells) -> float:
    """Seconds for one ``cwmb synthesize`` process per cell, sequentially."""
    folder = _fresh("direct")
    start = time.perf_counter()
    for cell in cells:
        args = ["synthesize", "--env", cell.target, "--budget", str(cell.budget), "--seed", str(cell.seed)]
        args += ["--run", cell.run, "--results", str(folder), "--trajectories", str(REPO / "trajectories")]
        subprocess.run([sys.executable, "-m", "cwmb", *args], check=True, capture_output=True, cwd=REPO)
    return time.perf_counter() - start


def _run(cells, root: Path, context, executor, label: str) -> float:
    progress = GridProgress(label, len(cells), Console(file=io.StringIO()))
    start = time.perf_counter()
    outcome = run_grid(cells, root, context, executor, progress)
    if outcome.failed:
        raise SystemExit(f"{label}: cells failed: {outcome.failed}")
    return time.perf_counter() - start


def time_grid(cells, warmup, context, make_executor, label: str) -> float:
    """Seconds for ``run_grid`` over ``cells`` on an executor that has run ``warmup`` first."""
    root = _fresh(label)
    executor = make_executor(root)
    try:
        _run(warmup, root, context, executor, label)
        return _run(cells, root, context, executor, label)
    finally:
        executor.close()


def main() -> None:
    """Run the four timings and print them with the ratios and their targets."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cells-per-env", type=int, default=3, help="seeds per env (cells = 2 x this)")
    parser.add_argument("--budget", type=int, default=4, help="LLM calls per cell")
    parser.add_argument("--repeat", type=int, default=2, help="runs per timing (the best is kept)")
    options = parser.parse_args()
    cells, context = _grid(list(range(options.cells_per_env)), options.budget)
    warmup, _ = _grid([1000], 1)  # one cell per env: one per worker

    from cwmb.grid.local import LocalExecutor
    from cwmb.grid.ray_executor import RayExecutor, import_ray

    def best(make, label: str) -> float:
        return min(time_grid(cells, warmup, context, make, label) for _ in range(options.repeat)) / len(cells)

    per_cell = {"direct": min(time_direct(cells) for _ in range(options.repeat)) / len(cells)}
    for workers in (1, 2):
        per_cell[f"local {workers}"] = best(lambda root, w=workers: LocalExecutor(root, context, w), "local")
    ray = import_ray()
    start = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray_start = time.perf_counter() - start
    per_cell["ray 2"] = best(lambda root: RayExecutor(root, context), "ray")
    ray.shutdown()

    print(f"grid: gif_mcts x {ENVS} x {options.cells_per_env} seeds, budget {options.budget}, offline coder")
    print(f"{len(cells)} cells; wall seconds per cell (best of {options.repeat}, executors warmed up):")
    for label, seconds in per_cell.items():
        print(f"  {label:<9} {seconds:7.2f} s")
    print(f"Ray start-up (ray.init, 2 CPUs): {ray_start:.2f} s, not included above")
    ratio = per_cell["ray 2"] / per_cell["local 2"]
    verdict = "met" if ratio <= TARGET_RAY_RATIO else "NOT met"
    print(f"Ray / local pool (2 workers) per cell: {ratio:.3f} (target <= {TARGET_RAY_RATIO}: {verdict})")
    print(f"local pool speed-up, 2 workers over 1: {per_cell['local 1'] / per_cell['local 2']:.2f}x")
    print(f"local pool (1 worker) / direct cwmb synthesize: {per_cell['local 1'] / per_cell['direct']:.3f}")


if __name__ == "__main__":
    main()
