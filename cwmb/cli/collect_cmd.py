"""``cwmb collect``: build the trajectory dataset on the true environments."""

from __future__ import annotations

from pathlib import Path

import typer


def collect(
    env: list[str] = typer.Option(
        None, "--env", "-e", help="CWMB env name (repeatable); 'all' or none = all 18."
    ),
    seed: int = typer.Option(
        None,
        "--seed",
        help="Base seed; each env derives its own from it and its name [search: 0, heldout: 1].",
    ),
    split: str = typer.Option(
        "search",
        "--split",
        help="search (what methods optimise on) or heldout (<ENV>/heldout/, only scored).",
    ),
    out: Path = typer.Option(Path("trajectories"), "--out", "-o", help="Dataset root directory."),
    episodes: int = typer.Option(10, "--episodes", min=1, help="Trajectories per env (half random)."),
    max_steps: int = typer.Option(100, "--max-steps", min=1, help="Step cap per trajectory."),
    workers: int = typer.Option(1, "--workers", "-j", min=1, help="Envs collected in parallel processes."),
    force: bool = typer.Option(False, "--force", help="Replace existing datasets."),
    variant: str = typer.Option(
        "default", "--variant", help="Dataset variant (RTFM: default, or failures = Appendix F)."
    ),
) -> None:
    """Collect trajectories on the true environments and write one dataset per env."""
    from cwmb.benchmark import resolve_envs
    from cwmb.errors import CwmbError
    from cwmb.trajectories.collection import DEFAULT_SEEDS, CollectionRequest
    from cwmb.trajectories.runner import check_heldout_seeds, check_overwrite

    if split not in DEFAULT_SEEDS:
        raise CwmbError(f"unknown split {split!r}", f"use --split {' or --split '.join(DEFAULT_SEEDS)}")
    seed = DEFAULT_SEEDS[split] if seed is None else seed
    specs = resolve_envs(env)
    _check_variant(variant, specs)
    requests = [CollectionRequest(spec, seed, episodes, max_steps, variant, split) for spec in specs]
    check_overwrite(out, requests, force)
    check_heldout_seeds(out, requests)
    manifests = _run_with_progress(requests, out, workers, episodes)
    total = sum(m["counts"]["transitions"] for m in manifests)
    typer.echo(f"wrote {len(manifests)} dataset(s), {total} transitions, to {out}/")


def _check_variant(variant: str, specs: list) -> None:
    """Only RTFM has dataset variants; refuse a variant any requested env does not have."""
    from cwmb.errors import CwmbError

    if variant == "default":
        return
    from cwmb.rtfm.collection import VARIANTS

    others = [s.name for s in specs if s.family != "rtfm"]
    if others or variant not in VARIANTS:
        raise CwmbError(
            f"no dataset variant '{variant}' for {', '.join(others) or 'RTFM'}",
            f"RTFM-SimpleStationary-v0 has the variants {', '.join(VARIANTS)}; CWMB envs have none",
        )


def _run_with_progress(requests, out: Path, workers: int, episodes: int) -> list[dict]:
    """A live bar on a terminal; one plain line per finished env otherwise (logs, CI)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from cwmb.trajectories.runner import run_collection

    if not Console(stderr=True).is_terminal:

        def log_line(env_name: str, index: int) -> None:
            if index + 1 == episodes:
                typer.echo(f"collected {env_name} ({episodes} trajectories)", err=True)

        return run_collection(requests, out, workers, log_line)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task(f"collecting {len(requests)} env(s)", total=len(requests) * episodes)

        def advance(env_name: str, index: int) -> None:
            progress.update(task, advance=1, description=f"{env_name} trajectory {index + 1}/{episodes}")

        manifests = run_collection(requests, out, workers, advance)
        progress.update(task, description=f"collected {len(requests)} env(s)")
    return manifests


def register(app: typer.Typer) -> None:
    """Add ``collect`` to the CLI."""
    app.command("collect")(collect)
