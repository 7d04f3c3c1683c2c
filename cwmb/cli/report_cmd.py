"""``cwmb report`` (the paper's tables and plots for runs) and ``cwmb show`` (one search tree)."""

from __future__ import annotations

from pathlib import Path

import typer


def report(
    runs: list[str] = typer.Argument(
        ..., help="Run names under --results, run directories, or a grid's output root (all its runs)."
    ),
    out: Path = typer.Option(
        None, "--out", "-o", help="Folder for the files (default: <results>/reports/<run>[+<run>...])."
    ),
    formats: str = typer.Option("md,csv,tex,json", "--format", "-f", help="Files to write: md,csv,tex,json."),
    results: Path = typer.Option(Path("results"), "--results", help="Where runs live."),
    metric: str = typer.Option("default", "--metric", help="Accuracy metric shown: default or original."),
    plots: bool = typer.Option(True, "--plots/--no-plots", help="Also draw the figures (PNG and SVG)."),
    references: str = typer.Option(
        "ours",
        "--references",
        help="Normalizers of R: ours (this stack's references) or published (the paper's Table 12).",
    ),
    cql: Path = typer.Option(
        None, "--cql", help="Folder of `cwmb baseline cql` records for Table 12 (default: the shipped ones)."
    ),
) -> None:
    """The paper's tables (2, 10/11, 7, 12, 8), LLM usage and plots, beside the published numbers."""
    from rich.console import Console

    from cwmb.planning.published_references import check_choice
    from cwmb.report import build_report, write_report
    from cwmb.report.build import parse_formats
    from cwmb.report.runs import expand_grid_roots
    from cwmb.report.writers import print_tables

    check_choice(references)  # a bad option is reported before any run is looked for
    runs = expand_grid_roots(runs, results)  # a grid's output root stands for all its runs
    chosen = parse_formats(formats)
    if _all_apps(runs, results):
        from cwmb.apps.report import write_apps_report

        folder = out or Path(results) / "reports" / "+".join(Path(r).name for r in runs)
        tables, written = write_apps_report(runs, results, folder, chosen, plots)
        print_tables(tables, Console(width=None if Console().is_terminal else 160))
        typer.echo(f"wrote {len(written)} files to {folder}/: {', '.join(p.name for p in written)}")
        return
    built = build_report(runs, results, metric, references, cql)
    console = Console(width=None if Console().is_terminal else 160)
    print_tables(built.tables, console)
    for warning in built.loaded.warnings:
        typer.secho(f"warning: {warning}", err=True, fg="yellow")
    folder = out or Path(results) / "reports" / "+".join(built.runs)
    written = write_report(built, folder, chosen, plots)
    typer.echo(f"wrote {len(written)} files to {folder}/: {', '.join(p.name for p in written)}")


def _all_apps(runs: list[str], results: Path) -> bool:
    """True when every run is an APPS run; a mix of APPS and world-model runs is refused."""
    from cwmb.errors import CwmbError

    kinds = {((Path(r) if Path(r).is_dir() else results / r) / "apps_run.json").is_file() for r in runs}
    if len(kinds) > 1:
        raise CwmbError("cannot report APPS runs and world-model runs together", "make one report for each")
    return kinds == {True}


def show(
    run: str = typer.Argument(..., help="Run name under --results, or a run directory."),
    env: str = typer.Option(
        ..., "--env", "-e", help="The env (for an APPS run: the problem id) whose search tree to show."
    ),
    html: Path = typer.Option(None, "--html", help="Write a self-contained HTML page of the tree here."),
    results: Path = typer.Option(Path("results"), "--results", help="Where runs live."),
) -> None:
    """Print the search tree of one env of a run; with --html, write an interactive page of it."""
    from rich.console import Console

    from cwmb.benchmark import get_env
    from cwmb.errors import CwmbError
    from cwmb.report.runs import env_dirs, resolve_run
    from cwmb.report.tree import load_tree, rich_tree
    from cwmb.report.tree_html import write_tree_html

    run_dir = resolve_run(run, results)
    apps = (run_dir / "apps_run.json").is_file()  # an APPS run: --env names a problem id
    name = env if apps else get_env(env).name
    env_dir = run_dir / name
    present_dirs = (
        sorted(d for d in run_dir.iterdir() if (d / "summary.json").exists()) if apps else env_dirs(run_dir)
    )
    if env_dir not in present_dirs:
        present = ", ".join(d.name for d in present_dirs) or "none"
        raise CwmbError(
            f"run {run} has no {name}", f"{'problems' if apps else 'envs'} in {run_dir}: {present}"
        )
    tree = load_tree(env_dir)
    if not tree.nodes:
        raise CwmbError(f"{env_dir} has no search tree yet (no call finished)", "run `cwmb synthesize` first")
    Console().print(rich_tree(tree))
    if html is not None:
        write_tree_html(env_dir, html, run_dir.name)
        typer.echo(f"wrote {html}")


def register(app: typer.Typer) -> None:
    """Add ``report`` and ``show`` to the CLI."""
    app.command("report")(report)
    app.command("show")(show)
