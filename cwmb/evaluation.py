"""``cwmb evaluate``: accuracy (both metrics) and planning returns of one world model.

For one program and one env it scores the dataset in the sandbox (the search split, and
the held-out split no search sees: ``heldout_accuracy``), plays the profile's episodes on
the true environment while planning inside the sandbox, and computes the normalized
return against the committed random and oracle returns of the same profile. The record
is rewritten atomically after every episode, so an interrupted evaluation resumes where
it stopped; episodes recorded with other settings are not reused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cwmb.atomic import write_json_atomic
from cwmb.benchmark.registry import EnvSpec
from cwmb.errors import CwmbError
from cwmb.heldout import heldout_accuracy_of, heldout_block
from cwmb.planning.normalized import ReturnSummary, normalized_return
from cwmb.planning.profiles import PlannerProfile
from cwmb.planning.sandboxed import run_sandboxed_episode
from cwmb.program_eval import score_program
from cwmb.scoring import score
from cwmb.trajectories.storage import load_dataset

EVALUATION_SCHEMA_VERSION = 1
# (env name, profile) -> an object with ``random`` and ``oracle`` ReturnSummary fields, as
# :func:`cwmb.planning.references.reference_summaries` gives; raises CwmbError when missing.
ReferenceFn = Callable[[str, PlannerProfile], Any]


@dataclass(frozen=True)
class EvaluationRequest:
    """What to evaluate: a program for an env, with a planner profile."""

    spec: EnvSpec
    source: str
    label: str
    profile: PlannerProfile
    trajectories: Path | None = None  # None: ./trajectories, else the packaged dataset
    timeout: float = 60.0

    @property
    def program_hash(self) -> str:
        """Short sha256 of the program text."""
        return hashlib.sha256(self.source.encode()).hexdigest()[:16]


def _accuracy(request: EvaluationRequest, pool: Any) -> dict[str, Any]:
    """Both metrics on the search split, and (``heldout``) on the held-out split."""
    data = load_dataset(request.trajectories, request.spec.name)
    scored = score_program(request.source, data, pool, "default", request.timeout)
    if scored.result is None:
        block = {"status": scored.status, "message": scored.message, "default": None, "original": None}
        return block | {"heldout": _heldout(request, pool)}
    if data.obs_kind == "rtfm":
        from cwmb.rtfm.scoring import score_rtfm

        original = score_rtfm(data, scored.predictions, metric="original")
    else:
        original = score(data, scored.predictions, metric="original")
    return {
        "status": "ok",
        "message": "",
        "default": scored.result.as_dict(max_failing=5),
        "original": original.as_dict(max_failing=5),
        "heldout": _heldout(request, pool),
    }


def _heldout(request: EvaluationRequest, pool: Any) -> dict[str, Any]:
    return heldout_block(
        request.source,
        request.trajectories,
        request.spec.name,
        pool,
        request.timeout,
        ("default", "original"),
    )


def _reused_accuracy(previous: dict[str, Any], request: EvaluationRequest, pool: Any) -> dict[str, Any]:
    """The accuracy of an earlier record, completed with the held-out block older records lack."""
    accuracy = dict(previous["accuracy"])
    if "heldout" not in accuracy:
        accuracy["heldout"] = _heldout(request, pool)
    return accuracy


def _reusable(previous: dict[str, Any] | None, request: EvaluationRequest) -> dict[int, dict[str, Any]]:
    """Episodes of an earlier run of the same program with the same settings."""
    if not previous or previous.get("program_hash") != request.program_hash:
        return {}
    if previous.get("profile") != request.profile.to_dict():
        return {}
    return {e["episode"]: e for e in previous.get("episodes", [])}


def _returns_block(
    episodes: list[dict[str, Any]], request: EvaluationRequest, references: ReferenceFn | None
) -> dict[str, Any]:
    returns = [e["episode_return"] for e in episodes]
    summary = ReturnSummary.of(returns) if returns else None
    block: dict[str, Any] = {
        "mean": summary.mean if summary else None,
        "standard_error": summary.standard_error if summary else None,
        "n": len(returns),
    }
    if not returns:
        return block | {"normalized": None, "normalized_note": "no episodes"}
    try:
        refs = references(request.spec.name, request.profile) if references else None
    except CwmbError as missing:
        return block | {"normalized": None, "normalized_note": f"{missing.message} ({missing.hint})"}
    if refs is None:
        return block | {"normalized": None, "normalized_note": "no reference returns given"}
    value = normalized_return(
        summary.mean,
        refs.random.mean,
        refs.oracle.mean,
        refs.random.standard_error,
        refs.oracle.standard_error,
    )
    note = None
    if value is None:
        note = "oracle and random returns are equal within noise"
        note += f" (oracle {refs.oracle.mean:g}, random {refs.random.mean:g})"
    block |= {
        "normalized": value,
        "normalized_note": note,
        "random_mean": refs.random.mean,
        "oracle_mean": refs.oracle.mean,
        # How many episodes the normalizers rest on: the report flags R on fewer than 10.
        "random_episodes": refs.random.episodes,
        "oracle_episodes": refs.oracle.episodes,
    }
    if getattr(refs, "label", None):
        block["normalizers"] = refs.label
    return block


def _returns(
    record: dict[str, Any], request: EvaluationRequest, references: ReferenceFn | None
) -> dict[str, Any]:
    """The return block; R is N/A when the program does not run (no world model planned).

    The episodes are still played and recorded (their raw return is what a planner made of
    a crashing model), but as the paper's Table 12 has no return for such an env, R is N/A.
    """
    block = _returns_block(record["episodes"], request, references)
    status = record["accuracy"]["status"]
    if status != "ok":
        block |= {"normalized": None, "normalized_note": f"the program does not run ({status}): R is N/A"}
    return block


def _local_episodes(request: EvaluationRequest, pool: Any, todo: list[int]) -> Iterator[dict[str, Any]]:
    """Play episodes ``todo`` in ``pool``, as many at once as it has workers, in order."""
    with ThreadPoolExecutor(max_workers=max(1, getattr(pool, "size", 1))) as threads:
        futures = [
            threads.submit(
                run_sandboxed_episode,
                request.spec,
                request.source,
                request.profile,
                i,
                pool,
                None,
                request.timeout,
            )
            for i in todo
        ]
        for future in futures:
            yield future.result().to_dict()


def evaluate_program(
    request: EvaluationRequest,
    pool: Any,
    episodes: int,
    out: Path | None = None,
    references: ReferenceFn | None = None,
    on_episode: Callable[[dict[str, Any]], None] | None = None,
    run_episodes: Callable[[list[int]], Iterable[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """Evaluate one program; write (and resume from) ``out`` when given; return the record.

    ``run_episodes`` plays the given episodes elsewhere (e.g. as Ray tasks, each in its own
    sandbox) and yields their records; by default they run in ``pool``, one per worker.
    """
    previous = json.loads(out.read_text()) if out is not None and out.exists() else None
    done = _reusable(previous, request)
    record: dict[str, Any] = {
        "schema_version": EVALUATION_SCHEMA_VERSION,
        "env": request.spec.name,
        "program": request.label,
        "program_hash": request.program_hash,
        "profile": request.profile.to_dict(),
        "accuracy": _reused_accuracy(previous, request, pool) if done else _accuracy(request, pool),
        "episodes": [done[i] for i in sorted(done) if i < episodes],
    }
    record["heldout_accuracy"] = heldout_accuracy_of(record["accuracy"].get("heldout"))

    def finish(result: dict[str, Any]) -> None:
        record["episodes"] = sorted([*record["episodes"], result], key=lambda e: e["episode"])
        record["returns"] = _returns(record, request, references)
        if out is not None:
            write_json_atomic(out, record)
        if on_episode:
            on_episode(result)

    todo = [i for i in range(episodes) if i not in done]
    runner = run_episodes or (lambda wanted: _local_episodes(request, pool, wanted))
    for result in runner(todo):
        finish(result)
    record["returns"] = _returns(record, request, references)
    if out is not None:
        write_json_atomic(out, record)
    return record
