"""The driver's scheduling rules, with a fake executor that finishes one cell per poll."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

from rich.console import Console

from cwmb.grid.cells import Cell
from cwmb.grid.driver import ledger_path, run_grid
from cwmb.grid.progress import GridProgress
from cwmb.grid.suites import CellContext
from tests.grid.conftest import REPO


class FakeExecutor:
    """Runs nothing: finishes the oldest running cell at each poll; fails the targets it is told to."""

    name = "fake"

    def __init__(self, capacity: int, endpoint_of: dict[str, str], failing: set[str] = frozenset()) -> None:
        self.capacity = capacity
        self.endpoint_of = endpoint_of
        self.failing = failing
        self.running: list[Cell] = []
        self.started: list[str] = []
        self.most_at_once: Counter[str] = Counter()

    def submit(self, cell: Cell) -> None:
        self.running.append(cell)
        self.started.append(cell.key)
        busy = Counter(self.endpoint_of[c.llm] for c in self.running)
        for endpoint, count in busy.items():
            self.most_at_once[endpoint] = max(self.most_at_once[endpoint], count)

    def poll(self, timeout: float):
        if not self.running:
            return []
        cell = self.running.pop(0)
        if cell.target in self.failing:
            return [(cell, {"cell": cell.key, "status": "failed", "error": "CwmbError: no dataset"})]
        return [(cell, {"cell": cell.key, "status": "finished", "new_calls": 1})]

    def close(self) -> None:
        pass


def _llm(folder: Path, name: str, concurrency: int) -> str:
    path = folder / f"{name}.yaml"
    path.write_text(
        f"name: {name}\nbackend: litellm\nmodel: openai/{name}\napi_base: http://127.0.0.1:9/v1\n"
        f"max_concurrency: {concurrency}\n"
    )
    return str(path)


def _cells(llm: str, name: str, targets: list[str]) -> list[Cell]:
    return [Cell("cwmb", t, "gif_mcts", llm, name, 0, 1, ("synthesize",)) for t in targets]


def _context() -> CellContext:
    return CellContext(REPO / "trajectories", "quick", 1, 1, (), {})


def _progress() -> GridProgress:
    return GridProgress("test", 0, Console(file=io.StringIO(), force_terminal=False))


ENVS = ["CartPole-v1", "Taxi-v3", "Blackjack-v1", "Acrobot-v1", "Pendulum-v1", "MountainCar-v0"]


def test_each_llm_endpoint_keeps_its_concurrency_limit_across_cells(tmp_path):
    slow, fast = _llm(tmp_path, "slow", 1), _llm(tmp_path, "fast", 3)
    cells = _cells(slow, "slow", ENVS) + _cells(fast, "fast", ENVS)
    executor = FakeExecutor(capacity=8, endpoint_of={slow: "slow", fast: "fast"})
    outcome = run_grid(cells, tmp_path / "grid", _context(), executor, _progress())
    assert len(outcome.records) == 12 and not outcome.failed
    assert executor.most_at_once == {"slow": 1, "fast": 3}


def test_a_failed_cell_is_recorded_and_the_others_still_run(tmp_path):
    llm = _llm(tmp_path, "one", 4)
    cells = _cells(llm, "one", ENVS)
    executor = FakeExecutor(capacity=2, endpoint_of={llm: "one"}, failing={"Taxi-v3"})
    outcome = run_grid(cells, tmp_path / "grid", _context(), executor, _progress())
    assert list(outcome.failed) == ["gif_mcts-one-b1-seed0/Taxi-v3"]
    assert len(outcome.records) == 6
    ledger = json.loads(ledger_path(tmp_path / "grid", (1, 1)).read_text())
    assert ledger["cells"]["gif_mcts-one-b1-seed0/Taxi-v3"]["error"] == "CwmbError: no dataset"
    assert ledger["cells"]["gif_mcts-one-b1-seed0/Pendulum-v1"]["status"] == "finished"


def test_max_failures_stops_starting_new_cells(tmp_path):
    llm = _llm(tmp_path, "one", 4)
    cells = _cells(llm, "one", ENVS)
    executor = FakeExecutor(capacity=1, endpoint_of={llm: "one"}, failing={"CartPole-v1", "Taxi-v3"})
    outcome = run_grid(cells, tmp_path / "grid", _context(), executor, _progress(), max_failures=1)
    assert executor.started == [c.key for c in cells[:2]]  # the second failure is one more than allowed
    assert len(outcome.failed) == 2 and outcome.not_started == [c.key for c in cells[2:]]
