"""Reference world model for Pendulum-v1: swing a frictionless pendulum up and keep it upright.

Dynamics: angular acceleration 3g/(2l) sin(theta) + 3/(m l^2) u, with g = 10, m = l = 1; the
velocity is updated first (clipped to +-8), then the angle (semi-implicit Euler, dt = 0.05).
The reward is -(theta^2 + 0.1 thetadot^2 + 0.001 u^2), with theta normalised to [-pi, pi] and
taken before the step. The observation holds cos/sin of theta, so theta is recovered with atan2.
Self-contained: numpy and the standard library only.
"""

import numpy as np


class Environment:
    """Pendulum dynamics; observation = (cos theta, sin theta, theta dot)."""

    def __init__(self):
        self.max_speed = 8.0
        self.max_torque = 2.0
        self.dt = 0.05
        self.g = 10.0
        self.m = 1.0
        self.l = 1.0
        self.theta = 0.0
        self.theta_dot = 0.0

    def set_state(self, state):
        """Recover theta from its cos/sin."""
        obs = np.asarray(state, dtype=np.float64).reshape(3)
        self.theta = np.arctan2(obs[1], obs[0])
        self.theta_dot = obs[2]

    def step(self, action):
        """Apply torque u (clipped to +-2) for one step."""
        # Keep the action's own dtype: with a float32 torque the torque terms are float32.
        u = np.clip(np.asarray(action).reshape(-1), -self.max_torque, self.max_torque)[0]
        theta, theta_dot = self.theta, self.theta_dot
        cost = normalize_angle(theta) ** 2 + 0.1 * theta_dot**2 + 0.001 * (u**2)
        acceleration = 3 * self.g / (2 * self.l) * np.sin(theta) + 3.0 / (self.m * self.l**2) * u
        new_theta_dot = min(max(theta_dot + acceleration * self.dt, -self.max_speed), self.max_speed)
        new_theta = theta + new_theta_dot * self.dt
        self.theta = new_theta
        self.theta_dot = new_theta_dot
        obs = np.array([np.cos(new_theta), np.sin(new_theta), new_theta_dot], dtype=np.float32)
        # Pendulum never terminates (only the time limit ends an episode).
        return obs, float(-cost), False


def normalize_angle(theta):
    """The same angle in [-pi, pi)."""
    return ((theta + np.pi) % (2 * np.pi)) - np.pi
