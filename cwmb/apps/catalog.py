"""What a copy of APPS holds (``cwmb apps check``) and which problems a run takes (``--problems``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cwmb.apps.data import DIFFICULTIES, Problem
from cwmb.errors import CwmbError

# The original took sorted test indices 3000-3999 as the competition split (original-implementation.md §10).
ORIGINAL_COMPETITION_RANGE = (3000, 4000)


@dataclass(frozen=True)
class Summary:
    """Counts describing a list of problems (see :func:`summarize`)."""

    problems: int
    by_difficulty: dict[str, int]
    call_based: int
    stdin_stdout: int
    without_tests: int
    single_test: int
    tests_min: int
    tests_median: float
    tests_max: int
    by_source: dict[str, int]
    competition_positions: tuple[int, int] | None
    competition_contiguous: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return dict(self.__dict__)


def summarize(problems: Sequence[Problem]) -> Summary:
    """Problems per difficulty, tests per problem, call-based vs stdin, and where the competition ones sit."""
    counts = sorted(len(p.tests) for p in problems if p.tests)
    median = 0.0
    if counts:
        mid = len(counts) // 2
        median = float(counts[mid]) if len(counts) % 2 else (counts[mid - 1] + counts[mid]) / 2
    positions = [i for i, p in enumerate(problems) if p.difficulty == "competition"]
    span = (positions[0], positions[-1]) if positions else None
    return Summary(
        problems=len(problems),
        by_difficulty={d: sum(p.difficulty == d for p in problems) for d in DIFFICULTIES},
        call_based=sum(p.call_based for p in problems),
        stdin_stdout=sum(bool(p.tests) and not p.call_based for p in problems),
        without_tests=sum(not p.tests for p in problems),
        single_test=sum(len(p.tests) == 1 for p in problems),
        tests_min=counts[0] if counts else 0,
        tests_median=median,
        tests_max=counts[-1] if counts else 0,
        by_source=dict(Counter(p.source for p in problems).most_common()),
        competition_positions=span,
        competition_contiguous=bool(positions) and positions[-1] - positions[0] + 1 == len(positions),
    )


def select_problems(problems: Sequence[Problem], selection: str | None) -> list[Problem]:
    """The problems a run takes: ``None`` = all, ``A:B`` = indices A..B-1, or ``id,id,...`` by problem_id.

    Indices count positions in ``problems`` (the split after the difficulty filter, sorted by id).
    """
    if selection is None or not selection.strip():
        return list(problems)
    text = selection.strip()
    if ":" in text:
        start_text, _, stop_text = text.partition(":")
        try:
            start = int(start_text) if start_text.strip() else 0
            stop = int(stop_text) if stop_text.strip() else len(problems)
        except ValueError:
            raise CwmbError(f"bad problem range {text!r}", "write A:B with integers, e.g. 0:20") from None
        if not 0 <= start < stop:
            raise CwmbError(f"empty problem range {text!r}", "write A:B with 0 <= A < B, e.g. 0:20")
        if start >= len(problems):
            raise CwmbError(f"problem range {text!r} starts past the last of {len(problems)} problems")
        return list(problems[start:stop])
    wanted = [part.strip() for part in text.split(",") if part.strip()]
    by_id = {p.problem_id: p for p in problems}
    missing = [w for w in wanted if w not in by_id and w.lstrip("0") not in by_id]
    if missing:
        raise CwmbError(
            f"no problem with id {', '.join(missing[:5])} in the selected split",
            "`cwmb apps check --data PATH` shows what the copy holds; indices are written A:B",
        )
    return [by_id.get(w, by_id.get(w.lstrip("0") or "0")) for w in wanted]  # type: ignore[misc]
