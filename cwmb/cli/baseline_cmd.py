"""``cwmb baseline cql``: the offline-RL baseline of paper Table 12 (needs the offline-rl extra)."""

from __future__ import annotations

from pathlib import Path

import typer

baseline_app = typer.Typer(help="Offline-RL baselines trained on cwmb's datasets (paper Table 12).")


@baseline_app.command("cql")
def cql(
    env: list[str] = typer.Option(["all"], "--env", "-e", help="CWMB env name(s), or 'all'."),
    steps: int = typer.Option(1000, "--steps", min=1, help="Gradient steps (10 epochs)."),
    seed: int = typer.Option(0, "--seed", help="Seeds training and the evaluation episodes."),
    episodes: int = typer.Option(10, "--episodes", min=1, help="Evaluation episodes on the true env."),
    out: Path = typer.Option(None, "--out", help="Folder for <ENV>.json (default: beside the references)."),
) -> None:
    """Train CQL on each env's shipped dataset, evaluate greedily; envs already done are skipped."""
    from cwmb.baselines.cql import DEFAULT_RECORDS, import_d3rlpy, run_env
    from cwmb.benchmark.registry import resolve_envs

    import_d3rlpy()  # fail in one line before any work if the extra is missing
    for spec in resolve_envs(env):
        run_env(spec, out or DEFAULT_RECORDS, steps=steps, seed=seed, episodes=episodes)


def register(app: typer.Typer) -> None:
    """Add ``baseline`` to the CLI."""
    app.add_typer(baseline_app, name="baseline")
