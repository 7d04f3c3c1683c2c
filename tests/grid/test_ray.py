"""``--executor ray`` against a real local Ray: same records as the local pool; a clear line without Ray."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import yaml
from rich.console import Console

from cwmb.grid.driver import run_grid
from cwmb.grid.expansion import expand_cells
from cwmb.grid.experiment import load_experiment
from cwmb.grid.progress import GridProgress
from cwmb.grid.ray_executor import RayExecutor
from cwmb.grid.suites import CellContext, with_resolved_configs
from tests.grid.conftest import (
    REPO,
    cell_dirs,
    comparable_cell,
    cwmb_command,
    lines,
    run_cwmb,
    write_experiment,
)
from tests.llm.fake_openai_server import FakeOpenAIServer, Reply, Slow


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


def _processes_marked(marker: str) -> list[int]:
    """Processes whose environment holds ``marker`` (everything the killed driver started inherits it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker.encode() in entry.joinpath("environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_a_ray_grid_whose_driver_is_killed_finishes_on_rerun_without_paying_twice(tmp_path):
    with FakeOpenAIServer() as server:
        llm = tmp_path / "fake.yaml"
        llm.write_text(
            f"name: fake\nbackend: litellm\nmodel: openai/fake\napi_base: {server.api_base}\n"
            "max_retries: 0\ntimeout_s: 300\n"
        )
        path = write_experiment(
            tmp_path, methods=["gif_mcts"], stages=["synthesize"],
            llms=[{"config": str(llm), "seeds": [0], "budget": 3}],
        )  # fmt: skip
        server.push(*[Reply(f"no code here {i}") for i in range(4)], Slow(600))
        args = ("run", str(path), "--executor", "ray", "--workers", "1")  # one cell at a time
        marker = f"CWMB_TEST_KILLED_DRIVER={uuid.uuid4().hex}"
        driver = subprocess.Popen(
            cwmb_command(*args),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, marker.split("=")[0]: marker.split("=")[1]},
        )
        deadline = time.monotonic() + 240
        while len(server.requests) < 5 and time.monotonic() < deadline and driver.poll() is None:
            time.sleep(0.05)
        driver.send_signal(signal.SIGKILL)
        assert driver.wait(timeout=60) == -signal.SIGKILL and len(server.requests) == 5
        time.sleep(2.0)  # the Ray it started dies with it: the cell's worker sends nothing more
        assert len(server.requests) == 5
        for pid in _processes_marked(marker):  # Ray's agents linger after a kill -9: ours to stop
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

        rerun = run_cwmb(*args)
        assert rerun.returncode == 0, rerun.stderr
        answered = 4 + len(server.requests) - 5
    with sqlite3.connect(tmp_path / "cache" / "llm-cache.sqlite3") as connection:
        rows = connection.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
    assert rows == answered == 6  # every answer reached the driver's cache once; none was bought twice
    for env in ("CartPole-v1", "Taxi-v3"):
        folder = tmp_path / "grid" / "gif_mcts-fake-b3-seed0" / env
        assert len(lines(folder / "completions.jsonl")) == 3
