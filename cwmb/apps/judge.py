"""Judging an APPS program: run it on chosen tests in the sandbox, compare outputs here, one verdict per test.

Verdicts: ``pass``, ``wrong_answer``, ``runtime_error`` (with the cleaned message),
``timeout``, ``compile_error``. The program runs only in a sandbox job
(:class:`~cwmb.apps.job.AppsRunJob`), which receives the test inputs only; the expected
outputs stay in this process, so the program cannot influence its own verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cwmb.apps.compare import MODES, matching_rule
from cwmb.apps.data import Problem
from cwmb.apps.job import AppsRunJob, RunOutput

VERDICTS = ("pass", "wrong_answer", "runtime_error", "timeout", "compile_error")
# Seconds the sandbox job may run beyond the program's budget before the worker is killed.
_JOB_MARGIN_S = 2.0
JOB_TIMEOUT_PREFIX = "the program did not finish its tests within its time budget"


@dataclass(frozen=True)
class JudgeSettings:
    """How programs are judged.

    ``test_timeout_s`` is the wall-clock limit of one test (the paper: 4 s);
    ``budget_s`` that of one program over all its tests in one job (tests not reached
    in time are timeouts); ``output_bytes`` caps what one test may print (more is a
    wrong answer); ``compare`` is the comparison mode of :mod:`cwmb.apps.compare`.
    """

    test_timeout_s: float = 4.0
    budget_s: float = 30.0
    output_bytes: int = 1 << 20
    compare: str = "apps"

    def __post_init__(self) -> None:
        if self.compare not in MODES:
            raise ValueError(f"compare must be one of {MODES}, not {self.compare!r}")
        if self.test_timeout_s <= 0 or self.budget_s <= 0 or self.output_bytes < 1:
            raise ValueError("test_timeout_s, budget_s and output_bytes must be positive")


@dataclass(frozen=True)
class TestVerdict:
    """The verdict on one test: ``index`` into the problem's tests, what it printed, why it failed."""

    index: int
    verdict: str
    output: str = ""
    message: str = ""
    rule: str | None = None

    __test__ = False  # not a pytest test class

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (the output is cut to 300 characters)."""
        return {
            "index": self.index,
            "verdict": self.verdict,
            "output": self.output[:300],
            "message": self.message,
            "rule": self.rule,
        }


@dataclass(frozen=True)
class Judgement:
    """The verdicts of one program on a set of tests."""

    verdicts: tuple[TestVerdict, ...]

    @property
    def passed(self) -> int:
        """Tests passed."""
        return sum(v.verdict == "pass" for v in self.verdicts)

    @property
    def total(self) -> int:
        """Tests judged."""
        return len(self.verdicts)

    @property
    def all_passed(self) -> bool:
        """Strict accuracy's criterion: every judged test passed (False with no test)."""
        return bool(self.verdicts) and self.passed == self.total

    @property
    def pass_fraction(self) -> float:
        """Fraction of tests passed (the test-case average's term)."""
        return self.passed / self.total if self.verdicts else 0.0

    def counts(self) -> dict[str, int]:
        """Tests per verdict."""
        return {name: sum(v.verdict == name for v in self.verdicts) for name in VERDICTS}

    def subset(self, indices: Sequence[int]) -> Judgement:
        """The verdicts on the tests ``indices`` only."""
        wanted = set(indices)
        return Judgement(tuple(v for v in self.verdicts if v.index in wanted))


def _verdict(index: int, run: RunOutput, expected: Any, call_based: bool, mode: str) -> TestVerdict:
    if run.status == "ok":
        if run.truncated:
            return TestVerdict(index, "wrong_answer", run.output, "the output exceeded the size cap")
        rule = matching_rule(run.output, expected, call_based=call_based, mode=mode)
        return TestVerdict(index, "pass" if rule else "wrong_answer", run.output, "", rule)
    verdict = {"runtime_error": "runtime_error", "timeout": "timeout"}.get(run.status, "compile_error")
    return TestVerdict(index, verdict, run.output, run.message)


def _job_failure(indices: Sequence[int], status: str, message: str) -> Judgement:
    """Every test's verdict when the whole job failed (the program outlived its budget, memory, crash)."""
    verdict = "timeout" if status == "timeout" else "runtime_error"
    text = {
        "timeout": f"{JOB_TIMEOUT_PREFIX} ({message})",
        "memory": f"the program ran out of memory: {message}",
    }.get(status, f"the program's process died: {message}")
    return Judgement(tuple(TestVerdict(i, verdict, "", text) for i in indices))


def judge(
    pool: Any, problem: Problem, source: str, indices: Sequence[int], settings: JudgeSettings
) -> Judgement:
    """Run ``source`` on the tests ``indices`` of ``problem`` in ``pool`` and judge every output."""
    indices = list(indices)
    if not indices:
        return Judgement(())
    job = AppsRunJob(
        source,
        [problem.tests[i].input for i in indices],
        fn_name=problem.fn_name,
        test_timeout_s=settings.test_timeout_s,
        budget_s=settings.budget_s,
        output_bytes=settings.output_bytes,
    )
    outcome = pool.run(job, timeout=settings.budget_s + _JOB_MARGIN_S)
    if not outcome.ok or outcome.value is None:
        return _job_failure(indices, outcome.status, outcome.message.strip() or outcome.status)
    return Judgement(
        tuple(
            _verdict(i, run, problem.tests[i].output, problem.call_based, settings.compare)
            for i, run in zip(indices, outcome.value, strict=True)
        )
    )
