"""``cwmb apps ...``: commands of the APPS domain (competition program synthesis judged by tests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

apps_app = typer.Typer(help="APPS: program synthesis judged by unit tests (the paper's Table 1).")


def apps_source(data: Path | None, split: str, difficulty: str, selection: str | None) -> Any:
    """The problems an APPS command works on (``--difficulty all`` keeps every difficulty)."""
    from cwmb.apps.commands import AppsSource
    from cwmb.errors import CwmbError

    if data is None:
        raise CwmbError("--suite apps needs --data PATH", "point --data at your copy of APPS (docs/apps.md)")
    return AppsSource(data, split, None if difficulty == "all" else difficulty, selection)


def apps_settings(
    protocol: str, public_fraction: float, test_timeout: float, budget: float, compare: str
) -> Any:
    """Judging settings from the APPS options (clean errors for bad values)."""
    from cwmb.apps.commands import settings_from_options

    return settings_from_options(protocol, public_fraction, test_timeout, budget, compare)


def check(
    data: Path = typer.Option(..., "--data", help="Your copy of APPS: a directory or test.jsonl/parquet."),
    split: str = typer.Option("test", "--split", help="test or train."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Read a copy of APPS (hub jsonl/parquet or the original tarball) and say what it holds."""
    from cwmb.apps.catalog import ORIGINAL_COMPETITION_RANGE, summarize
    from cwmb.apps.data import load_problems

    problems = load_problems(data, split)
    summary = summarize(problems)
    if as_json:
        typer.echo(json.dumps(summary.as_dict(), indent=2))
        return
    typer.echo(f"{data}: {summary.problems} {split} problems, all records readable")
    typer.echo("  per difficulty: " + ", ".join(f"{k} {v}" for k, v in summary.by_difficulty.items()))
    typer.echo(
        f"  stdin/stdout {summary.stdin_stdout}, call-based {summary.call_based}, "
        f"without tests {summary.without_tests}, with a single test {summary.single_test}"
    )
    typer.echo(
        f"  tests per problem: min {summary.tests_min}, median {summary.tests_median:g}, "
        f"max {summary.tests_max}"
    )
    typer.echo("  per source: " + ", ".join(f"{k} {v}" for k, v in summary.by_source.items()))
    span = summary.competition_positions
    if span is not None:
        low, high = ORIGINAL_COMPETITION_RANGE
        agrees = span == (low, high - 1) and summary.competition_contiguous
        note = "agrees with" if agrees else "differs from"
        typer.echo(
            f"  competition problems sit at sorted positions {span[0]}-{span[1]} "
            f"({'contiguous' if summary.competition_contiguous else 'not contiguous'}); "
            f"this {note} the original's indices {low}-{high - 1}"
        )


def fetch(
    out: Path = typer.Option(..., "--out", help="Directory to write test.jsonl / train.jsonl into."),
    split: str = typer.Option("test", "--split", help="test or train."),
) -> None:
    """Download APPS (codeparrot/apps on the Hugging Face hub) into --out; needs the network.

    Nothing else in cwmb downloads APPS: runs read the copy given with --data.
    """
    from cwmb.apps.fetch import fetch_split

    path = fetch_split(out, split)
    typer.echo(f"wrote {path}; check it with `cwmb apps check --data {out}`")


def register(app: typer.Typer) -> None:
    """Add ``apps`` and its subcommands to the CLI."""
    apps_app.command("check")(check)
    apps_app.command("fetch")(fetch)
    app.add_typer(apps_app, name="apps")
