"""Reacher-v4: the observation holds cos and sin of the two arm angles, the target position,
the arm's joint velocities and the fingertip-to-target vector. The angles come back through
atan2: the second joint is limited to ±3 rad but its soft limit lets it pass ±π, where atan2
cannot tell the sides apart. The target never moves, so its velocity is 0. The reward reads
fingertip - target before the step from the kinematics the previous step left behind: exactly
the vector the observation carries, so it is put where the reward reads it."""

import numpy as np

from cwmb.benchmark.reference_mujoco._core import MujocoReference  # (dropped from the program text)


class Environment(MujocoReference):
    """Arm angles through atan2, target from the observation, the reward's vector from the observation."""

    GYM_ID = "Reacher-v4"

    def __init__(self) -> None:
        super().__init__()
        self.fingertip = self.model.body("fingertip").id
        self.target = self.model.body("target").id

    def reconstruct(self, obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """qpos = (atan2 of both arm angles, target x, y); qvel = (arm velocities, 0, 0)."""
        qpos = np.zeros(4)
        qpos[:2] = np.arctan2(obs[2:4], obs[0:2])
        qpos[2:] = obs[4:6]
        qvel = np.zeros(4)
        qvel[:2] = obs[6:8]
        return qpos, qvel

    def restore_stale(self, obs: np.ndarray) -> None:
        """Make get_body_com("fingertip") - get_body_com("target") equal the observed vector, bit for bit."""
        self.data.xpos[self.target] = 0.0
        self.data.xpos[self.fingertip] = obs[8:11]
