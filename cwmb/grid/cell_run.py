"""Running one cwmb cell: ``synthesize`` then ``evaluate`` into its run directory, resumably.

This is what ``cwmb synthesize --run R --env E`` followed by ``cwmb evaluate R --env E``
does, as library calls, so a grid cell is exactly an ordinary run directory. Generated
code runs only in a :class:`cwmb.sandbox.WorkerPool` started here, in the process that
runs the cell (a local pool worker or a Ray worker).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cwmb.errors import CwmbError
from cwmb.grid.cells import Cell

EVALUATION_FILE = "evaluation.json"
SUMMARY_FILE = "summary.json"


def planner_profile(context: Any) -> Any:
    """The cell's planner profile with the experiment's overrides."""
    from cwmb.planning.profiles import load_profile

    return load_profile(context.profile, dict(context.profile_overrides) or None)


def synthesis_done(summary: dict[str, Any] | None, budget: int) -> bool:
    """The rule of ``cwmb synthesize``: finished with this budget, or stopped early for good."""
    if not summary or summary.get("status") != "finished":
        return False
    return summary.get("stop_reason") in ("perfect", "exhausted") or summary.get("budget") == budget


def cwmb_cell_complete(cell: Cell, cell_dir: Path, context: Any) -> bool:
    """True when the cell's run directory holds every stage's final result for these settings."""
    summary = read_json(cell_dir / SUMMARY_FILE)
    if "synthesize" in cell.stages and not synthesis_done(summary, cell.budget):
        return False
    if "evaluate" not in cell.stages or not (cell_dir / "best.py").exists():
        return True
    record = read_json(cell_dir / EVALUATION_FILE)
    if record is None:
        return False
    plan = planner_profile(context)
    wanted = context.episodes or plan.episodes
    source_hash = hashlib.sha256((cell_dir / "best.py").read_bytes()).hexdigest()[:16]
    return (
        record.get("program_hash") == source_hash
        and record.get("profile") == plan.to_dict()
        and len(record.get("episodes", [])) >= wanted
    )


def run_cwmb_cell(
    cell: Cell, cell_dir: Path, context: Any, on_call: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Run the cell's stages; ``on_call`` is told after every LLM call and every episode."""
    from cwmb.benchmark import get_env

    spec = get_env(cell.target)
    record: dict[str, Any] = {"cell": cell.key, "status": "finished"}
    if "synthesize" in cell.stages:
        record |= _synthesize(cell, spec, cell_dir, context, on_call)
        if record["status"] != "finished":
            return record
    if "evaluate" in cell.stages and (cell_dir / "best.py").exists():
        record["evaluation"] = _evaluate(spec, cell_dir, context, on_call)
    return record


class _CallNotifier:
    """A search observer that only says "a call was recorded" (the run directory is already written)."""

    def __init__(self, on_call: Callable[[], None] | None) -> None:
        self.on_call = on_call

    def before_call(self, call: int, action: str, parent: int | None) -> None:
        """Nothing to do before a call."""

    def after_call(self, step: Any, program: str, evaluation: Any) -> None:
        """Tell the listener that the run directory changed."""
        if self.on_call:
            self.on_call()


def _synthesize(cell: Cell, spec: Any, cell_dir: Path, context: Any, on_call: Any) -> dict[str, Any]:
    from cwmb.evaluators import sandbox_evaluator_factory
    from cwmb.heldout import sandbox_heldout_scorer
    from cwmb.llm import load_llm_config
    from cwmb.methods import load_method_config
    from cwmb.methods.synthesis import synthesize_env

    method = context.method_specs.get(cell.method) or load_method_config(cell.method)
    method = method.with_overrides(budget=cell.budget)
    llm_config = context.llm_configs.get(cell.llm) or load_llm_config(cell.llm)
    with _started_pool() as pool:
        outcome = synthesize_env(
            spec,
            method,
            llm_config,
            results_dir=cell_dir.parent,
            data_root=context.trajectories,
            seed=cell.seed,
            evaluator_factory=sandbox_evaluator_factory(pool),
            observers=[_CallNotifier(on_call)],
            cache_dir=context.cache_dir,
            # As `cwmb synthesize`: the final best program only, after its search.
            heldout_scorer=sandbox_heldout_scorer(pool),
        )
    summary = outcome.summary
    return {
        "status": str(summary.get("status")),
        "stop_reason": summary.get("stop_reason"),
        "calls": summary.get("calls"),
        "new_calls": outcome.new_calls,
        "replayed_calls": outcome.replayed_calls,
        "cost_usd": summary.get("cost_usd"),
        "best_accuracy": (summary.get("best") or {}).get("accuracy"),
        "simulated": bool((summary.get("llm") or {}).get("simulated")),
    }


def _started_pool() -> Any:
    """One sandbox worker for the cell's candidates (a cell searches sequentially)."""
    from cwmb.sandbox import WorkerPool

    pool = WorkerPool(size=1)
    try:
        pool.start()
    except CwmbError as problem:
        raise CwmbError(f"sandbox not available: {problem.message}", problem.hint) from None
    return pool


def _evaluate(spec: Any, cell_dir: Path, context: Any, on_call: Any) -> dict[str, Any]:
    from cwmb.evaluation import EvaluationRequest, evaluate_program
    from cwmb.planning.references import reference_summaries
    from cwmb.planning.sandboxed import PLANNING_PRELOAD
    from cwmb.sandbox import WorkerPool

    plan = planner_profile(context)
    best = cell_dir / "best.py"
    label = f"{cell_dir.parent.name}/{cell_dir.name}/best.py"  # the same on every executor
    request = EvaluationRequest(spec, best.read_text(), label, plan, context.trajectories)
    count = context.episodes or plan.episodes
    with WorkerPool(size=context.planning_workers, preload=PLANNING_PRELOAD) as pool:
        record = evaluate_program(
            request,
            pool,
            count,
            cell_dir / EVALUATION_FILE,
            reference_summaries,
            lambda _: on_call and on_call(),
        )
    returns = record.get("returns", {})
    return {"mean": returns.get("mean"), "normalized": returns.get("normalized"), "n": returns.get("n")}


def run_cli(args: list[str], cache_dir: str | None = None) -> str:
    """Run one ``cwmb`` command in a subprocess and return what it printed; ``error:`` becomes a CwmbError.

    ``cache_dir`` (a Ray worker's private cache) is passed as ``$CWMB_CACHE_DIR``.
    """
    from cwmb.llm.cache import CACHE_ENV_VAR

    env = {**os.environ, **({CACHE_ENV_VAR: cache_dir} if cache_dir else {})}
    command = [sys.executable, "-m", "cwmb", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        said = next((line for line in lines if line.startswith("error:")), lines[-1] if lines else "")
        raise CwmbError(f"`cwmb {args[0]}` failed: {said.removeprefix('error: ')}", "see the cell's error")
    return done.stdout


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from ``path``; None when it is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
