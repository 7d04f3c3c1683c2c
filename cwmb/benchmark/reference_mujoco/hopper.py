"""Hopper-v4: root x left out (set to 0); qvel is clipped to ±10 in the observation, so a
clipped velocity is taken at the clip, the only value the observation allows."""

from cwmb.benchmark.reference_mujoco._core import MujocoReference  # (dropped from the program text)


class Environment(MujocoReference):
    """qpos without root x, then qvel clipped to ±10."""

    GYM_ID = "Hopper-v4"
    ROOT_EXCLUDED = 1
