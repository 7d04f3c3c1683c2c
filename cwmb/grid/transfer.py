"""Moving a cell's files between the driver and a worker that shares no filesystem with it.

The driver packs a cell's run directory (its journal, tree, candidates...) and its input
folders into a :func:`pack_folder` bundle; the worker unpacks them into a private
temporary folder, runs the cell there, and sends back what changed (:class:`FolderWatch`)
and the answers its private response cache gained (:func:`cache_rows_since`). The driver
alone writes them into the results tree (:func:`apply_files`) and its cache
(:func:`store_cache_rows`). File names are relative POSIX paths; ``..`` is refused.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path, PurePosixPath
from typing import Any

from cwmb.atomic import write_atomic


def pack_folder(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` as {relative path: bytes} (empty when the folder does not exist)."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.endswith(".tmp")
    }


def _safe_target(folder: Path, name: str) -> Path:
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts:
        raise ValueError(f"refusing to write outside the cell folder: {name!r}")
    return Path(folder) / Path(*relative.parts)


def apply_files(folder: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` under ``folder``, each one atomically."""
    for name, data in files.items():
        write_atomic(_safe_target(folder, name), data)


class FolderWatch:
    """What changed in a folder since the last :meth:`changes` call (by size and mtime)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._seen: dict[str, tuple[int, int]] = {}
        self.changes()  # the unpacked bundle is what the driver already has

    def changes(self) -> dict[str, bytes]:
        """Files created or modified since the last call, with their bytes."""
        changed = {}
        if not self.folder.is_dir():
            return changed
        for path in sorted(self.folder.rglob("*")):
            if not path.is_file() or path.name.endswith(".tmp"):
                continue
            name = path.relative_to(self.folder).as_posix()
            try:
                stat = path.stat()
                mark = (stat.st_size, stat.st_mtime_ns)
                if self._seen.get(name) != mark:
                    changed[name] = path.read_bytes()
                    self._seen[name] = mark
            except FileNotFoundError:
                continue  # replaced by an atomic rename meanwhile; the next scan sees the new one
        return changed


_ROW_COLUMNS = "rowid, key, model, text, tokens_in, tokens_out, cost_usd, key_parts"


def cache_rows_since(cache_file: Path, after_rowid: int) -> tuple[list[dict[str, Any]], int]:
    """Answers stored in a worker's private cache after ``after_rowid``, and the new last rowid."""
    if not Path(cache_file).exists():
        return [], after_rowid
    connection = sqlite3.connect(str(cache_file), timeout=30)
    try:
        found = connection.execute(
            f"SELECT {_ROW_COLUMNS} FROM responses WHERE rowid > ? ORDER BY rowid", (after_rowid,)
        ).fetchall()
    except sqlite3.Error:
        return [], after_rowid  # not created yet: no answer so far
    finally:
        connection.close()
    names = _ROW_COLUMNS.replace(" ", "").split(",")
    rows = [dict(zip(names, row, strict=True)) for row in found]
    return rows, (rows[-1]["rowid"] if rows else after_rowid)


def cache_rows_for(cache_file: Path, model: str, mention: str) -> list[dict[str, Any]]:
    """The driver's cached answers of ``model`` whose request mentions ``mention`` (a cell's env).

    A worker seeded with them replays what other cells already paid for, as a local run would.
    """
    if not Path(cache_file).exists():
        return []
    connection = sqlite3.connect(str(cache_file), timeout=30)
    try:
        found = connection.execute(
            f"SELECT {_ROW_COLUMNS} FROM responses WHERE model = ? AND instr(key_parts, ?) > 0",
            (model, mention),
        ).fetchall()
    except sqlite3.Error:
        return []
    finally:
        connection.close()
    names = _ROW_COLUMNS.replace(" ", "").split(",")
    return [dict(zip(names, row, strict=True)) for row in found]


def last_rowid(cache_file: Path) -> int:
    """The highest rowid of a cache file (0 when empty or missing)."""
    return cache_rows_since(cache_file, 0)[1]


def store_cache_rows(cache: Any, rows: list[dict[str, Any]]) -> int:
    """Put workers' answers into a :class:`~cwmb.llm.cache.ResponseCache`; the first stored answer wins."""
    import json

    from cwmb.llm.protocol import Completion

    for row in rows:
        completion = Completion(row["text"], row["tokens_in"], row["tokens_out"], row["cost_usd"])
        cache.put(row["key"], row["model"], completion, json.loads(row["key_parts"]))
    return len(rows)
