"""The grid-wide cost cap: no new cell once the recorded spend reaches it; the same command resumes."""

from __future__ import annotations

import pytest
import yaml

from cwmb.errors import CwmbError
from cwmb.grid.experiment import experiment_from_dict
from tests.grid.conftest import cell_dirs, lines, run_cwmb, write_experiment

# The offline simulated coder with a fake price, so its calls have a cost to cap (it pays nothing).
PRICED_OFFLINE = {
    "name": "priced-offline",
    "backend": "offline",
    "model": "offline/simulated-coder",
    "price": {"input_per_mtok": 1000.0, "output_per_mtok": 1000.0},
}


def priced_grid(folder, **changes):
    llm = folder / "priced-offline.yaml"
    llm.write_text(yaml.safe_dump(PRICED_OFFLINE))
    return write_experiment(
        folder,
        suites={"cwmb": {"envs": ["CartPole-v1"]}},
        llms=[{"config": str(llm), "seeds": [0, 1], "budget": 2}],
        stages=["synthesize"],
        **changes,
    )


def test_the_cap_stops_new_cells_and_a_higher_one_resumes_the_grid(tmp_path):
    path = priced_grid(tmp_path)
    capped = run_cwmb("run", str(path), "--workers", "1", "--max-cost", "0.01")
    assert capped.returncode == 2, capped.stderr  # a CwmbError, as for synthesize's own cost cap
    error = capped.stderr.strip().splitlines()[-2:]
    assert error[0].startswith("error: grid cost cap $0.01 reached (recorded spend $")
    assert "3 cell(s) not started; the grid stopped cleanly and can be resumed" in error[0]
    assert error[1].startswith("hint: raise --max-cost") and "Traceback" not in capped.stderr
    assert "1 cell(s) run, 0 already complete, 0 failed, 3 not started" in capped.stdout
    assert len(cell_dirs(tmp_path / "grid")) == 1
    logged = sum(
        r["spent_usd"] for log in (tmp_path / "grid").glob("*/*/llm_calls.jsonl") for r in lines(log)
    )
    assert logged > 0.01 and f"(recorded spend ${logged:,.4f})" in error[0]
    dry = run_cwmb("run", str(path), "--dry-run", "--max-cost", "0.01")
    assert f"grid cost cap: $0.01 (recorded spend so far ${logged:,.4f})" in dry.stdout

    raised = priced_grid(tmp_path, max_cost=1000.0)  # the experiment file's key
    done = run_cwmb("run", str(raised), "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "3 cell(s) run, 1 already complete, 0 failed, 0 not started" in done.stdout
    assert len(cell_dirs(tmp_path / "grid")) == 4


def test_a_bad_max_cost_in_an_experiment_names_the_key():
    minimal = {"suites": {"cwmb": {"envs": ["CartPole-v1"]}}, "methods": ["gif_mcts"]}
    with pytest.raises(CwmbError, match="'max_cost' must be an amount in US\\$ >= 0, not -1"):
        experiment_from_dict({**minimal, "llms": [{"config": "offline", "budget": 1}], "max_cost": -1})
    plan = experiment_from_dict({**minimal, "llms": [{"config": "offline", "budget": 1}], "max_cost": 5})
    assert plan.max_cost == 5.0
