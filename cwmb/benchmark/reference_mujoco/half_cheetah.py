"""HalfCheetah-v4: the observation leaves out the root x, which nothing but the reward's
x-velocity (a difference) depends on; set to 0. Exact up to rounding."""

from cwmb.benchmark.reference_mujoco._core import MujocoReference  # (dropped from the program text)


class Environment(MujocoReference):
    """qpos without root x, then qvel (unclipped)."""

    GYM_ID = "HalfCheetah-v4"
    ROOT_EXCLUDED = 1
