"""``cwmb check`` and ``cwmb score`` on RTFM: the conformance check and the score's text."""

from __future__ import annotations

import dataclasses
from typing import Any

from cwmb.rtfm.evaluator import RtfmProgramScore, predict_rtfm_program
from cwmb.rtfm.feedback import render_rtfm_feedback
from cwmb.trajectories.dataset import Dataset


def check_rtfm_program(source: str, data: Dataset, pool: Any, timeout: float, rows: Any) -> Any:
    """Step the program on the sample ``rows`` in the sandbox; the outcome's value is its findings.

    Findings are the contract violations of each sample (``sample i: ...``), plus imports
    of the real environment's packages; empty when the program conforms.
    """
    from cwmb.sandbox.tasks import _import_findings

    sample = dataclasses.replace(
        data,
        states=data.states[rows],
        actions=data.actions[rows],
        trajectory=data.trajectory[rows],
        step=data.step[rows],
    )
    outcome = predict_rtfm_program(source, sample, pool, timeout)
    if not outcome.ok:
        return outcome
    predictions = outcome.value
    findings = list(_import_findings(source))
    findings += [f"sample {i}: {p}" for i, p in enumerate(predictions.problems) if p]
    if predictions.mutated.any():
        findings.append("step changes the board passed to set_state in place; copy it before editing")
    return dataclasses.replace(outcome, value=tuple(findings))


def score_lines(
    label: str, env: str, data: Dataset, scored: RtfmProgramScore, metric: str, show: int
) -> list[str]:
    """What ``cwmb score`` prints for an RTFM program that ran."""
    r = scored.result
    assert r is not None and scored.predictions is not None
    lines = [
        f"{label} on {env} ({len(data)} transitions, metric {metric}, "
        f"valid actions: {r.valid_actions_rule}):",
        f"  accuracy {r.accuracy:.4f}   state {r.state:.4f}   reward {r.reward:.4f}   done {r.done:.4f}"
        f"   valid actions {r.valid_actions:.4f}" + ("   (perfect)" if r.perfect else ""),
    ]
    feedback = render_rtfm_feedback(data, scored.predictions, r, max_transitions=show) if show else ""
    return [*lines, feedback] if feedback else lines
