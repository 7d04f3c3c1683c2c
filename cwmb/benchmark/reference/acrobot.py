"""Reference world model for Acrobot-v1: a two-link pendulum actuated at the middle joint.

Dynamics from Sutton & Barto's book (the "book" variant of the equations of motion),
integrated over 0.2 s with one classical fourth-order Runge-Kutta step. The observation
holds cos/sin of both joint angles, so the angles are recovered with atan2.
Self-contained: numpy and the standard library only.
"""

import numpy as np


class Environment:
    """Acrobot dynamics; observation = (cos t1, sin t1, cos t2, sin t2, dt1, dt2)."""

    def __init__(self):
        self.dt = 0.2
        self.link_length_1 = 1.0
        self.link_mass_1 = 1.0
        self.link_mass_2 = 1.0
        self.link_com_1 = 0.5
        self.link_com_2 = 0.5
        self.link_inertia = 1.0
        self.gravity = 9.8
        self.max_velocity_1 = 4 * np.pi
        self.max_velocity_2 = 9 * np.pi
        self.torques = (-1.0, 0.0, 1.0)
        self.state = np.zeros(4, dtype=np.float64)  # t1, t2, dt1, dt2

    def set_state(self, state):
        """Recover the joint angles from their cos/sin; velocities are given directly."""
        obs = np.asarray(state, dtype=np.float64).reshape(6)
        theta1 = np.arctan2(obs[1], obs[0])
        theta2 = np.arctan2(obs[3], obs[2])
        self.state = np.array([theta1, theta2, obs[4], obs[5]], dtype=np.float64)

    def _derivatives(self, y):
        """Time derivative of (t1, t2, dt1, dt2, torque); the torque is constant."""
        m1, m2 = self.link_mass_1, self.link_mass_2
        l1, lc1, lc2 = self.link_length_1, self.link_com_1, self.link_com_2
        inertia, g = self.link_inertia, self.gravity
        theta1, theta2, dtheta1, dtheta2, torque = y
        d1 = m1 * lc1**2 + m2 * (l1**2 + lc2**2 + 2 * l1 * lc2 * np.cos(theta2)) + inertia + inertia
        d2 = m2 * (lc2**2 + l1 * lc2 * np.cos(theta2)) + inertia
        phi2 = m2 * lc2 * g * np.cos(theta1 + theta2 - np.pi / 2.0)
        phi1 = (
            -m2 * l1 * lc2 * dtheta2**2 * np.sin(theta2)
            - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * np.sin(theta2)
            + (m1 * lc1 + m2 * l1) * g * np.cos(theta1 - np.pi / 2)
            + phi2
        )
        ddtheta2 = (torque + d2 / d1 * phi1 - m2 * l1 * lc2 * dtheta1**2 * np.sin(theta2) - phi2) / (
            m2 * lc2**2 + inertia - d2**2 / d1
        )
        ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
        return np.array([dtheta1, dtheta2, ddtheta1, ddtheta2, 0.0])

    def step(self, action):
        """Apply torque -1, 0 or +1 (actions 0, 1, 2) at the middle joint for 0.2 s."""
        y0 = np.append(self.state, self.torques[int(action)])
        half = self.dt / 2.0
        k1 = self._derivatives(y0)
        k2 = self._derivatives(y0 + half * k1)
        k3 = self._derivatives(y0 + half * k2)
        k4 = self._derivatives(y0 + self.dt * k3)
        y1 = y0 + self.dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        theta1 = _wrap_angle(y1[0])
        theta2 = _wrap_angle(y1[1])
        dtheta1 = min(max(y1[2], -self.max_velocity_1), self.max_velocity_1)
        dtheta2 = min(max(y1[3], -self.max_velocity_2), self.max_velocity_2)
        self.state = np.array([theta1, theta2, dtheta1, dtheta2], dtype=np.float64)
        # Done when the tip is more than one link length above the pivot.
        done = bool(-np.cos(theta1) - np.cos(theta2 + theta1) > 1.0)
        reward = 0.0 if done else -1.0
        obs = [np.cos(theta1), np.sin(theta1), np.cos(theta2), np.sin(theta2), dtheta1, dtheta2]
        return np.array(obs, dtype=np.float32), reward, done


def _wrap_angle(angle):
    """Map an angle into [-pi, pi] by whole turns."""
    while angle > np.pi:
        angle -= 2 * np.pi
    while angle < -np.pi:
        angle += 2 * np.pi
    return angle
