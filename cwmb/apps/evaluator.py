"""The APPS :class:`~cwmb.methods.evaluation.Evaluator`: what search methods learn about a program.

Value = fraction of the *value* tests passed (public tests under protocol ``clean``, all
tests under ``paper``; :mod:`cwmb.apps.protocol`), perfect = all of them passed. The
improve feedback shows the first failing *public* test: its input, the expected output
and what the program printed (or the error it raised). Hidden tests are never run here.

A program that does not compile, or raises on every value test, is ``error`` (a fix
action repairs it, with the first error message); one whose whole job outlived its
budget is ``timeout``.
"""

from __future__ import annotations

from typing import Any

from cwmb.apps.data import Problem
from cwmb.apps.judge import JOB_TIMEOUT_PREFIX, Judgement, JudgeSettings, TestVerdict, judge
from cwmb.apps.protocol import TestSplit
from cwmb.methods.evaluation import Evaluation, failed

NO_PROGRAM = "The answer contained no Python program (no code block was found)."
_SHOWN_CHARS = 1500


def _shown(value: Any, call_based: bool) -> str:
    import json

    text = json.dumps(value) if call_based else str(value)
    return (
        text
        if len(text) <= _SHOWN_CHARS
        else text[:_SHOWN_CHARS] + f"\n[... {len(text) - _SHOWN_CHARS} more characters]"
    )


def render_failure(problem: Problem, verdict: TestVerdict) -> str:
    """The improve feedback for one failing test: input, expected output, the program's output or error."""
    test = problem.tests[verdict.index]
    label = "Arguments" if problem.call_based else "Input"
    got_label = "The program returned" if problem.call_based else "The program printed"
    lines = [
        f"### {label}\n```\n{_shown(test.input, problem.call_based)}\n```",
        f"### Expected output\n```\n{_shown(test.output, problem.call_based)}\n```",
    ]
    if verdict.verdict == "wrong_answer":
        extra = f" ({verdict.message})" if verdict.message else ""
        lines.append(f"### {got_label}{extra}\n```\n{_shown(verdict.output, False)}\n```")
    else:
        lines.append(f"### The program failed: {verdict.verdict.replace('_', ' ')}\n{verdict.message}")
    return "\n\n".join(lines)


class AppsEvaluator:
    """Judges candidates of one problem in a sandbox pool under a protocol's split (module docstring)."""

    no_code_message = NO_PROGRAM

    def __init__(self, pool: Any, problem: Problem, split: TestSplit, settings: JudgeSettings) -> None:
        self.pool = pool
        self.problem = problem
        self.split = split
        self.settings = settings

    def evaluate(self, source: str) -> Evaluation:
        """Run ``source`` on the value tests (never the hidden ones under ``clean``) and score it."""
        if not source.strip():
            return failed("no_code", NO_PROGRAM)
        judgement = judge(self.pool, self.problem, source, self.split.value, self.settings)
        details = {"passed": judgement.passed, "total": judgement.total, "verdicts": judgement.counts()}
        kinds = {v.verdict for v in judgement.verdicts}
        first = judgement.verdicts[0].message if judgement.verdicts else ""
        if kinds == {"compile_error"}:
            return failed("error", first)
        if kinds == {"timeout"} and first.startswith(JOB_TIMEOUT_PREFIX):
            return failed("timeout", first)
        if kinds == {"runtime_error"}:
            return failed("error", first)
        return Evaluation(
            accuracy=judgement.pass_fraction,
            perfect=judgement.all_passed,
            feedback=self._feedback(judgement),
            details=details,
        )

    def _feedback(self, judgement: Judgement) -> str:
        public = set(self.split.public)
        failing = [v for v in judgement.verdicts if v.index in public and v.verdict != "pass"]
        return render_failure(self.problem, failing[0]) if failing else ""
