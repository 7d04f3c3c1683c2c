"""Reference world model for CartPole-v1: a pole hinged on a cart that is pushed left or right.

Physics (Barto, Sutton & Anderson 1983, in the corrected form of Florian 2005), explicit Euler
integration with a time step of 0.02 s. Self-contained: numpy and the standard library only.
"""

import math

import numpy as np


class Environment:
    """Cart-pole dynamics; state = (cart position, cart velocity, pole angle, pole angular velocity)."""

    def __init__(self):
        self.gravity = 9.8
        self.cart_mass = 1.0
        self.pole_mass = 0.1
        self.total_mass = self.pole_mass + self.cart_mass
        self.half_pole_length = 0.5
        self.pole_mass_length = self.pole_mass * self.half_pole_length
        self.push_force = 10.0
        self.dt = 0.02
        # 12 degrees, written as gymnasium's description states it (the rounding of the last
        # bit depends on the order of the operations, and the threshold is compared exactly).
        self.angle_limit = 12 * 2 * math.pi / 360
        self.position_limit = 2.4
        self.state = np.zeros(4, dtype=np.float64)

    def set_state(self, state):
        """Take the float32 observation; the dynamics run in float64."""
        self.state = np.array(state, dtype=np.float64).reshape(4)

    def step(self, action):
        """Push the cart (action 1: right, 0: left) for one time step."""
        position, velocity, angle, angular_velocity = (np.float64(v) for v in self.state)
        force = self.push_force if int(action) == 1 else -self.push_force
        cos_a = np.cos(angle)
        sin_a = np.sin(angle)
        # Equations of motion of the pole (angular) and the cart (linear) accelerations.
        common = (
            force + self.pole_mass_length * (angular_velocity * angular_velocity) * sin_a
        ) / self.total_mass
        denominator = self.half_pole_length * (4.0 / 3.0 - self.pole_mass * (cos_a * cos_a) / self.total_mass)
        angular_acc = (self.gravity * sin_a - cos_a * common) / denominator
        linear_acc = common - self.pole_mass_length * angular_acc * cos_a / self.total_mass
        # Explicit Euler: positions advance with the old velocities.
        position = position + self.dt * velocity
        velocity = velocity + self.dt * linear_acc
        angle = angle + self.dt * angular_velocity
        angular_velocity = angular_velocity + self.dt * angular_acc
        self.state = np.array([position, velocity, angle, angular_velocity], dtype=np.float64)
        done = bool(
            position < -self.position_limit
            or position > self.position_limit
            or angle < -self.angle_limit
            or angle > self.angle_limit
        )
        # +1 for every step, including the one on which the pole falls.
        return self.state.astype(np.float32), 1.0, done
