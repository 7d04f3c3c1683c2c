"""``cwmb run EXPERIMENT.yaml``: a whole grid of cells, locally or on Ray, resumable, with a dry run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

EXECUTORS = ("local", "ray")


def run(
    experiment: str = typer.Argument(
        ..., help="Experiment YAML, or the name of one in configs/experiments/."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print the cells and the estimated calls, cost and core-hours; run nothing."
    ),
    executor: str = typer.Option("local", "--executor", help="local (process pool) or ray."),
    workers: int = typer.Option(2, "--workers", "-j", min=1, help="Cells at once (local executor)."),
    ray_address: str = typer.Option(
        None, "--ray-address", help="Ray cluster: auto or ray://host:port (default: a local Ray for the run)."
    ),
    shard: str = typer.Option("1/1", "--shard", help="Run only shard I of N of the cells (e.g. 2/4)."),
    max_failures: int = typer.Option(
        None, "--max-failures", min=0, help="Start no new cell once more than this many have failed."
    ),
    max_cost: float = typer.Option(
        None,
        "--max-cost",
        min=0.0,
        help="US$ for the whole grid: start no new cell once its recorded spend reaches this "
        "(overrides the experiment's max_cost).",
    ),
    output: Path = typer.Option(None, "--output", "-o", help="Output root (overrides the experiment's)."),
    profile: str = typer.Option(
        None, "--profile", "-p", help="Planner profile (overrides the experiment's)."
    ),
    episodes: int = typer.Option(None, "--episodes", min=1, help="Planning episodes per cell (override)."),
    budget: int = typer.Option(None, "--budget", min=1, help="LLM calls per cell for every LLM (override)."),
    plots: bool = typer.Option(True, "--plots/--no-plots", help="Draw the report's figures too."),
) -> None:
    """Run every cell of an experiment grid; re-running the same command finishes a killed grid.

    Each cell is an ordinary run directory <output>/<method>-<llm>-b<budget>-seed<S>/<ENV>/;
    complete cells are skipped and no LLM answer is paid twice.
    """
    import dataclasses

    from cwmb.grid.cells import parse_shard, shard_cells

    if executor not in EXECUTORS:
        from cwmb.errors import CwmbError

        raise CwmbError(f"unknown executor '{executor}'", "use --executor local or --executor ray")
    chosen_shard = parse_shard(shard)
    plan, expansion, context = _prepare(experiment, output, profile, episodes, budget)
    if max_cost is not None:
        plan = dataclasses.replace(plan, max_cost=max_cost)
    for note in expansion.notes:
        typer.echo(f"note: {note}")
    cells = shard_cells(expansion.cells, *chosen_shard)
    if dry_run:
        _print_dry_run(plan, cells, context, chosen_shard)
        return
    _announce(plan, cells, chosen_shard, executor)
    outcome = _execute(plan, cells, context, executor, workers, ray_address, chosen_shard, max_failures)
    _finish(plan, expansion.cells, context, outcome, chosen_shard, plots)


def _prepare(spec: str, output: Path | None, profile: str | None, episodes: int | None, budget: int | None):
    """The experiment with the command line's overrides, its cells and the context they share."""
    import dataclasses

    from cwmb.grid.expansion import expand_cells
    from cwmb.grid.experiment import LLMEntry, load_experiment
    from cwmb.grid.suites import CellContext, with_resolved_configs

    plan = load_experiment(spec)
    changes: dict[str, Any] = {}
    if output is not None:
        changes["output"] = output
    if profile is not None or episodes is not None:
        planner = dataclasses.replace(
            plan.planner, profile=profile or plan.planner.profile, episodes=episodes or plan.planner.episodes
        )
        changes["planner"] = planner
    if budget is not None:
        changes["llms"] = tuple(LLMEntry(e.config, e.seeds, (budget,)) for e in plan.llms)
    plan = dataclasses.replace(plan, **changes)
    context = CellContext(
        trajectories=plan.trajectories.resolve(),
        profile=plan.planner.profile,
        episodes=plan.planner.episodes,
        planning_workers=plan.planner.workers,
        profile_overrides=plan.planner.overrides,
        sections=plan.suites,
    )
    expansion = expand_cells(plan)
    return plan, expansion, with_resolved_configs(context, expansion.cells)


def _print_dry_run(plan: Any, cells: list[Any], context: Any, shard: tuple[int, int]) -> None:
    from rich.console import Console
    from rich.table import Table

    from cwmb.grid.estimate import estimate_grid, estimate_lines
    from cwmb.grid.suites import get_suite

    table = Table(title=f"{plan.name}: cells of shard {shard[0]}/{shard[1]} (dry run, nothing runs)")
    for column in ("cell", "suite", "budget", "stages", "state"):
        table.add_column(column)
    for cell in cells:
        done = get_suite(cell.suite).is_complete(cell, plan.output, context)
        table.add_row(
            cell.key, cell.suite, str(cell.budget), ",".join(cell.stages), "complete" if done else "to run"
        )
    Console(width=None if Console().is_terminal else 140).print(table)
    for line in estimate_lines(estimate_grid(cells, context), context.profile):
        typer.echo(line)
    if plan.max_cost is not None:
        from cwmb.grid.driver import grid_spend

        spent = grid_spend(cells, plan.output)
        typer.echo(f"grid cost cap: ${plan.max_cost:,.2f} (recorded spend so far ${spent:,.4f})")
    typer.echo(f"output: {plan.output}/")


def _announce(plan: Any, cells: list[Any], shard: tuple[int, int], executor: str) -> None:
    from cwmb.llm import load_llm_config
    from cwmb.methods.synthesis import SIMULATED_NOTE

    typer.echo(f"{plan.name}: {len(cells)} cell(s) (shard {shard[0]}/{shard[1]}), executor {executor}")
    for name in sorted({cell.llm for cell in cells}):
        config = load_llm_config(name)
        if config.backend == "offline":
            typer.echo(f"note: LLM {config.name} = {config.model} ({SIMULATED_NOTE})")


def _execute(plan, cells, context, executor, workers, ray_address, shard, max_failures) -> Any:
    from cwmb.grid.driver import run_grid
    from cwmb.grid.progress import GridProgress

    failures = plan.max_failures if max_failures is None else max_failures
    engine = _make_executor(executor, plan.output, context, workers, ray_address)
    try:
        with GridProgress(plan.name, len(cells)) as progress:
            return run_grid(
                cells,
                plan.output,
                context,
                engine,
                progress,
                shard=shard,
                max_failures=failures,
                max_cost=plan.max_cost,
            )
    finally:
        engine.close()


def _make_executor(kind: str, root: Path, context: Any, workers: int, ray_address: str | None) -> Any:
    if kind == "ray":
        from cwmb.grid.ray_executor import RayExecutor

        return RayExecutor(root, context, address=ray_address, local_cpus=workers)
    from cwmb.grid.local import LocalExecutor

    return LocalExecutor(root, context, workers)


def _finish(plan, all_cells, context, outcome, shard, plots: bool) -> None:
    from cwmb.errors import CwmbError
    from cwmb.grid.driver import ledger_path

    done = len(outcome.records) - len(outcome.failed)
    records = outcome.records.values()
    calls = sum(r.get("new_calls") or 0 for r in records)
    cost = sum(r.get("cost_usd") or 0.0 for r in records)
    label = " [simulated, not an LLM]" if any(r.get("simulated") for r in records) else ""
    typer.echo(
        f"{plan.name}: {done} cell(s) run, {len(outcome.skipped)} already complete, "
        f"{len(outcome.failed)} failed, {len(outcome.not_started)} not started; "
        f"{calls} new LLM call(s), ${cost:.4f}{label} -> {plan.output}/"
    )
    if "report" in plan.stages:
        _report(plan, all_cells, context, shard, plots)
    if outcome.cost_capped:
        raise CwmbError(
            f"grid cost cap ${plan.max_cost:,.2f} reached (recorded spend ${outcome.spent_usd or 0.0:,.4f}): "
            f"{len(outcome.not_started)} cell(s) not started; the grid stopped cleanly and can be resumed",
            "raise --max-cost (or max_cost: in the experiment) and re-run the same command; "
            "complete cells are skipped and answers already received are replayed for free",
        )
    if outcome.failed:
        first_key, first_error = next(iter(outcome.failed.items()))
        raise CwmbError(
            f"{len(outcome.failed)} cell(s) failed; first: {first_key}: {first_error}",
            f"errors are recorded in {ledger_path(plan.output, shard)}; fix the cause and re-run the command",
        )


def _report(plan: Any, all_cells: list[Any], context: Any, shard: tuple[int, int], plots: bool) -> None:
    """The paper's tables over every run of the grid found on disk (all shards)."""
    from cwmb.report import build_report, write_report

    runs = sorted({cell.run for cell in all_cells if cell.suite != "apps"})
    present = [run for run in runs if (Path(plan.output) / run).is_dir()]
    if not present:
        return
    if shard != (1, 1):
        typer.echo(
            f"report: after every shard, run `cwmb report {' '.join(present)} --results {plan.output}`"
        )
        return
    built = build_report(present, plan.output)
    written = write_report(built, Path(plan.output) / "report", ["md", "csv", "tex", "json"], plots)
    typer.echo(f"report: {len(written)} files in {Path(plan.output) / 'report'}/")


def register(app: typer.Typer) -> None:
    """Add ``run`` to the CLI."""
    app.command("run")(run)
