"""Pusher-v4 (run as Pusher-v5): the observation holds the arm's qpos and qvel and the positions
of the arm tip, the object and the goal. Object and goal move on slide joints in the table's
plane, so their qpos follows from their positions. The object's velocity is not observed and is
taken as 0; its observed position is one physics substep old (MuJoCo computes positions before
integrating), which with velocity 0 is also its current one. Wherever the object is sliding,
that is where the model goes wrong."""

import numpy as np

from cwmb.benchmark.reference_mujoco._core import MujocoReference  # (dropped from the program text)

# Where each body's position starts in the observation.
_BODY_START = {"object": 17, "goal": 20}


class Environment(MujocoReference):
    """Arm qpos and qvel as observed; object and goal slide joints from their positions."""

    GYM_ID = "Pusher-v5"

    def __init__(self) -> None:
        super().__init__()
        model = self.model
        self.slides = []
        for joint in range(model.njnt):
            body = model.body(model.jnt_bodyid[joint])
            if body.name in _BODY_START:
                # Slide joints on a body hanging from the world: qpos = offset along the axis.
                start = _BODY_START[body.name]
                self.slides.append((model.jnt_qposadr[joint], start, body.pos.copy(), model.jnt_axis[joint]))

    def reconstruct(self, obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """qpos = (arm as observed, object and goal from their positions); qvel = (arm, 0, 0, 0, 0)."""
        qpos = np.zeros(self.model.nq)
        qvel = np.zeros(self.model.nv)
        qpos[:7] = obs[:7]
        qvel[:7] = obs[7:14]
        for address, start, body_pos, axis in self.slides:
            qpos[address] = float(np.dot(obs[start : start + 3] - body_pos, axis))
        return qpos, qvel
