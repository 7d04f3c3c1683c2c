"""InvertedPendulum-v4: the observation is (qpos, qvel) itself, so the model is exact."""

from cwmb.benchmark.reference_mujoco._core import MujocoReference  # (dropped from the program text)


class Environment(MujocoReference):
    """Cart position and pole angle, then their velocities: nothing to reconstruct."""

    GYM_ID = "InvertedPendulum-v4"
