"""Crash-safe file replacement, shared by every writer of results and datasets."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_atomic(path: Path, data: str | bytes) -> None:
    """Replace ``path`` with ``data``: a reader sees the old file or the new one, never half.

    The temporary file lives beside the target (so the rename stays on one file system),
    has a unique name (so concurrent writers cannot clobber each other's halves) and is
    flushed to disk before the rename (so a crash cannot leave an empty file behind).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes files private; these are shared results
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, payload: Any, indent: int = 2) -> None:
    """:func:`write_atomic` of ``payload`` as sorted, indented JSON with a final newline."""
    write_atomic(path, json.dumps(payload, indent=indent, sort_keys=True, default=float) + "\n")
