"""``--executor ray`` against a real local Ray: same records as the local pool; a clear line without Ray."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import yaml
from rich.console import Console

from cwmb.grid.cells import expand_cells
from cwmb.grid.driver import run_grid
from cwmb.grid.experiment import load_experiment
from cwmb.grid.progress import GridProgress
from cwmb.grid.ray_executor import RayExecutor
from cwmb.grid.suites import CellContext, with_resolved_configs
from tests.grid.conftest import REPO, cell_dirs, comparable_cell, write_experiment


def _context(experiment) -> CellContext:
    plan = experiment.planner
    context = CellContext(experiment.trajectories, plan.profile, plan.episodes, plan.workers, (), {})
    return with_resolved_configs(context, expand_cells(experiment).cells)


def test_ray_gives_every_record_the_local_pool_gives(ray_cluster, local_grid, tmp_path):
    path, done = local_grid
    assert done.returncode == 0, done.stderr
    local_root = Path(yaml.safe_load(path.read_text())["output"])
    experiment = load_experiment(path)
    cells = expand_cells(experiment).cells
    root = tmp_path / "ray-grid"
    executor = RayExecutor(root, _context(experiment))
    progress = GridProgress("ray", len(cells), Console(file=io.StringIO()))
    try:
        outcome = run_grid(cells, root, _context(experiment), executor, progress)
    finally:
        executor.close()
    assert not outcome.failed and len(outcome.records) == 8
    assert ray_cluster.is_initialized()  # the executor used the session's Ray and left it running
    assert cell_dirs(root) == cell_dirs(local_root)
    for key in cell_dirs(root):
        assert comparable_cell(root / key) == comparable_cell(local_root / key), key
    # The driver wrote the workers' answers into its own cache.
    assert (tmp_path / "cache" / "llm-cache.sqlite3").exists()


def test_a_ray_grid_rerun_skips_complete_cells(ray_cluster, tmp_path):
    path = write_experiment(
        tmp_path, methods=["gif_mcts"], stages=["synthesize"], suites={"cwmb": {"envs": ["CartPole-v1"]}}
    )
    experiment = load_experiment(path)
    cells = expand_cells(experiment).cells
    for expected_runs in (2, 0):
        executor = RayExecutor(tmp_path / "grid", _context(experiment))
        progress = GridProgress("ray", len(cells), Console(file=io.StringIO()))
        try:
            outcome = run_grid(cells, tmp_path / "grid", _context(experiment), executor, progress)
        finally:
            executor.close()
        assert len(outcome.records) == expected_runs and len(outcome.skipped) == 2 - expected_runs


def test_without_ray_the_executor_says_how_to_install_it(tmp_path):
    path = write_experiment(tmp_path, stages=["synthesize"])
    # `import ray` fails in this process exactly as in an environment without the extra.
    script = (
        "import sys; sys.modules['ray'] = None\n"
        "from cwmb.cli.main import main\n"
        f"main(['run', {str(path)!r}, '--executor', 'ray'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=300
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["error: Ray is not installed: pip install 'cwmb[ray]'"]
    assert not (tmp_path / "grid").exists()
