"""Check and score one world-model program against an env's dataset, in the sandbox.

The glue behind ``cwmb check`` and ``cwmb score``: it reads the program, picks the
inputs the sandbox needs (states and actions only, never the expected outputs) and
compares what comes back with the dataset in the harness process.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cwmb.benchmark.registry import EnvSpec
from cwmb.errors import CwmbError
from cwmb.scoring import ScoreResult, score
from cwmb.trajectories.dataset import Dataset

CHECK_SAMPLES = 8


def read_program(path: Path) -> str:
    """The text of a program file, or a CwmbError saying why it cannot be read."""
    if not path.exists():
        raise CwmbError(
            f"no such file: {path}", "pass the path of a Python file defining `class Environment`"
        )
    if path.is_dir():
        raise CwmbError(f"{path} is a directory, not a program file", "pass a .py file")
    try:
        return path.read_text()
    except UnicodeDecodeError:
        raise CwmbError(f"{path} is not UTF-8 text", "pass a Python source file") from None


def observation_bounds(spec: EnvSpec) -> dict[str, Any]:
    """The env's observation-space limits as the conformance check takes them."""
    from cwmb.benchmark.making import make_env

    space = make_env(spec).observation_space
    if hasattr(space, "spaces"):
        return {"n": [int(s.n) for s in space.spaces]}
    if hasattr(space, "n"):
        return {"n": int(space.n)}
    return {"low": np.asarray(space.low), "high": np.asarray(space.high)}


def sample_rows(data: Dataset, count: int = CHECK_SAMPLES) -> np.ndarray:
    """Evenly spread transition indices, first and last included."""
    return np.unique(np.linspace(0, len(data) - 1, num=min(count, len(data))).astype(int))


@dataclass(frozen=True)
class ProgramScore:
    """What scoring one program gave: the sandbox outcome and, when it ran, the score."""

    status: str
    message: str
    result: ScoreResult | None
    predictions: Any = None


def check_program(source: str, spec: EnvSpec, data: Dataset, pool: Any, timeout: float) -> Any:
    """Run the conformance check; return the sandbox outcome (value: tuple of findings)."""
    from cwmb.sandbox import CheckJob

    rows = sample_rows(data)
    if data.obs_kind == "rtfm":
        from cwmb.rtfm.check import check_rtfm_program

        return check_rtfm_program(source, data, pool, timeout, rows)
    job = CheckJob(
        source,
        data.obs_kind,
        data.action_kind,
        data.states[rows],
        data.actions[rows],
        **observation_bounds(spec),
    )
    return pool.run(job, timeout=timeout)


def score_program(source: str, data: Dataset, pool: Any, metric: str, timeout: float) -> ProgramScore:
    """Predict every transition in the sandbox (in answer-free batches) and score them with ``metric``."""
    from cwmb.sandbox import PredictJob
    from cwmb.sandbox.answer_free import answer_free_batches, run_answer_free

    if data.obs_kind == "rtfm":
        from cwmb.rtfm.evaluator import score_rtfm_program

        return score_rtfm_program(source, data, pool, metric, timeout)  # type: ignore[return-value]

    job = PredictJob(source, data.obs_kind, data.action_kind, data.states, data.actions)
    outcome = run_answer_free(pool, job, answer_free_batches(data.trajectory, data.step), timeout)
    if not outcome.ok:
        return ProgramScore(outcome.status, outcome.message, None)
    return ProgramScore("ok", "", score(data, outcome.value, metric=metric), outcome.value)


def summarize_findings(findings: tuple[str, ...] | list[str]) -> list[str]:
    """Merge findings that repeat across samples ("sample 3: X") into one line each."""
    counts: dict[str, list[str]] = {}
    for finding in findings:
        head, sep, rest = finding.partition(": ")
        key, label = (
            (rest, head.removeprefix("sample ")) if sep and head.startswith("sample ") else (finding, "")
        )
        counts.setdefault(key, []).append(label)
    lines = []
    for message, samples in counts.items():
        labelled = [s for s in samples if s]
        lines.append(
            f"{message} (samples {', '.join(labelled)})"
            if len(labelled) > 1
            else (f"sample {labelled[0]}: {message}" if labelled else message)
        )
    return lines
