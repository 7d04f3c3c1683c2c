"""Named YAML presets (``configs/<kind>/NAME.yaml``): where they are found, listing and resolving them.

Resolution order of a preset ``spec`` of one kind (``llms``, ``methods``, ``planners``, ...),
first match wins:

1. an explicit path: ``spec`` names an existing file (a relative ``configs/...`` path that
   does not exist here names the packaged file, so the docs' ``--llm configs/llms/X.yaml``
   works from any directory);
2. the working directory's ``configs/<kind>/<spec>.yaml`` (what a user edits or adds);
3. the packaged defaults, ``<packaged root>/configs/<kind>/<spec>.yaml``.

The packaged root (:func:`packaged_root`) is ``cwmb/_data/`` in an installed wheel, where the
build copies the repository's top-level ``configs/`` and ``trajectories/`` (``setup.py``), and
the repository itself when cwmb runs from a source checkout (an editable install), so that
both kinds of install find the same files. The dataset's lookup follows the same order
(:mod:`cwmb.trajectories.locate`).
"""

from __future__ import annotations

from pathlib import Path

from cwmb.errors import CwmbError, closest_names

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_DATA = PACKAGE_DIR / "_data"
SOURCE_ROOT = PACKAGE_DIR.parent
LOCAL_CONFIGS = Path("configs")


def packaged_root() -> Path:
    """Where the packaged defaults live: ``cwmb/_data`` of a wheel, else the source checkout."""
    return BUNDLED_DATA if BUNDLED_DATA.is_dir() else SOURCE_ROOT


def preset_dir(kind: str) -> Path:
    """The packaged directory of the presets of ``kind`` (e.g. ``llms``)."""
    return packaged_root() / "configs" / kind


def search_dirs(directory: Path) -> list[Path]:
    """The directories searched, in order, for a preset that belongs in ``directory``.

    A packaged preset directory (:func:`preset_dir`) comes after the working directory's
    ``configs/<kind>/``; any other directory (a test's, a caller's own) is searched alone.
    """
    directory = Path(directory)
    if directory.parent.resolve() != (packaged_root() / "configs").resolve():
        return [directory]
    local = LOCAL_CONFIGS / directory.name
    # In the repository's root the two are one directory: keep the packaged (absolute) name.
    if local.is_dir() and local.resolve() != directory.resolve():
        return [local, directory]
    return [directory]


def list_presets(directory: Path) -> list[str]:
    """Names (file stems) of the YAML presets found for ``directory`` (see :func:`search_dirs`)."""
    return sorted({p.stem for d in search_dirs(directory) for p in d.glob("*.yaml")})


def find_preset(spec: str | Path, directory: Path) -> Path | None:
    """The YAML file ``spec`` names (an existing path, or a preset name; module docstring), or None."""
    path = Path(spec).expanduser()
    if path.is_file():
        return path
    # A path the docs use, such as configs/llms/offline.yaml, names the packaged file too.
    if not path.is_absolute() and path.parts[:1] == (LOCAL_CONFIGS.name,):
        packaged = packaged_root() / path
        if packaged.is_file():
            return packaged
    for searched in search_dirs(directory):
        preset = searched / f"{spec}.yaml"
        if preset.is_file():
            return preset
    return None


def unknown_preset(kind: str, spec: str | Path, choices: list[str]) -> CwmbError:
    """The error for a preset that does not exist, with the closest names as a hint."""
    suggestions = closest_names(str(spec), choices)
    hint = f"did you mean {', '.join(suggestions)}? " if suggestions else ""
    if not choices:  # a broken install: say where presets were looked for
        where = f"{LOCAL_CONFIGS} or {packaged_root() / 'configs'}"
        return CwmbError(f"no {kind} '{spec}'", f"give a YAML path; no presets were found in {where}")
    return CwmbError(f"no {kind} '{spec}'", f"{hint}give a YAML path or one of: {', '.join(choices)}")


def resolve_preset(kind: str, spec: str | Path, directory: Path) -> Path:
    """Turn a YAML path or a preset name into an existing file; a CwmbError names the closest."""
    found = find_preset(spec, directory)
    if found is None:
        raise unknown_preset(kind, spec, list_presets(directory))
    return found
