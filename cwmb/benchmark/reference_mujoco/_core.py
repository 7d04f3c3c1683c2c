"""Observation-only reference world model for a gymnasium MuJoCo environment.

``set_state(observation)`` rebuilds the simulator state (qpos, qvel) from the observation
alone, and ``step(action)`` steps the real MuJoCo model from it, returning
``(next_observation, reward, terminated)`` as the environment computes them. Whatever the
observation does not determine is filled with the best estimate available from it:

* root coordinates the observation leaves out (x, or x and y) are 0: these envs are
  translation-invariant in them, and rewards use only their differences;
* unobserved velocities are 0, clipped velocities are taken as given;
* kinematics a reward reads *before* the step are, in the real env, left over from the last
  physics substep of the previous step (MuJoCo computes them from the substep's start, or for
  RK4 from its last stage, not from the state it ends in). Where that matters they are
  re-created: by running the previous substep again from a state solved for with Newton's
  method (:func:`rewind_last_substep`), or read from the observation itself.

The solver warm start is reset on every ``set_state``, so a prediction never depends on the
transition predicted before it. This text is also assembled, together with one env's
subclass, into a self-contained program: numpy, mujoco and gymnasium only.
"""

import warnings
from typing import Any

import gymnasium as gym
import mujoco
import numpy as np

MUJOCO_WARNINGS: list[str] = []
# A Newton step that shrinks the residual by less than this factor triggers a new Jacobian.
_SLOW_PROGRESS = 0.1


def make_mujoco_env(gym_id: str) -> Any:
    """The unwrapped gymnasium env ``gym_id``, made without printing MuJoCo or deprecation warnings."""
    if mujoco.get_mju_user_warning() is None:
        # Otherwise MuJoCo 4 prints HalfCheetah's compiler deprecation to stderr and appends it to
        # MUJOCO_LOG.TXT in the working directory.
        mujoco.set_mju_user_warning(MUJOCO_WARNINGS.append)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is out of date.*")
        return gym.make(gym_id).unwrapped


def _run_substep(model, data, state, ctrl, warmstart):
    """One physics substep (``mj_step``) from ``state = (qpos, qvel)`` with a fixed warm start."""
    data.qpos[:] = state[0]
    data.qvel[:] = state[1]
    data.ctrl[:] = ctrl
    data.qacc_warmstart[:] = warmstart
    mujoco.mj_step(model, data)


def _residual(model, data, state, target, ctrl, warmstart):
    """Where one substep from ``state`` lands, minus ``target``, in tangent space (2 nv)."""
    _run_substep(model, data, state, ctrl, warmstart)
    dq = np.zeros(model.nv)
    # Quaternions (free and ball joints) have no plain difference: use the tangent-space one.
    mujoco.mj_differentiatePos(model, dq, 1.0, target[0], data.qpos)
    return np.concatenate([dq, data.qvel - target[1]])


def _displace(model, state, delta):
    """``state`` moved by the tangent-space vector ``delta``."""
    qpos = state[0].copy()
    mujoco.mj_integratePos(model, qpos, delta[: model.nv], 1.0)
    return qpos, state[1] + delta[model.nv :]


def _jacobian(model, data, state, target, ctrl, warmstart, base, eps=1e-6):
    """Forward-difference Jacobian of :func:`_residual` at ``state`` (MuJoCo's own FD refuses RK4)."""
    size = 2 * model.nv
    jac = np.empty((size, size))
    for j in range(size):
        delta = np.zeros(size)
        delta[j] = eps
        jac[:, j] = (
            _residual(model, data, _displace(model, state, delta), target, ctrl, warmstart) - base
        ) / eps
    return jac


def rewind_last_substep(
    model: mujoco.MjModel,
    data: mujoco.MjData,
    qpos: np.ndarray,
    qvel: np.ndarray,
    ctrl: np.ndarray,
    iterations: int = 8,
    tol: float = 1e-11,
) -> float:
    """Re-create what the last physics substep leaves in ``data``, ending in ``(qpos, qvel)``.

    Solves for the state one substep earlier that the substep (with control ``ctrl``) maps to
    ``(qpos, qvel)``: Newton's method with a finite-difference Jacobian, re-linearised only when
    a step shrinks the residual too little (or not at all). Then runs that substep, so the
    kinematics (``xpos``, ``xipos``, ...) and the solver warm start are those the real env holds
    after a step, and finally puts ``(qpos, qvel)`` back exactly, without recomputing the kinematics. Expects
    ``data.qacc`` from an ``mj_forward`` at ``(qpos, qvel)``: it is the substep's warm start.
    Returns the final residual (max abs, tangent space).
    """
    warmstart = data.qacc.copy()
    target = (np.array(qpos, dtype=np.float64), np.array(qvel, dtype=np.float64))
    # First guess: undo the position update with the current velocity.
    start_qpos = target[0].copy()
    mujoco.mj_integratePos(model, start_qpos, target[1], -model.opt.timestep)
    state = (start_qpos, target[1].copy())
    residual = _residual(model, data, state, target, ctrl, warmstart)
    jac, jac_is_fresh = None, False
    for _ in range(iterations):
        if np.abs(residual).max() < tol:
            break
        if jac is None:
            jac, jac_is_fresh = _jacobian(model, data, state, target, ctrl, warmstart, residual), True
        try:
            candidate = _displace(model, state, -np.linalg.solve(jac, residual))
        except np.linalg.LinAlgError:
            break
        candidate_residual = _residual(model, data, candidate, target, ctrl, warmstart)
        old_size, new_size = np.abs(residual).max(), np.abs(candidate_residual).max()
        if new_size < old_size:
            state, residual, jac_is_fresh = candidate, candidate_residual, False
            if new_size > _SLOW_PROGRESS * old_size:
                jac = None  # slow (linear) progress: the first guess was far; linearise again
        elif jac_is_fresh:
            break  # contacts switched within the step: keep the best state found
        else:
            jac = None  # a stale Jacobian failed; linearise again at the current state
    _run_substep(model, data, state, ctrl, warmstart)
    data.qpos[:] = target[0]
    data.qvel[:] = target[1]
    return float(np.abs(residual).max())


class MujocoReference:
    """Base of the observation-only reference models; subclasses set the class attributes.

    ``ROOT_EXCLUDED`` leading qpos entries are missing from the observation, which then holds
    the rest of qpos followed by qvel (the gymnasium layout); subclasses with another layout
    override :meth:`reconstruct`. ``REWIND`` re-creates the last substep's kinematics
    (:func:`rewind_last_substep`); its control comes from the observed actuator forces at
    ``ACTUATOR_FORCE_START`` when the observation has them, else it is 0 (the mean action).
    """

    GYM_ID: str = ""
    ROOT_EXCLUDED: int = 0
    REWIND: bool = False
    ACTUATOR_FORCE_START: int | None = None
    CINERT_START: int | None = None

    def __init__(self) -> None:
        self.env = make_mujoco_env(self.GYM_ID)
        self.env.reset(seed=0)
        self.model = self.env.model
        self.data = self.env.data
        self.last_residual = 0.0

    def reconstruct(self, obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(qpos, qvel)`` from the observation (excluded root coordinates at 0)."""
        nq, nv, skip = self.model.nq, self.model.nv, self.ROOT_EXCLUDED
        qpos = np.zeros(nq)
        qpos[skip:] = obs[: nq - skip]
        qvel = np.array(obs[nq - skip : nq - skip + nv], dtype=np.float64)
        return qpos, qvel

    def previous_ctrl(self, obs: np.ndarray) -> np.ndarray:
        """The control of the previous step: from the observed actuator forces, or 0 if unobserved."""
        model = self.model
        ctrl = np.zeros(model.nu)
        if self.ACTUATOR_FORCE_START is None:
            return ctrl
        forces = obs[self.ACTUATOR_FORCE_START : self.ACTUATOR_FORCE_START + model.nv]
        for i in range(model.nu):
            # Joint motors: force on the joint's dof = gear * gain * ctrl.
            dof = model.jnt_dofadr[model.actuator_trnid[i, 0]]
            ctrl[i] = forces[dof] / (model.actuator_gear[i, 0] * model.actuator_gainprm[i, 0])
        return ctrl

    def observation_is_fresh(self, obs: np.ndarray) -> bool:
        """True when the observed com inertias are those of (qpos, qvel) itself: the env was just reset.

        After a reset gymnasium's ``set_state`` recomputes the kinematics, so there is no earlier
        substep to re-create. Needs ``CINERT_START`` and a fresh ``mj_forward``.
        """
        if self.CINERT_START is None:
            return False
        size = self.data.cinert.size
        observed = obs[self.CINERT_START : self.CINERT_START + size]
        return bool(np.abs(observed - self.data.cinert.ravel()).max() < 1e-9)

    def restore_stale(self, obs: np.ndarray) -> None:
        """Hook: adjust derived quantities the observation reveals (after the state is set)."""

    def set_state(self, obs: Any) -> None:
        """Set the simulator to the state reconstructed from ``obs``."""
        obs = np.asarray(obs, dtype=np.float64).reshape(-1)
        qpos, qvel = self.reconstruct(obs)
        ctrl = self.previous_ctrl(obs)
        # set_state's mj_forward reads ctrl: set it, so nothing carries over from the last call.
        self.data.ctrl[:] = ctrl
        self.data.qacc_warmstart[:] = 0.0
        self.env.set_state(qpos, qvel)
        if self.REWIND and not self.observation_is_fresh(obs):
            self.last_residual = rewind_last_substep(self.model, self.data, qpos, qvel, ctrl)
        self.restore_stale(obs)

    def step(self, action: Any) -> tuple[np.ndarray, float, bool]:
        """Step the real env: ``(next_observation, reward, terminated)``."""
        obs, reward, terminated, _, _ = self.env.step(action)
        return obs, float(reward), bool(terminated)
