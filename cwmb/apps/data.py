"""Reading a user's copy of APPS (Hendrycks et al., 2021) in either published layout.

Two layouts are read, both as published (``docs/apps.md`` says where to get them):

- the Hugging Face hub layout: ``test.jsonl`` / ``train.jsonl`` or Parquet files
  (``test*.parquet``, also under ``data/``), one record per problem with the columns
  ``problem_id``, ``question``, ``solutions`` (a JSON list as a string),
  ``input_output`` (a JSON object as a string: ``inputs``, ``outputs``, optional
  ``fn_name``), ``difficulty``, ``url`` and ``starter_code``;
- the original tarball layout: ``test/NNNN/`` directories holding ``question.txt``,
  ``input_output.json``, ``metadata.json`` (``difficulty``, ``url``), ``solutions.json``
  and an optional ``starter_code.py``.

A record that cannot be used raises a :class:`~cwmb.errors.CwmbError` naming the problem
and the field. Problems without tests load (``apps check`` counts them) and are skipped
by the search. Nothing here touches the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cwmb.errors import CwmbError

SPLITS = ("test", "train")
DIFFICULTIES = ("introductory", "interview", "competition")
_HINT = "APPS records need problem_id, question, input_output (JSON), difficulty; see docs/apps.md"


@dataclass(frozen=True)
class TestCase:
    """One unit test: ``input`` is stdin text, or the argument list of a call-based problem."""

    input: Any
    output: Any


@dataclass(frozen=True)
class Problem:
    """One APPS problem. ``fn_name`` is set for call-based problems (call the function, not stdin)."""

    problem_id: str
    question: str
    tests: tuple[TestCase, ...]
    solutions: tuple[str, ...]
    difficulty: str
    url: str
    starter_code: str
    fn_name: str | None
    split: str

    @property
    def call_based(self) -> bool:
        """True when the tests call ``fn_name`` instead of feeding stdin."""
        return self.fn_name is not None

    @property
    def source(self) -> str:
        """The judge the problem comes from, by the url's host (``codeforces``, ``kattis``, ...)."""
        return source_of(self.url)


def source_of(url: str) -> str:
    """``codeforces``, ``kattis``, ``atcoder``, ``codechef``, ``codewars``, ``leetcode``, ... or ``other``."""
    from urllib.parse import urlparse

    host = urlparse(url.strip()).netloc.lower()
    for name in ("codeforces", "kattis", "atcoder", "codechef", "codewars", "leetcode", "hackerrank"):
        if name in host:
            return name
    return host or "unknown"


def _fail(problem_id: str, field: str, why: str) -> CwmbError:
    return CwmbError(f"APPS problem {problem_id}: field '{field}' {why}", _HINT)


def _json_field(problem_id: str, field: str, raw: Any, empty: Any) -> Any:
    """Decode a JSON-in-a-string field; an empty string or None gives ``empty``."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return empty
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError as problem:
        raise _fail(problem_id, field, f"is not valid JSON ({problem.msg} at char {problem.pos})") from None


def _tests(problem_id: str, io: Any) -> tuple[tuple[TestCase, ...], str | None]:
    if not io:
        return (), None
    if not isinstance(io, Mapping):
        raise _fail(problem_id, "input_output", "is not a JSON object with inputs and outputs")
    inputs, outputs = io.get("inputs"), io.get("outputs")
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        raise _fail(problem_id, "input_output", "needs lists 'inputs' and 'outputs'")
    if len(inputs) != len(outputs):
        raise _fail(problem_id, "input_output", f"has {len(inputs)} inputs but {len(outputs)} outputs")
    fn_name = io.get("fn_name")
    if fn_name is not None and (not isinstance(fn_name, str) or not fn_name.isidentifier()):
        raise _fail(problem_id, "input_output.fn_name", f"is not a function name: {fn_name!r}")
    if fn_name is None and not all(isinstance(v, str) for v in (*inputs, *outputs)):
        raise _fail(problem_id, "input_output", "holds non-text stdin tests (and no fn_name)")
    return tuple(TestCase(i, o) for i, o in zip(inputs, outputs, strict=True)), fn_name


def _solutions(problem_id: str, raw: Any) -> tuple[str, ...]:
    value = _json_field(problem_id, "solutions", raw, [])
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise _fail(problem_id, "solutions", "is not a JSON list of program texts")
    return tuple(value)


def _text(problem_id: str, record: Mapping[str, Any], field: str, required: bool) -> str:
    value = record.get(field)
    if value is None or (isinstance(value, float) and value != value):  # pandas NaN for a missing cell
        if required:
            raise _fail(problem_id, field, "is missing")
        return ""
    if not isinstance(value, str):
        raise _fail(problem_id, field, f"is a {type(value).__name__}, not text")
    return value


def problem_from_record(record: Mapping[str, Any], split: str) -> Problem:
    """Build a :class:`Problem` from one hub-layout record (a JSON line or a Parquet row)."""
    raw_id = record.get("problem_id")
    if raw_id is None or isinstance(raw_id, bool) or (isinstance(raw_id, float) and raw_id != raw_id):
        raise CwmbError("an APPS record has no 'problem_id'", _HINT)
    problem_id = str(int(raw_id)) if isinstance(raw_id, int | float) else str(raw_id)
    difficulty = _text(problem_id, record, "difficulty", required=True)
    if difficulty not in DIFFICULTIES:
        raise _fail(problem_id, "difficulty", f"is {difficulty!r}, not one of {', '.join(DIFFICULTIES)}")
    tests, fn_name = _tests(
        problem_id, _json_field(problem_id, "input_output", record.get("input_output"), {})
    )
    return Problem(
        problem_id=problem_id,
        question=_text(problem_id, record, "question", required=True),
        tests=tests,
        solutions=_solutions(problem_id, record.get("solutions")),
        difficulty=difficulty,
        url=_text(problem_id, record, "url", required=False),
        starter_code=_text(problem_id, record, "starter_code", required=False),
        fn_name=fn_name,
        split=split,
    )


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as problem:
                raise CwmbError(f"{path.name} line {number} is not JSON: {problem.msg}", _HINT) from None
            if not isinstance(record, dict):
                raise CwmbError(f"{path.name} line {number} is not a JSON object", _HINT)
            yield record


def _read_parquet(paths: list[Path]) -> Iterator[dict[str, Any]]:
    import pandas as pd

    for path in paths:
        try:
            frame = pd.read_parquet(path)
        except Exception as problem:  # pyarrow raises several types for a damaged file
            raise CwmbError(f"cannot read {path}: {problem}", _HINT) from None
        yield from frame.to_dict(orient="records")


def _read_problem_dir(directory: Path, split: str) -> Problem:
    """One problem of the tarball layout, turned into a hub-layout record first."""
    problem_id = str(int(directory.name)) if directory.name.isdigit() else directory.name

    def read(name: str) -> str | None:
        path = directory / name
        return path.read_text(encoding="utf-8") if path.exists() else None

    metadata = _json_field(problem_id, "metadata.json", read("metadata.json"), {})
    if not isinstance(metadata, Mapping):
        raise _fail(problem_id, "metadata.json", "is not a JSON object")
    record = {
        "problem_id": problem_id,
        "question": read("question.txt"),
        "input_output": read("input_output.json"),
        "solutions": read("solutions.json"),
        "difficulty": metadata.get("difficulty"),
        "url": metadata.get("url", ""),
        "starter_code": read("starter_code.py") or "",
    }
    if record["question"] is None:
        raise _fail(problem_id, "question.txt", "is missing")
    return problem_from_record(record, split)


def _hub_files(root: Path, split: str) -> tuple[list[Path], list[Path]]:
    jsonl = [p for p in (root / f"{split}.jsonl",) if p.is_file()]
    parquet = sorted({*root.glob(f"{split}*.parquet"), *root.glob(f"data/{split}*.parquet")})
    return jsonl, parquet


def _records(path: Path, split: str) -> Iterable[Problem]:
    if path.is_file():
        if path.suffix == ".jsonl":
            return (problem_from_record(r, split) for r in _read_jsonl(path))
        if path.suffix == ".parquet":
            return (problem_from_record(r, split) for r in _read_parquet([path]))
        raise CwmbError(f"{path} is neither .jsonl nor .parquet", "pass the APPS directory or its test.jsonl")
    jsonl, parquet = _hub_files(path, split)
    if jsonl:
        return (problem_from_record(r, split) for r in _read_jsonl(jsonl[0]))
    if parquet:
        return (problem_from_record(r, split) for r in _read_parquet(parquet))
    tarball = path / split if (path / split).is_dir() else path / "APPS" / split
    if tarball.is_dir():
        dirs = sorted(d for d in tarball.iterdir() if d.is_dir())
        return (_read_problem_dir(d, split) for d in dirs)
    raise CwmbError(
        f"no APPS {split} split found in {path}",
        f"expected {split}.jsonl, {split}*.parquet or a {split}/NNNN/ directory tree (see docs/apps.md)",
    )


def _order(problem: Problem) -> tuple[int, int | str]:
    return (0, int(problem.problem_id)) if problem.problem_id.isdigit() else (1, problem.problem_id)


def load_problems(path: Path, split: str = "test", difficulty: str | None = None) -> list[Problem]:
    """Every problem of ``split`` in the copy at ``path``, sorted by problem id, optionally one difficulty.

    The sort order is the original's (sorted problem paths), so index 0 is the first problem.
    """
    if split not in SPLITS:
        raise CwmbError(f"unknown APPS split {split!r}", f"choose one of {', '.join(SPLITS)}")
    if difficulty is not None and difficulty not in DIFFICULTIES:
        raise CwmbError(f"unknown APPS difficulty {difficulty!r}", f"choose one of {', '.join(DIFFICULTIES)}")
    path = Path(path)
    if not path.exists():
        raise CwmbError(f"APPS data not found: {path}", "download APPS first; docs/apps.md says where")
    problems = sorted(_records(path, split), key=_order)
    seen: set[str] = set()
    for problem in problems:
        if problem.problem_id in seen:
            raise _fail(problem.problem_id, "problem_id", "appears twice")
        seen.add(problem.problem_id)
    return [p for p in problems if difficulty is None or p.difficulty == difficulty]
