"""The APPS side of the shared commands: ``cwmb synthesize --suite apps``, ``cwmb score --suite apps``.

The shared command modules (``cwmb/cli/*_cmd.py``) parse options and hand APPS requests
to these functions, which print their results with ``typer.echo``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from cwmb.apps.catalog import select_problems
from cwmb.apps.data import Problem, load_problems
from cwmb.apps.judge import JudgeSettings, judge
from cwmb.apps.protocol import split_tests
from cwmb.apps.synthesis import (
    METHOD_PROMPTS,
    SIMULATED_NOTE,
    AppsSettings,
    ProblemOutcome,
    synthesize_all,
    synthesize_problem,
    write_run_file,
)
from cwmb.errors import CwmbError

# The start of each problem's result line, read back by the grid to find a chunk's problems.
PROBLEM_LINE = re.compile(r"^problem (\S+): best value ", re.MULTILINE)


@dataclass(frozen=True)
class AppsSource:
    """Where a command's problems come from: the copy, the split, the difficulty, the selection."""

    data: Path
    split: str = "test"
    difficulty: str | None = "competition"
    selection: str | None = None

    def problems(self) -> list[Problem]:
        """The selected problems (see :func:`cwmb.apps.catalog.select_problems`)."""
        if self.data is None:
            raise CwmbError(
                "--suite apps needs --data PATH", "point --data at your copy of APPS (docs/apps.md)"
            )
        return select_problems(load_problems(self.data, self.split, self.difficulty), self.selection)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (``apps_run.json``)."""
        return {"data": str(self.data), "split": self.split, "difficulty": self.difficulty}


def resolve_method(config: str, budget: int | None) -> tuple[Any, str]:
    """Method spec and prompt set of ``--config`` (``zero_shot_cot``: best-of-N with the CoT prompts)."""
    from cwmb.methods import load_method_config

    method_name, prompts = METHOD_PROMPTS.get(config, (config, "apps"))
    method = load_method_config(method_name).with_overrides(budget=budget)
    return method, prompts


def _offline_coder(problems: list[Problem], llm_config: Any) -> Any:
    from cwmb.apps.describe import problem_task_name
    from cwmb.apps.offline import AppsSimulatedCoder

    return AppsSimulatedCoder({problem_task_name(p): p for p in problems}, llm_config.offline)


def synthesize_apps(
    source: AppsSource,
    *,
    config: str,
    llm: str | None,
    budget: int | None,
    seed: int,
    run: str | None,
    results: Path,
    settings: AppsSettings,
    workers: int,
    max_cost: float | None,
    restart: bool,
) -> None:
    """Search for a program for every selected problem; one run directory per problem under the run."""
    from cwmb.llm import Budget, load_llm_config

    method, prompts = resolve_method(config, budget)
    llm_config = load_llm_config(llm).with_overrides(max_cost=max_cost)
    runnable = _with_tests(source.problems())
    name = run or f"apps-{config}-{llm_config.name}-seed{seed}"
    run_root = results / name
    record = {
        **source.as_dict(),
        "apps": settings.as_dict(),
        "method": method.name,
        "prompts": prompts,
        "seed": seed,
        "config": config,
        "problems": [p.problem_id for p in runnable],
    }
    write_run_file(run_root, record, replace=restart)
    if llm_config.backend == "offline":
        typer.echo(f"note: LLM = {llm_config.model} ({SIMULATED_NOTE})")
    offline = _offline_coder(runnable, llm_config) if llm_config.backend == "offline" else None
    cost_budget = Budget(llm_config.max_cost)
    with _pool(workers) as pool:

        def run_one(problem: Problem) -> ProblemOutcome:
            return synthesize_problem(
                problem,
                method,
                llm_config,
                run_root=run_root,
                pool=pool,
                settings=settings,
                seed=seed,
                prompts=prompts,
                cost_budget=cost_budget,
                restart=restart,
                offline_backend=offline,
            )

        outcomes = synthesize_all(runnable, workers, run_one, lambda o: typer.echo(_line(o)))
    typer.echo(f"results in {run_root}/")
    _check_stopped(outcomes)


def _with_tests(problems: list[Problem]) -> list[Problem]:
    """The problems that have tests; a note names the others (they cannot be judged)."""
    runnable = [p for p in problems if p.tests]
    if len(runnable) < len(problems):
        skipped = ", ".join(p.problem_id for p in problems if not p.tests)
        typer.echo(f"note: skipping {len(problems) - len(runnable)} problem(s) without tests: {skipped}")
    return runnable


def _check_stopped(outcomes: list[ProblemOutcome]) -> None:
    stopped = [o.problem_id for o in outcomes if o.summary.get("status") == "stopped"]
    if stopped:
        raise CwmbError(
            f"cost cap reached during problem {stopped[0]}; the run stopped cleanly and can be resumed",
            "raise --max-cost and re-run the same command; answers already received are replayed for free",
        )


def problem_ids_in(output: str) -> list[str]:
    """The problems a ``synthesize --suite apps`` run printed a result line for (see :func:`_line`)."""
    return PROBLEM_LINE.findall(output)


def _line(outcome: ProblemOutcome) -> str:
    summary = outcome.summary
    best = summary.get("best") or {}
    value = best.get("accuracy")
    shown = f"{value:.3f}" if isinstance(value, int | float) else "-"
    how = (
        "finished earlier, nothing to do"
        if outcome.already_finished
        else f"{summary.get('stop_reason')}; {outcome.replayed_calls} replayed, {outcome.new_calls} new"
    )
    label = " [simulated, not an LLM]" if (summary.get("llm") or {}).get("simulated") else ""
    which = "public tests" if summary.get("protocol") == "clean" else "all tests (paper protocol)"
    return (
        f"problem {outcome.problem_id}: best value {shown} on {which} after "
        f"{summary.get('calls', 0)}/{summary.get('budget')} calls ({how}){label}"
    )


def _pool(workers: int) -> Any:
    from cwmb.sandbox import WorkerPool

    try:
        pool = WorkerPool(size=max(1, workers))
        pool.start()
    except CwmbError as problem:
        raise CwmbError(
            f"sandbox not available: {problem.message}", "APPS programs run only in the sandbox"
        ) from None
    return pool


def score_apps(
    source: AppsSource, problem_id: str, program: Path, settings: AppsSettings, as_json: bool
) -> None:
    """Judge one program file on one problem: verdict per test, strict accuracy on hidden and all tests."""
    from cwmb.program_eval import read_program

    chosen = select_problems(load_problems(source.data, source.split, None), problem_id)[0]
    if not chosen.tests:
        raise CwmbError(f"APPS problem {chosen.problem_id} has no tests to judge against")
    text = read_program(program)
    split = split_tests(len(chosen.tests), settings.protocol, settings.public_fraction)
    with _pool(1) as pool:
        judgement = judge(pool, chosen, text, split.all, settings.judge)
    hidden, public = judgement.subset(split.hidden), judgement.subset(split.public)
    report = {
        "problem_id": chosen.problem_id,
        "program": str(program),
        "tests": judgement.total,
        "passed": judgement.passed,
        "strict_all": judgement.all_passed,
        "strict_hidden": hidden.all_passed if hidden.total else None,
        "public_passed": public.passed,
        "hidden_passed": hidden.passed,
        "hidden_tests": hidden.total,
        "compare": settings.judge.compare,
        "verdicts": [v.as_dict() for v in judgement.verdicts],
    }
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    typer.echo(
        f"{program} on APPS problem {chosen.problem_id}: {judgement.passed}/{judgement.total} tests passed "
        f"(compare mode {settings.judge.compare})"
    )
    hidden_text = "n/a (single test)" if not hidden.total else f"{hidden.passed}/{hidden.total}"
    typer.echo(
        f"  public {public.passed}/{public.total}, hidden {hidden_text}; strict (all tests): "
        f"{'yes' if judgement.all_passed else 'no'}"
    )
    for verdict in judgement.verdicts:
        if verdict.verdict != "pass":
            note = f": {verdict.message.splitlines()[0]}" if verdict.message else ""
            if verdict.verdict == "wrong_answer" and not verdict.message:
                expected = chosen.tests[verdict.index].output
                note = f": printed {verdict.output[:60]!r}, expected {str(expected)[:60]!r}"
            typer.echo(f"  test {verdict.index}: {verdict.verdict}{note}")


def settings_from_options(
    protocol: str, public_fraction: float, test_timeout: float, budget_s: float, compare: str
) -> AppsSettings:
    """Build :class:`AppsSettings` from CLI options; bad values become clean errors."""
    try:
        judge_settings = JudgeSettings(test_timeout_s=test_timeout, budget_s=budget_s, compare=compare)
        settings = AppsSettings(protocol=protocol, public_fraction=public_fraction, judge=judge_settings)
        split_tests(2, protocol, public_fraction)
    except ValueError as problem:
        raise CwmbError(str(problem), "see `cwmb synthesize --help` for the APPS options") from None
    return settings


def _pct(stat: Any) -> str:
    if not isinstance(stat, dict) or stat.get("mean") is None:
        return "n/a"
    return (
        f"{100 * stat['mean']:.1f} ± {100 * (stat.get('standard_error') or 0.0):.1f} % ({stat['problems']})"
    )


def evaluate_apps(run_root: Path, workers: int) -> None:
    """``cwmb evaluate`` on an APPS run: judge, aggregate, print the headline numbers."""
    from cwmb.apps.evaluate import RUN_EVALUATION_FILE, evaluate_run

    def said(record: dict[str, Any]) -> None:
        hidden = record["strict_hidden"]
        shown = "n/a (single test)" if hidden is None else ("pass" if hidden else "fail")
        typer.echo(
            f"problem {record['problem_id']}: hidden tests {shown}, all tests "
            f"{'pass' if record['strict_all'] else 'fail'}, {record['correct_samples_all']}/"
            f"{record['samples']} samples correct",
            err=True,
        )

    result = evaluate_run(run_root, workers, said)
    label = " [simulated, not an LLM]" if result["simulated"] else ""
    leak = (
        "" if result["protocol"] == "clean" else " (the search saw every test: selection on the answer key)"
    )
    typer.echo(f"APPS run {result['run']}: {result['method']}, protocol {result['protocol']}{leak}{label}")
    typer.echo(f"  strict accuracy, hidden tests: {_pct(result['strict_accuracy_hidden'])}")
    typer.echo(f"  strict accuracy, all tests:    {_pct(result['strict_accuracy_all'])}")
    typer.echo(f"  test case average, hidden:     {_pct(result['test_case_average_hidden'])}")
    typer.echo(f"  pass@any ({result['budget']} calls), all tests: {_pct(result['pass_any_all'])}")
    for k, stat in result["pass_at_k_all"].items():
        typer.echo(
            f"  pass@{k} (unbiased, all tests): {100 * stat['mean']:.1f} % ({stat['problems']} problems)"
        )
    single = result["single_test"]
    if single["problems"]:
        typer.echo(
            f"  single-test problems (no hidden test, reported apart): {_pct(single['strict_accuracy_all'])}"
        )
    for source, stats in result["by_source"].items():
        typer.echo(
            f"  {source}: {stats['problems']} problems, strict hidden "
            f"{_pct(stats['strict_accuracy_hidden'])}, all {_pct(stats['strict_accuracy_all'])}"
        )
    typer.echo(f"wrote {run_root / RUN_EVALUATION_FILE}")
