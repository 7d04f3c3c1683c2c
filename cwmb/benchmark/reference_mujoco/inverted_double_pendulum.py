"""InvertedDoublePendulum-v4: the observation holds the cart position, the sines and cosines of
the two (unlimited) hinge angles, qvel clipped to ±10 and the constraint forces; the angles
come back through atan2, exactly as far as the dynamics are concerned."""

import numpy as np

from cwmb.benchmark.reference_mujoco._core import MujocoReference  # (dropped from the program text)


class Environment(MujocoReference):
    """Cart x, sin and cos of both link angles, then qvel; constraint forces are recomputed."""

    GYM_ID = "InvertedDoublePendulum-v4"

    def reconstruct(self, obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """qpos = (x, atan2(sin, cos) of both links); qvel as observed."""
        qpos = np.zeros(3)
        qpos[0] = obs[0]
        qpos[1:] = np.arctan2(obs[1:3], obs[3:5])
        return qpos, np.array(obs[5:8], dtype=np.float64)
