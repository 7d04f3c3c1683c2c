"""The call log: one JSON line per LLM call (cached or not), appended to a run's ``llm_calls.jsonl``.

Each line is small (no prompt or completion text, only a prompt hash), so logs of long
runs stay cheap to read. Fields: ``time`` (UTC, ISO 8601), ``model``, ``simulated``,
``action``, ``sample_index``, ``env``, ``prompt_hash``, ``tokens_in``, ``tokens_out``,
``cost_usd`` (what the completion cost when made, or ``"unknown"``), ``spent_usd`` (what
this call spent now: 0 on a cache hit), ``latency_s`` (the provider's time to answer,
retries included; on a cache hit the lookup's), ``cache_hit``, ``error`` (null or the
error message), ``seed`` (the seed sent to the provider; null on a cache hit or where
the provider takes none) and ``startup_s`` (client start-up paid by this call, such as
importing litellm: non-zero on a client's first provider call only). Lines are written
with one ``write`` on a file opened in append mode, so threads and processes logging to
one file do not interleave within a line.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

UNKNOWN = "unknown"
CALL_LOG_NAME = "llm_calls.jsonl"


@dataclass(frozen=True)
class CallRecord:
    """One line of the call log."""

    time: str
    model: str
    simulated: bool
    action: str
    sample_index: int
    env: str | None
    prompt_hash: str
    tokens_in: int
    tokens_out: int
    cost_usd: float | str
    spent_usd: float | str
    latency_s: float
    cache_hit: bool
    error: str | None = None
    seed: int | None = None
    startup_s: float = 0.0

    def to_json(self) -> str:
        """The record as one compact JSON line (no trailing newline)."""
        return json.dumps(asdict(self), separators=(",", ":"), ensure_ascii=False)


def utc_now() -> str:
    """Current UTC time as ISO 8601 with milliseconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def money(value: float | None) -> float | str:
    """A dollar amount for the log: rounded number, or ``"unknown"`` for None."""
    return UNKNOWN if value is None else round(value, 8)


class CallLog:
    """Appends :class:`CallRecord` lines to one JSONL file (created with its folder on first write)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, record: CallRecord) -> None:
        """Write one record as one line."""
        line = record.to_json() + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line)


def read_call_log(path: str | Path) -> list[dict[str, Any]]:
    """All records of a call log as dicts (a missing file gives an empty list)."""
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def summarize_calls(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Totals over call-log records: calls, cache hits, errors, tokens, dollars (known and unknown)."""
    summary: dict[str, Any] = {
        "calls": 0,
        "cache_hits": 0,
        "errors": 0,
        "tokens_in": 0,
        "tokens_out": 0,
        "cost_usd": 0.0,
        "spent_usd": 0.0,
        "calls_with_unknown_cost": 0,
    }
    for record in records:
        summary["calls"] += 1
        summary["cache_hits"] += bool(record.get("cache_hit"))
        summary["errors"] += record.get("error") is not None
        summary["tokens_in"] += int(record.get("tokens_in") or 0)
        summary["tokens_out"] += int(record.get("tokens_out") or 0)
        for key in ("cost_usd", "spent_usd"):
            value = record.get(key)
            if isinstance(value, int | float):
                summary[key] += value
        if record.get("cost_usd") == UNKNOWN and record.get("error") is None:
            summary["calls_with_unknown_cost"] += 1
    return summary
