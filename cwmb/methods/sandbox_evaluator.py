"""The evaluator search methods use for generated code: a predict job in the sandbox's worker pool.

The candidate program runs only in a :class:`cwmb.sandbox.WorkerPool` worker; what comes
back is plain data (:class:`~cwmb.predictions.Predictions`) that this process scores.
Every way a job can fail (the program raised, timed out, ran out of memory, or its
worker died) becomes an :class:`~cwmb.methods.evaluation.Evaluation` with an error
message for a fix prompt; the sandbox's ``error`` messages already name the program
line that raised and quote it.
"""

from __future__ import annotations

from typing import Any

from cwmb.methods.evaluation import NO_CODE_MESSAGE, Evaluation, evaluation_from_predictions, failed
from cwmb.sandbox import PredictJob, WorkerPool
from cwmb.sandbox.answer_free import answer_free_batches, run_answer_free
from cwmb.trajectories.dataset import Dataset

_STATUS_TEXT = {
    "timeout": "The program did not finish in time ({seconds:g} s for a batch of transitions): {message}",
    "memory": "The program ran out of memory: {message}",
    "crashed": "The program's process died while running it: {message}",
}


class SandboxEvaluator:
    """Scores candidate programs on ``dataset`` by running them in ``pool`` (see the module docstring).

    The pool is injected (and owned by the caller), so several envs or evaluators can
    share one set of workers. The dataset is predicted in answer-free batches
    (:mod:`cwmb.sandbox.answer_free`), each a job of its own; ``timeout_s`` is the
    wall-clock limit of each batch.
    """

    def __init__(
        self,
        pool: WorkerPool,
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
        self.batches = answer_free_batches(dataset.trajectory, dataset.step)

    def job(self, source: str) -> Any:
        """The sandbox job that predicts every transition (domains with other contracts override it)."""
        data = self.dataset
        return PredictJob(source, data.obs_kind, data.action_kind, data.states, data.actions)  # type: ignore[arg-type]

    def evaluation(self, predictions: Any) -> Evaluation:
        """Score what the job predicted and describe the failures (overridden with :meth:`job`)."""
        return evaluation_from_predictions(self.dataset, predictions, self.metric, self.feedback_transitions)

    def evaluate(self, source: str) -> Evaluation:
        """Run ``source`` over the dataset in a sandbox worker and score what it predicted."""
        if not source.strip():
            return failed("no_code", NO_CODE_MESSAGE)
        outcome = run_answer_free(self.pool, self.job(source), self.batches, self.timeout_s)
        if outcome.ok and outcome.value is not None:
            return self.evaluation(outcome.value)
        message = outcome.message.strip() or f"the job ended with status {outcome.status}"
        if outcome.status == "error":
            return failed("error", message)
        template = _STATUS_TEXT.get(outcome.status, "{message}")
        status = outcome.status if outcome.status in _STATUS_TEXT else "crashed"
        return failed(status, template.format(seconds=self.timeout_s, message=message))
