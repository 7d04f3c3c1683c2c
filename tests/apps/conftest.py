"""Shared fixtures of the APPS tests: our own problems, in both published layouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from cwmb.cli.main import main

FIXTURES = Path(__file__).parent / "fixtures"
HUB = FIXTURES / "hub"
TARBALL = FIXTURES / "tarball"


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run ``cwmb ARGS`` in this process; (exit code, stdout, stderr)."""
    try:
        main(list(args))
        code = 0
    except SystemExit as stop:
        code = stop.code or 0
    captured = capsys.readouterr()
    return int(code), captured.out, captured.err


@pytest.fixture
def hub_dir() -> Path:
    return HUB


@pytest.fixture(scope="package")
def pool():
    """One real sandbox pool for the APPS tests (the only place their programs run)."""
    from cwmb.sandbox import WorkerPool

    with WorkerPool(size=2) as workers:
        yield workers


def problem(problem_id: str):
    """A fixture problem by id."""
    from cwmb.apps.data import load_problems

    return next(p for p in load_problems(HUB) if p.problem_id == problem_id)
