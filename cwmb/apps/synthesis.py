"""``cwmb synthesize --suite apps`` as a library: one run directory per problem, resumable, in parallel.

A run is ``results/<run>/`` with ``apps_run.json`` (where the problems come from and the
protocol) and one ordinary run directory per problem, ``results/<run>/<problem_id>/``
(the same files as a world-model run: ``config.json``, ``tree.jsonl``,
``completions.jsonl``, candidates, ``best.py``, ``summary.json``). Resuming after a kill
replays the journal of answers, so no LLM call is paid twice; finished problems are
skipped. Methods are the shared ones, unchanged: the problem enters through the
:class:`~cwmb.methods.session.Task` seam (with the ``apps`` prompt set) and the
:class:`~cwmb.apps.evaluator.AppsEvaluator`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cwmb.apps.data import Problem
from cwmb.apps.describe import describe_problem, problem_task_name
from cwmb.apps.evaluator import AppsEvaluator
from cwmb.apps.judge import JudgeSettings
from cwmb.apps.protocol import PROTOCOLS, split_tests
from cwmb.llm import Budget, LLMConfig, make_llm
from cwmb.llm.protocol import stable_hash
from cwmb.methods.records import SearchResult
from cwmb.methods.registry import MethodSpec
from cwmb.methods.replay import JournaledLLM, StoredEvaluator
from cwmb.methods.rundir import COMPLETIONS_FILE, RunDirectory, provenance, read_json, write_json
from cwmb.methods.session import SearchObserver, Task
from cwmb.methods.synthesis import RunWriter, llm_identity, llm_label

RUN_FILE = "apps_run.json"
SIMULATED_NOTE = "offline simulated coder, NOT an LLM: the problem's reference solutions with injected faults"
# zero-shot CoT (the paper's Table 1 baseline) = best-of-N with the CoT prompt set.
METHOD_PROMPTS = {"zero_shot_cot": ("best_of_n", "apps_cot")}


@dataclass(frozen=True)
class AppsSettings:
    """What a run judges with: ``protocol`` (clean/paper), the public fraction and the judge settings."""

    protocol: str = "clean"
    public_fraction: float = 0.5
    judge: JudgeSettings = field(default_factory=JudgeSettings)

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {PROTOCOLS}, not {self.protocol!r}")

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AppsSettings:
        """Inverse of :meth:`as_dict`."""
        return cls(data["protocol"], float(data["public_fraction"]), JudgeSettings(**data["judge"]))


@dataclass(frozen=True)
class ProblemOutcome:
    """What :func:`synthesize_problem` did: summary, and how many calls were replayed or new."""

    problem_id: str
    run_dir: Path
    summary: dict[str, Any]
    replayed_calls: int
    new_calls: int
    already_finished: bool


def problem_fingerprint(problem: Problem) -> str:
    """A hash of everything about a problem a run depends on (statement, tests, starter code)."""
    tests = [[t.input, t.output] for t in problem.tests]
    return stable_hash([problem.question, tests, problem.starter_code, problem.fn_name])


def _identity(
    problem: Problem,
    method: MethodSpec,
    prompts: str,
    llm_config: LLMConfig,
    seed: int,
    settings: AppsSettings,
) -> dict[str, Any]:
    return {
        "domain": "apps",
        "problem_id": problem.problem_id,
        "problem_sha256": problem_fingerprint(problem),
        "method": {k: v for k, v in method.as_dict().items() if k != "budget"},
        "prompts": prompts,
        "llm": llm_identity(llm_config),
        "seed": seed,
        "apps": settings.as_dict(),
    }


def synthesize_problem(
    problem: Problem,
    method: MethodSpec,
    llm_config: LLMConfig,
    *,
    run_root: Path,
    pool: Any,
    settings: AppsSettings,
    seed: int = 0,
    prompts: str = "apps",
    cost_budget: Budget | None = None,
    observers: Sequence[SearchObserver] = (),
    restart: bool = False,
    cache_dir: Path | None = None,
    offline_backend: Any = None,
) -> ProblemOutcome:
    """Run (or resume) ``method`` on ``problem``; writes ``run_root/<problem_id>/``."""
    run_dir = RunDirectory(Path(run_root) / problem.problem_id)
    identity = _identity(problem, method, prompts, llm_config, seed, settings)
    config = {"kind": "cwmb.apps.synthesis.config", "method": method.as_dict(), "seed": seed, **provenance()}
    resumed = run_dir.prepare(
        config | {"problem_id": problem.problem_id, "apps": settings.as_dict()}, identity, restart=restart
    )
    previous = run_dir.summary() if resumed else None
    if previous and _already_done(previous, method.config.budget):
        return ProblemOutcome(problem.problem_id, run_dir.path, previous, 0, 0, True)
    client = make_llm(
        llm_config,
        call_log=run_dir.call_log,
        budget=cost_budget,
        cache_dir=cache_dir,
        offline_backend=offline_backend,
    )
    llm = JournaledLLM(client, run_dir.file(COMPLETIONS_FILE))
    split = split_tests(len(problem.tests), settings.protocol, settings.public_fraction)
    evaluator = StoredEvaluator(AppsEvaluator(pool, problem, split, settings.judge), run_dir)
    header = _summary_header(problem, method, prompts, seed, settings, llm_config, client.backend.simulated)
    writer = RunWriter(run_dir, header)
    task = Task(problem_task_name(problem), describe_problem(problem), prompts)
    try:
        result: SearchResult = method.build().run(
            task, llm, evaluator, seed=seed, observers=[writer, *observers]
        )
    except BaseException:
        run_dir.write_summary({**(run_dir.summary() or {}), **header, "status": "interrupted"})
        raise
    writer.tree.finish(result.calls)
    if result.best_node is not None:
        run_dir.write_best(result.best_program)
    status = "stopped" if result.stop_reason == "cost_cap" else "finished"
    summary = {**header, **result.summary(), "status": status, "llm": header["llm"]}
    run_dir.write_summary(summary)
    return ProblemOutcome(problem.problem_id, run_dir.path, summary, llm.replayed, llm.new_calls, False)


def _summary_header(
    problem: Problem,
    method: MethodSpec,
    prompts: str,
    seed: int,
    settings: AppsSettings,
    llm_config: LLMConfig,
    simulated: bool,
) -> dict[str, Any]:
    """The fields every summary of a problem's run starts with (the LLM labelled simulated if so)."""
    label = llm_label(llm_config, simulated)
    if llm_config.backend == "offline":
        label["note"] = SIMULATED_NOTE
    return {
        "kind": "cwmb.synthesis.summary",
        "domain": "apps",
        "env": problem_task_name(problem),
        "problem_id": problem.problem_id,
        "method": method.name,
        "prompts": prompts,
        "seed": seed,
        "budget": method.config.budget,
        "protocol": settings.protocol,
        "llm": label,
    }


def _already_done(summary: Mapping[str, Any], budget: int) -> bool:
    if summary.get("status") != "finished":
        return False
    return summary.get("stop_reason") in ("perfect", "exhausted") or summary.get("budget") == budget


def write_run_file(run_root: Path, record: Mapping[str, Any], replace: bool = False) -> None:
    """Write ``apps_run.json`` (the data source and protocol); a different existing one is refused.

    ``replace`` (``--restart``) discards the existing one instead.
    """
    from cwmb.errors import CwmbError

    path = Path(run_root) / RUN_FILE
    previous = None if replace else read_json(path)
    keys = ("split", "difficulty", "apps", "method", "prompts", "seed")
    if previous is not None and any(previous.get(k) != record.get(k) for k in keys):
        changed = [k for k in keys if previous.get(k) != record.get(k)]
        raise CwmbError(
            f"{run_root} is an APPS run with other settings (differs in: {', '.join(changed)})",
            "use another --run name",
        )
    problems = sorted({*(previous or {}).get("problems", []), *record.get("problems", [])}, key=_id_order)
    write_json(path, {"schema_version": 1, "kind": "cwmb.apps.run", **record, "problems": problems})


def _id_order(problem_id: str) -> tuple[int, int | str]:
    return (0, int(problem_id)) if problem_id.isdigit() else (1, problem_id)


def read_run_file(run_root: Path) -> dict[str, Any] | None:
    """``apps_run.json`` of ``run_root``, or None when it is not an APPS run."""
    return read_json(Path(run_root) / RUN_FILE)


def synthesize_all(
    problems: Sequence[Problem],
    workers: int,
    run_one: Callable[[Problem], ProblemOutcome],
    on_done: Callable[[ProblemOutcome], None],
) -> list[ProblemOutcome]:
    """Run ``run_one`` on every problem, ``workers`` at a time; ``on_done`` sees each outcome as it ends."""
    outcomes: list[ProblemOutcome] = []
    if workers <= 1:
        for problem in problems:
            outcomes.append(run_one(problem))
            on_done(outcomes[-1])
        return outcomes
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cwmb-apps") as executor:
        for outcome in executor.map(run_one, problems):
            outcomes.append(outcome)
            on_done(outcome)
    return outcomes
