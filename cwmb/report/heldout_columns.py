"""Held-out accuracy of one (run, env) row of the report.

A row's ``heldout_accuracy`` is the accuracy of its program on the env's held-out split
(transitions no search saw, ``trajectories/<ENV>/heldout/``), from ``evaluation.json``
when the program was evaluated, else from the run's ``summary.json`` (computed once for
``best.py`` at the end of the search, same metric only). ``heldout_state`` says why a
value is absent, with the same words as ``acc_state``.
"""

from __future__ import annotations

from typing import Any

HELDOUT_QUANTITY = ("heldout_accuracy", "heldout_state", "held-out acc.")
HELDOUT_NOTE = (
    "held-out acc. = accuracy on the env's held-out split (10 more trajectories from another seed, "
    "never shown to the search); generalization = held-out minus search accuracy. "
    "Not reported by the paper."
)
_CARRIED_STATES = ("failed", "N/A", "partial", "not evaluated")


def heldout_columns(
    row: dict[str, Any], summary: dict[str, Any] | None, evaluation: dict[str, Any] | None, metric: str
) -> dict[str, Any]:
    """``heldout_accuracy``, ``heldout_state`` and ``generalization`` of one (run, env) row."""
    value, state = None, "missing"
    if row.get("evaluated") and evaluation is not None:
        block = (evaluation.get("accuracy") or {}).get("heldout")
        value, state = _from_block(block, metric)
    elif summary is not None and summary.get("heldout") is not None and row.get("search_metric") == metric:
        value, state = _from_block(summary["heldout"], metric)
    if value is None and row.get("acc_state") in _CARRIED_STATES and state in ("missing", "failed"):
        state = row["acc_state"]  # no program that runs, or nothing scored yet: say the same as accuracy
    if value is not None and row.get("acc_state") == "partial":
        state = "partial"
    search = row.get("accuracy")
    gap = value - search if value is not None and search is not None else None
    return {"heldout_accuracy": value, "heldout_state": state, "generalization": gap}


def _from_block(block: dict[str, Any] | None, metric: str) -> tuple[float | None, str]:
    """(value, state) of a held-out block as ``cwmb.heldout.heldout_block`` writes it."""
    if not block:
        return None, "missing"
    scored = block.get(metric)
    if scored:
        return float(scored["accuracy"]), "ok"
    if block.get("status") == "ok":
        return None, "not evaluated"  # scored under another metric only
    return None, "missing" if block.get("status") in ("missing", "not computed") else "failed"
