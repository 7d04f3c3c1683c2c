"""Reference world model for MountainCar-v0: an under-powered car in a valley must reach the flag.

Dynamics (Moore 1990): the velocity changes by (action - 1) * 0.001 - 0.0025 * cos(3 * position),
is clipped to +-0.07, then moves the position, which is clipped to [-1.2, 0.6]; hitting the left
wall stops the car. Self-contained: numpy and the standard library only.
"""

import math

import numpy as np


class Environment:
    """Mountain-car dynamics; state = (position, velocity)."""

    def __init__(self):
        self.min_position = -1.2
        self.max_position = 0.6
        self.max_speed = 0.07
        self.goal_position = 0.5
        self.goal_velocity = 0.0
        self.force = 0.001
        self.gravity = 0.0025
        self.state = np.zeros(2, dtype=np.float64)

    def set_state(self, state):
        """Take the float32 observation; the dynamics run in float64."""
        self.state = np.array(state, dtype=np.float64).reshape(2)

    def step(self, action):
        """Accelerate left (0), not at all (1) or right (2) for one step."""
        position, velocity = (float(v) for v in self.state)
        velocity += (int(action) - 1) * self.force + math.cos(3 * position) * (-self.gravity)
        velocity = min(max(velocity, -self.max_speed), self.max_speed)
        position += velocity
        position = min(max(position, self.min_position), self.max_position)
        if position == self.min_position and velocity < 0:
            # An inelastic collision with the left wall.
            velocity = 0.0
        done = bool(position >= self.goal_position and velocity >= self.goal_velocity)
        self.state = np.array([position, velocity], dtype=np.float64)
        # -1 on every step, the last one included.
        return self.state.astype(np.float32), -1.0, done
