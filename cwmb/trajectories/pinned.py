"""Hashes of the shipped dataset, recorded in the package, checked on every load of it.

A manifest's sha256 only proves that the data and the manifest next to it agree: whoever
can rewrite one can rewrite both. The hashes here live in the package, so a shipped
dataset that was changed on disk (by a hostile program, a bad merge, a disk error) is
refused with a one-line error instead of being scored against.

After a deliberate re-collection of the shipped data (``make collect``), record the new
hashes with ``python -W ignore -m cwmb.trajectories.pinned`` and commit the file.

The search split of an env is pinned under its name (``"CartPole-v1"``), the held-out split
under ``"CartPole-v1/heldout"``.
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
    """Where the benchmark's dataset is shipped: the checkout's ``trajectories/``, or a wheel's copy."""
    from cwmb.trajectories.locate import packaged_dataset_root

    return packaged_dataset_root()


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
    try:
        home = (root or shipped_root()) / env
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
    root = root or shipped_root()
    hashes = {}
    for directory in sorted(p for p in root.iterdir() if (p / DATA_FILE).exists()):
        hashes[directory.name] = _manifest_sha256(directory)
        if (directory / HELDOUT_DIR / DATA_FILE).exists():
            hashes[pin_key(directory.name, HELDOUT_DIR)] = _manifest_sha256(directory / HELDOUT_DIR)
    PINNED_FILE.write_text(json.dumps(hashes, indent=2, sort_keys=True) + "\n")
    return hashes


def _manifest_sha256(directory: Path) -> str:
    """The sha256 a dataset's manifest records (read here: storage imports this module)."""
    return str(json.loads((directory / "manifest.json").read_text())["sha256"])


if __name__ == "__main__":
    written = pin(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(f"pinned {len(written)} datasets in {PINNED_FILE}")
