"""``cwmb envs`` and ``cwmb describe``: what the benchmark contains."""

from __future__ import annotations

from dataclasses import asdict

import typer

from cwmb.cli.output import JSON_HELP, emit_json


def envs(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List the 18 CWMB environments: gymnasium id, actions, planner, episode cap, spaces."""
    from cwmb.benchmark import ENVS

    if as_json:
        rows = [asdict(spec) | {"planner": spec.planner} for spec in ENVS]
        emit_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="CWMB: 18 environments", show_lines=False)
    for column in ("name", "runs as", "actions", "planner", "cap", "observation", "action"):
        table.add_column(column, no_wrap=True)
    for spec in ENVS:
        runs_as = spec.gym_id if spec.gym_id == spec.name else f"[yellow]{spec.gym_id}[/yellow] *"
        table.add_row(
            spec.name,
            runs_as,
            spec.action_kind,
            spec.planner.upper(),
            str(spec.episode_cap),
            spec.observation_space,
            spec.action_space,
        )
    console = Console(width=None if Console().is_terminal else 150)
    console.print(table)
    for spec in ENVS:
        if spec.gym_id != spec.name:
            console.print(f"* {spec.name}: {spec.id_note}", soft_wrap=True)


def describe(
    env: str = typer.Argument(..., help="CWMB name, e.g. CartPole-v1."),
    contract: bool = typer.Option(True, "--contract/--no-contract", help="Append the Environment contract."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Print the text description an LLM is given for ENV (cleaned gymnasium docs + contract)."""
    from cwmb.benchmark import get_env
    from cwmb.benchmark.descriptions import describe_env

    spec = get_env(env)
    text = describe_env(spec, with_contract=contract)
    if as_json:
        emit_json({"env": spec.name, "gym_id": spec.gym_id, "contract": contract, "description": text})
        return
    typer.echo(text)


def register(app: typer.Typer) -> None:
    """Add ``envs`` and ``describe`` to the CLI."""
    app.command("envs")(envs)
    app.command("describe")(describe)
