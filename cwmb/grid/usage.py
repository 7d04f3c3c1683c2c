"""What a grid's cells spent, read from their run directories' call logs (``llm_calls.jsonl``).

The call log gets one line per call the LLM client answered (a cache hit included, a
journal replay not), with ``spent_usd``, what that call paid now. So:

- the new calls of a cell that ran in a subprocess (an APPS chunk) are the lines its
  problems' logs gained while it ran (:func:`log_sizes` before, :func:`new_calls` after);
- the recorded spend of a grid is the sum of ``spent_usd`` over its cells' logs
  (:class:`SpendMeter`, which rereads only the logs that grew).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cwmb.llm.calllog import CALL_LOG_NAME


def read_log(path: Path) -> list[dict[str, Any]]:
    """The records of one call log (none for a missing file; a torn last line is passed over)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    records = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line being written while we read
        if isinstance(record, dict):
            records.append(record)
    return records


def spent(records: Iterable[dict[str, Any]]) -> float:
    """Dollars the records paid (``spent_usd``; an unknown amount counts as 0)."""
    return sum(float(r["spent_usd"]) for r in records if isinstance(r.get("spent_usd"), int | float))


def answered(records: Iterable[dict[str, Any]]) -> int:
    """Calls that got an answer (failed calls are logged too, with their error)."""
    return sum(1 for r in records if r.get("error") is None)


def log_sizes(run_dir: Path) -> dict[str, int]:
    """Problem folder name -> records in its call log, for every folder of ``run_dir``."""
    return {log.parent.name: len(read_log(log)) for log in sorted(Path(run_dir).glob(f"*/{CALL_LOG_NAME}"))}


def new_calls(run_dir: Path, folders: Iterable[str], before: dict[str, int]) -> tuple[int, float]:
    """(answered calls, dollars) that ``folders`` of ``run_dir`` logged after ``before`` was taken."""
    calls, dollars = 0, 0.0
    for name in folders:
        added = read_log(Path(run_dir) / name / CALL_LOG_NAME)[before.get(name, 0) :]
        calls, dollars = calls + answered(added), dollars + spent(added)
    return calls, dollars


class SpendMeter:
    """The recorded spend of a set of call logs, rereading a log only when its size changed."""

    def __init__(self) -> None:
        self._seen: dict[Path, tuple[int, float]] = {}

    def total(self, logs: Iterable[Path]) -> float:
        """Dollars spent so far over ``logs`` (each counted once, however often it is named)."""
        dollars = 0.0
        for log in set(logs):
            try:
                size = log.stat().st_size
            except OSError:
                continue
            known = self._seen.get(log)
            if known is None or known[0] != size:
                known = (size, spent(read_log(log)))
                self._seen[log] = known
            dollars += known[1]
        return dollars
