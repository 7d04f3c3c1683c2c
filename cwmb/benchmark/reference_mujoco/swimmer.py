"""Swimmer-v4: root x and y left out (set to 0); the viscous fluid forces do not depend on them."""

from cwmb.benchmark.reference_mujoco._core import MujocoReference  # (dropped from the program text)


class Environment(MujocoReference):
    """qpos without root x, y, then qvel."""

    GYM_ID = "Swimmer-v4"
    ROOT_EXCLUDED = 2
