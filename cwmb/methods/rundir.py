"""The run directory of one env: ``results/<run>/<ENV>/``, written so that a killed run can resume.

Files (``docs/methods.md`` documents each field):

- ``config.json``: the resolved config (method, LLM, seed, env, dataset hash), its
  identity hash, versions and git commit;
- ``tree.jsonl``: one line per LLM call (node, parent, action, accuracy, error, program
  hash, best so far, tokens and cost, method details), appended after every call;
- ``completions.jsonl``: the LLM's answers in call order, the journal a resumed run
  replays (see :mod:`cwmb.methods.replay`);
- ``candidates/<hash>.py`` and ``candidates/<hash>.json``: every program and its evaluation;
- ``best.py``; ``llm_calls.jsonl`` (the LLM layer's call log); ``summary.json``.

Every JSON file carries ``schema_version``. Lines are appended with one ``write`` on a
file opened for appending, then flushed to disk; a reader drops a torn last line (the
process died mid-write) and truncates it away. Whole files are replaced atomically
(temporary file, fsync, rename).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cwmb.atomic import write_atomic
from cwmb.errors import CwmbError
from cwmb.llm import CALL_LOG_NAME
from cwmb.llm.protocol import stable_hash
from cwmb.methods.evaluation import Evaluation
from cwmb.methods.records import StepRecord, program_hash

SCHEMA_VERSION = 1
CONFIG_FILE = "config.json"
TREE_FILE = "tree.jsonl"
COMPLETIONS_FILE = "completions.jsonl"
SUMMARY_FILE = "summary.json"
BEST_FILE = "best.py"
CANDIDATES_DIR = "candidates"
_OWNED = (CONFIG_FILE, TREE_FILE, COMPLETIONS_FILE, SUMMARY_FILE, BEST_FILE, CALL_LOG_NAME)


def dumps(data: Any) -> str:
    """Compact, key-ordered JSON (one line)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def append_line(path: Path, record: Mapping[str, Any]) -> None:
    """Append ``record`` as one JSON line with a single write, and flush it to disk."""
    data = (dumps(record) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def read_lines(path: Path) -> list[dict[str, Any]]:
    """The complete JSON lines of ``path``; a torn or unreadable tail is cut off the file."""
    if not path.exists():
        return []
    raw = path.read_bytes()
    records: list[dict[str, Any]] = []
    good = 0
    for line in raw.splitlines(keepends=True):
        if not line.endswith(b"\n"):
            break
        try:
            records.append(json.loads(line))
        except (json.JSONDecodeError, UnicodeDecodeError):
            break
        good += len(line)
    if good != len(raw):
        truncate_lines(path, good)
    return records


def truncate_lines(path: Path, size: int) -> None:
    """Cut ``path`` to ``size`` bytes (dropping lines from the end)."""
    with path.open("r+b") as handle:
        handle.truncate(size)
        handle.flush()
        os.fsync(handle.fileno())


def keep_first_lines(path: Path, count: int) -> None:
    """Keep only the first ``count`` lines of ``path``."""
    if not path.exists():
        return
    raw = path.read_bytes()
    lines = raw.splitlines(keepends=True)
    truncate_lines(path, sum(len(line) for line in lines[:count]))


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` as indented JSON, atomically."""
    write_atomic(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``, or None when absent or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


class RunDirectory:
    """One env's run directory (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def file(self, name: str) -> Path:
        """Path of a file of the run directory."""
        return self.path / name

    @property
    def call_log(self) -> Path:
        """The LLM call log."""
        return self.path / CALL_LOG_NAME

    def prepare(self, config: Mapping[str, Any], identity: Mapping[str, Any], restart: bool = False) -> bool:
        """Create or reopen the directory for a run whose settings are ``identity``; True when resuming.

        An existing directory made with another identity is refused (resuming it would mix
        two experiments); ``restart`` deletes this run's files first.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        if restart:
            self.clear()
        previous = read_json(self.file(CONFIG_FILE))
        identity = json.loads(dumps(identity))  # tuples become lists, as they come back from disk
        identity_hash = stable_hash(identity)
        if previous is not None and previous.get("identity_hash") != identity_hash:
            changed = _differences(previous.get("identity", {}), identity)
            raise CwmbError(
                f"{self.path} holds a run with other settings (differs in: {', '.join(changed) or 'schema'})",
                "use another --run name, or add --restart to discard the old run",
            )
        created = previous.get("created") if previous else None
        record = {**config, "identity": dict(identity), "identity_hash": identity_hash}
        write_json(self.file(CONFIG_FILE), {**record, "created": created or _now()})
        (self.path / CANDIDATES_DIR).mkdir(exist_ok=True)
        return previous is not None

    def clear(self) -> None:
        """Delete the files this module writes (and nothing else)."""
        for name in _OWNED:
            with contextlib.suppress(FileNotFoundError):
                self.file(name).unlink()
        candidates = self.path / CANDIDATES_DIR
        if candidates.is_dir():
            for item in candidates.iterdir():
                if item.suffix in (".py", ".json"):
                    item.unlink()

    def summary(self) -> dict[str, Any] | None:
        """The current ``summary.json``, if any."""
        return read_json(self.file(SUMMARY_FILE))

    def write_summary(self, summary: Mapping[str, Any]) -> None:
        """Replace ``summary.json``."""
        write_json(self.file(SUMMARY_FILE), {"schema_version": SCHEMA_VERSION, **summary})

    def write_best(self, program: str) -> None:
        """Replace ``best.py``."""
        write_atomic(self.file(BEST_FILE), program)

    def store_candidate(self, program: str, evaluation: Evaluation) -> str:
        """Write ``candidates/<hash>.py`` and its evaluation ``<hash>.json``; return the hash."""
        digest = program_hash(program)
        folder = self.path / CANDIDATES_DIR
        if not (folder / f"{digest}.py").exists():
            write_atomic(folder / f"{digest}.py", program)
        if not (folder / f"{digest}.json").exists():
            record = {"schema_version": SCHEMA_VERSION, "program_hash": digest, **evaluation.as_dict()}
            write_json(folder / f"{digest}.json", record)
        return digest

    def stored_evaluation(self, program: str) -> Evaluation | None:
        """The evaluation stored for ``program`` by an earlier session, if any."""
        record = read_json(self.path / CANDIDATES_DIR / f"{program_hash(program)}.json")
        if record is None or record.get("schema_version") != SCHEMA_VERSION:
            return None
        try:
            return Evaluation.from_dict(record)
        except (KeyError, TypeError, ValueError):
            return None


class TreeLog:
    """Appends ``tree.jsonl`` lines; on resume, checks replayed calls against the lines already there.

    A replayed call whose line is already on disk and identical is not written again; a
    call that differs (the replay diverged) cuts the file at that call and continues.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.existing = read_lines(path)
        self.diverged_at: int | None = None

    def write(self, step: StepRecord) -> None:
        """Record the line of ``step`` (call numbers start at 1 and arrive in order)."""
        record = json.loads(dumps({"schema_version": SCHEMA_VERSION, **step.as_dict()}))
        index = step.call - 1
        if index < len(self.existing):
            if self.existing[index] == record:
                return
            self.diverged_at = self.diverged_at or step.call
            keep_first_lines(self.path, index)
            self.existing = self.existing[:index]
        append_line(self.path, record)
        self.existing.append(record)

    def finish(self, calls: int) -> None:
        """Drop lines beyond the run's last call (left by a longer earlier run that diverged)."""
        if len(self.existing) > calls:
            keep_first_lines(self.path, calls)
            self.existing = self.existing[:calls]


def _differences(old: Mapping[str, Any], new: Mapping[str, Any], prefix: str = "") -> list[str]:
    keys = sorted(set(old) | set(new))
    changed: list[str] = []
    for key in keys:
        a, b = old.get(key), new.get(key)
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            changed += _differences(a, b, f"{prefix}{key}.")
        elif a != b:
            changed.append(f"{prefix}{key}")
    return changed


def _now() -> str:
    from cwmb.llm.calllog import utc_now

    return utc_now()


def provenance() -> dict[str, Any]:
    """Versions of the packages that shape a run, and the git commit of the checkout (if any)."""
    import platform
    from importlib import metadata

    import cwmb

    versions = {"cwmb": cwmb.__version__, "python": platform.python_version()}
    for package in ("numpy", "gymnasium", "litellm"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {"versions": versions, "git_commit": _git_commit()}


def _git_commit() -> str | None:
    root = Path(__file__).resolve().parents[2]
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None
