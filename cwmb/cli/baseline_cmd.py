"""``cwmb baseline cql``: the offline-RL baseline of paper Table 12 (needs the offline-rl extra)."""

from __future__ import annotations

from pathlib import Path

import typer

baseline_app = typer.Typer(help="Offline-RL baselines trained on cwmb's datasets (paper Table 12).")


@baseline_app.command("cql")
def cql(
    env: list[str] = typer.Option(["all"], "--env", "-e", help="CWMB env name(s), or 'all'."),
    steps: int = typer.Option(1000, "--steps", min=1, help="Gradient steps (10 epochs)."),
    seed: int = typer.Option(0, "--seed", help="Seeds training (the episodes use the profile's seed)."),
    profile: str = typer.Option(
        "paper", "--profile", "-p", help="Planner profile whose episodes, seeds and cap the evaluation uses."
    ),
    episodes: int = typer.Option(
        None, "--episodes", min=1, help="Evaluation episodes (default: the profile's count)."
    ),
    threads: int = typer.Option(1, "--threads", min=1, help="torch threads for training (1: fastest here)."),
    out: Path = typer.Option(None, "--out", help="Folder for <ENV>.json (default: beside the references)."),
) -> None:
    """Train CQL on each env's shipped dataset, evaluate greedily; envs already done are skipped.

    The greedy policy plays the profile's episodes with the same reset seeds and cap as the
    random and oracle references, so ``cwmb report`` can normalize its return with them.
    """
    from cwmb.baselines.cql import DEFAULT_RECORDS, import_d3rlpy, run_env
    from cwmb.benchmark.registry import resolve_envs
    from cwmb.planning.profiles import load_profile

    planner = load_profile(profile, {} if episodes is None else {"episodes": episodes})
    specs = resolve_envs(env)
    import_d3rlpy()  # fail in one line before any work if the extra is missing
    for spec in specs:
        run_env(spec, out or DEFAULT_RECORDS, steps=steps, seed=seed, profile=planner, threads=threads)
    _show_table12(out or DEFAULT_RECORDS, [spec.name for spec in specs])


def _show_table12(folder: Path, envs: list[str]) -> None:
    """Print the asked envs' rows of Table 12 (random, CQL, oracle, the paper's numbers)."""
    import pandas as pd

    from cwmb.report.table12 import load_cql_records, table12
    from cwmb.report.writers import print_tables

    warnings: list[str] = []
    table = table12(load_cql_records(folder, warnings), pd.DataFrame(), [], envs=envs)
    for warning in warnings:
        typer.secho(f"warning: {warning}", err=True, fg="yellow")
    if table is not None:
        print_tables([table])


def register(app: typer.Typer) -> None:
    """Add ``baseline`` to the CLI."""
    app.add_typer(baseline_app, name="baseline")
