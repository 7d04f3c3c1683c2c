"""``cwmb run`` with the local executor, as a user runs it: real processes, sandbox and fake LLM server."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import yaml

from tests.grid.conftest import REPO, cell_dirs, cwmb_command, lines, run_cwmb, write_experiment
from tests.llm.fake_openai_server import FakeOpenAIServer, Reply, Slow

GRID = {
    f"{method}-offline-b2-seed{seed}/{env}"
    for method in ("gif_mcts", "worldcoder")
    for seed in (0, 1)
    for env in ("CartPole-v1", "Taxi-v3")
}


def test_a_grid_runs_every_cell_as_an_ordinary_run_directory(local_grid):
    path, done = local_grid
    assert done.returncode == 0, done.stderr
    root = Path(yaml.safe_load(path.read_text())["output"])
    assert cell_dirs(root) == GRID
    for key in GRID:
        summary = json.loads((root / key / "summary.json").read_text())
        assert summary["status"] == "finished" and summary["budget"] == 2
        assert summary["llm"]["simulated"] is True
        evaluation = json.loads((root / key / "evaluation.json").read_text())
        assert len(evaluation["episodes"]) == 1 and evaluation["profile"]["name"] == "quick"
    assert "small: 8 cell(s) run, 0 already complete, 0 failed" in done.stdout
    assert "NOT an LLM" in done.stdout and "[simulated, not an LLM]" in done.stderr
    assert "$0.0000 [simulated, not an LLM] ->" in done.stdout
    assert (root / "report" / "report.md").exists()


def test_rerunning_a_finished_grid_skips_every_cell_and_pays_nothing(local_grid):
    path, first = local_grid
    assert first.returncode == 0, first.stderr
    root = Path(yaml.safe_load(path.read_text())["output"])
    before = {key: (root / key / "llm_calls.jsonl").read_text() for key in GRID}
    again = run_cwmb("run", str(path), "--no-plots", env={"CWMB_CACHE_DIR": str(path.parent / "c")})
    assert again.returncode == 0, again.stderr
    assert "small: 0 cell(s) run, 8 already complete" in again.stdout
    assert "0 not started; 0 new LLM call(s), $0.0000 ->" in again.stdout
    assert {key: (root / key / "llm_calls.jsonl").read_text() for key in GRID} == before


def test_shards_one_and_two_of_two_make_the_whole_grid(tmp_path):
    path = write_experiment(tmp_path, stages=["synthesize"])
    root = tmp_path / "grid"
    first = run_cwmb("run", str(path), "--shard", "1/2")
    assert first.returncode == 0, first.stderr
    part = cell_dirs(root)
    second = run_cwmb("run", str(path), "--shard", "2/2")
    assert second.returncode == 0, second.stderr
    assert len(part) == 4 and part < cell_dirs(root) and cell_dirs(root) == GRID
    assert "4 cell(s) run, 0 already complete" in second.stdout  # shard 2 started none of shard 1's
    ledgers = sorted(p.name for p in (root / ".grid").iterdir())
    assert ledgers == ["shard-1-of-2.json", "shard-2-of-2.json"]


def test_a_failed_cell_is_recorded_and_does_not_stop_the_others(tmp_path):
    data = tmp_path / "trajectories"
    shutil.copytree(REPO / "trajectories" / "CartPole-v1", data / "CartPole-v1")  # no Taxi-v3 data
    path = write_experiment(
        tmp_path, methods=["gif_mcts"], stages=["synthesize"], trajectories=str(data),
        llms=[{"config": "offline", "seeds": [0], "budget": 2}],
    )  # fmt: skip
    done = run_cwmb("run", str(path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "error: 1 cell(s) failed; first: gif_mcts-offline-b2-seed0/Taxi-v3" in done.stderr
    assert "hint: errors are recorded in" in done.stderr
    ledger = json.loads((tmp_path / "grid" / ".grid" / "shard-1-of-1.json").read_text())["cells"]
    assert ledger["gif_mcts-offline-b2-seed0/Taxi-v3"]["status"] == "failed"
    assert "Taxi-v3" in ledger["gif_mcts-offline-b2-seed0/Taxi-v3"]["error"]
    assert ledger["gif_mcts-offline-b2-seed0/CartPole-v1"]["status"] == "finished"


def _cache_rows(cache: Path) -> int:
    with sqlite3.connect(cache / "llm-cache.sqlite3") as connection:
        return connection.execute("SELECT COUNT(*) FROM responses").fetchone()[0]


def test_a_grid_whose_driver_is_killed_finishes_on_rerun_without_paying_twice(tmp_path):
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
        # Four answers, then a request that hangs: the driver is killed while it is in flight.
        server.push(*[Reply(f"no code here {i}") for i in range(4)], Slow(600))
        driver = subprocess.Popen(
            cwmb_command("run", str(path), "--workers", "1"),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while len(server.requests) < 5 and time.monotonic() < deadline and driver.poll() is None:
            time.sleep(0.05)
        driver.send_signal(signal.SIGKILL)
        assert driver.wait(timeout=60) == -signal.SIGKILL and len(server.requests) == 5
        answered = 4
        time.sleep(1.0)  # the cell process dies with its driver; nothing else may reach the server
        assert len(server.requests) == 5

        rerun = run_cwmb("run", str(path), "--workers", "1")
        assert rerun.returncode == 0, rerun.stderr
        answered += len(server.requests) - 5
    # Every answer the server gave is in the cache exactly once: none was asked for twice.
    assert _cache_rows(tmp_path / "cache") == answered == 6
    for env in ("CartPole-v1", "Taxi-v3"):
        folder = tmp_path / "grid" / "gif_mcts-fake-b3-seed0" / env
        assert json.loads((folder / "summary.json").read_text())["calls"] == 3
        assert len(lines(folder / "completions.jsonl")) == 3


def _pool_processes(driver: int) -> list[int]:
    """The driver's process-pool children (not multiprocessing's resource tracker)."""
    try:
        children = Path(f"/proc/{driver}/task/{driver}/children").read_text().split()
    except OSError:
        return []
    found = []
    for pid in children:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            found.append(int(pid))
    return found


def test_a_killed_pool_process_is_replaced_and_its_cell_resumes_without_paying_twice(tmp_path):
    path = write_experiment(
        tmp_path, methods=["gif_mcts"], stages=["synthesize"],
        llms=[{"config": "offline", "seeds": [0, 1], "budget": 12}],
        suites={"cwmb": {"envs": ["Blackjack-v1"]}},
    )  # fmt: skip
    root = tmp_path / "grid"
    driver = subprocess.Popen(
        cwmb_command("run", str(path), "--workers", "2"),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline, killed = time.monotonic() + 180, None
    while killed is None and time.monotonic() < deadline and driver.poll() is None:
        trees = list(root.glob("*/*/tree.jsonl"))
        if trees and max(t.read_text().count("\n") for t in trees) >= 2 and _pool_processes(driver.pid):
            killed = _pool_processes(driver.pid)[0]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.01)
    out, err = driver.communicate(timeout=300)
    assert killed is not None, "the grid ended before a pool process could be killed"
    assert driver.returncode == 0, err
    assert "2 cell(s) run, 0 already complete, 0 failed" in out
    sessions = []
    for seed in (0, 1):
        folder = root / f"gif_mcts-offline-b12-seed{seed}" / "Blackjack-v1"
        summary = json.loads((folder / "summary.json").read_text())
        assert summary["status"] == "finished"
        sessions.append(len(summary["sessions"]))
        paid = sum(not call["cache_hit"] for call in lines(folder / "llm_calls.jsonl"))
        assert paid == summary["calls"]  # the killed cell's answers were replayed, not bought again
    assert max(sessions) == 2  # the killed cell was resumed in a new pool process


def test_report_over_the_grid_root_gives_the_tables_of_every_cell(local_grid, tmp_path):
    path, done = local_grid
    assert done.returncode == 0, done.stderr
    root = Path(yaml.safe_load(path.read_text())["output"])
    report = run_cwmb(
        "report", str(root), "--out", str(tmp_path / "report"), "--no-plots", "--format", "json"
    )
    assert report.returncode == 0, report.stderr
    document = json.loads((tmp_path / "report" / "report.json").read_text())
    assert set(document["runs"]) == {name.split("/")[0] for name in GRID}  # all 4 runs of the 8 cells
