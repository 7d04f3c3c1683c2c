"""Named YAML presets under ``configs/<kind>/``: listing them and resolving a name or a path."""

from __future__ import annotations

from pathlib import Path

from cwmb.errors import CwmbError, closest_names


def list_presets(directory: Path) -> list[str]:
    """Names (file stems) of the YAML presets in ``directory``."""
    return sorted(p.stem for p in directory.glob("*.yaml"))


def find_preset(spec: str | Path, directory: Path) -> Path | None:
    """The YAML file ``spec`` names (an existing path, or a preset name in ``directory``), or None."""
    path = Path(spec).expanduser()
    if path.is_file():
        return path
    preset = directory / f"{spec}.yaml"
    return preset if preset.is_file() else None


def unknown_preset(kind: str, spec: str | Path, choices: list[str]) -> CwmbError:
    """The error for a preset that does not exist, with the closest names as a hint."""
    suggestions = closest_names(str(spec), choices)
    hint = f"did you mean {', '.join(suggestions)}? " if suggestions else ""
    return CwmbError(f"no {kind} '{spec}'", f"{hint}give a YAML path or one of: {', '.join(choices)}")


def resolve_preset(kind: str, spec: str | Path, directory: Path) -> Path:
    """Turn a YAML path or a preset name into an existing file; a CwmbError names the closest."""
    found = find_preset(spec, directory)
    if found is None:
        raise unknown_preset(kind, spec, list_presets(directory))
    return found
