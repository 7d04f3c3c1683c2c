"""Per-row problem texts on the wire: only the rows that have one.

A predict reply says, for each transition, why its answer was rejected ('' when it was
not). Sent as a list of ``n`` strings, the harness decodes and checks every one of them,
about 1 µs a row: a millisecond per 1000-row batch, most of the harness's own work in
scoring, and it runs on the same 2 cores as the jobs. Nearly every row's text is empty,
so the job sends the rows that have a problem as an int64 array and their texts as a
list, and the harness rebuilds the full tuple. The job side is trusted code running in
the worker; the harness side treats the reply as hostile, as every parser here does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

#: Longest problem text kept from a reply (a program's exception text can be long).
MAX_PROBLEM_CHARS = 300


def problems_to_wire(problems: Sequence[str]) -> dict[str, Any]:
    """``{"problem_rows": int64 array, "problem_texts": [str]}`` for the rows with a problem."""
    rows = [i for i, text in enumerate(problems) if text]
    return {"problem_rows": np.array(rows, dtype=np.int64), "problem_texts": [str(problems[i]) for i in rows]}


def problems_from_wire(value: Mapping[str, Any], n: int) -> tuple[str, ...]:
    """The ``n`` per-row problem texts from a reply; ValueError if the fields are malformed."""
    rows, texts = value.get("problem_rows"), value.get("problem_texts")
    if not isinstance(rows, np.ndarray) or rows.dtype != np.int64 or rows.ndim != 1:
        raise ValueError("reply field 'problem_rows' is not a 1-d int64 array")
    if not isinstance(texts, list) or len(texts) != rows.shape[0]:
        raise ValueError("reply field 'problem_texts' is not a list of strings, one per problem row")
    if not all(isinstance(text, str) for text in texts):
        raise ValueError("reply field 'problem_texts' is not a list of strings, one per problem row")
    if rows.size and (rows.min() < 0 or rows.max() >= n or np.unique(rows).size != rows.size):
        raise ValueError(f"reply field 'problem_rows' holds rows outside 0..{n - 1} or repeats one")
    problems = [""] * n
    for row, text in zip(rows.tolist(), texts, strict=True):
        problems[row] = text[:MAX_PROBLEM_CHARS]
    return tuple(problems)
