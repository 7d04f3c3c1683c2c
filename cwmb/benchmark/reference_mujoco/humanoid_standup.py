"""HumanoidStandup-v4 (the Humanoid model, starting on the ground): root x, y left out (set
to 0). As in Humanoid-v4, com inertias, com velocities, actuator forces and contact forces in
the observation are left over from the previous step's last physics substep. The reward reads
only the current height, control and contact forces, but the PGS solver stops after 50
iterations, so its warm start shows in the result: the previous substep is re-created (its
control from the observed actuator forces) to give it the warm start the real env has."""

from cwmb.benchmark.reference_mujoco._core import MujocoReference  # (dropped from the program text)

# Observation layout: qpos[2:] (22), qvel (23), cinert (14 x 10), cvel (14 x 6), qfrc_actuator (23), cfrc_ext.
_CINERT_START = 22 + 23
_ACTUATOR_FORCE_START = _CINERT_START + 140 + 84


class Environment(MujocoReference):
    """qpos without root x, y, then qvel; the previous substep re-created from the observed forces."""

    GYM_ID = "HumanoidStandup-v4"
    ROOT_EXCLUDED = 2
    REWIND = True
    CINERT_START = _CINERT_START
    ACTUATOR_FORCE_START = _ACTUATOR_FORCE_START
