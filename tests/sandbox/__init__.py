"""Tests for the sandbox, and the programs they share.

Hostile programs live as files in ``hostile/``; the well-behaved models every test file
needs are here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HOSTILE = Path(__file__).parent / "hostile"

# A faithful CartPole-v1 model: the same Euler update as gymnasium, float64 inside,
# float32 observations out.
CARTPOLE_MODEL = """
import math

import numpy as np


class Environment:
    def __init__(self):
        self.gravity = 9.8
        self.masscart = 1.0
        self.masspole = 0.1
        self.total_mass = self.masspole + self.masscart
        self.length = 0.5
        self.polemass_length = self.masspole * self.length
        self.force_mag = 10.0
        self.tau = 0.02
        self.theta_threshold = 12 * 2 * math.pi / 360
        self.x_threshold = 2.4
        self.state = np.zeros(4)

    def set_state(self, state):
        self.state = np.asarray(state, dtype=np.float64)

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = self.force_mag if action == 1 else -self.force_mag
        cos, sin = math.cos(theta), math.sin(theta)
        temp = (force + self.polemass_length * theta_dot**2 * sin) / self.total_mass
        theta_acc = (self.gravity * sin - cos * temp) / (
            self.length * (4.0 / 3.0 - self.masspole * cos**2 / self.total_mass)
        )
        x_acc = temp - self.polemass_length * theta_acc * cos / self.total_mass
        x = x + self.tau * x_dot
        x_dot = x_dot + self.tau * x_acc
        theta = theta + self.tau * theta_dot
        theta_dot = theta_dot + self.tau * theta_acc
        self.state = np.array([x, x_dot, theta, theta_dot])
        done = bool(abs(x) > self.x_threshold or abs(theta) > self.theta_threshold)
        return self.state.astype(np.float32), 1.0, done
"""


def hostile(name: str) -> str:
    """The source of the hostile program ``hostile/<name>.py``."""
    return (HOSTILE / f"{name}.py").read_text()


def cartpole_rows(n: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` plausible CartPole states (float32) and discrete actions (int64 rows)."""
    rng = np.random.default_rng(seed)
    states = rng.uniform(-0.05, 0.05, size=(n, 4)).astype(np.float32)
    actions = rng.integers(0, 2, size=(n, 1)).astype(np.int64)
    return states, actions
