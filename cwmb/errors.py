"""The one exception type the CLI turns into a clean, one-line error message."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class CwmbError(Exception):
    """A problem the user can fix: says what is wrong and, where possible, how to fix it.

    The CLI prints ``error: <message>`` and ``hint: <hint>`` and exits with a non-zero
    code, without a traceback unless ``--debug`` is given.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def closest_names(name: str, choices: Iterable[str], limit: int = 3) -> list[str]:
    """Return up to ``limit`` names from ``choices`` that look like ``name`` (case-insensitive)."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    matches = difflib.get_close_matches(name.lower(), list(lowered), n=limit, cutoff=0.4)
    if not matches:
        # Prefix matches catch "cartpole" or "Ant" that difflib scores low.
        matches = [c for c in lowered if c.startswith(name.lower()[:4])][:limit]
    return [lowered[m] for m in matches]


def unknown_name_error(kind: str, name: str, choices: Iterable[str], list_command: str) -> CwmbError:
    """Build the error for an unknown name, suggesting the closest known ones."""
    suggestions = closest_names(name, choices)
    hint = f"did you mean {', '.join(suggestions)}? " if suggestions else ""
    return CwmbError(f"unknown {kind} '{name}'", f"{hint}`{list_command}` lists them all")
