"""``cwmb check`` (does a program follow the world-model contract?) and ``cwmb score``."""

from __future__ import annotations

from pathlib import Path

import typer

from cwmb.cli import options
from cwmb.cli.apps_cmd import apps_settings, apps_source
from cwmb.cli.output import JSON_HELP, emit_json

METRICS = ("default", "original")


def _program_and_data(file: Path | None, env: str, reference: bool, trajectories: Path | None):
    from cwmb.benchmark import get_env
    from cwmb.errors import CwmbError
    from cwmb.program_eval import read_program
    from cwmb.trajectories import load_dataset

    spec = get_env(env)
    if reference and spec.family == "rtfm":
        from cwmb.rtfm.reference import reference_source as rtfm_reference

        source, label = rtfm_reference(), f"reference model of {spec.name}"
    elif reference:
        from cwmb.benchmark.reference import REFERENCE_ENVS, reference_source

        if spec.name not in REFERENCE_ENVS:
            raise CwmbError(
                f"no reference model for {spec.name}",
                f"reference models exist for {', '.join(REFERENCE_ENVS)}",
            )
        source, label = reference_source(spec.name), f"reference model of {spec.name}"
    elif file is None:
        raise CwmbError("no program given", "pass FILE, or --reference to use the env's reference model")
    else:
        source, label = read_program(file), str(file)
    return spec, source, label, load_dataset(trajectories, spec.name)


def check(
    file: Path = typer.Argument(None, help="Python file defining `class Environment`."),
    env: str = typer.Option(..., "--env", "-e", help="CWMB env name."),
    reference: bool = typer.Option(False, "--reference", help="Check the env's reference model instead."),
    trajectories: Path = options.trajectories_option(),
    timeout: float = typer.Option(10.0, "--timeout", min=0.1, help="Seconds before the program is stopped."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Load a world-model program in the sandbox and say, in plain words, what does not conform."""
    from cwmb.program_eval import check_program, summarize_findings
    from cwmb.sandbox import WorkerPool

    spec, source, label, data = _program_and_data(file, env, reference, trajectories)
    with WorkerPool(size=1) as pool:
        outcome = check_program(source, spec, data, pool, timeout)
    findings = summarize_findings(outcome.value) if outcome.ok and outcome.value else []
    if as_json:
        emit_json(
            {
                "program": label,
                "env": spec.name,
                "status": outcome.status,
                "message": outcome.message,
                "conforms": outcome.ok and not findings,
                "findings": findings,
            }
        )
        if not outcome.ok or findings:
            raise typer.Exit(1)
        return
    if not outcome.ok:
        typer.echo(f"{label}: {outcome.status}: {outcome.message}")
        raise typer.Exit(1)
    if outcome.value:
        typer.echo(f"{label} does not conform to the contract for {spec.name}:")
        for finding in findings:
            typer.echo(f"  - {finding}")
        raise typer.Exit(1)
    typer.echo(f"{label} conforms to the world-model contract for {spec.name}.")


def score(
    file: Path = typer.Argument(None, help="Python file defining `class Environment`."),
    env: str = typer.Option(None, "--env", "-e", help="CWMB env name."),
    metric: str = typer.Option(
        "default", "--metric", help="default (paper Eq. 2) or original (the paper's code)."
    ),
    reference: bool = typer.Option(False, "--reference", help="Score the env's reference model instead."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    show: int = typer.Option(2, "--show", min=0, help="Failing transitions to show."),
    trajectories: Path = options.trajectories_option(),
    timeout: float = typer.Option(30.0, "--timeout", min=0.1, help="Seconds before the program is stopped."),
    suite: str = options.suite_option(),
    apps_data: Path = options.apps_data_option(),
    problem: str = options.apps_option(None, "--problem", help="APPS: the problem id."),
    compare: str = options.apps_compare_option(),
    test_timeout: float = options.apps_test_timeout_option(),
) -> None:
    """Score a world-model program on the env's dataset: accuracy, breakdown, first failures.

    The program is also scored on the env's held-out split (transitions no search sees).
    With --suite apps: judge PROGRAM on the tests of APPS problem --problem (verdict per test).
    """
    from cwmb.errors import CwmbError
    from cwmb.heldout import heldout_accuracy_of, heldout_block
    from cwmb.program_eval import score_program
    from cwmb.sandbox import WorkerPool
    from cwmb.scoring import render_feedback

    if suite == "apps":
        from cwmb.apps.commands import score_apps

        if file is None or problem is None:
            raise CwmbError(
                "APPS scoring needs a PROGRAM.py and --problem ID", "e.g. --problem 3000 solution.py"
            )
        source = apps_source(apps_data, "test", "all", None)
        settings = apps_settings("clean", 0.5, test_timeout, max(timeout, test_timeout), compare)
        return score_apps(source, problem, file, settings, as_json)
    if env is None:
        raise CwmbError("no env given", "pass --env NAME (or --suite apps for an APPS program)")

    if metric not in METRICS:
        raise CwmbError(f"unknown metric '{metric}'", f"choose one of: {', '.join(METRICS)}")
    spec, source, label, data = _program_and_data(file, env, reference, trajectories)
    with WorkerPool(size=1) as pool:
        scored = score_program(source, data, pool, metric, timeout)
        heldout = heldout_block(source, trajectories, spec.name, pool, timeout, (metric,))
    if as_json:
        body = {"program": label, "env": spec.name, "status": scored.status, "message": scored.message}
        if scored.result is not None:
            body |= {"score": scored.result.as_dict(), "accuracy": scored.result.accuracy}
            body |= {"heldout_accuracy": heldout_accuracy_of(heldout, metric), "heldout": heldout}
        emit_json(body)
    elif scored.result is None:
        typer.echo(f"{label}: {scored.status}: {scored.message}")
    elif spec.family == "rtfm":
        from cwmb.rtfm.check import score_lines

        typer.echo("\n".join(score_lines(label, spec.name, data, scored, metric, show)))
        typer.echo(_heldout_line(heldout, metric, scored.result.accuracy))
    else:
        r = scored.result
        typer.echo(f"{label} on {spec.name} ({len(data)} transitions, metric {metric}):")
        typer.echo(
            f"  accuracy {r.accuracy:.4f}   state {r.state:.4f}   reward {r.reward:.4f}   done {r.done:.4f}"
            + ("   (perfect)" if r.perfect else "")
        )
        typer.echo(_heldout_line(heldout, metric, r.accuracy))
        if show and not r.perfect:
            typer.echo(render_feedback(data, scored.predictions, r, max_transitions=show))
    if scored.result is None:
        raise typer.Exit(1)


def _heldout_line(heldout: dict, metric: str, search_accuracy: float) -> str:
    """One line: held-out accuracy and the gap to the search accuracy, or why there is none."""
    from cwmb.heldout import heldout_accuracy_of

    value = heldout_accuracy_of(heldout, metric)
    if value is None:
        status, message = heldout["status"], heldout["message"]
        return f"  held-out accuracy n/a ({message if status == 'missing' else f'{status}: {message}'})"
    return (
        f"  held-out accuracy {value:.4f} on {heldout['transitions']} unseen transitions "
        f"(generalization {value - search_accuracy:+.4f})"
    )


def register(app: typer.Typer) -> None:
    """Add ``check`` and ``score`` to the CLI."""
    app.command("check")(check)
    app.command("score")(score)
