"""The exact reference world model of RTFM, as program text (see ``simple_stationary.py``)."""

from __future__ import annotations

from importlib import resources


def reference_source() -> str:
    """The program text of the exact RTFM reference world model."""
    return resources.files(__package__).joinpath("simple_stationary.py").read_text(encoding="utf-8")
