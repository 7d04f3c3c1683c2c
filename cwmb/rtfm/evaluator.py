"""Scoring RTFM programs in the sandbox: for ``cwmb score``/``evaluate`` and for search methods.

:class:`RtfmSandboxEvaluator` is the RTFM domain's :class:`~cwmb.methods.evaluation.Evaluator`:
methods see the same seam as on CWMB, and the candidate runs only in the worker pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cwmb.methods.evaluation import NO_CODE_MESSAGE, Evaluation, failed
from cwmb.rtfm.feedback import render_rtfm_feedback
from cwmb.rtfm.jobs import RtfmPredictJob
from cwmb.rtfm.predictions import RtfmPredictions
from cwmb.rtfm.scoring import RtfmScoreResult, score_rtfm
from cwmb.trajectories.dataset import Dataset

_STATUS_TEXT = {
    "timeout": "The program did not finish in time ({seconds:g} s for the whole dataset): {message}",
    "memory": "The program ran out of memory: {message}",
    "crashed": "The program's process died while running it: {message}",
}


@dataclass(frozen=True)
class RtfmProgramScore:
    """What scoring one program gave: the sandbox outcome and, when it ran, the score."""

    status: str
    message: str
    result: RtfmScoreResult | None
    predictions: RtfmPredictions | None = None


def predict_rtfm_program(source: str, data: Dataset, pool: Any, timeout: float) -> Any:
    """Run the RTFM predict job for ``source`` over ``data``; return the sandbox outcome."""
    return pool.run(RtfmPredictJob(source, data.states, data.actions), timeout=timeout)


def score_rtfm_program(
    source: str, data: Dataset, pool: Any, metric: str, timeout: float
) -> RtfmProgramScore:
    """Predict every transition in the sandbox and score the predictions with ``metric``."""
    outcome = predict_rtfm_program(source, data, pool, timeout)
    if not outcome.ok:
        return RtfmProgramScore(outcome.status, outcome.message, None)
    return RtfmProgramScore("ok", "", score_rtfm(data, outcome.value, metric), outcome.value)


def rtfm_evaluation(
    dataset: Dataset, predictions: RtfmPredictions, metric: str = "default", feedback_transitions: int = 1
) -> Evaluation:
    """Score predictions and describe the failing transitions; all rows invalid counts as a crash."""
    if len(predictions) and not predictions.valid.any():
        problem = predictions.problems[0] or "no usable output"
        return failed(
            "error", f"step returned no usable prediction on any transition; on the first one: {problem}"
        )
    result = score_rtfm(dataset, predictions, metric)
    feedback = render_rtfm_feedback(dataset, predictions, result, max_transitions=feedback_transitions)
    return Evaluation(
        accuracy=result.accuracy, perfect=result.perfect, feedback=feedback, details=result.as_dict()
    )


class RtfmSandboxEvaluator:
    """Scores RTFM candidates on ``dataset`` by running them in ``pool`` (owned by the caller)."""

    def __init__(
        self,
        pool: Any,
        dataset: Dataset,
        *,
        metric: str = "default",
        feedback_transitions: int = 1,
        timeout_s: float = 10.0,
    ) -> None:
        self.pool = pool
        self.dataset = dataset
        self.metric = metric
        self.feedback_transitions = feedback_transitions
        self.timeout_s = timeout_s

    def evaluate(self, source: str) -> Evaluation:
        """Run ``source`` over the dataset in a sandbox worker and score what it predicted."""
        if not source.strip():
            return failed("no_code", NO_CODE_MESSAGE)
        outcome = predict_rtfm_program(source, self.dataset, self.pool, self.timeout_s)
        if outcome.ok and outcome.value is not None:
            return rtfm_evaluation(self.dataset, outcome.value, self.metric, self.feedback_transitions)
        message = outcome.message.strip() or f"the job ended with status {outcome.status}"
        if outcome.status == "error":
            return failed("error", message)
        template = _STATUS_TEXT.get(outcome.status, "{message}")
        status = outcome.status if outcome.status in _STATUS_TEXT else "crashed"
        return failed(status, template.format(seconds=self.timeout_s, message=message))
