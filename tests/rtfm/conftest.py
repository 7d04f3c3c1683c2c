"""Shared fixtures of the RTFM tests: the paper's released buffer (from ../shared)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

# Every developer and CI run has the shared material at ../shared from the project root.
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
PAPER_BUFFER = SHARED / "data" / "rtfm" / "paper-train-buffer.jsonl"


@pytest.fixture(scope="session")
def paper_buffer() -> list[dict[str, Any]]:
    """The paper's 999 released RTFM transitions, one dict each."""
    assert PAPER_BUFFER.exists(), f"the paper's RTFM buffer is missing: {PAPER_BUFFER}"
    return [json.loads(line) for line in PAPER_BUFFER.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def paper_dataset():
    """The paper's buffer as an RTFM Dataset."""
    from cwmb.rtfm.paper_buffer import load_paper_buffer

    return load_paper_buffer(PAPER_BUFFER)


@pytest.fixture(scope="module")
def pool():
    """A real sandbox worker pool, with the planners preloaded (as ``cwmb evaluate`` has them)."""
    from cwmb.planning.sandboxed import PLANNING_PRELOAD
    from cwmb.sandbox import WorkerPool

    with WorkerPool(size=1, preload=PLANNING_PRELOAD) as workers:
        yield workers


@pytest.fixture(scope="session")
def reference() -> str:
    """The exact RTFM reference program's text."""
    from cwmb.rtfm.reference import reference_source

    return reference_source()
