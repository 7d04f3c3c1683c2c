"""``cwmb envs`` and ``cwmb describe``: what the benchmark contains."""

from __future__ import annotations

from dataclasses import asdict

import typer

from cwmb.cli.output import JSON_HELP, emit_json


def envs(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List the 18 CWMB environments, then the other domains' (RTFM), with ids, planner, cap, spaces."""
    from cwmb.benchmark import ENVS
    from cwmb.benchmark.registry import DOMAIN_ENVS

    if as_json:
        rows = [asdict(spec) | {"planner": spec.planner, "group": "cwmb"} for spec in ENVS]
        rows += [asdict(spec) | {"planner": spec.planner, "group": spec.family} for spec in DOMAIN_ENVS]
        emit_json(rows)
        return
    from rich.console import Console

    console = Console(width=None if Console().is_terminal else 150)
    console.print(_table("CWMB: 18 environments", ENVS))
    for spec in ENVS:
        if spec.gym_id != spec.name:
            console.print(f"* {spec.name}: {spec.id_note}", soft_wrap=True)
    console.print(_table("RTFM (paper §5.4, Table 3)", DOMAIN_ENVS))
    for spec in DOMAIN_ENVS:
        console.print(f"* {spec.name}: {spec.id_note}", soft_wrap=True)


def _table(title: str, specs: tuple) -> object:
    """One group of envs as a rich table."""
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for column in ("name", "runs as", "actions", "planner", "cap", "observation", "action"):
        table.add_column(column, no_wrap=True)
    for spec in specs:
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
    return table


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
