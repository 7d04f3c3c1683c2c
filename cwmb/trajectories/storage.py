"""Lossless, deterministic on-disk form of a dataset: ``<root>/<ENV>/transitions.parquet``
plus ``manifest.json``; the held-out split of the same env lives in ``<root>/<ENV>/heldout/``.

The Parquet file has one row per transition; state, action and next state are
fixed-size lists in gymnasium's own dtype, so reading gives back the very bits that
were written. The manifest records how the data was made and the file's sha256, which
is checked on every load: a corrupted, edited or foreign file is reported with its path
and what is wrong, never as a traceback.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from cwmb.atomic import write_atomic
from cwmb.errors import CwmbError
from cwmb.trajectories.dataset import SCHEMA_VERSION, Dataset
from cwmb.trajectories.locate import MANIFEST_FILE, resolve_dataset_root
from cwmb.trajectories.pinned import check_pinned

DATA_FILE = "transitions.parquet"
_COLUMNS = ("trajectory", "step", "state", "action", "reward", "next_state", "terminated", "truncated")
# The search split is what a method optimises on; the held-out split is only ever scored.
SEARCH = "search"
HELDOUT = "heldout"
SPLITS = (SEARCH, HELDOUT)
# Written only for datasets that have it (RTFM): the valid actions of each next state, as a mask.
VALID_ACTIONS_COLUMN = "next_valid_actions"


def dataset_dir(root: Path | str, env: str, split: str = SEARCH) -> Path:
    """Where the ``split`` dataset of ``env`` lives below ``root``."""
    if split not in SPLITS:
        raise CwmbError(f"unknown dataset split {split!r}", f"use one of: {', '.join(SPLITS)}")
    return Path(root) / env if split == SEARCH else Path(root) / env / HELDOUT


def _collect_hint(directory: Path) -> str:
    """The command that (re)makes the dataset in ``directory``."""
    if directory.name == HELDOUT:
        env, root = directory.parent.name, directory.parent.parent
        return f"run `cwmb collect --split heldout --env {env} --out {root}`"
    return f"run `cwmb collect --env {directory.name} --out {directory.parent}`"


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fixed_list(values: np.ndarray) -> Any:
    import pyarrow as pa

    flat = pa.array(np.ascontiguousarray(values).reshape(-1))
    return pa.FixedSizeListArray.from_arrays(flat, values.shape[1])


def write_dataset(root: Path | str, data: Dataset, manifest: dict[str, Any]) -> Path:
    """Write ``data`` and its manifest under ``root/<env>/`` (``root/<env>/heldout/`` for the
    held-out split named in the manifest); return the directory.

    Both files are written to temporary names and renamed, so an interrupted write
    never leaves a half-written dataset behind.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {
        "trajectory": pa.array(data.trajectory.astype(np.int32)),
        "step": pa.array(data.step.astype(np.int32)),
        "state": _fixed_list(data.states),
        "action": _fixed_list(data.actions),
        "reward": pa.array(data.rewards),
        "next_state": _fixed_list(data.next_states),
        "terminated": pa.array(data.terminated.astype(bool)),
        "truncated": pa.array(data.truncated.astype(bool)),
    }
    if data.next_valid_actions is not None:
        columns[VALID_ACTIONS_COLUMN] = _fixed_list(data.next_valid_actions.astype(bool))
    table = pa.table(columns)
    out_dir = dataset_dir(root, data.env, manifest.get("split", SEARCH))
    out_dir.mkdir(parents=True, exist_ok=True)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", compression_level=9, write_statistics=False)
    payload = sink.getvalue().to_pybytes()
    write_atomic(out_dir / DATA_FILE, payload)
    full_manifest = dict(manifest) | {
        "schema_version": SCHEMA_VERSION,
        "sha256": hashlib.sha256(payload).hexdigest(),
    }
    text = json.dumps(full_manifest, indent=2, sort_keys=True) + "\n"
    write_atomic(out_dir / MANIFEST_FILE, text.encode())
    return out_dir


def read_manifest(directory: Path) -> dict[str, Any]:
    """Read and check a dataset's manifest; raise a CwmbError naming the file if it is unusable."""
    path = directory / MANIFEST_FILE
    if not path.exists():
        raise CwmbError(
            f"no dataset at {directory} ({MANIFEST_FILE} is missing)",
            _collect_hint(directory),
        )
    try:
        manifest = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as problem:
        raise CwmbError(
            f"{path} is not valid JSON: {problem}",
            "restore it from git or re-collect with `cwmb collect --force`",
        ) from None
    if not isinstance(manifest, dict) or "schema_version" not in manifest:
        raise CwmbError(
            f"{path} is not a cwmb dataset manifest (no schema_version)",
            "use a directory made by `cwmb collect`",
        )
    if manifest["schema_version"] != SCHEMA_VERSION:
        raise CwmbError(
            f"{path} has dataset schema version {manifest['schema_version']}, "
            f"this cwmb reads {SCHEMA_VERSION}",
            "re-collect the dataset with this version (`cwmb collect --force`) or use a matching cwmb",
        )
    return manifest


def _column_matrix(table: Any, name: str) -> np.ndarray:
    column = table.column(name).combine_chunks()
    width = column.type.list_size
    return column.flatten().to_numpy(zero_copy_only=False).reshape(-1, width)


def _verify(directory: Path, env: str, split: str, manifest: dict[str, Any], again: str) -> None:
    """Refuse a dataset of another split, a missing file, or bytes its manifest or the pin disowns."""
    if manifest.get("split", SEARCH) != split:
        raise CwmbError(
            f"{directory / MANIFEST_FILE} is the {manifest.get('split')!r} split, expected {split!r}",
            f"re-collect it with `{again}`",
        )
    data_path = directory / DATA_FILE
    if not data_path.exists():
        raise CwmbError(f"{data_path} is missing", f"re-collect with `{again}`")
    actual = sha256_of(data_path)
    if actual != manifest.get("sha256"):
        raise CwmbError(
            f"{data_path} does not match the sha256 in its manifest (corrupted or edited)",
            f"restore it from git or re-collect with `{again}`",
        )
    check_pinned(directory, env, actual, split=split)


def load_dataset(root: Path | str | None, env: str, split: str = SEARCH) -> Dataset:
    """Load and verify the ``split`` dataset of CWMB env ``env`` stored under ``root``.

    With ``root`` None the dataset is looked for in ``./trajectories``, then in the packaged
    one (:func:`cwmb.trajectories.locate.resolve_dataset_root`); the held-out split is read
    from the root that holds the env's search split.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    directory = dataset_dir(resolve_dataset_root(env, root), env, split)
    again = f"cwmb collect --env {env}" + (" --split heldout" if split == HELDOUT else "") + " --force"
    manifest = read_manifest(directory)
    data_path = directory / DATA_FILE
    _verify(directory, env, split, manifest, again)
    try:
        table = pq.read_table(data_path)
    except (pa.ArrowException, OSError) as problem:
        raise CwmbError(
            f"{data_path} is not a readable Parquet file: {problem}",
            f"re-collect with `{again}`",
        ) from None
    missing = [c for c in _COLUMNS if c not in table.column_names]
    if missing:
        raise CwmbError(
            f"{data_path} lacks columns {missing}: not a cwmb dataset",
            f"re-collect with `{again}`",
        )
    return Dataset(
        env=env,
        obs_kind=manifest["obs_kind"],
        action_kind=manifest["action_kind"],
        trajectory=table.column("trajectory").to_numpy(),
        step=table.column("step").to_numpy(),
        states=_column_matrix(table, "state"),
        actions=_column_matrix(table, "action"),
        rewards=table.column("reward").to_numpy(),
        next_states=_column_matrix(table, "next_state"),
        terminated=table.column("terminated").to_numpy(zero_copy_only=False),
        truncated=table.column("truncated").to_numpy(zero_copy_only=False),
        manifest=manifest,
        path=directory,
        next_valid_actions=(
            _column_matrix(table, VALID_ACTIONS_COLUMN).astype(bool)
            if VALID_ACTIONS_COLUMN in table.column_names
            else None
        ),
    )
