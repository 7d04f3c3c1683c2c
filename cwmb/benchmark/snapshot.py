"""Exact snapshot and restore of a true simulator's state, for oracles and collectors.

Three families, three mechanisms (measurements in ``reference/feasibility.md`` §3):

* toy text: the env's state fields plus its ``np_random`` state (Blackjack deals cards
  from the RNG, so the fields alone do not determine the next step);
* classic control: the ``state`` vector plus the few Python-side fields ``step`` reads;
* MuJoCo: a copy of the whole ``MjData``. Restoring only ``qpos``/``qvel`` is *not*
  exact: the solver warm start and kinematics derived during the last step (read by
  the Ant, Humanoid and Reacher rewards) would differ. ``deepcopy`` of the env is
  wrong too: gymnasium MuJoCo envs re-construct themselves at their initial pose.

A test restores, steps and compares next observation, reward and termination bit for
bit on all 18 environments.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

# Python-side fields that ``step`` reads, per unwrapped env class name.
_TOY_TEXT_FIELDS = {
    "BlackjackEnv": ("player", "dealer"),
    "CliffWalkingEnv": ("s", "lastaction"),
    "TaxiEnv": ("s", "lastaction", "fickle_step", "taxi_orientation"),
    # cwmb.rtfm.env: the board's codes and the held item are the whole state.
    "RtfmSimpleStationaryEnv": ("board", "inventory"),
}
_CLASSIC_FIELDS = ("state", "steps_beyond_terminated", "last_u")


@dataclass(frozen=True)
class Snapshot:
    """An opaque, restorable copy of one env's full simulator state."""

    family: str
    fields: dict[str, Any]
    rng_state: dict[str, Any] | None
    mj_data: Any = None


def _rng_state(env: Any) -> dict[str, Any] | None:
    rng = getattr(env, "_np_random", None)
    return copy.deepcopy(rng.bit_generator.state) if rng is not None else None


def _set_rng_state(env: Any, state: dict[str, Any] | None) -> None:
    if state is not None:
        env.np_random.bit_generator.state = copy.deepcopy(state)


def snapshot(env: Any) -> Snapshot:
    """Copy the full state of an unwrapped benchmark env (see module docstring)."""
    if hasattr(env, "data") and hasattr(env, "model"):
        return Snapshot("mujoco", {}, _rng_state(env), copy.copy(env.data))
    names = _TOY_TEXT_FIELDS.get(type(env).__name__, _CLASSIC_FIELDS)
    fields = {name: copy.deepcopy(getattr(env, name)) for name in names if hasattr(env, name)}
    return Snapshot("python", fields, _rng_state(env))


def restore(env: Any, snap: Snapshot) -> None:
    """Put ``env`` back exactly into the state captured by :func:`snapshot`."""
    if snap.family == "mujoco":
        import mujoco

        # Copy into the env's own MjData: the env and its renderer hold references to it.
        mujoco.mj_copyData(env.data, env.model, snap.mj_data)
    else:
        for name, value in snap.fields.items():
            setattr(env, name, copy.deepcopy(value))
    _set_rng_state(env, snap.rng_state)
