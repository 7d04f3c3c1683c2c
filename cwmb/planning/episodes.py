"""Play episodes on the true environment with a random, oracle or world-model agent.

The real env is stepped here, and only here: agents (:class:`Policy`) see an
observation and the number of steps left, and answer with a plan (one action for MCTS
and the random policy, an open-loop sequence for CEM) that this loop executes until it is
used up or the episode ends. So a world model can never fake a return, and a policy that
runs in a sandbox worker costs one round trip per plan.

* ``random``: uniform actions (the lower reference);
* ``oracle``: the env's planner on a second copy of the true env, restored from the real
  env's exact snapshot before each decision (the upper reference);
* ``model``: the same planner over a :class:`~cwmb.planning.world_model.WorldModel`,
  which gets the real observation through ``set_state``.

Episode ``i`` of a profile resets the env with a seed derived from ``(profile.seed, i)``
whatever the agent, so random, oracle and model start from the same states; the
planner's seed is derived from the same pair. A model that raises ends its episode
with the return so far and outcome ``model_error``.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np

from cwmb.benchmark import EnvSpec, get_env
from cwmb.benchmark.making import make_env
from cwmb.benchmark.snapshot import snapshot
from cwmb.planning.cem_agent import CEMPlanner
from cwmb.planning.mcts import MCTSPlanner
from cwmb.planning.mujoco_oracle import MujocoOracleModel, has_fast_oracle
from cwmb.planning.profiles import PlannerProfile
from cwmb.planning.world_model import ModelError, ObservationModel, PlanningModel, TrueEnvModel, WorldModel

AGENTS = ("random", "oracle", "model")


@dataclass(frozen=True)
class ActionInfo:
    """A plain-data description of an action space: ``n`` actions, or a Box ``[low, high]``."""

    n: int | None = None
    low: tuple[float, ...] | None = None
    high: tuple[float, ...] | None = None

    @classmethod
    def from_space(cls, space: Any) -> ActionInfo:
        """Read a gymnasium ``Discrete`` or ``Box`` space."""
        if hasattr(space, "n"):
            return cls(n=int(space.n))
        low = np.asarray(space.low, dtype=np.float64).reshape(-1)
        high = np.asarray(space.high, dtype=np.float64).reshape(-1)
        return cls(low=tuple(low.tolist()), high=tuple(high.tolist()))

    @property
    def is_discrete(self) -> bool:
        """True for a discrete action space."""
        return self.n is not None


class Planner(Protocol):
    """MCTS or CEM: a plan of actions from a state token of a planning model."""

    def plan(self, model: PlanningModel, token: Any, steps_left: int | None = None) -> list[Any]:
        """Return the actions to execute, first to last."""


class Policy(Protocol):
    """Anything that turns the real observation into actions to execute."""

    def decide(self, observation: Any, steps_left: int) -> list[Any]:
        """Return a non-empty plan; the episode loop executes it open loop."""


def make_planner(actions: ActionInfo, profile: PlannerProfile, seed: int) -> MCTSPlanner | CEMPlanner:
    """The paper's planner for this action space: MCTS if discrete, CEM otherwise."""
    if actions.is_discrete:
        assert actions.n is not None
        return MCTSPlanner(actions.n, profile.mcts, seed)
    return CEMPlanner(actions.low, actions.high, profile.cem, seed)


class RandomPolicy:
    """Uniform random actions (int64 index, or a float64 vector within the bounds)."""

    def __init__(self, actions: ActionInfo, seed: int) -> None:
        self.actions = actions
        self.rng = np.random.default_rng(seed)

    def decide(self, observation: Any, steps_left: int) -> list[Any]:
        """One uniformly random action."""
        if self.actions.is_discrete:
            return [np.int64(self.rng.integers(self.actions.n))]
        return [self.rng.uniform(np.array(self.actions.low), np.array(self.actions.high))]


def oracle_model(planning_env: Any, chance_seed: int | None) -> PlanningModel:
    """The oracle's simulator: MuJoCo stepped directly where possible, else the env's ``step``.

    Both give the same transitions bit for bit (``tests/planning/test_mujoco_oracle.py``);
    the MuJoCo one skips gymnasium's per-step overhead (``benchmarks/oracle_speed.py``).
    """
    if has_fast_oracle(planning_env):
        return MujocoOracleModel(planning_env)
    return TrueEnvModel(planning_env, chance_seed)


class OraclePolicy:
    """A planner over a separate copy of the true env, re-synced from the real env each decision."""

    def __init__(self, real_env: Any, planning_env: Any, planner: Planner, chance_seed: int | None) -> None:
        self.real_env = real_env
        self.model = oracle_model(planning_env, chance_seed)
        self.planner = planner

    def decide(self, observation: Any, steps_left: int) -> list[Any]:
        """Plan from an exact snapshot of the real env (the observation is not needed)."""
        return self.planner.plan(self.model, snapshot(self.real_env), steps_left)


class ModelPolicy:
    """A planner over a world model, given the real observation through ``set_state``."""

    def __init__(self, model: WorldModel, planner: Planner, resync_every_step: bool = True) -> None:
        self.model = ObservationModel(model, resync_every_step)
        self.planner = planner

    def decide(self, observation: Any, steps_left: int) -> list[Any]:
        """Plan from the observation; model failures raise :class:`ModelError`."""
        self.model.load(observation)
        return self.planner.plan(self.model, self.model.save(), steps_left)


@dataclass(frozen=True)
class EpisodeResult:
    """One episode: undiscounted return, length, timing, how it ended and the settings used.

    ``outcome`` is ``terminated`` (the env said so), ``truncated`` (the episode cap) or
    ``model_error`` (the world model raised; ``error`` says what).
    """

    env: str
    agent: str
    episode: int
    reset_seed: int
    episode_return: float
    length: int
    seconds: float
    planning_seconds: float
    decisions: int
    outcome: str
    error: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return asdict(self)


def episode_seeds(base_seed: int, episode: int) -> tuple[int, int, int]:
    """``(reset_seed, planner_seed, chance_seed)`` for episode ``episode`` of a profile."""
    words = np.random.SeedSequence([base_seed, episode]).generate_state(3, dtype=np.uint32)
    return int(words[0]), int(words[1]), int(words[2])


def play(real_env: Any, policy: Policy, reset_seed: int, cap: int) -> dict[str, Any]:
    """Reset ``real_env`` with ``reset_seed`` and play up to ``cap`` steps with ``policy``.

    Returns the return, length, decisions, time spent deciding, outcome and error as a dict.
    """
    observation, _ = real_env.reset(seed=reset_seed)
    total, length, decisions, planning = 0.0, 0, 0, 0.0
    outcome, error, plan = "truncated", None, []
    while length < cap:
        if not plan:
            started = time.perf_counter()
            try:
                plan = list(policy.decide(observation, cap - length))
            except ModelError as problem:
                outcome, error = "model_error", str(problem)
                break
            finally:
                planning += time.perf_counter() - started
            decisions += 1
            if not plan:
                raise ValueError("a policy returned an empty plan")
        observation, reward, terminated, _truncated, _ = real_env.step(plan.pop(0))
        total += float(reward)
        length += 1
        if terminated:
            outcome = "terminated"
            break
    return {
        "episode_return": total,
        "length": length,
        "decisions": decisions,
        "planning_seconds": planning,
        "outcome": outcome,
        "error": error,
    }


# Domains whose envs plan their own way (e.g. with the model's valid actions), by env family:
# "module:function" taking (agent, spec, real_env, profile, seeds, model) and returning a
# Policy. Named, not imported, so that the planning core depends on no domain.
DOMAIN_POLICIES: dict[str, str] = {"rtfm": "cwmb.rtfm.planning:build_rtfm_policy"}


def _build_policy(
    agent: str,
    spec: EnvSpec,
    real_env: Any,
    profile: PlannerProfile,
    seeds: tuple[int, int, int],
    model: WorldModel | None,
) -> Policy:
    if spec.family in DOMAIN_POLICIES:
        module, _, name = DOMAIN_POLICIES[spec.family].partition(":")
        build = getattr(importlib.import_module(module), name)
        return build(agent, spec, real_env, profile, seeds, model)
    reset_seed, planner_seed, chance_seed = seeds
    actions = ActionInfo.from_space(real_env.action_space)
    if agent == "random":
        return RandomPolicy(actions, planner_seed)
    planner = make_planner(actions, profile, planner_seed)
    if agent == "oracle":
        planning_env = make_env(spec)
        planning_env.reset(seed=reset_seed)  # initialise it; every decision restores a snapshot
        chance = chance_seed if profile.oracle_randomness == "fresh" else None
        return OraclePolicy(real_env, planning_env, planner, chance)
    if agent == "model":
        if model is None:
            raise ValueError("agent 'model' needs a world model")
        return ModelPolicy(model, planner)
    raise ValueError(f"unknown agent {agent!r}; known: {', '.join(AGENTS)}")


def _settings(agent: str, spec: EnvSpec, profile: PlannerProfile, cap: int) -> dict[str, Any]:
    settings: dict[str, Any] = {"profile": profile.name, "seed": profile.seed, "episode_cap": cap}
    if agent != "random":
        settings |= {"planner": spec.planner, spec.planner: profile.planner_settings(spec.planner)}
    if agent == "oracle":
        settings["oracle_randomness"] = profile.oracle_randomness
    return settings


def episode_result(
    spec: EnvSpec,
    agent: str,
    profile: PlannerProfile,
    cap: int,
    episode: int,
    reset_seed: int,
    started: float,
    played: dict[str, Any],
    **extra_settings: Any,
) -> EpisodeResult:
    """The record of an episode :func:`play` returned ``played`` for, begun at ``started`` (perf_counter).

    Every runner (in process, sandboxed, RTFM) records its settings the same way;
    ``extra_settings`` adds to them (e.g. ``sandboxed=True``).
    """
    return EpisodeResult(
        env=spec.name,
        agent=agent,
        episode=episode,
        reset_seed=reset_seed,
        seconds=time.perf_counter() - started,
        settings=_settings(agent, spec, profile, cap) | extra_settings,
        **played,
    )


def run_episode(
    env: str | EnvSpec,
    agent: str,
    profile: PlannerProfile,
    episode: int = 0,
    model: WorldModel | None = None,
    episode_cap: int | None = None,
) -> EpisodeResult:
    """Play episode ``episode`` of ``profile`` on the true env with ``agent`` (see module docstring).

    ``episode_cap`` overrides the profile's cap (which defaults to the env's own).
    """
    spec = get_env(env) if isinstance(env, str) else env
    cap = episode_cap if episode_cap is not None else profile.cap_for(spec.episode_cap)
    seeds = episode_seeds(profile.seed, episode)
    started = time.perf_counter()
    real_env = make_env(spec)
    policy = _build_policy(agent, spec, real_env, profile, seeds, model)
    played = play(real_env, policy, seeds[0], cap)
    return episode_result(spec, agent, profile, cap, episode, seeds[0], started, played)


def run_episodes(
    env: str | EnvSpec,
    agent: str,
    profile: PlannerProfile,
    episodes: int | None = None,
    model_factory: Callable[[], WorldModel] | None = None,
    episode_cap: int | None = None,
) -> list[EpisodeResult]:
    """Episodes ``0 .. episodes-1`` (default: the profile's count), a fresh model for each."""
    count = profile.episodes if episodes is None else episodes
    return [
        run_episode(env, agent, profile, i, model_factory() if model_factory else None, episode_cap)
        for i in range(count)
    ]
