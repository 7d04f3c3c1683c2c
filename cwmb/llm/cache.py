"""The persistent LLM response cache: one SQLite file shared by every run and process.

The key is a hash of everything that determines an answer (see
:meth:`cwmb.llm.protocol.Backend.cache_key_parts`), which always includes the request's
*sample index*: sample 0 and sample 1 of one prompt are different entries, so repeated
sampling at temperature > 0 keeps its diversity and a re-run replays every sample.

Several processes may use one file: SQLite runs in WAL mode with a busy timeout, and the
first answer stored for a key wins (``INSERT OR IGNORE``); :meth:`ResponseCache.put`
returns the stored entry, so every process replays the same bytes. A file that SQLite
cannot read is reported on stderr, renamed to ``<name>.corrupt-<time>`` and replaced by
an empty cache; the run goes on.

Every entry carries a checksum of its key and answer. An entry that does not match it
(edited on disk) is reported, deleted and asked for again, so a doctored cache can never
replay an answer that the provider did not give. Entries written before checksums existed
get one when the file is first opened.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cwmb.llm.protocol import Completion, stable_hash

CACHE_ENV_VAR = "CWMB_CACHE_DIR"
CACHE_FILE_NAME = "llm-cache.sqlite3"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    text TEXT NOT NULL,
    tokens_in INTEGER NOT NULL,
    tokens_out INTEGER NOT NULL,
    cost_usd REAL,
    created REAL NOT NULL,
    key_parts TEXT NOT NULL,
    checksum TEXT
);
CREATE INDEX IF NOT EXISTS responses_model ON responses(model);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_COLUMNS = "key, model, text, tokens_in, tokens_out, cost_usd, created, key_parts, checksum"


def entry_checksum(
    key: str, model: str, text: str, tokens_in: int, tokens_out: int, cost: float | None
) -> str:
    """SHA-256 of an entry's key and answer, stored beside it and checked on every read."""
    payload = json.dumps([key, model, text, tokens_in, tokens_out, cost], separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/cwmb`` or ``~/.cache/cwmb``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cwmb"


def resolve_cache_path(explicit_dir: str | Path | None = None, config_dir: str | None = None) -> Path:
    """Where the cache file lives: explicit dir, else ``$CWMB_CACHE_DIR``, else config key, else default."""
    for candidate in (explicit_dir, os.environ.get(CACHE_ENV_VAR), config_dir):
        if candidate:
            return Path(candidate).expanduser() / CACHE_FILE_NAME
    return default_cache_dir() / CACHE_FILE_NAME


@dataclass(frozen=True)
class CacheStats:
    """What ``cwmb cache stats`` shows: file, entries, size and a per-model breakdown."""

    path: str
    entries: int
    size_bytes: int
    per_model: dict[str, dict[str, Any]]


def _warn_stderr(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


class ResponseCache:
    """SQLite-backed map from a request key to the :class:`Completion` first stored for it.

    Thread-safe (one connection guarded by a lock) and multi-process safe (WAL, busy
    timeout). ``warn`` receives one-line messages about a corrupted file. If SQLite fails
    during a run (disk full, file damaged under us), lookups and stores are skipped with one
    warning instead of stopping the run: the answers are still returned, just not cached.
    Open one cache per process; the connection must not cross a fork.
    """

    def __init__(self, path: str | Path, *, warn: Callable[[str], None] = _warn_stderr) -> None:
        self.path = Path(path)
        self._warn = warn
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = self._open_or_set_aside()
        self._failed = False  # set after a mid-run SQLite error: the cache is then bypassed

    @staticmethod
    def key_for(parts: dict[str, Any]) -> str:
        """The cache key of a request's key parts (SHA-256 of canonical JSON, with the schema version)."""
        return stable_hash({"schema": SCHEMA_VERSION, "parts": parts})

    def get(self, key: str) -> Completion | None:
        """The stored completion for ``key``, or None."""
        if self._failed:
            return None
        try:
            with self._lock:
                row = self._conn.execute(
                    "SELECT model, text, tokens_in, tokens_out, cost_usd, checksum "
                    "FROM responses WHERE key = ?",
                    (key,),
                ).fetchone()
        except sqlite3.Error as problem:
            self._give_up(problem)
            return None
        if row is None:
            return None
        model, text, tokens_in, tokens_out, cost, checksum = row
        if checksum != entry_checksum(key, model, text, tokens_in, tokens_out, cost):
            self._discard(key)
            return None
        return Completion(text, tokens_in, tokens_out, cost)

    def _discard(self, key: str) -> None:
        """Delete an entry that fails its checksum, and say so once per entry."""
        self._warn(
            f"LLM response cache {self.path}: entry {key[:12]} does not match its checksum; asking again"
        )
        try:
            with self._lock, self._conn:
                self._conn.execute("DELETE FROM responses WHERE key = ?", (key,))
        except sqlite3.Error as problem:
            self._give_up(problem)

    def put(self, key: str, model: str, completion: Completion, parts: dict[str, Any]) -> Completion:
        """Store ``completion`` unless another writer stored one first; return the stored one."""
        row = (
            key,
            model,
            completion.text,
            completion.tokens_in,
            completion.tokens_out,
            completion.cost_usd,
            time.time(),
            json.dumps(parts, sort_keys=True, default=str),
            entry_checksum(
                key, model, completion.text, completion.tokens_in, completion.tokens_out, completion.cost_usd
            ),
        )
        if self._failed:
            return completion
        try:
            with self._lock, self._conn:
                self._conn.execute(
                    f"INSERT OR IGNORE INTO responses ({_COLUMNS}) VALUES ({', '.join('?' * 9)})", row
                )
        except sqlite3.Error as problem:
            self._give_up(problem)
            return completion
        stored = self.get(key)
        return stored if stored is not None else completion

    def _give_up(self, problem: sqlite3.Error) -> None:
        if not self._failed:
            self._failed = True
            self._warn(f"LLM response cache {self.path} failed ({problem}); continuing without it")

    def stats(self) -> CacheStats:
        """Entry count, bytes on disk (with the WAL file) and entries/tokens/cost per model."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT model, COUNT(*), SUM(tokens_in), SUM(tokens_out), SUM(cost_usd), "
                "SUM(cost_usd IS NULL) FROM responses GROUP BY model ORDER BY model"
            ).fetchall()
        per_model = {
            model: {
                "entries": count,
                "tokens_in": tokens_in or 0,
                "tokens_out": tokens_out or 0,
                "cost_usd": cost or 0.0,
                "entries_with_unknown_cost": unknown or 0,
            }
            for model, count, tokens_in, tokens_out, cost, unknown in rows
        }
        size = sum(p.stat().st_size for p in self._files() if p.exists())
        return CacheStats(str(self.path), sum(m["entries"] for m in per_model.values()), size, per_model)

    def clear(self, model: str | None = None) -> int:
        """Delete all entries (or those of one model); return how many were deleted."""
        with self._lock:
            with self._conn:
                if model is None:
                    deleted = self._conn.execute("DELETE FROM responses").rowcount
                else:
                    deleted = self._conn.execute("DELETE FROM responses WHERE model = ?", (model,)).rowcount
            # Give the space back; VACUUM cannot run inside a transaction, hence outside `with conn`.
            self._conn.execute("VACUUM")
        return deleted

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> ResponseCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _files(self) -> list[Path]:
        return [self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")]

    def _connect(self) -> sqlite3.Connection:
        # check_same_thread=False: the connection is shared by threads, serialised by self._lock.
        conn = sqlite3.connect(self.path, timeout=60.0, check_same_thread=False, isolation_level="DEFERRED")
        conn.execute("PRAGMA busy_timeout = 60000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _open_or_set_aside(self) -> sqlite3.Connection:
        try:
            conn = self._connect()
            check = conn.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                conn.close()
                raise sqlite3.DatabaseError(f"quick_check says {check[0] if check else 'nothing'}")
            conn.executescript(_SCHEMA)
            _add_checksums(conn)
            return conn
        except sqlite3.DatabaseError as problem:
            if isinstance(problem, sqlite3.OperationalError) and "locked" in str(problem):
                raise  # busy, not broken: another process holds a long write lock
            moved = self._set_aside()
            self._warn(
                f"LLM response cache {self.path} is unreadable ({problem}); moved it to {moved} "
                "and started an empty cache"
            )
            conn = self._connect()
            conn.executescript(_SCHEMA)
            _add_checksums(conn)
            return conn

    def _set_aside(self) -> Path:
        target = self.path.with_name(
            f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
        )
        for source in self._files():
            # Missing: another process set it aside first, or there was no WAL file.
            with contextlib.suppress(FileNotFoundError):
                source.rename(Path(str(target) + source.name[len(self.path.name) :]))
        return target


def _add_checksums(conn: sqlite3.Connection) -> None:
    """Give a cache file from before checksums the column, and its entries their checksums."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(responses)")}
    if "checksum" in columns:
        return
    with conn:
        conn.execute("ALTER TABLE responses ADD COLUMN checksum TEXT")
        rows = conn.execute(
            "SELECT key, model, text, tokens_in, tokens_out, cost_usd FROM responses"
        ).fetchall()
        conn.executemany(
            "UPDATE responses SET checksum = ? WHERE key = ?",
            [(entry_checksum(*row), row[0]) for row in rows],
        )
