"""Hashes of the shipped dataset, recorded in the package, checked on every load of it.

A manifest's sha256 only proves that the data and the manifest next to it agree: whoever
can rewrite one can rewrite both. The hashes here live in the package, so a shipped
dataset that was changed on disk (by a hostile program, a bad merge, a disk error) is
refused with a one-line error instead of being scored against.

The search split of an env is pinned under its name (``"CartPole-v1"``), the held-out split
under ``"CartPole-v1/heldout"``.

After a deliberate re-collection of the shipped data (``make collect``), record the new
hashes with ``python -W ignore -m cwmb.trajectories.pinned`` and commit the file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cwmb.errors import CwmbError

PINNED_FILE = Path(__file__).with_name("shipped_sha256.json")
DATA_FILE = "transitions.parquet"
HELDOUT_DIR = "heldout"


def shipped_root() -> Path:
    """The project's ``trajectories/`` directory, where the benchmark's dataset is shipped."""
    return Path(__file__).resolve().parents[2] / "trajectories"


def pin_key(env: str, split: str = "search") -> str:
    """The key of one split of one env in the pinned file."""
    return env if split == "search" else f"{env}/{split}"


def pinned_hashes() -> dict[str, str]:
    """``{pin key: sha256 of transitions.parquet}`` for every shipped env and split."""
    try:
        return dict(json.loads(PINNED_FILE.read_text()))
    except FileNotFoundError:
        return {}


def check_pinned(
    directory: Path, env: str, actual_sha256: str, root: Path | None = None, split: str = "search"
) -> None:
    """Refuse a shipped dataset (under ``root``, default the shipped root) not matching its pinned hash."""
    home = (root or shipped_root()) / env
    try:
        shipped = directory.resolve() == (home if split == "search" else home / split).resolve()
    except OSError:
        return
    expected = pinned_hashes().get(pin_key(env, split))
    if shipped and expected is not None and actual_sha256 != expected:
        raise CwmbError(
            f"{directory / DATA_FILE} does not match the hash recorded in the cwmb package "
            "(the shipped dataset was changed on disk)",
            "restore it with `git checkout trajectories/`; collect your own data into another folder "
            "(`cwmb collect --out DIR`) and pass `--trajectories DIR`",
        )


def pin(root: Path | None = None) -> dict[str, str]:
    """Record the sha256 of every dataset (both splits) under ``root`` (default: the shipped one)."""
    from cwmb.trajectories.storage import read_manifest

    root = root or shipped_root()
    hashes = {}
    for directory in sorted(p for p in root.iterdir() if (p / DATA_FILE).exists()):
        hashes[directory.name] = str(read_manifest(directory)["sha256"])
        heldout = directory / HELDOUT_DIR
        if (heldout / DATA_FILE).exists():
            hashes[pin_key(directory.name, HELDOUT_DIR)] = str(read_manifest(heldout)["sha256"])
    PINNED_FILE.write_text(json.dumps(hashes, indent=2, sort_keys=True) + "\n")
    return hashes


if __name__ == "__main__":
    written = pin(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(f"pinned {len(written)} datasets in {PINNED_FILE}")
