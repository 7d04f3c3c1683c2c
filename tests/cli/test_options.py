"""The options that score and synthesize share: one definition, the same flags, defaults, help and panel."""

from __future__ import annotations

import pytest
import typer.main

from cwmb.cli.main import app

# Pinned as they were before the options were shared: a refactor must not change what users see.
SHARED = {
    "--suite": ("cwmb", "cwmb (world models) or apps (programs judged by tests).", None),
    "--data": (None, "APPS: your copy of APPS.", "APPS (--suite apps)"),
    "--compare": ("apps", "APPS: output comparison apps, ordered or strict.", "APPS (--suite apps)"),
    "--test-timeout": (4.0, "APPS: seconds per test.", "APPS (--suite apps)"),
    "--trajectories": (None, "Dataset root (default: ./trajectories, else the packaged one).", None),
}


def _options(command: str) -> dict[str, tuple]:
    click_command = typer.main.get_command(app).commands[command]
    return {
        flag: (param.default, param.help, getattr(param, "rich_help_panel", None))
        for param in click_command.params
        for flag in param.opts
    }


@pytest.mark.parametrize("command", ["score", "synthesize"])
def test_the_shared_options_read_as_before(command):
    options = _options(command)
    for flag, expected in SHARED.items():
        assert options[flag] == expected, flag


def test_the_apps_only_options_of_synthesize_sit_in_the_apps_panel():
    options = _options("synthesize")
    for flag in ("--problems", "--split", "--difficulty", "--protocol", "--public-fraction", "--workers"):
        assert options[flag][2] == "APPS (--suite apps)", flag
    assert options["--difficulty"][0] == "competition" and options["--program-budget"][0] == 30.0
