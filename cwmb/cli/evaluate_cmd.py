"""``cwmb evaluate``: accuracy and planning return of synthesized (or given) world models."""

from __future__ import annotations

from pathlib import Path

import typer


def _targets(run: str | None, env: list[str] | None, model: Path | None, reference: bool, results: Path):
    """(spec, source, label, out path or None) for every program to evaluate."""
    from cwmb.benchmark import get_env, resolve_envs
    from cwmb.errors import CwmbError
    from cwmb.program_eval import read_program

    if sum(bool(x) for x in (run, model, reference)) != 1:
        raise CwmbError(
            "give exactly one of RUN, --model FILE or --reference",
            "e.g. `cwmb evaluate demo`, `cwmb evaluate --model m.py --env CartPole-v1`",
        )
    if model is not None or reference:
        if not env:
            raise CwmbError("--model and --reference need --env", "e.g. --env CartPole-v1")
        specs = resolve_envs(env)
        if model is not None:
            return [(s, read_program(model), str(model), None) for s in specs]
        from cwmb.benchmark.reference import REFERENCE_ENVS, reference_source

        missing = [s.name for s in specs if s.name not in REFERENCE_ENVS]
        if missing:
            raise CwmbError(
                f"no reference model for {', '.join(missing)}",
                f"reference models exist for {', '.join(REFERENCE_ENVS)}",
            )
        return [(s, reference_source(s.name), f"reference model of {s.name}", None) for s in specs]
    run_dir = Path(run) if Path(run).is_dir() else results / run
    if not run_dir.is_dir():
        raise CwmbError(
            f"no run directory {run_dir}", "run `cwmb synthesize --run NAME` first, or pass its path"
        )
    found = [get_env(d.name) for d in sorted(run_dir.iterdir()) if (d / "best.py").exists()]
    wanted = [s for s in found if not env or s in resolve_envs(env)]
    if not wanted:
        raise CwmbError(
            f"no synthesized model (best.py) in {run_dir} for the envs asked",
            "check the run name and --env, or finish `cwmb synthesize` first",
        )
    return [
        (
            s,
            (run_dir / s.name / "best.py").read_text(),
            str(run_dir / s.name / "best.py"),
            run_dir / s.name / "evaluation.json",
        )
        for s in wanted
    ]


def _row(record: dict) -> list[str]:
    accuracy, returns = record["accuracy"], record.get("returns", {})
    fmt = lambda v: "n/a" if v is None else f"{v:.3f}"  # noqa: E731
    default = accuracy["default"]["accuracy"] if accuracy["default"] else None
    original = accuracy["original"]["accuracy"] if accuracy["original"] else None
    heldout = (accuracy.get("heldout") or {}).get("accuracy")
    mean, se = returns.get("mean"), returns.get("standard_error")
    ret = "n/a" if mean is None else f"{mean:.1f} ± {se:.1f}"
    note = accuracy["status"] if accuracy["status"] != "ok" else ""
    if returns.get("normalized") is None and returns.get("normalized_note"):
        note = (note + "; " if note else "") + "R: " + returns["normalized_note"].split(" (")[0][:60]
    if heldout is None and accuracy.get("heldout", {}).get("status") not in (None, "ok"):
        note = (note + "; " if note else "") + "held-out: " + accuracy["heldout"]["status"]
    return [
        record["env"],
        fmt(default),
        fmt(heldout),
        fmt(original),
        ret,
        fmt(returns.get("normalized")),
        note,
    ]


def evaluate(
    run: str = typer.Argument(None, help="Run name under --results (or a run directory)."),
    env: list[str] = typer.Option(
        None, "--env", "-e", help="Only these envs (needed with --model/--reference)."
    ),
    model: Path = typer.Option(None, "--model", help="Evaluate this world-model file instead of a run."),
    reference: bool = typer.Option(False, "--reference", help="Evaluate the envs' reference models."),
    profile: str = typer.Option(
        "quick", "--profile", "-p", help="Planner profile: quick, paper or a YAML path."
    ),
    episodes: int = typer.Option(None, "--episodes", min=1, help="Episodes (default: the profile's)."),
    setting: list[str] = typer.Option(
        None, "--set", help="Override a profile setting, e.g. cem.samples=200."
    ),
    workers: int = typer.Option(2, "--workers", "-j", min=1, help="Sandbox workers (episodes in parallel)."),
    results: Path = typer.Option(Path("results"), "--results", help="Where runs live."),
    trajectories: Path = typer.Option(Path("trajectories"), "--trajectories", help="Dataset root."),
) -> None:
    """Accuracy (both metrics, search and held-out data), planner returns, mean ± SE and R."""
    from rich.console import Console
    from rich.table import Table

    from cwmb.evaluation import EvaluationRequest, evaluate_program
    from cwmb.planning.profiles import load_profile, parse_override
    from cwmb.planning.references import reference_summaries
    from cwmb.planning.sandboxed import PLANNING_PRELOAD
    from cwmb.sandbox import WorkerPool

    overrides = dict(parse_override(s) for s in setting or [])
    plan = load_profile(profile, overrides or None)
    count = episodes or plan.episodes
    targets = _targets(run, env, model, reference, results)
    records = []
    with WorkerPool(size=workers, preload=PLANNING_PRELOAD) as pool:
        from cwmb.cli.sandbox_cmd import isolation_line

        typer.echo(isolation_line(pool), err=True)
        for spec, source, label, out in targets:
            request = EvaluationRequest(spec, source, label, plan, trajectories)

            def said(result: dict, name: str = spec.name) -> None:
                typer.echo(
                    f"{name} episode {result['episode']}: return {result['episode_return']:.1f} "
                    f"({result['outcome']}, {result['length']} steps)",
                    err=True,
                )

            records.append(evaluate_program(request, pool, count, out, reference_summaries, said))
    table = Table(title=f"evaluation, profile {plan.name}, {count} episode(s)")
    for column in ("env", "accuracy", "held-out acc.", "acc. (original)", "return", "R", "note"):
        table.add_column(column)
    for record in records:
        table.add_row(*_row(record))
    Console(width=None if Console().is_terminal else 110).print(table)
    for _, _, _, out in targets:
        if out is not None:
            typer.echo(f"wrote {out}")


def register(app: typer.Typer) -> None:
    """Add ``evaluate`` to the CLI."""
    app.command("evaluate")(evaluate)
