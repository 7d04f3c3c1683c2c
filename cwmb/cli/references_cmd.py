"""``cwmb references``: compute (or show) the random and oracle reference returns of a profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from cwmb.cli.output import JSON_HELP, emit_json


def references(
    profile: str = typer.Option("quick", "--profile", "-p", help="Planner profile: quick, paper or a YAML."),
    env: list[str] = typer.Option(
        None, "--env", "-e", help="CWMB env name (repeatable or comma-separated); none = all 18."
    ),
    agent: list[str] = typer.Option(
        None, "--agent", "-a", help="random or oracle (repeatable); none = both."
    ),
    episodes: int = typer.Option(
        None,
        "--episodes",
        "-n",
        min=1,
        help="Run only the first N episodes now; the profile's count stays the target (see --set).",
    ),
    override: list[str] = typer.Option(
        None, "--set", help="Override a profile setting, KEY=VALUE, e.g. episodes=20 (repeatable)."
    ),
    workers: int = typer.Option(2, "--workers", "-j", min=1, help="Worker processes (one per core)."),
    nice: int = typer.Option(10, "--nice", min=0, max=19, help="Lower the workers' priority by this."),
    out: Path = typer.Option(
        None, "--out", "-o", help="Output file; default: the shipped reference_returns/<profile>.json."
    ),
    force: bool = typer.Option(False, "--force", help="Discard episodes made with other settings."),
    estimate: bool = typer.Option(
        False, "--estimate", help="Time the start of one episode per env and agent; record the cost."
    ),
    probe_iterations: int = typer.Option(
        None, "--probe-iterations", min=1, help="With --estimate: time CEM with fewer iterations, scale up."
    ),
    executor: str = typer.Option(
        "local", "--executor", help="local (worker processes) or ray (one Ray task per episode)."
    ),
    ray_address: str = typer.Option(
        None, "--ray-address", help="With --executor ray: auto or ray://host:port (default: a local Ray)."
    ),
    status: bool = typer.Option(False, "--status", help="Show what is finished and missing; run nothing."),
    markdown: bool = typer.Option(False, "--markdown", help="With --status: print a Markdown table."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Compute the random and oracle reference returns of a planner profile (resumable).

    Each finished episode is saved at once; re-running the same command skips them, so a
    stopped run (Ctrl-C) continues where it stopped.
    """
    import shlex
    import sys

    from cwmb.benchmark import resolve_envs
    from cwmb.grid.ray_episodes import episode_executor
    from cwmb.planning.profiles import load_profile, parse_override
    from cwmb.planning.references import ReferenceReturns, reference_path

    chosen = load_profile(profile, dict(parse_override(text) for text in override or []))
    path = out if out is not None else reference_path(chosen.name)
    if status:
        store = ReferenceReturns.read(path)
        if as_json:
            emit_json(status_document(store))
        else:
            typer.echo(render_status(store, markdown), nl=False)
        return
    _stop_on_sigterm()
    # Recorded in the file, so that anyone can see (and re-run) what made it.
    command = "cwmb " + shlex.join(sys.argv[1:]) if "references" in sys.argv else "cwmb references"
    arguments = dict(profile=chosen, envs=resolve_envs(env), agents=agent, out=path, command=command)
    arguments |= dict(workers=workers, nice=nice, force=force, estimate=estimate, limit=episodes)
    remote = episode_executor(executor, ray_address, workers)
    try:
        runner = {"run_jobs": remote.reference_runner()} if remote else {}
        report = _run(arguments | {"probe_iterations": probe_iterations} | runner)
    except KeyboardInterrupt:
        # typer turns an interrupt into a silent exit 130; say what was kept.
        typer.echo(
            f"stopped: finished work is saved in {path}; re-run the same command to continue", err=True
        )
        raise typer.Exit(130) from None
    finally:
        if remote:
            remote.close()
    for note in report.dropped:
        typer.echo(f"discarded (other settings): {note}", err=True)
    missing = report.store.missing()
    left = sum(len(m["episodes"]) for agents in missing.values() for m in agents.values())
    if as_json:
        emit_json(
            {"kind": "cwmb.references", "path": path, "profile": chosen.name, "jobs_run": report.finished}
            | {"episodes_missing": left, "failures": report.failures, "dropped": report.dropped}
        )
    else:
        typer.echo(f"wrote {path}: {report.finished} job(s) run, {left} episode(s) still missing in the file")
    if report.failures:
        from cwmb.errors import CwmbError

        raise CwmbError(
            f"{len(report.failures)} job(s) failed: " + "; ".join(report.failures[:3]),
            "the finished ones are saved; re-run the command to retry the rest",
        )


def _stop_on_sigterm() -> None:
    """Treat SIGTERM like Ctrl-C, so `kill PID` also stops the workers and keeps finished work."""
    import signal

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _run(arguments: dict[str, Any]) -> Any:
    """Run ``compute_references(**arguments)`` with a live bar on a terminal, plain lines otherwise."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from cwmb.planning.reference_runner import compute_references

    console = Console(stderr=True)
    if not console.is_terminal:

        def log_line(outcome, done: int, total: int) -> None:
            typer.echo(f"[{done}/{total}] {describe(outcome)}", err=True)

        return compute_references(**arguments, progress=log_line)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(f"references ({arguments['profile'].name})", total=None)

        def advance(outcome, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, description=describe(outcome))

        return compute_references(**arguments, progress=advance)


def describe(outcome: Any) -> str:
    """One line about a finished job."""
    job, record = outcome.job, outcome.record
    if outcome.error is not None:
        return f"{job.env} {job.agent} {job.kind} {job.episode}: FAILED {outcome.error}"
    if job.kind == "estimate":
        return f"{job.env} {job.agent}: about {record['seconds_per_episode']:.0f} s per episode"
    return (
        f"{job.env} {job.agent} episode {job.episode}: return {record['return']:.6g}, "
        f"{record['length']} steps, {record['seconds']:.1f} s"
    )


def _cell(block: Any, target: int) -> str:
    summary = block.summary() if block is not None else None
    if summary is None:
        return f"— (0/{target})"
    return f"{summary.mean:.4g} ± {summary.standard_error:.2g} ({summary.episodes}/{target})"


def status_rows(store: Any) -> list[list[str]]:
    """Rows of env, random, oracle, R (N/A or defined), missing episodes and their cost."""
    from cwmb.planning.normalized import denominator_is_noise
    from cwmb.planning.references import ALL_REFERENCE_ENVS

    rows, missing = [], store.missing()
    for spec in ALL_REFERENCE_ENVS:
        random, oracle = store.block(spec.name, "random"), store.block(spec.name, "oracle")
        summaries = [b.summary() if b is not None else None for b in (random, oracle)]
        flag = "—"
        if None not in summaries:
            r, o = summaries
            noise = denominator_is_noise(o.mean, r.mean, o.standard_error, r.standard_error)
            flag = "N/A" if noise else "defined"
        gaps = missing.get(spec.name, {})
        left = ", ".join(f"{a} {len(m['episodes'])}" for a, m in gaps.items()) or "none"
        costs = [m["estimated_seconds"] for m in gaps.values()]
        cost = "" if not gaps else ("unknown" if None in costs else _duration(sum(costs)))
        row = [spec.name, _cell(random, store.target), _cell(oracle, store.target), flag, left, cost]
        rows.append(row)
    return rows


def status_document(store: Any) -> dict[str, Any]:
    """The status as plain data: per env, each agent's mean, SE and count, R's state, what is missing."""
    from dataclasses import asdict

    from cwmb.benchmark import ENVS

    missing, envs = store.missing(), []
    flags = {row[0]: row[3] for row in status_rows(store)}
    for spec in ENVS:
        agents = {}
        for agent in ("random", "oracle"):
            block = store.block(spec.name, agent)
            summary = block.summary() if block is not None else None
            agents[agent] = None if summary is None else asdict(summary) | {"target": store.target}
        state = {"—": None, "N/A": "N/A", "defined": "defined"}[flags[spec.name]]
        envs.append({"env": spec.name, **agents, "R": state, "missing": missing.get(spec.name, {})})
    profile = store.profile.get("name")
    head = {"kind": "cwmb.references.status", "path": store.path, "profile": profile}
    return head | {"versions": store.versions, "target": store.target, "envs": envs}


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def render_status(store: Any, markdown: bool = False) -> str:
    """The status table as plain text or Markdown, with the file's profile and versions."""
    header = [
        "env",
        "random mean ± SE (n)",
        "oracle mean ± SE (n)",
        "R",
        "missing episodes",
        "cost (1 worker)",
    ]
    rows = status_rows(store)
    versions = ", ".join(f"{k} {v}" for k, v in store.versions.items()) or "unknown versions"
    title = f"{store.path} — profile {store.profile.get('name', '?')}, {versions}\n"
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in [header, *rows]]
    return title + "\n".join(line.rstrip() for line in lines) + "\n"


def register(app: typer.Typer) -> None:
    """Add ``references`` to the CLI."""
    app.command("references")(references)
