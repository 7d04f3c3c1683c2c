"""``cwmb sandbox status``: which kernel isolation layers protect the judge on this machine."""

from __future__ import annotations

import json
from typing import Any

import typer

sandbox_app = typer.Typer(help="The sandbox that runs generated code.", no_args_is_help=True)


def isolation_line(pool: Any) -> str:
    """``sandbox: landlock 7: ...; missing: ...`` for the top of a run's output."""
    report = pool.isolation
    missing = report.missing()
    tail = f" (missing: {', '.join(missing)}; --isolation strict would refuse)" if missing else ""
    return f"sandbox: {report.summary()}{tail}"


@sandbox_app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")) -> None:
    """Start one worker and report the isolation layers it enforces (and why any is missing)."""
    from cwmb.sandbox import Limits, WorkerPool

    limits = Limits()
    with WorkerPool(size=1, limits=limits) as pool:
        report = pool.isolation
    if as_json:
        document = {**report.to_dict(), "missing": report.missing(), "mode": limits.isolation}
        typer.echo(json.dumps({**document, "summary": report.summary()}, indent=2))
        return
    typer.echo(report.summary())
    typer.echo(f"mode: {limits.isolation}" + ("" if report.missing() else " (every layer active)"))
    for name in report.missing():
        typer.echo(f"missing: {name}")
    for note in report.notes:
        typer.echo(f"  note: {note}")


def register(app: typer.Typer) -> None:
    """Add ``sandbox`` to the CLI."""
    app.add_typer(sandbox_app, name="sandbox")
