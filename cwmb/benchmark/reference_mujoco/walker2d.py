"""Walker2d-v4: root x left out (set to 0); qvel is clipped to ±10 in the observation, so a
clipped velocity is taken at the clip. Walker2d's joints pass 10 rad/s often, and then the
true state is not recoverable."""

from cwmb.benchmark.reference_mujoco._core import MujocoReference  # (dropped from the program text)


class Environment(MujocoReference):
    """qpos without root x, then qvel clipped to ±10."""

    GYM_ID = "Walker2d-v4"
    ROOT_EXCLUDED = 1
