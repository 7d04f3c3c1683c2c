"""Judging throughput on APPS: tests per second through the sandbox versus a bare subprocess per test.

On the fixture problems of ``tests/apps/fixtures`` (our own, stdin/stdout ones, the slow
reference solution left out), each reference solution is judged on all its tests:

- sandbox: :func:`cwmb.apps.judge.judge`, one sandbox job per program running every test
  (a fresh namespace per test, outputs compared in the harness);
- bare subprocess: ``python -c PROGRAM`` started once per test with the input on stdin
  (what a naive judge does; no limits, no isolation), outputs compared the same way.

Each figure is the median of ``--repeats`` rounds after a warm-up; the ratio is printed
with its target. Run with::

    .venv/bin/python benchmarks/apps_judging.py
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from cwmb.apps.compare import matching_rule
from cwmb.apps.data import load_problems
from cwmb.apps.judge import JudgeSettings, judge
from cwmb.sandbox import WorkerPool

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "apps" / "fixtures" / "hub"
TARGET_RATIO = 5.0  # the sandbox should judge at least 5x as many tests per second


def _work() -> list[tuple]:
    problems = [p for p in load_problems(FIXTURES) if p.tests and not p.call_based and p.problem_id != "3006"]
    return [(p, s) for p in problems for s in p.solutions]


def sandbox_round(pool: WorkerPool, work: list[tuple], settings: JudgeSettings) -> tuple[float, int]:
    start, tests = time.perf_counter(), 0
    for problem, source in work:
        result = judge(pool, problem, source, range(len(problem.tests)), settings)
        assert result.all_passed, problem.problem_id
        tests += result.total
    return time.perf_counter() - start, tests


def subprocess_round(work: list[tuple]) -> tuple[float, int]:
    start, tests = time.perf_counter(), 0
    for problem, source in work:
        for test in problem.tests:
            done = subprocess.run(
                [sys.executable, "-c", source], input=test.input, capture_output=True, text=True, timeout=4
            )
            assert matching_rule(done.stdout, test.output, call_based=False), problem.problem_id
            tests += 1
    return time.perf_counter() - start, tests


def main() -> None:
    """Measure both ways in one run and print tests per second and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    work = _work()
    settings = JudgeSettings()
    with WorkerPool(size=1) as pool:
        sandbox_round(pool, work, settings)  # warm-up
        sandbox = [sandbox_round(pool, work, settings) for _ in range(args.repeats)]
    subprocess_round(work)
    bare = [subprocess_round(work) for _ in range(args.repeats)]
    tests = sandbox[0][1]
    sandbox_rate = tests / statistics.median(t for t, _ in sandbox)
    bare_rate = tests / statistics.median(t for t, _ in bare)
    ratio = sandbox_rate / bare_rate
    print(f"{len(work)} programs, {tests} tests per round, median of {args.repeats} rounds")
    print(f"sandbox (one job per program):   {sandbox_rate:8.1f} tests/s")
    print(f"bare subprocess per test:        {bare_rate:8.1f} tests/s")
    verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
    print(f"ratio sandbox / subprocess: {ratio:.1f}x (target >= {TARGET_RATIO:g}x: {verdict})")


if __name__ == "__main__":
    main()
