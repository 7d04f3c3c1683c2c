"""Fixtures for method tests: an isolated LLM cache, one sandbox pool, the CartPole dataset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

DATA_ROOT = Path(__file__).resolve().parents[2] / "trajectories"


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch) -> None:
    """Every test gets its own LLM response cache; nothing touches ~/.cache."""
    monkeypatch.setenv("CWMB_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def pool() -> Iterator[object]:
    """One sandbox worker pool for every test that runs generated programs."""
    from cwmb.sandbox import WorkerPool

    with WorkerPool(size=1) as running:
        yield running


@pytest.fixture(scope="session")
def cartpole():
    """The shipped CartPole-v1 dataset."""
    from cwmb.trajectories import load_dataset

    return load_dataset(DATA_ROOT, "CartPole-v1")
