"""Scoring RTFM programs in the sandbox: for ``cwmb score``/``evaluate`` and for search methods.

:class:`RtfmSandboxEvaluator` is the RTFM domain's :class:`~cwmb.methods.evaluation.Evaluator`:
methods see the same seam as on CWMB, and the candidate runs only in the worker pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cwmb.methods.evaluation import Evaluation, failed
from cwmb.methods.sandbox_evaluator import SandboxEvaluator
from cwmb.rtfm.feedback import render_rtfm_feedback
from cwmb.rtfm.jobs import RtfmPredictJob
from cwmb.rtfm.predictions import RtfmPredictions
from cwmb.rtfm.scoring import RtfmScoreResult, score_rtfm
from cwmb.sandbox.answer_free import answer_free_batches, run_answer_free
from cwmb.trajectories.dataset import Dataset


@dataclass(frozen=True)
class RtfmProgramScore:
    """What scoring one program gave: the sandbox outcome and, when it ran, the score."""

    status: str
    message: str
    result: RtfmScoreResult | None
    predictions: RtfmPredictions | None = None


def predict_rtfm_program(source: str, data: Dataset, pool: Any, timeout: float) -> Any:
    """Run the RTFM predict job for ``source`` over ``data`` (in answer-free batches); one outcome."""
    job = RtfmPredictJob(source, data.states, data.actions)
    return run_answer_free(pool, job, answer_free_batches(data.trajectory, data.step), timeout)


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


class RtfmSandboxEvaluator(SandboxEvaluator):
    """Scores RTFM candidates on ``dataset`` in ``pool``: the RTFM job, the RTFM metric and feedback."""

    def job(self, source: str) -> RtfmPredictJob:
        """The RTFM predict job over the whole dataset."""
        return RtfmPredictJob(source, self.dataset.states, self.dataset.actions)

    def evaluation(self, predictions: RtfmPredictions) -> Evaluation:
        """Score with the RTFM metric and describe the failing transitions."""
        return rtfm_evaluation(self.dataset, predictions, self.metric, self.feedback_transitions)
