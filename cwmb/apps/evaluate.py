"""``cwmb evaluate`` on an APPS run: judge every program the search produced on hidden and all tests.

Per problem (``<run>/<problem_id>/evaluation.json``): the *selected* program (``best.py``,
the best by the search's value) on hidden and on all tests; every distinct candidate
on all tests, giving pass@any, the samples for pass@k and the curves after each call.
The run's numbers (``<run>/apps_evaluation.json``) aggregate those records
(:mod:`cwmb.apps.scoring`) and say which protocol the search used.

A problem already evaluated with the same settings and the same number of calls is not
judged again, so a killed evaluation resumes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from cwmb.apps.data import Problem, load_problems
from cwmb.apps.judge import Judgement, judge
from cwmb.apps.protocol import split_tests
from cwmb.apps.scoring import aggregate, by_source, curves
from cwmb.apps.synthesis import AppsSettings, read_run_file
from cwmb.errors import CwmbError
from cwmb.methods.rundir import (
    BEST_FILE,
    CANDIDATES_DIR,
    SUMMARY_FILE,
    TREE_FILE,
    read_json,
    read_lines,
    write_json,
)

EVALUATION_FILE = "evaluation.json"
RUN_EVALUATION_FILE = "apps_evaluation.json"
SCHEMA_VERSION = 1


def _judged(pool: Any, problem: Problem, source: str, settings: AppsSettings) -> Judgement:
    return judge(pool, problem, source, range(len(problem.tests)), settings.judge)


def _selected_curve(
    steps: list[Mapping[str, Any]], verdicts: Mapping[str, tuple[bool, bool]]
) -> tuple[list, list]:
    """Strict (hidden, all) of the best-so-far program after each call."""
    node_hash = {s["node"]: s["program_hash"] for s in steps}
    hidden, every = [], []
    for step in steps:
        digest = node_hash.get(step["best_node"], step["program_hash"])
        strict_hidden, strict_all = verdicts.get(digest, (False, False))
        hidden.append(float(strict_hidden))
        every.append(float(strict_all))
    return hidden, every


def _judge_candidates(
    problem: Problem,
    problem_dir: Path,
    steps: list[dict[str, Any]],
    pool: Any,
    settings: AppsSettings,
    hidden: tuple[int, ...],
) -> dict[str, tuple[bool, bool]]:
    """Strict (hidden tests, all tests) of every distinct program the calls produced, by program hash."""
    verdicts: dict[str, tuple[bool, bool]] = {}
    for digest in dict.fromkeys(s["program_hash"] for s in steps):
        path = problem_dir / CANDIDATES_DIR / f"{digest}.py"
        source = path.read_text(encoding="utf-8") if path.exists() else ""
        judgement = _judged(pool, problem, source, settings) if source.strip() else Judgement(())
        verdicts[digest] = (judgement.subset(hidden).all_passed, judgement.all_passed)
    return verdicts


def evaluate_problem(
    problem: Problem, problem_dir: Path, pool: Any, settings: AppsSettings
) -> dict[str, Any]:
    """The evaluation record of one problem's run directory (also written to ``evaluation.json``)."""
    steps = read_lines(problem_dir / TREE_FILE)
    steps = [s for s in steps if "call" in s and "program_hash" in s]
    key = {"apps": settings.as_dict(), "calls": len(steps)}
    stored = read_json(problem_dir / EVALUATION_FILE)
    if stored and stored.get("key") == key and stored.get("schema_version") == SCHEMA_VERSION:
        return stored
    split = split_tests(len(problem.tests), settings.protocol, settings.public_fraction)
    verdicts = _judge_candidates(problem, problem_dir, steps, pool, settings, split.hidden)
    best = problem_dir / BEST_FILE
    selected = (
        _judged(pool, problem, best.read_text(encoding="utf-8"), settings) if best.exists() else Judgement(())
    )
    hidden = selected.subset(split.hidden)
    calls_correct = [verdicts[s["program_hash"]][1] for s in steps]
    curve_hidden, curve_all = _selected_curve(steps, verdicts)
    any_so_far = [float(any(calls_correct[: i + 1])) for i in range(len(calls_correct))]
    summary = read_json(problem_dir / SUMMARY_FILE) or {}
    record = {
        "schema_version": SCHEMA_VERSION,
        "kind": "cwmb.apps.evaluation",
        "key": key,
        "problem_id": problem.problem_id,
        "source": problem.source,
        "tests": len(problem.tests),
        "hidden_tests": len(split.hidden),
        "protocol": settings.protocol,
        "simulated": bool((summary.get("llm") or {}).get("simulated")),
        "strict_hidden": hidden.all_passed if split.hidden else None,
        "strict_all": selected.all_passed,
        "test_average_hidden": hidden.pass_fraction if split.hidden else None,
        "test_average_all": selected.pass_fraction,
        "verdicts_all": selected.counts(),
        "samples": len(steps),
        "correct_samples_all": sum(calls_correct),
        "pass_any_all": any(calls_correct),
        "curve_selected_hidden": curve_hidden if split.hidden else [],
        "curve_selected_all": curve_all,
        "curve_pass_any_all": any_so_far,
    }
    write_json(problem_dir / EVALUATION_FILE, record)
    return record


def _problems_of(run_root: Path, record: Mapping[str, Any]) -> dict[str, Problem]:
    data = Path(record["data"])
    try:
        problems = load_problems(data, record.get("split", "test"), None)
    except CwmbError as problem:
        raise CwmbError(
            f"cannot read the APPS copy this run used: {problem.message}",
            f"the run {run_root} was made from --data {data}; make it readable again",
        ) from None
    return {p.problem_id: p for p in problems}


def evaluate_run(
    run_root: Path, workers: int = 2, said: Callable[[dict[str, Any]], None] | None = None
) -> dict[str, Any]:
    """Evaluate every problem of the APPS run at ``run_root``; write and return the run's numbers."""
    from cwmb.sandbox import WorkerPool

    record = read_run_file(run_root)
    if record is None:
        raise CwmbError(f"{run_root} is not an APPS run (no apps_run.json)")
    settings = AppsSettings.from_dict(record["apps"])
    problems = _problems_of(run_root, record)
    done = [pid for pid in record.get("problems", []) if (run_root / pid / SUMMARY_FILE).exists()]
    missing = [pid for pid in done if pid not in problems]
    if missing:
        raise CwmbError(f"problem {missing[0]} of the run is not in the APPS copy {record['data']}")
    with (
        WorkerPool(size=max(1, workers)) as pool,
        ThreadPoolExecutor(max_workers=max(1, workers)) as executor,
    ):

        def one(pid: str) -> dict[str, Any]:
            result = evaluate_problem(problems[pid], run_root / pid, pool, settings)
            if said is not None:
                said(result)
            return result

        records = list(executor.map(one, done))
    budget = max((r["samples"] for r in records), default=0)
    summaries = [read_json(run_root / pid / SUMMARY_FILE) or {} for pid in done]
    result = {
        "schema_version": SCHEMA_VERSION,
        "kind": "cwmb.apps.run_evaluation",
        "run": run_root.name,
        "method": record.get("config", record.get("method")),
        "protocol": settings.protocol,
        "compare": settings.judge.compare,
        "llm": (summaries[0].get("llm") if summaries else None),
        "simulated": any(r["simulated"] for r in records),
        "budget": max((int(s.get("budget") or 0) for s in summaries), default=budget),
        **aggregate(records),
        "by_source": by_source(records),
        "curves": curves(records, budget),
    }
    write_json(run_root / RUN_EVALUATION_FILE, result)
    return result
