"""Typer options that several commands share, defined once so their flags and help never drift apart.

Each function returns a fresh ``typer.Option`` (an option object is a command's default
value, so one object is not shared between commands). ``apps_option`` puts an option in
the APPS help panel; the named ones are those ``score`` and ``synthesize`` both take.
"""

from __future__ import annotations

from typing import Any

import typer

APPS_PANEL = "APPS (--suite apps)"
TRAJECTORIES_HELP = "Dataset root (default: ./trajectories, else the packaged one)."
SUITE_HELP = "cwmb (world models) or apps (programs judged by tests)."


def apps_option(default: Any, *flags: str, **settings: Any) -> Any:
    """An option shown in the APPS help panel (``settings`` as for ``typer.Option``)."""
    return typer.Option(default, *flags, rich_help_panel=APPS_PANEL, **settings)


def trajectories_option() -> Any:
    """``--trajectories``: the dataset root."""
    return typer.Option(None, "--trajectories", help=TRAJECTORIES_HELP)


def suite_option() -> Any:
    """``--suite``: cwmb or apps."""
    return typer.Option("cwmb", "--suite", help=SUITE_HELP)


def apps_data_option() -> Any:
    """``--data``: the user's copy of APPS."""
    return apps_option(None, "--data", help="APPS: your copy of APPS.")


def apps_compare_option() -> Any:
    """``--compare``: how a program's output is compared with the expected one."""
    return apps_option("apps", "--compare", help="APPS: output comparison apps, ordered or strict.")


def apps_test_timeout_option() -> Any:
    """``--test-timeout``: seconds per APPS test."""
    return apps_option(4.0, "--test-timeout", min=0.01, help="APPS: seconds per test.")
