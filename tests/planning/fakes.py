"""Small hand-made world models for planner tests (plain classes following the CWM contract)."""

from __future__ import annotations

import numpy as np


class Corridor:
    """Positions 0..length. Action 1 steps right; action 0 falls into a pit (done, reward 0).

    Reaching ``length`` pays 1 and ends the episode, so only "always right" earns anything.
    """

    def __init__(self, length: int = 3) -> None:
        self.length = length
        self.position = 0

    def set_state(self, state):
        self.position = int(state)

    def step(self, action):
        if int(action) == 0:
            return -1, 0.0, True
        self.position += 1
        done = self.position == self.length
        return self.position, 1.0 if done else 0.0, done


class Patience:
    """State 0: action 0 cashes 1 now and ends; action 1 pays nothing but leads to state 1,
    where every action pays 10 and ends. A planner that looks ahead picks action 1."""

    def __init__(self) -> None:
        self.state = 0

    def set_state(self, state):
        self.state = int(state)

    def step(self, action):
        if self.state == 1:
            return 2, 10.0, True
        if int(action) == 0:
            return 2, 1.0, True
        self.state = 1
        return 1, 0.0, False


class Gamble:
    """Action 0 wins or loses 1 at random (expected 0); action 1 takes a sure 0.5. Both end."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)

    def set_state(self, state):
        pass

    def step(self, action):
        if int(action) == 1:
            return 3, 0.5, True
        win = bool(self.rng.integers(2))
        return (1, 1.0, True) if win else (2, -1.0, True)


class Strict:
    """Wraps a planning model and fails the test if a state is stepped after ``done``."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.ended = False
        self.steps = 0
        self.loads = 0

    def save(self):
        return self.inner.save()

    def load(self, token):
        self.loads += 1
        self.ended = False
        self.inner.load(token)

    def step(self, action):
        assert not self.ended, "stepped a terminal state without restoring first"
        self.steps += 1
        observation, reward, done = self.inner.step(action)
        self.ended = done
        return observation, reward, done


class CartPoleFromTrueDynamics:
    """A hand-written world model that runs gymnasium's own CartPole from an observation.

    Not exact (the observation is float32 and the env integrates in float64), so planning
    with it should come close to the oracle without matching it bit for bit.
    """

    def __init__(self) -> None:
        from cwmb.benchmark.making import make_env

        self.env = make_env("CartPole-v1")
        self.env.reset(seed=0)

    def set_state(self, state):
        self.env.state = np.array(state, dtype=np.float64)
        self.env.steps_beyond_terminated = None

    def step(self, action):
        observation, reward, terminated, _, _ = self.env.step(action)
        return observation, reward, terminated
