"""``cwmb evaluate``: accuracy and planning return of synthesized (or given) world models."""

from __future__ import annotations

from pathlib import Path

import typer

from cwmb.cli.options import trajectories_option
from cwmb.cli.output import JSON_HELP, emit_json, note


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
        return _reference_targets(specs)
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


def _apps_run(run: str, results: Path) -> Path | None:
    """The run directory when ``run`` names an APPS run (it holds ``apps_run.json``), else None."""
    run_dir = Path(run) if Path(run).is_dir() else results / run
    return run_dir if (run_dir / "apps_run.json").is_file() else None


def _reference_targets(specs: list) -> list:
    """(spec, source, label, None) of the reference model of every env (CWMB or RTFM)."""
    from cwmb.benchmark.reference import REFERENCE_ENVS, reference_source
    from cwmb.errors import CwmbError
    from cwmb.rtfm import BENCHMARK_NAME
    from cwmb.rtfm.reference import reference_source as rtfm_reference

    known = (*REFERENCE_ENVS, BENCHMARK_NAME)
    missing = [s.name for s in specs if s.name not in known]
    if missing:
        raise CwmbError(
            f"no reference model for {', '.join(missing)}", f"reference models exist for {', '.join(known)}"
        )
    sources = [rtfm_reference() if s.family == "rtfm" else reference_source(s.name) for s in specs]
    return [(s, text, f"reference model of {s.name}", None) for s, text in zip(specs, sources, strict=True)]


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
    executor: str = typer.Option(
        "local", "--executor", help="local (this machine's sandbox pool) or ray (one Ray task per episode)."
    ),
    ray_address: str = typer.Option(
        None, "--ray-address", help="With --executor ray: auto or ray://host:port (default: a local Ray)."
    ),
    results: Path = typer.Option(Path("results"), "--results", help="Where runs live."),
    trajectories: Path = trajectories_option(),
    references: str = typer.Option(
        "ours",
        "--references",
        help="Normalizers of R: ours (this stack's references) or published (the paper's Table 12).",
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Accuracy (both metrics, search and held-out data), planner returns, mean ± SE and R.

    On an APPS run (made with --suite apps): strict accuracy on hidden and all tests,
    test-case average, pass@k and a per-source breakdown.
    """
    if run is not None and _apps_run(run, results) is not None:
        from cwmb.apps.commands import evaluate_apps

        return evaluate_apps(_apps_run(run, results), workers)  # type: ignore[arg-type]
    from cwmb.grid.ray_episodes import episode_executor
    from cwmb.planning.profiles import load_profile, parse_override
    from cwmb.planning.published_references import PUBLISHED_LABEL, check_choice, published_summaries
    from cwmb.planning.references import reference_summaries

    normalizers = published_summaries if check_choice(references) == "published" else reference_summaries
    overrides = dict(parse_override(s) for s in setting or [])
    plan = load_profile(profile, overrides or None)
    count = episodes or plan.episodes
    targets = _targets(run, env, model, reference, results)
    remote = episode_executor(executor, ray_address, workers)
    try:
        records = _evaluate_all(targets, plan, count, trajectories, workers, remote, normalizers)
    finally:
        if remote:
            remote.close()
    title = f"evaluation, profile {plan.name}, {count} episode(s)"
    if references == "published":
        title += f"; R with the {PUBLISHED_LABEL}"
    written = [str(out) for _, _, _, out in targets if out is not None]
    if as_json:
        document = {
            "kind": "cwmb.evaluate",
            "profile": plan.name,
            "episodes": count,
            "references": references,
        }
        emit_json(document | {"evaluations": records, "wrote": written})
        return
    _print_table(records, title)
    for path in written:
        typer.echo(f"wrote {path}")


def _evaluate_all(
    targets: list, plan, count: int, trajectories: Path | None, workers: int, remote, normalizers
) -> list[dict]:
    """Evaluate every target; episodes run in the local pool, or as Ray tasks when ``remote``."""
    from cwmb.cli.sandbox_cmd import isolation_line
    from cwmb.evaluation import EvaluationRequest, evaluate_program
    from cwmb.planning.sandboxed import PLANNING_PRELOAD
    from cwmb.sandbox import WorkerPool

    records = []
    with WorkerPool(size=workers, preload=PLANNING_PRELOAD) as pool:
        note(isolation_line(pool))
        for spec, source, label, out in targets:
            request = EvaluationRequest(spec, source, label, plan, trajectories)
            runner = remote.world_model_runner(request) if remote else None

            def said(result: dict, name: str = spec.name) -> None:
                note(
                    f"{name} episode {result['episode']}: return {result['episode_return']:.1f} "
                    f"({result['outcome']}, {result['length']} steps)"
                )

            records.append(evaluate_program(request, pool, count, out, normalizers, said, runner))
    return records


def _print_table(records: list[dict], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for column in ("env", "accuracy", "held-out acc.", "acc. (original)", "return", "R", "note"):
        table.add_column(column)
    for record in records:
        table.add_row(*_row(record))
    Console(width=None if Console().is_terminal else 110).print(table)


def register(app: typer.Typer) -> None:
    """Add ``evaluate`` to the CLI."""
    app.command("evaluate")(evaluate)
