"""Reward and termination of the 11 benchmark MuJoCo envs, read straight from ``MjData``.

The same formulas, in the same floating-point order, as gymnasium 1.4.0's ``step`` of each
env (``gymnasium/envs/mujoco/*_v4.py``, and ``pusher_v5.py`` for Pusher), so that an
oracle stepping MuJoCo itself gets bit-identical rewards and terminations
(``tests/planning/test_mujoco_oracle.py`` checks it). Two facts the formulas rely on:

* after ``mj_step``, positions derived by kinematics (``xpos``, ``xipos``, ``site_xpos``)
  belong to the state *before* the last substep, because ``mj_step`` computes them before
  integrating; gymnasium reads them as they are, and so do these rules;
* ``cfrc_ext`` is only filled by ``mj_rnePostConstraint``, which gymnasium calls after
  every step; a rule says whether its reward needs it (:attr:`RewardRule.reward_needs_forces`)
  and whether the observation does (:attr:`RewardRule.observation_needs_forces`), so an
  oracle that only sums rewards can skip it where neither the reward nor the dynamics use it.

A rule's :meth:`~RewardRule.before` reads what the reward needs from the state before the
step; :meth:`~RewardRule.after` gets that, plus ``sum(action**2)`` (computed by the caller,
once per plan for a whole CEM population), and returns ``(reward, terminated)``.
Constants (weights, ranges) are read from the env object, so non-default arguments work.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


class RewardRule:
    """Base class: one env's reward and termination as a function of ``MjData``."""

    reward_needs_forces = False
    observation_needs_forces = False
    # Humanoid's control cost reads data.ctrl instead of the action (equal for float64 actions).
    cost_from_ctrl = False

    def __init__(self, env: Any) -> None:
        self.data = env.data
        self.qpos = env.data.qpos
        self.qvel = env.data.qvel
        self.dt = env.dt

    def before(self) -> Any:
        """What the reward needs from the state before the step (None by default)."""
        return None

    def after(self, before: Any, squares: Any) -> tuple[Any, bool]:
        """``(reward, terminated)`` of the step just taken; ``squares`` is ``sum(action**2)``."""
        raise NotImplementedError


def _norm(vector: np.ndarray) -> np.float64:
    # np.linalg.norm of a 1-d float vector is sqrt(x.dot(x)) after argument checks that
    # cost more than the arithmetic; both square roots are correctly rounded, so equal. The
    # result stays an np.float64, as norm's: a Python float plus a float32 control cost
    # would be computed in float32 (NumPy 2 promotion).
    return np.float64(math.sqrt(vector.dot(vector)))


def _healthy_reward(healthy: bool, env: Any) -> float:
    return float(healthy or env._terminate_when_unhealthy) * env._healthy_reward


def _terminated(healthy: bool, env: Any) -> bool:
    return (not healthy) if env._terminate_when_unhealthy else False


class ForwardRunner(RewardRule):
    """HalfCheetah and Swimmer: forward velocity of ``qpos[0]`` minus a control cost."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.forward_weight = env._forward_reward_weight
        self.cost_weight = env._ctrl_cost_weight

    def before(self) -> Any:
        """The x position before the step."""
        return self.qpos[0]

    def after(self, before: Any, squares: Any) -> tuple[Any, bool]:
        """Forward reward minus control cost; these envs never terminate."""
        x_velocity = (self.qpos[0] - before) / self.dt
        return self.forward_weight * x_velocity - self.cost_weight * squares, False


class Hopper(ForwardRunner):
    """Hopper: forward + healthy - control; unhealthy by height, angle or any large state."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.env = env
        self.state_low, self.state_high = env._healthy_state_range
        self.z_low, self.z_high = env._healthy_z_range
        self.angle_low, self.angle_high = env._healthy_angle_range

    def healthy(self) -> bool:
        """gymnasium's ``is_healthy`` (``state_vector()[2:]`` is ``qpos[2:]`` then ``qvel``)."""
        z, angle = self.qpos[1:3]
        if not (self.z_low < z < self.z_high and self.angle_low < angle < self.angle_high):
            return False
        # Every value strictly inside (low, high); NaN fails both comparisons, as in gymnasium.
        low, high = self.state_low, self.state_high
        return all(low < value < high for value in (*self.qpos[2:].tolist(), *self.qvel.tolist()))

    def after(self, before: Any, squares: Any) -> tuple[Any, bool]:
        """Reward and termination as gymnasium's Hopper-v4."""
        x_velocity = (self.qpos[0] - before) / self.dt
        healthy = self.healthy()
        rewards = self.forward_weight * x_velocity + _healthy_reward(healthy, self.env)
        return rewards - self.cost_weight * squares, _terminated(healthy, self.env)


class Walker(Hopper):
    """Walker2d: as Hopper, but healthy only by height and angle."""

    def __init__(self, env: Any) -> None:
        ForwardRunner.__init__(self, env)
        self.env = env
        self.z_low, self.z_high = env._healthy_z_range
        self.angle_low, self.angle_high = env._healthy_angle_range

    def healthy(self) -> bool:
        """gymnasium's Walker2d-v4 ``is_healthy``."""
        z, angle = self.qpos[1:3]
        return bool(self.z_low < z < self.z_high and self.angle_low < angle < self.angle_high)


class Ant(RewardRule):
    """Ant: torso x velocity + healthy - control (- contact forces if the env uses them)."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.env = env
        self.torso = env.data.xpos[env.model.body("torso").id]
        self.cost_weight = env._ctrl_cost_weight
        self.z_low, self.z_high = env._healthy_z_range
        self.reward_needs_forces = self.observation_needs_forces = bool(env._use_contact_forces)

    def before(self) -> Any:
        """The torso's x position (from the last kinematics) before the step."""
        return self.torso[0]

    def healthy(self) -> bool:
        """gymnasium's Ant-v4 ``is_healthy``."""
        finite = np.isfinite(self.qpos).all() and np.isfinite(self.qvel).all()
        return bool(finite and self.z_low <= self.qpos[2] <= self.z_high)

    def after(self, before: Any, squares: Any) -> tuple[Any, bool]:
        """Reward and termination as gymnasium's Ant-v4."""
        x_velocity = (self.torso[0] - before) / self.dt
        healthy = self.healthy()
        rewards = x_velocity + _healthy_reward(healthy, self.env)
        costs = self.cost_weight * squares
        if self.reward_needs_forces:
            low, high = self.env._contact_force_range
            forces = np.clip(self.data.cfrc_ext, low, high)
            costs += self.env._contact_cost_weight * np.sum(np.square(forces))
        return rewards - costs, _terminated(healthy, self.env)


class Humanoid(RewardRule):
    """Humanoid: x velocity of the centre of mass + healthy - control."""

    observation_needs_forces = True
    cost_from_ctrl = True

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.env = env
        self.body_mass = env.model.body_mass
        self.total_mass = env.model.body_mass.sum()
        self.xipos = env.data.xipos
        self.forward_weight = env._forward_reward_weight
        self.cost_weight = env._ctrl_cost_weight
        self.z_low, self.z_high = env._healthy_z_range

    def before(self) -> Any:
        """The centre of mass's x position (gymnasium's ``mass_center``), before the step."""
        return (np.einsum("b,bj->j", self.body_mass, self.xipos) / self.total_mass)[0]

    def after(self, before: Any, squares: Any) -> tuple[Any, bool]:
        """Reward and termination as gymnasium's Humanoid-v4."""
        x_velocity = (self.before() - before) / self.dt
        healthy = bool(self.z_low < self.qpos[2] < self.z_high)
        rewards = self.forward_weight * x_velocity + _healthy_reward(healthy, self.env)
        return rewards - self.cost_weight * squares, _terminated(healthy, self.env)


class HumanoidStandup(RewardRule):
    """HumanoidStandup: height over the *substep* time, minus control and impact costs, + 1."""

    reward_needs_forces = observation_needs_forces = True
    cost_from_ctrl = True

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.timestep = env.model.opt.timestep  # gymnasium divides by this, not by dt

    def after(self, before: Any, squares: Any) -> tuple[Any, bool]:
        """Reward as gymnasium's HumanoidStandup-v4; it never terminates."""
        uph_cost = (self.qpos[2] - 0) / self.timestep
        quad_ctrl_cost = 0.1 * squares
        quad_impact_cost = min(5e-07 * np.square(self.data.cfrc_ext).sum(), 10)
        return uph_cost - quad_ctrl_cost - quad_impact_cost + 1, False


class InvertedPendulum(RewardRule):
    """InvertedPendulum: 1 per step; terminated when the pole leaves ±0.2 rad or a value is not finite."""

    def after(self, before: Any, squares: Any) -> tuple[Any, bool]:
        """Reward and termination as gymnasium's InvertedPendulum-v4."""
        # math.isfinite on Python floats: the same verdict as np.isfinite, for less per-call cost.
        finite = all(map(math.isfinite, self.qpos.tolist())) and all(map(math.isfinite, self.qvel.tolist()))
        return 1.0, bool(not finite or abs(self.qpos[1]) > 0.2)


class InvertedDoublePendulum(RewardRule):
    """InvertedDoublePendulum: alive bonus minus tip distance and velocity penalties."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.tip = env.data.site_xpos[0]

    def after(self, before: Any, squares: Any) -> tuple[Any, bool]:
        """Reward and termination as gymnasium's InvertedDoublePendulum-v4."""
        x, _, y = self.tip
        dist_penalty = 0.01 * x**2 + (y - 2) ** 2
        v1, v2 = self.qvel[1:3]
        vel_penalty = 1e-3 * v1**2 + 5e-3 * v2**2
        return 10 - dist_penalty - vel_penalty, bool(y <= 1)


class Reacher(RewardRule):
    """Reacher: minus the fingertip-target distance *before* the step, minus ``sum(action**2)``."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.fingertip = env.data.xpos[env.model.body("fingertip").id]
        self.target = env.data.xpos[env.model.body("target").id]

    def before(self) -> Any:
        """gymnasium's Reacher-v4 computes the distance term before simulating."""
        return -_norm(self.fingertip - self.target)

    def after(self, before: Any, squares: Any) -> tuple[Any, bool]:
        """Reward as gymnasium's Reacher-v4; it never terminates."""
        return before + -squares, False


class Pusher(RewardRule):
    """Pusher (v5): minus weighted object-arm and object-goal distances, minus control."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        xpos, model = env.data.xpos, env.model
        self.tips, self.object = xpos[model.body("tips_arm").id], xpos[model.body("object").id]
        self.goal = xpos[model.body("goal").id]
        self.near_weight, self.dist_weight = env._reward_near_weight, env._reward_dist_weight
        self.control_weight = env._reward_control_weight

    def after(self, before: Any, squares: Any) -> tuple[Any, bool]:
        """Reward as gymnasium's Pusher-v5 ``_get_rew``; it never terminates."""
        reward_near = -_norm(self.object - self.tips) * self.near_weight
        reward_dist = -_norm(self.object - self.goal) * self.dist_weight
        reward_ctrl = -squares * self.control_weight
        return reward_dist + reward_ctrl + reward_near, False


# Keyed by gymnasium module and class: the v5 envs reuse the class names with other
# formulas (contact costs, other bodies), so a v5 env must not get a v4 rule by its name.
RULES: dict[str, type[RewardRule]] = {
    "half_cheetah_v4.HalfCheetahEnv": ForwardRunner,
    "swimmer_v4.SwimmerEnv": ForwardRunner,
    "hopper_v4.HopperEnv": Hopper,
    "walker2d_v4.Walker2dEnv": Walker,
    "ant_v4.AntEnv": Ant,
    "humanoid_v4.HumanoidEnv": Humanoid,
    "humanoidstandup_v4.HumanoidStandupEnv": HumanoidStandup,
    "inverted_pendulum_v4.InvertedPendulumEnv": InvertedPendulum,
    "inverted_double_pendulum_v4.InvertedDoublePendulumEnv": InvertedDoublePendulum,
    "reacher_v4.ReacherEnv": Reacher,
    "pusher_v5.PusherEnv": Pusher,
}
GYMNASIUM_MUJOCO = "gymnasium.envs.mujoco."


def rule_key(env: Any) -> str:
    """``module.Class`` of an unwrapped gymnasium MuJoCo env (e.g. ``ant_v4.AntEnv``)."""
    cls = type(env)
    module = cls.__module__.removeprefix(GYMNASIUM_MUJOCO)
    return f"{module}.{cls.__name__}"


def rule_for(env: Any) -> RewardRule:
    """The reward rule of an unwrapped gymnasium MuJoCo env; KeyError for an env without one."""
    return RULES[rule_key(env)](env)
