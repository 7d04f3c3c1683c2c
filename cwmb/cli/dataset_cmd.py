"""``cwmb dataset [ROOT]`` (summarize a dataset) and ``cwmb dataset export`` (write it for others)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from cwmb.cli.options import trajectories_option
from cwmb.cli.output import JSON_HELP, emit_json, note


class _SummaryByDefault(TyperGroup):
    """``cwmb dataset ...`` runs ``summary`` unless the first word names another subcommand.

    So ``cwmb dataset``, ``cwmb dataset trajectories --markdown`` and ``cwmb dataset --env X``
    keep working beside ``cwmb dataset export``.
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Put ``summary`` in front of arguments that do not start with a subcommand or --help."""
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["summary", *args]
        return super().parse_args(ctx, args)


dataset_app = typer.Typer(
    cls=_SummaryByDefault,
    help="Summarize a trajectory dataset (the default), or export it (Minari).",
    rich_markup_mode=None,
)


@dataset_app.command("summary")
def summary(
    root: Path = typer.Argument(
        None, help="Dataset root (default: ./trajectories per env, else the packaged dataset)."
    ),
    env: list[str] = typer.Option(None, "--env", "-e", help="Only these envs."),
    markdown: bool = typer.Option(False, "--markdown", help="Print a Markdown table (for docs)."),
    split: str = typer.Option("search", "--split", help="search or heldout (<ENV>/heldout/)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Summarize (and verify) a dataset: transitions, trajectories, return range and policies per env."""
    from cwmb.benchmark import resolve_envs
    from cwmb.trajectories.storage import dataset_dir
    from cwmb.trajectories.summary import render_summary, summarize

    dataset_dir(root or ".", "", split)  # refuses an unknown split in one line
    specs = resolve_envs(env) if env else None
    rows = summarize(root, specs, split)
    if as_json:
        emit_json({"root": root, "envs": rows})
        return
    typer.echo(render_summary(rows, markdown=markdown), nl=markdown)


@dataset_app.command("export")
def export(
    envs: list[str] = typer.Argument(..., help="Env names, or 'all' (the 18 CWMB envs)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder of the exported datasets (Minari's root)."),
    fmt: str = typer.Option("minari", "--format", help="Export format: minari."),
    trajectories: Path = trajectories_option(),
    force: bool = typer.Option(False, "--force", help="Replace datasets exported before."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Write each env's trajectories as a Minari dataset (id cwmb/<env>/paper-v0), loadable by minari."""
    from cwmb.benchmark import resolve_envs
    from cwmb.errors import CwmbError
    from cwmb.trajectories import load_dataset
    from cwmb.trajectories.minari_export import export_minari

    if fmt != "minari":
        raise CwmbError(f"unknown export format {fmt!r}", "the one format today is --format minari")
    written = []
    for spec in resolve_envs(envs):
        dataset_id = export_minari(load_dataset(trajectories, spec.name), spec, out, force=force)
        written.append({"env": spec.name, "id": dataset_id})
        if not as_json:
            note(f"{spec.name}: {dataset_id}")
    if as_json:
        emit_json({"format": fmt, "root": out, "datasets": written})
        return
    typer.echo(f"exported {len(written)} dataset(s) to {out}/ (load with MINARI_DATASETS_PATH={out})")


def register(app: typer.Typer) -> None:
    """Add ``dataset`` to the CLI."""
    app.add_typer(dataset_app, name="dataset")
