"""Ant-v4: root x, y left out (set to 0). The reward's forward velocity compares the torso
position left in the kinematics by the last physics substep of the previous step with the one
this step leaves: the former is re-created by solving for that substep. Its control, the
previous action, is not observed and is taken as 0, the mean action, which leaves an error."""

from cwmb.benchmark.reference_mujoco._core import MujocoReference  # (dropped from the program text)


class Environment(MujocoReference):
    """qpos without root x, y, then qvel; the previous substep re-created for the reward."""

    GYM_ID = "Ant-v4"
    ROOT_EXCLUDED = 2
    REWIND = True
