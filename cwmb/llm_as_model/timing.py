"""A code world model's time per step on given transitions, measured inside the sandbox."""

from __future__ import annotations

from pathlib import Path

from cwmb.benchmark.registry import EnvSpec
from cwmb.trajectories.dataset import Dataset


def time_cwm(spec: EnvSpec, data: Dataset, program: Path | None, repeats: int = 20) -> tuple[float, str]:
    """Seconds per ``set_state`` + ``step`` of ``program`` (default: the reference model) on ``data``.

    A program runs in the sandbox like every program, with a trusted timing loop next to it.
    The reference model is cwmb's own trusted code and is timed in this process (the MuJoCo
    ones use gymnasium's helpers, which the sandbox does not let a program read).
    """
    from cwmb.errors import CwmbError
    from cwmb.program_eval import read_program
    from cwmb.sandbox import CallJob, WorkerPool
    from cwmb.sandbox.episodes import time_steps

    kwargs = {
        "states": data.states,
        "actions": data.actions,
        "obs_kind": data.obs_kind,
        "action_kind": data.action_kind,
        "repeats": repeats,
    }
    if program is None:
        return time_steps(_reference_class(spec), **kwargs)[
            "seconds_per_step"
        ], f"reference model of {spec.name}"
    source, label = read_program(program), str(program)
    with WorkerPool(size=1) as pool:
        outcome = pool.run(CallJob("cwmb.sandbox.episodes:time_steps", kwargs, source=source), timeout=60.0)
    if not outcome.ok:
        raise CwmbError(
            f"the CWM {label} failed while being timed: {outcome.message}", "check it with `cwmb score`"
        )
    return float(outcome.value["seconds_per_step"]), label


def _reference_class(spec: EnvSpec) -> type:
    from cwmb.benchmark.reference import REFERENCE_ENVS, reference_class
    from cwmb.benchmark.reference_mujoco import mujoco_reference_class

    return reference_class(spec.name) if spec.name in REFERENCE_ENVS else mujoco_reference_class(spec.name)
