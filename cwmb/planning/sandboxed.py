"""Planning with a generated world model that runs inside the sandbox.

The planner runs in the sandbox worker next to the model, so the thousands of imagined
steps behind one decision cost no round trip; the true environment stays in the harness
and is stepped by :func:`cwmb.planning.episodes.play`, out of the model's reach, so a
return cannot be faked. One sandbox job per decision (MCTS) or per open-loop plan (CEM).
"""

from __future__ import annotations

import time
import zlib
from typing import Any

import numpy as np

from cwmb.benchmark.making import make_env
from cwmb.benchmark.registry import EnvSpec
from cwmb.planning.episodes import (
    ActionInfo,
    EpisodeResult,
    episode_result,
    episode_seeds,
    make_planner,
    play,
)
from cwmb.planning.profiles import PlannerProfile, profile_from_dict
from cwmb.planning.world_model import ModelError
from cwmb.trajectories.dataset import observation_kind, to_row

DECIDE = "cwmb.planning.sandboxed:decide_in_worker"


def decide_in_worker(
    env_class: type,
    *,
    observation: np.ndarray,
    obs_kind: str,
    steps_left: int,
    actions: dict[str, Any],
    profile: dict[str, Any],
    seed: int,
) -> dict[str, Any]:
    """Worker side: plan from ``observation`` with a fresh model; return the plan as plain data.

    A model that raises or answers malformed output gives ``{"error": ...}``; the harness
    then ends the episode with outcome ``model_error``.
    """
    from cwmb.planning.episodes import ModelPolicy
    from cwmb.sandbox.tasks import state_converter

    info = ActionInfo(n=actions.get("n"), low=_tuple(actions.get("low")), high=_tuple(actions.get("high")))
    planner = make_planner(info, profile_from_dict(profile), seed)
    try:
        plan = ModelPolicy(env_class(), planner).decide(state_converter(obs_kind)(observation), steps_left)
    except ModelError as problem:
        return {"plan": [], "error": str(problem)[:500]}
    return {"plan": [np.asarray(a, dtype=np.float64).reshape(-1) for a in plan], "error": None}


def _tuple(values: Any) -> tuple[float, ...] | None:
    return None if values is None else tuple(float(v) for v in np.asarray(values).reshape(-1))


class SandboxModelPolicy:
    """Harness side: each decision is one sandbox job that plans inside the worker."""

    def __init__(
        self,
        pool: Any,
        source: str,
        actions: ActionInfo,
        profile: PlannerProfile,
        seed: int,
        action_dtype: Any,
        timeout: float,
    ) -> None:
        self.pool, self.source, self.actions = pool, source, actions
        self.profile, self.seed, self.timeout = profile.to_dict(), seed, timeout
        self.action_dtype = action_dtype
        self.decisions = 0

    def _job(self, observation: Any, steps_left: int) -> Any:
        from cwmb.sandbox import CallJob

        actions = {"n": self.actions.n, "low": self.actions.low, "high": self.actions.high}
        # A fresh stream per decision: the worker is a new process each time.
        seed = zlib.crc32(f"{self.seed}:{self.decisions}".encode())
        kwargs = {
            "observation": to_row(observation),
            "obs_kind": observation_kind(observation),
            "steps_left": int(steps_left),
            "actions": actions,
            "profile": self.profile,
            "seed": seed,
        }
        return CallJob(DECIDE, kwargs, self.source)

    def decide(self, observation: Any, steps_left: int) -> list[Any]:
        """Plan in the sandbox; any failure of the model becomes a :class:`ModelError`."""
        outcome = self.pool.run(self._job(observation, steps_left), timeout=self.timeout)
        self.decisions += 1
        if not outcome.ok:
            raise ModelError(f"{outcome.status}: {outcome.message}")
        reply = outcome.value
        if not isinstance(reply, dict) or reply.get("error") or not reply.get("plan"):
            raise ModelError(
                str(reply.get("error") if isinstance(reply, dict) else "malformed planner reply")
            )
        return [self._action(a) for a in reply["plan"]]

    def _action(self, value: Any) -> Any:
        row = np.asarray(value, dtype=np.float64).reshape(-1)
        if self.actions.is_discrete:
            return int(np.clip(row[0], 0, self.actions.n - 1))
        return np.clip(row, self.actions.low, self.actions.high).astype(self.action_dtype)


def run_sandboxed_episode(
    spec: EnvSpec,
    source: str,
    profile: PlannerProfile,
    episode: int,
    pool: Any,
    episode_cap: int | None = None,
    timeout: float = 60.0,
) -> EpisodeResult:
    """Play episode ``episode`` on the true env, planning with the program ``source``."""
    cap = episode_cap if episode_cap is not None else profile.cap_for(spec.episode_cap)
    if spec.family == "rtfm":
        from cwmb.rtfm.planning import run_rtfm_sandboxed_episode

        return run_rtfm_sandboxed_episode(spec, source, profile, episode, pool, cap, timeout)
    reset_seed, planner_seed, _ = episode_seeds(profile.seed, episode)
    started = time.perf_counter()
    real_env = make_env(spec)
    actions = ActionInfo.from_space(real_env.action_space)
    policy = SandboxModelPolicy(
        pool, source, actions, profile, planner_seed, real_env.action_space.dtype, timeout
    )
    played = play(real_env, policy, reset_seed, cap)
    return episode_result(spec, "model", profile, cap, episode, reset_seed, started, played, sandboxed=True)


# Modules the sandbox workers import once, before forking each job, so a decision does not
# pay for importing the planners again.
def _planning_preload() -> tuple[str, ...]:
    from cwmb.sandbox import DEFAULT_PRELOAD

    return (*DEFAULT_PRELOAD, "cwmb.planning.sandboxed", "cwmb.sandbox.tasks", "cwmb.rtfm.planning")


PLANNING_PRELOAD: tuple[str, ...] = _planning_preload()
