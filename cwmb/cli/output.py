"""Machine-readable output of the commands that print results (``--json``).

With ``--json`` a command prints exactly one JSON document on stdout and nothing else;
progress and notes go to stderr, as they do without it. Values are made strict JSON:
numpy scalars and arrays become numbers and lists, paths become strings, and NaN or
infinity become ``null`` (Python's ``json`` would print ``NaN``, which is not JSON).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import typer

JSON_HELP = "Print one JSON document on stdout (notes go to stderr)."


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data (dicts, lists, str, int, float, bool, None)."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    if isinstance(value, Path):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if hasattr(value, "tolist"):  # numpy scalars and arrays, without importing numpy here
        return jsonable(value.tolist())
    return str(value)


def emit_json(document: Any) -> None:
    """Print ``document`` as one strict JSON document on stdout."""
    typer.echo(json.dumps(jsonable(document), indent=2, allow_nan=False))


def note(message: str) -> None:
    """A line for the person at the terminal, on stderr (never mixed into a JSON document)."""
    typer.echo(message, err=True)
