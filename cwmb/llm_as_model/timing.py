"""A code world model's time per step and accuracy on given transitions, measured inside the sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cwmb.benchmark.registry import EnvSpec
from cwmb.trajectories.dataset import Dataset

TIMEOUT_S = 60.0


@dataclass(frozen=True)
class CwmMeasure:
    """What a CWM did on the queried transitions: its speed and its score (both metrics)."""

    label: str
    seconds_per_step: float
    accuracy: float
    accuracy_original: float
    correct: int  # transitions with next state, reward and done all right (default metric)


def time_cwm(spec: EnvSpec, data: Dataset, program: Path | None, repeats: int = 20) -> CwmMeasure:
    """Time and score ``program`` (default: the env's reference model) on ``data``.

    The time is seconds per ``set_state`` + ``step``. A program runs in the sandbox like
    every program, with a trusted timing loop next to it. The reference model is cwmb's own
    trusted code and runs in this process (the MuJoCo ones use gymnasium's helpers, which
    the sandbox does not let a program read).
    """
    from cwmb.sandbox.episodes import time_steps

    kwargs = {
        "states": data.states,
        "actions": data.actions,
        "obs_kind": data.obs_kind,
        "action_kind": data.action_kind,
        "repeats": repeats,
    }
    if program is None:
        from cwmb.benchmark.reference import predict_in_process

        model = _reference_class(spec)
        seconds = time_steps(model, **kwargs)["seconds_per_step"]
        return _measure(f"reference model of {spec.name}", seconds, data, predict_in_process(model, data))
    return _measure_program(program, data, kwargs)


def _measure_program(program: Path, data: Dataset, kwargs: dict) -> CwmMeasure:
    """Time ``program`` and predict every transition with it, both in one sandbox pool."""
    from cwmb.errors import CwmbError
    from cwmb.program_eval import read_program
    from cwmb.sandbox import CallJob, PredictJob, WorkerPool

    source, label = read_program(program), str(program)
    with WorkerPool(size=1) as pool:
        timing = CallJob("cwmb.sandbox.episodes:time_steps", kwargs, source=source)
        timed = pool.run(timing, timeout=TIMEOUT_S)
        predicted = pool.run(
            PredictJob(source, data.obs_kind, data.action_kind, data.states, data.actions), timeout=TIMEOUT_S
        )
    failed = next((outcome for outcome in (timed, predicted) if not outcome.ok), None)
    if failed is not None:
        raise CwmbError(
            f"the CWM {label} failed on the queried transitions: {failed.message}",
            "check it with `cwmb score`",
        )
    return _measure(label, float(timed.value["seconds_per_step"]), data, predicted.value)


def _measure(label: str, seconds: float, data: Dataset, predictions) -> CwmMeasure:
    from cwmb.scoring import score

    result = score(data, predictions)
    original = score(data, predictions, "original").accuracy
    return CwmMeasure(label, seconds, result.accuracy, original, result.n_correct)


def _reference_class(spec: EnvSpec) -> type:
    from cwmb.benchmark.reference import REFERENCE_ENVS, reference_class
    from cwmb.benchmark.reference_mujoco import mujoco_reference_class

    return reference_class(spec.name) if spec.name in REFERENCE_ENVS else mujoco_reference_class(spec.name)
