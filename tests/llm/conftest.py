"""Fixtures for the LLM layer: an isolated cache folder, a fake OpenAI server, a tiny world model."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.llm.fake_openai_server import FakeOpenAIServer

# Set before anything imports litellm, so no test fetches the price map from GitHub.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

EXAMPLE_PROGRAM = '''\
"""A toy world model used to test fault injection (not a benchmark environment)."""
import math


class Environment:
    def __init__(self):
        self.gravity = 9.8
        self.limit = 2.0
        self.state = [0.0, 0.0]

    def set_state(self, state):
        self.state = [float(state[0]), float(state[1])]

    def step(self, action):
        position, velocity = self.state
        if action == 1:
            force = 1.0
        else:
            force = -1.0
        velocity = velocity + 0.1 * (force - self.gravity * math.sin(position))
        position = position + 0.1 * velocity
        self.state = [position, velocity]
        done = position > self.limit or position < -self.limit
        reward = 1.0 - abs(position)
        return self.state, reward, done
'''


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch) -> None:
    """Every test gets its own cache folder; nothing touches ~/.cache."""
    monkeypatch.setenv("CWMB_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    """A running fake OpenAI-compatible server on 127.0.0.1."""
    with FakeOpenAIServer() as running:
        yield running


@pytest.fixture
def example_reference():
    """A reference_source callable serving EXAMPLE_PROGRAM for env 'Toy-v0'."""

    def reference_source(env_name: str) -> str:
        if env_name != "Toy-v0":
            raise KeyError(env_name)
        return EXAMPLE_PROGRAM

    return reference_source
