"""``cwmb collect``: build the trajectory dataset (placeholder until the collector lands)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add ``collect`` to the CLI."""
