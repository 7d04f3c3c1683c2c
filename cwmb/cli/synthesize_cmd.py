"""``cwmb synthesize``: search for code world models with an LLM, one env after another, resumably."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from cwmb.cli.apps_cmd import apps_settings, apps_source
from cwmb.cli.options import (
    apps_compare_option,
    apps_data_option,
    apps_option,
    apps_test_timeout_option,
    suite_option,
    trajectories_option,
)

SANDBOX_HINT = "generated code runs only in the sandbox worker pool (cwmb/sandbox); check that it can start"


def synthesize(
    env: list[str] = typer.Option(
        None, "--env", "-e", help="CWMB env name (repeatable or comma-separated); 'all' = every env."
    ),
    config: str = typer.Option(
        "gif_mcts", "--config", "-c", help="Method config: YAML path or preset (gif_mcts, worldcoder, ...)."
    ),
    llm: str = typer.Option(
        None,
        "--llm",
        help="LLM config: YAML path or preset of configs/llms/. Default: offline simulated coder.",
    ),
    budget: int = typer.Option(None, "--budget", min=1, help="LLM calls per env (overrides the config)."),
    seed: int = typer.Option(0, "--seed", min=0, help="Search seed; also selects the stream of LLM samples."),
    run: str = typer.Option(None, "--run", help="Run name (default: <method>-<llm>-seed<S>)."),
    max_cost: float = typer.Option(
        None, "--max-cost", min=0.0, help="Cost cap in US$ for all envs together; stops cleanly."
    ),
    results: Path = typer.Option(Path("results"), "--results", help="Root directory of runs."),
    data: Path = trajectories_option(),
    restart: bool = typer.Option(
        False, "--restart", help="Discard this run's earlier results for these envs."
    ),
    suite: str = suite_option(),
    apps_data: Path = apps_data_option(),
    problems: str = apps_option(None, "--problems", help="APPS: index range A:B or problem ids id,id,..."),
    split: str = apps_option("test", "--split", help="APPS: test or train."),
    difficulty: str = apps_option(
        "competition", "--difficulty", help="APPS: competition, interview, introductory or all."
    ),
    protocol: str = apps_option(
        "clean", "--protocol", help="APPS: clean (search sees public tests) or paper (all tests)."
    ),
    public_fraction: float = apps_option(
        0.5, "--public-fraction", help="APPS: share of each problem's tests that is public."
    ),
    compare: str = apps_compare_option(),
    test_timeout: float = apps_test_timeout_option(),
    program_budget: float = apps_option(
        30.0, "--program-budget", min=0.01, help="APPS: seconds per program, all tests."
    ),
    workers: int = apps_option(1, "--workers", min=1, help="APPS: problems searched in parallel."),
) -> None:
    """Search for a code world model of each env; results go to <results>/<run>/<ENV>/.

    With --suite apps: a program for each APPS problem (--data, --problems), judged by its
    tests; results go to <results>/<run>/<problem_id>/. Re-running the same command
    resumes a killed run without paying again for any answer.
    """
    from cwmb.benchmark import resolve_envs
    from cwmb.llm import Budget, load_llm_config

    if suite == "apps":
        from cwmb.apps.commands import synthesize_apps

        source = apps_source(apps_data, split, difficulty, problems)
        settings = apps_settings(protocol, public_fraction, test_timeout, program_budget, compare)
        return synthesize_apps(
            source,
            config=config,
            llm=llm,
            budget=budget,
            seed=seed,
            run=run,
            results=results,
            settings=settings,
            workers=workers,
            max_cost=max_cost,
            restart=restart,
        )
    if suite != "cwmb":
        from cwmb.errors import CwmbError

        raise CwmbError(f"unknown suite {suite!r}", "choose cwmb or apps")
    if not env:
        from cwmb.errors import CwmbError

        raise CwmbError("no env given", "pass --env NAME (or --env all), or --suite apps --data PATH")
    from cwmb.methods import load_method_config

    method = load_method_config(config).with_overrides(budget=budget)
    llm_config = load_llm_config(llm).with_overrides(max_cost=max_cost)
    specs = resolve_envs(env)  # the offline coder writes all 18 (references or fits to the data)
    run_name = run or f"{method.name}-{llm_config.name}-seed{seed}"
    _announce_llm(llm_config)
    cost_budget = Budget(llm_config.max_cost)
    options = {"seed": seed, "data_root": data, "cost_budget": cost_budget, "restart": restart}
    outcomes = _run_all(specs, method, llm_config, results / run_name, options)
    typer.echo(f"results in {results / run_name}/")
    _check_stopped(outcomes)


def _announce_llm(llm_config: Any) -> None:
    from cwmb.methods.synthesis import SIMULATED_NOTE

    if llm_config.backend == "offline":
        typer.echo(f"note: LLM = {llm_config.model} ({SIMULATED_NOTE})")
    else:
        inferred = (
            f", inferred from {llm_config.backend_inferred_from}" if llm_config.backend_inferred_from else ""
        )
        typer.echo(
            f"LLM: {llm_config.model} ({llm_config.backend}{inferred}, "
            f"config {llm_config.source or llm_config.name})"
        )


def _run_all(
    specs: list[Any], method: Any, llm_config: Any, run_dir: Path, options: dict[str, Any]
) -> list[Any]:
    """Run every env in one sandbox pool, with a live display on a terminal and log lines otherwise."""
    from rich.console import Console

    from cwmb.heldout import sandbox_heldout_scorer
    from cwmb.methods.progress import LiveProgress, PlainProgress, live_progress

    console = Console(stderr=True)
    outcomes = []
    from cwmb.evaluators import sandbox_evaluator_factory

    with _sandbox_pool() as pool:
        factory = sandbox_evaluator_factory(pool)
        # The final best program only, after its search: the search itself never sees this data.
        options = {**options, "heldout_scorer": sandbox_heldout_scorer(pool)}
        if not console.is_terminal:
            for spec in specs:
                observer = PlainProgress(spec.name, method.config.budget, env_dir=run_dir / spec.name)
                outcomes.append(_run_one(spec, method, llm_config, run_dir, factory, observer, options))
                if outcomes[-1].summary.get("status") == "stopped":
                    break
            return outcomes
        with live_progress(console) as progress:
            for spec in specs:
                live = LiveProgress(progress, spec.name, method.config.budget)
                outcomes.append(_run_one(spec, method, llm_config, run_dir, factory, live, options))
                live.finish(outcomes[-1].summary.get("stop_reason") or "done")
                if outcomes[-1].summary.get("status") == "stopped":
                    break
    return outcomes


def _run_one(spec, method, llm_config, run_dir: Path, factory, observer, options: dict[str, Any]) -> Any:
    """Synthesize one env and print its result line."""
    from cwmb.methods.synthesis import synthesize_env

    outcome = synthesize_env(
        spec,
        method,
        llm_config,
        results_dir=run_dir,
        evaluator_factory=factory,
        observers=[observer],
        **options,
    )
    typer.echo(_result_line(outcome))
    return outcome


def _result_line(outcome: Any) -> str:
    summary = outcome.summary
    best = summary.get("best") or {}
    accuracy = best.get("accuracy")
    shown = f"{accuracy:.4f}" if isinstance(accuracy, int | float) else "-"
    perfect = " (perfect)" if best.get("perfect") else ""
    heldout = summary.get("heldout_accuracy")
    perfect += f", held-out {heldout:.4f}" if isinstance(heldout, int | float) else ""
    calls = f"{summary.get('calls', 0)}/{summary.get('budget')} calls"
    how = "finished earlier, nothing to do" if outcome.already_finished else _answer_sources(outcome)
    label = " [simulated, not an LLM]" if (summary.get("llm") or {}).get("simulated") else ""
    cost = f"${summary.get('cost_usd', 0.0):.4f}"
    return (
        f"{outcome.env}: best accuracy {shown}{perfect} after {calls}, cost {cost} ({how}){label} "
        f"-> {outcome.run_dir}/best.py"
    )


def _answer_sources(outcome: Any) -> str:
    """Stop reason, where the answers came from, and the provider's latency apart from start-up."""
    simulated = (outcome.summary.get("llm") or {}).get("simulated")
    source = "the simulated coder" if simulated else "the provider"
    text = (
        f"{outcome.summary.get('stop_reason')}; {outcome.replayed_calls} from the run's journal, "
        f"{outcome.cache_hits} from the response cache, {outcome.provider_calls} from {source}"
    )
    if outcome.provider_calls and not simulated:
        text += f", provider latency {outcome.provider_latency_s / outcome.provider_calls:.2f} s/call"
    if outcome.startup_s >= 0.01:
        text += f", client start-up {outcome.startup_s:.1f} s"
    return text


def _check_stopped(outcomes: list[Any]) -> None:
    from cwmb.errors import CwmbError

    stopped = [o.env for o in outcomes if o.summary.get("status") == "stopped"]
    if stopped:
        raise CwmbError(
            f"cost cap reached during {stopped[0]}; the run stopped cleanly and can be resumed",
            "raise --max-cost and re-run the same command; answers already received are replayed for free",
        )


def _sandbox_pool() -> Any:
    """The worker pool every candidate program runs in; a clear error when it cannot be used."""
    from cwmb.errors import CwmbError

    try:
        from cwmb.sandbox import WorkerPool
    except ImportError as problem:
        raise CwmbError(f"sandbox not available: {problem}", SANDBOX_HINT) from None
    pool = WorkerPool(size=1)
    try:
        pool.start()
    except CwmbError as problem:
        raise CwmbError(f"sandbox not available: {problem.message}", SANDBOX_HINT) from None
    from cwmb.cli.sandbox_cmd import isolation_line

    typer.echo(isolation_line(pool), err=True)
    return pool


def register(app: typer.Typer) -> None:
    """Add ``synthesize`` to the CLI."""
    app.command("synthesize")(synthesize)
