"""How search methods learn what a candidate program is worth: the :class:`Evaluator` protocol.

A method hands an evaluator the source of a candidate and gets an :class:`Evaluation`
back: accuracy on the dataset, whether it is perfect under the active metric, the
cleaned error when the program crashed (for a fix prompt), and the failing transitions
when it ran (for an improve prompt). Methods never run code themselves.

Two evaluators exist: :class:`InProcessEvaluator` here, which executes *trusted* test
programs in this process and exists for tests only, and
:class:`cwmb.methods.sandbox_evaluator.SandboxEvaluator`, which runs generated code in
the sandbox's worker processes (the only place generated code may run).
"""

from __future__ import annotations

import traceback
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from cwmb.predictions import Predictions
from cwmb.scoring import render_feedback, render_feedback_original, score
from cwmb.trajectories.dataset import Dataset

STATUSES = ("ok", "error", "timeout", "memory", "crashed", "no_code")
_CANDIDATE = "<candidate>"


@dataclass(frozen=True)
class Evaluation:
    """What a candidate program is worth on the dataset.

    ``status`` is ``ok`` when the program ran (``error`` is None and ``feedback``
    describes failing transitions, empty when perfect) and otherwise says how it failed
    (``error``, ``timeout``, ``memory``, ``crashed``, ``no_code``), with ``error`` the
    cleaned message for a fix prompt and accuracy 0. ``details`` is plain data (the
    score summary) for the run's records.
    """

    accuracy: float
    perfect: bool
    status: str = "ok"
    error: str | None = None
    feedback: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")
        if (self.status == "ok") != (self.error is None):
            raise ValueError("an evaluation has an error message exactly when its status is not ok")

    @property
    def buggy(self) -> bool:
        """True when the program did not run to the end (a fix action is needed)."""
        return self.error is not None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (stored next to each candidate in a run directory)."""
        return {
            "accuracy": self.accuracy,
            "perfect": self.perfect,
            "status": self.status,
            "error": self.error,
            "feedback": self.feedback,
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evaluation:
        """Inverse of :meth:`as_dict`."""
        return cls(
            accuracy=float(data["accuracy"]),
            perfect=bool(data["perfect"]),
            status=str(data["status"]),
            error=data.get("error"),
            feedback=str(data.get("feedback", "")),
            details=dict(data.get("details") or {}),
        )


def failed(status: str, message: str) -> Evaluation:
    """The evaluation of a program that did not run: accuracy 0, needs a fix."""
    return Evaluation(accuracy=0.0, perfect=False, status=status, error=message)


NO_CODE_MESSAGE = (
    "The answer contained no Python program (no code block defining the `Environment` class was found)."
)


@runtime_checkable
class Evaluator(Protocol):
    """Scores candidate programs on one env's dataset; never raises for the program's sake."""

    def evaluate(self, source: str) -> Evaluation:
        """Run ``source`` on the dataset and score it."""
        ...


def evaluation_from_predictions(
    dataset: Dataset, predictions: Predictions, metric: str = "default", feedback_transitions: int = 1
) -> Evaluation:
    """Score predictions and describe the failing transitions (shared by every evaluator).

    A program whose every row is invalid (wrong arity, shape or type on each transition)
    counts as a crash, with the first problem as its error: it needs a fix, not an
    improve. Some invalid rows are ordinary mistakes, shown in the improve feedback.
    """
    if len(predictions) and not predictions.valid.any():
        problem = predictions.problems[0] or "no usable output"
        return failed(
            "error",
            f"step returned no usable prediction on any transition; on the first one: {problem}",
        )
    result = score(dataset, predictions, metric)
    feedback = render_feedback(dataset, predictions, result, max_transitions=feedback_transitions)
    details = result.as_dict()
    if not result.perfect:  # for fidelity: original, whose improve prompt showed this instead
        details["feedback_original"] = render_feedback_original(dataset, predictions, result)
    return Evaluation(
        accuracy=float(result.accuracy), perfect=result.perfect, feedback=feedback, details=details
    )


class InProcessEvaluator:
    """Runs TRUSTED programs in this process. For tests only: generated code goes to the sandbox.

    The program is compiled and executed in a fresh module namespace, then
    :func:`cwmb.benchmark.reference.predict_in_process` steps its ``Environment`` over the
    dataset. Exceptions become ``error`` evaluations with a message naming the program
    line that raised, in the sandbox's format.
    """

    def __init__(self, dataset: Dataset, metric: str = "default", feedback_transitions: int = 1) -> None:
        self.dataset = dataset
        self.metric = metric
        self.feedback_transitions = feedback_transitions
        self.calls = 0

    def evaluate(self, source: str) -> Evaluation:
        """Execute ``source`` here and score it (see the class docstring: trusted code only)."""
        from cwmb.benchmark.reference import predict_in_process

        self.calls += 1
        if not source.strip():
            return failed("no_code", NO_CODE_MESSAGE)
        module = types.ModuleType("cwmb_trusted_candidate")
        try:
            exec(compile(source, _CANDIDATE, "exec"), module.__dict__)
            env_class = module.__dict__.get("Environment")
            if env_class is None:
                return failed("error", "The program does not define a class named `Environment`.")
            predictions = predict_in_process(env_class, self.dataset)
        except Exception as problem:  # the program's own error, reported to a fix action
            return failed("error", describe_exception(problem, source))
        return evaluation_from_predictions(self.dataset, predictions, self.metric, self.feedback_transitions)


def describe_exception(problem: BaseException, source: str) -> str:
    """A cleaned one-paragraph error: the program line that raised, the exception, the line's code."""
    kind = type(problem).__name__
    if isinstance(problem, SyntaxError) and problem.filename == _CANDIDATE and problem.lineno:
        line_no, where = problem.lineno, ""
        message = f"{kind} on line {line_no}: {problem.msg}"
    else:
        frames = [f for f in traceback.extract_tb(problem.__traceback__) if f.filename == _CANDIDATE]
        if not frames:
            return f"{kind}: {problem}"
        line_no, where = frames[-1].lineno or 0, f" (in `{frames[-1].name}`)"
        message = f"Error on line {line_no}{where}: {kind}: {problem}"
    lines = source.splitlines()
    if 1 <= line_no <= len(lines):
        message += f"\nThe line of code that caused the error is: `{lines[line_no - 1].strip()}`"
    return message


__all__ = [
    "NO_CODE_MESSAGE",
    "Evaluation",
    "Evaluator",
    "InProcessEvaluator",
    "describe_exception",
    "evaluation_from_predictions",
    "failed",
]
