"""Construct benchmark environments quietly and reproducibly.

MuJoCo 4 prints a C-level compiler warning for HalfCheetah's model and appends it to
``MUJOCO_LOG.TXT`` in the working directory; gymnasium warns that the v4 MuJoCo ids are
out of date. Neither is news to a benchmark user, so both are captured here: MuJoCo
warnings go to :data:`MUJOCO_WARNINGS` instead of stderr and the log file.
"""

from __future__ import annotations

import warnings
from typing import Any

from cwmb.benchmark.registry import EnvSpec, get_env

MUJOCO_WARNINGS: list[str] = []
_quiet_installed = False


def quiet_mujoco() -> None:
    """Route MuJoCo's C-level warnings into :data:`MUJOCO_WARNINGS` (idempotent).

    Must run before the first MuJoCo model is compiled in the process.
    """
    global _quiet_installed
    if _quiet_installed:
        return
    import mujoco

    mujoco.set_mju_user_warning(MUJOCO_WARNINGS.append)
    _quiet_installed = True


def make_env(env: EnvSpec | str, **kwargs: Any) -> Any:
    """Make the gymnasium env (unwrapped: the benchmark applies its own step cap).

    Returns the raw environment object, so that snapshots reach its full state.
    """
    spec = get_env(env) if isinstance(env, str) else env
    if spec.family == "mujoco":
        quiet_mujoco()
    if spec.family == "rtfm":
        import cwmb.rtfm.env  # noqa: F401  (registers the env with gymnasium)
    import gymnasium as gym

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is out of date.*")
        return gym.make(spec.gym_id, **kwargs).unwrapped
