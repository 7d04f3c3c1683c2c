"""Held-out accuracy: a world model's accuracy on transitions the search never saw.

The paper scores a program on the very transitions its search optimised, so a program
that memorizes them in a lookup table scores 1.0. Each env therefore has a second dataset,
``trajectories/<ENV>/heldout/``, collected the same way from another seed. Nothing in a
search (prompts, value, early stop) loads it: only this module does, and only to score a
finished program (``cwmb score``, ``cwmb evaluate``, the end of ``cwmb synthesize``).

The program runs in the sandbox like every generated program; the harness compares its
predictions with the held-out data. A data root without a held-out split (a dataset of
your own, an env added later) gives ``heldout_accuracy`` None with a note saying which
command makes the split, never an error.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cwmb.errors import CwmbError
from cwmb.trajectories.dataset import Dataset
from cwmb.trajectories.locate import resolve_dataset_root
from cwmb.trajectories.storage import HELDOUT, MANIFEST_FILE, dataset_dir, load_dataset


def heldout_missing_note(root: Path | str, env: str) -> str:
    """Why there is no held-out accuracy, and the command that makes the split."""
    return (
        f"no held-out split in {Path(root) / env} (make it with `cwmb collect --split heldout --env {env}`)"
    )


def load_heldout(root: Path | str | None, env: str) -> Dataset | None:
    """The verified held-out dataset of ``env`` under ``root``, or None when it was never made.

    A split that exists but fails verification (edited, corrupted, not matching the pinned
    hash) raises the usual CwmbError: a damaged answer key is not silently skipped
    (:func:`heldout_block` records it as status ``invalid``).
    """
    root = resolve_dataset_root(env, root)  # None: where the env's search split is found
    if not (dataset_dir(root, env, HELDOUT) / MANIFEST_FILE).exists():
        return None
    return load_dataset(root, env, HELDOUT)


def heldout_block(
    source: str,
    root: Path | str | None,
    env: str,
    pool: Any,
    timeout: float,
    metrics: tuple[str, ...] = ("default",),
) -> dict[str, Any]:
    """Score ``source`` on the held-out split in the sandbox; a JSON-friendly record.

    Keys: ``status`` (``ok``, ``missing``, ``invalid`` or the sandbox status), ``message``, ``transitions``,
    ``accuracy`` (default metric, None unless ok) and one ``ScoreResult.as_dict`` per metric.
    """
    from cwmb.program_eval import score_program

    try:
        data = load_heldout(root, env)
    except CwmbError as damaged:  # recorded, not raised: a finished search keeps its summary
        return {"status": "invalid", "message": f"{damaged.message} ({damaged.hint})", "accuracy": None}
    if data is None:
        where = resolve_dataset_root(env, root)
        return {"status": "missing", "message": heldout_missing_note(where, env), "accuracy": None}
    scored = score_program(source, data, pool, "default", timeout)
    block: dict[str, Any] = {
        "status": scored.status,
        "message": scored.message,
        "transitions": len(data),
        "sha256": data.manifest.get("sha256"),
        "accuracy": None,
    }
    if scored.result is None:
        return block
    block["accuracy"] = scored.result.accuracy
    for metric in metrics:
        result = _other_metric(source, data, scored, metric, pool, timeout)
        block[metric] = None if result is None else result.as_dict(max_failing=5)
    return block


def _other_metric(source: str, data: Dataset, scored: Any, metric: str, pool: Any, timeout: float) -> Any:
    """``metric``'s score of predictions already made; a domain with its own scoring predicts again."""
    from cwmb.program_eval import score_program
    from cwmb.scoring import score

    if metric == "default":
        return scored.result
    if data.obs_kind in ("box", "discrete", "tuple"):  # the CWMB envs: rescore the same predictions
        return score(data, scored.predictions, metric=metric)
    return score_program(source, data, pool, metric, timeout).result  # None if it failed this time


def heldout_accuracy_of(block: dict[str, Any] | None, metric: str = "default") -> float | None:
    """The held-out accuracy under ``metric`` recorded in a block (None when absent, missing or failed)."""
    scored = (block or {}).get(metric)
    return None if not scored else float(scored["accuracy"])


HeldoutScorer = Callable[[str, "Path | str", str, str], dict[str, Any]]


def sandbox_heldout_scorer(pool: Any, timeout: float = 60.0) -> HeldoutScorer:
    """``scorer(source, data_root, env, metric)``: :func:`heldout_block` in ``pool``, for run summaries."""

    def scorer(source: str, root: Path | str, env: str, metric: str) -> dict[str, Any]:
        return heldout_block(source, root, env, pool, timeout, (metric,))

    return scorer


def generalization_gap(search: float | None, heldout: float | None) -> float | None:
    """Held-out minus search accuracy (negative: the model does worse on unseen transitions)."""
    if search is None or heldout is None:
        return None
    return heldout - search
