"""How trajectories are generated on the true environment.

Three behaviours, recorded per trajectory in the manifest:

* ``random``: uniform random actions;
* ``filtered``: episodes of a behaviour policy (random, or for MountainCar and Acrobot an
  epsilon-greedy energy-pumping heuristic, because no random 100-step episode reaches
  their goal) kept only when their return passes a threshold;
* ``cem``: an open-loop CEM plan on the true environment, planned once from the initial
  state through exact snapshots; more iterations give better trajectories.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cwmb.benchmark.snapshot import restore, snapshot
from cwmb.planning.cem import CEMSettings, cem_plan

Policy = Callable[[Any, np.random.Generator], Any]


@dataclass
class Episode:
    """One recorded episode: gymnasium-native values, one entry per step."""

    states: list[Any] = field(default_factory=list)
    actions: list[Any] = field(default_factory=list)
    rewards: list[Any] = field(default_factory=list)
    next_states: list[Any] = field(default_factory=list)
    terminated: list[bool] = field(default_factory=list)
    truncated: list[bool] = field(default_factory=list)

    @property
    def total_return(self) -> float:
        """Undiscounted return."""
        return float(sum(float(r) for r in self.rewards))

    def __len__(self) -> int:
        return len(self.actions)


def random_action(env: Any, rng: np.random.Generator) -> Any:
    """A uniform random action drawn from ``rng`` (not the env's own RNG, for reproducibility)."""
    space = env.action_space
    if hasattr(space, "n"):
        return int(rng.integers(space.n))
    return rng.uniform(space.low, space.high).astype(space.dtype)


def _mountain_car_pump(observation: Any, rng: np.random.Generator) -> int:
    return 2 if observation[1] >= 0 else 0


def _acrobot_pump(observation: Any, rng: np.random.Generator) -> int:
    # Torque against the first link's angular velocity swings the tip up within ~80 steps.
    return 0 if observation[4] > 0 else 2


HEURISTICS: dict[str, Callable[[Any, np.random.Generator], int]] = {
    "MountainCar-v0": _mountain_car_pump,
    "Acrobot-v1": _acrobot_pump,
}


def run_episode(env: Any, choose: Callable[[Any], Any], reset_seed: int, max_steps: int) -> Episode:
    """Reset with ``reset_seed`` and step ``choose(observation)`` until termination or ``max_steps``."""
    observation, _ = env.reset(seed=reset_seed)
    episode = Episode()
    for t in range(max_steps):
        action = choose(observation)
        next_observation, reward, terminated, _, _ = env.step(action)
        episode.states.append(observation)
        episode.actions.append(action)
        episode.rewards.append(reward)
        episode.next_states.append(next_observation)
        episode.terminated.append(bool(terminated))
        episode.truncated.append(not terminated and t + 1 == max_steps)
        if terminated:
            break
        observation = next_observation
    return episode


def heuristic_chooser(env_name: str, env: Any, rng: np.random.Generator, epsilon: float) -> Callable:
    """Epsilon-greedy over the env's heuristic if it has one, else uniform random."""
    heuristic = HEURISTICS.get(env_name)

    def choose(observation: Any) -> Any:
        if heuristic is None or rng.random() < epsilon:
            return random_action(env, rng)
        return heuristic(observation, rng)

    return choose


def filtered_episode(
    env_name: str,
    env: Any,
    rng: np.random.Generator,
    max_steps: int,
    threshold: float,
    epsilon: float,
    max_attempts: int,
    require_termination: bool = False,
) -> tuple[Episode, dict[str, Any]]:
    """Sample episodes until one's return reaches ``threshold`` (and, if required, the episode
    terminated); else keep the best one seen."""
    choose = heuristic_chooser(env_name, env, rng, epsilon)
    best: Episode | None = None
    for attempt in range(1, max_attempts + 1):
        episode = run_episode(env, choose, int(rng.integers(2**31 - 1)), max_steps)
        if best is None or episode.total_return > best.total_return:
            best = episode
        if episode.total_return >= threshold and (episode.terminated[-1] or not require_termination):
            return episode, {"attempts": attempt, "threshold_met": True}
    assert best is not None
    return best, {"attempts": max_attempts, "threshold_met": False}


def cem_episode(env: Any, rng: np.random.Generator, max_steps: int, settings: CEMSettings) -> Episode:
    """Plan once from the reset state with CEM on the true env, then play the plan open loop."""
    reset_seed = int(rng.integers(2**31 - 1))
    env.reset(seed=reset_seed)
    start = snapshot(env)
    dtype = env.action_space.dtype

    def returns_of(plans: np.ndarray) -> np.ndarray:
        totals = np.zeros(plans.shape[0])
        for i, plan in enumerate(plans):
            restore(env, start)
            for action in plan.astype(dtype):
                _, reward, terminated, _, _ = env.step(action)
                totals[i] += reward
                if terminated:
                    break
        return totals

    horizon_settings = CEMSettings(**{**settings.__dict__, "horizon": max_steps})
    plan = cem_plan(returns_of, env.action_space.low, env.action_space.high, horizon_settings, rng)
    actions = iter(plan.astype(dtype))
    return run_episode(env, lambda _obs: next(actions), reset_seed, max_steps)
