"""Where an env's dataset is found when no ``--trajectories`` is given.

Resolution order for one env, first match wins (the same as for presets, :mod:`cwmb.presets`):

1. an explicit dataset root (``--trajectories DIR``): used as it is, never searched past;
2. the working directory's ``trajectories/`` if it holds that env (what ``cwmb collect`` writes);
3. the packaged dataset: ``cwmb/_data/trajectories/`` of an installed wheel, or the source
   checkout's ``trajectories/``.

The lookup is per env, so a user who collects one env into ``./trajectories`` still gets the
shipped data of the other 17.
"""

from __future__ import annotations

from pathlib import Path

from cwmb.errors import CwmbError
from cwmb.presets import packaged_root

LOCAL_DATASET = Path("trajectories")
MANIFEST_FILE = "manifest.json"


def packaged_dataset_root() -> Path:
    """The root of the dataset shipped with cwmb (it may be missing from a broken install)."""
    return packaged_root() / "trajectories"


def dataset_roots() -> list[Path]:
    """The roots searched when none is given, in order (the working directory's first)."""
    local, packaged = LOCAL_DATASET, packaged_dataset_root()
    if local.is_dir() and local.resolve() == packaged.resolve():
        return [packaged]
    return [local, packaged]


def has_dataset(root: Path, env: str) -> bool:
    """Whether ``root`` holds a dataset (its manifest) for CWMB env ``env``."""
    return (Path(root) / env / MANIFEST_FILE).is_file()


def resolve_dataset_root(env: str, root: Path | str | None = None) -> Path:
    """The dataset root to read ``env`` from: ``root`` if given, else the first that holds it."""
    if root is not None:
        return Path(root)
    for candidate in dataset_roots():
        if has_dataset(candidate, env):
            return candidate
    searched = " or ".join(str(r) for r in dataset_roots())
    raise CwmbError(
        f"no dataset for {env} in {searched}",
        f"pass --trajectories DIR, or make one with `cwmb collect --env {env}` (writes ./trajectories); "
        "a wheel install ships all 18 in cwmb/_data/trajectories (reinstall cwmb if it is missing)",
    )


def available_envs(env_names: list[str], root: Path | str | None = None) -> dict[str, Path]:
    """For each of ``env_names`` that has a dataset, the root it is read from (same order as above)."""
    roots = [Path(root)] if root is not None else dataset_roots()
    found: dict[str, Path] = {}
    for env in env_names:
        where = next((r for r in roots if has_dataset(r, env)), None)
        if where is not None:
            found[env] = where
    return found
