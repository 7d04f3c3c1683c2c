"""``cwmb collect``: per env, N trajectories of at most M steps on the true environment.

Half of them are random-action trajectories, half are better than random (see
:mod:`cwmb.trajectories.policies`). Every random draw comes from a generator seeded by
``(seed, crc32(env name), trajectory index)``, so collecting one env alone gives the same
bytes as collecting it among all 18, and the same command gives the same bytes twice.

The held-out split (``--split heldout``) is collected by this very code path, with the same
policy mix, from another base seed (:data:`DEFAULT_SEEDS`), so its trajectories start from
other states and draw other actions than the search split's.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import metadata
from typing import Any

import numpy as np

from cwmb.benchmark.making import make_env
from cwmb.benchmark.registry import EnvSpec
from cwmb.planning.cem import CEMSettings
from cwmb.trajectories.dataset import Dataset, observation_kind, to_row
from cwmb.trajectories.policies import Episode, cem_episode, filtered_episode, random_action, run_episode

# Returns a better-than-random discrete trajectory must reach within 100 steps. Chosen
# from 300 random episodes per env (docs/benchmark.md): about the 95th percentile of
# random returns, or "reached the goal" where random never does.
THRESHOLDS: dict[str, float] = {
    "Blackjack-v1": 0.0,  # not a loss
    "CliffWalking-v0": -200.0,  # at most one fall off the cliff, and the goal reached (below)
    "Taxi-v3": -300.0,
    "CartPole-v1": 50.0,
    "MountainCar-v0": -99.0,  # reached the flag (heuristic behaviour policy)
    "Acrobot-v1": -99.0,  # swung above the line (heuristic behaviour policy)
}
# Envs whose better trajectories must also reach the goal: otherwise no episode of the
# dataset terminates, and a model that never says done would score perfectly on done.
REQUIRE_TERMINATION = frozenset({"CliffWalking-v0"})
HEURISTIC_EPSILON = 0.1
MAX_ATTEMPTS = 3000
# CEM iteration budgets of the better-than-random continuous trajectories: quality
# spreads from one iteration (barely better than random) to sixteen.
CEM_ITERATIONS = (1, 2, 4, 8, 16)
CEM_COLLECTION = CEMSettings(horizon=100, iterations=1, samples=300, elites=30)
# Base seed of each split when none is given: the search split is the paper-size dataset
# shipped since the start; the held-out split must come from another seed.
DEFAULT_SEEDS = {"search": 0, "heldout": 1}


@dataclass(frozen=True)
class CollectionRequest:
    """What to collect for one env."""

    spec: EnvSpec
    seed: int = 0
    episodes: int = 10
    max_steps: int = 100
    variant: str = "default"  # the dataset variant, for domains that have several (RTFM)
    split: str = "search"

    @property
    def step_limit(self) -> int:
        """Steps per trajectory: the requested cap, or the env's own limit if lower."""
        return min(self.max_steps, self.spec.episode_cap)


def trajectory_rng(seed: int, env_name: str, index: int) -> np.random.Generator:
    """The generator behind trajectory ``index`` of ``env_name``."""
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(env_name.encode()), index]))


def _better_episode(request: CollectionRequest, env: Any, rng: np.random.Generator, rank: int):
    spec = request.spec
    if spec.is_discrete:
        episode, info = filtered_episode(
            spec.name,
            env,
            rng,
            request.step_limit,
            THRESHOLDS[spec.name],
            HEURISTIC_EPSILON,
            MAX_ATTEMPTS,
            require_termination=spec.name in REQUIRE_TERMINATION,
        )
        behaviour = "epsilon-heuristic" if spec.name in ("MountainCar-v0", "Acrobot-v1") else "random"
        return episode, {
            "policy": "filtered",
            "behaviour": behaviour,
            "threshold": THRESHOLDS[spec.name],
            "must_terminate": spec.name in REQUIRE_TERMINATION,
            **info,
        }
    budgets = CEM_ITERATIONS + tuple(CEM_ITERATIONS[-1] * 2 ** (k + 1) for k in range(rank))
    settings = CEMSettings(**{**asdict(CEM_COLLECTION), "iterations": budgets[rank]})
    return cem_episode(env, rng, request.step_limit, settings), {"policy": "cem", **asdict(settings)}


def collect_episodes(
    request: CollectionRequest, on_trajectory: Callable[[int], None] | None = None
) -> list[tuple[Episode, dict[str, Any]]]:
    """Collect all trajectories of one env; ``on_trajectory(i)`` is called after each."""
    env = make_env(request.spec)
    n_random = request.episodes // 2
    out = []
    for index in range(request.episodes):
        rng = trajectory_rng(request.seed, request.spec.name, index)
        if index < n_random:
            reset_seed = int(rng.integers(2**31 - 1))
            episode = run_episode(
                env, lambda _obs, rng=rng: random_action(env, rng), reset_seed, request.step_limit
            )
            info: dict[str, Any] = {"policy": "random"}
        else:
            episode, info = _better_episode(request, env, rng, index - n_random)
        out.append((episode, info))
        if on_trajectory:
            on_trajectory(index)
    env.close()
    return out


def _stack(values: list[Any]) -> np.ndarray:
    return np.stack([to_row(v) for v in values])


def episodes_to_dataset(spec: EnvSpec, episodes: list[Episode]) -> Dataset:
    """Concatenate episodes into one Dataset, keeping gymnasium's dtypes."""
    flat = {
        key: [v for e in episodes for v in getattr(e, key)]
        for key in ("states", "actions", "rewards", "next_states", "terminated", "truncated")
    }
    reward_dtype = np.asarray(flat["rewards"][0]).dtype
    return Dataset(
        env=spec.name,
        obs_kind=observation_kind(flat["states"][0]),
        action_kind=spec.action_kind,
        trajectory=np.concatenate([np.full(len(e), i, dtype=np.int32) for i, e in enumerate(episodes)]),
        step=np.concatenate([np.arange(len(e), dtype=np.int32) for e in episodes]),
        states=_stack(flat["states"]),
        actions=_stack(flat["actions"]),
        rewards=np.asarray(flat["rewards"], dtype=reward_dtype),
        next_states=_stack(flat["next_states"]),
        terminated=np.asarray(flat["terminated"], dtype=bool),
        truncated=np.asarray(flat["truncated"], dtype=bool),
    )


def _versions() -> dict[str, str]:
    return {name: metadata.version(name) for name in ("cwmb", "gymnasium", "mujoco", "numpy", "pyarrow")}


def build_manifest(request: CollectionRequest, data: Dataset, infos: list[dict[str, Any]]) -> dict[str, Any]:
    """Everything needed to know how the data was made and to make it again."""
    lengths, returns = data.trajectory_lengths(), data.trajectory_returns()
    trajectories = [
        {
            "index": i,
            "length": lengths[i],
            "return": returns[i],
            "terminated": bool(data.terminated[data.trajectory == i].any()),
            **infos[i],
        }
        for i in range(len(infos))
    ]
    return {
        "env": request.spec.name,
        "gym_id": request.spec.gym_id,
        "id_note": request.spec.id_note,
        "versions": _versions(),
        "seed": request.seed,
        "episodes": request.episodes,
        "max_steps": request.step_limit,
        "command": _command(request),
        "policy": {
            "random": request.episodes // 2,
            "better": request.episodes - request.episodes // 2,
            "thresholds": THRESHOLDS.get(request.spec.name),
            "cem": asdict(CEM_COLLECTION),
            "cem_iterations": list(CEM_ITERATIONS),
        },
        "obs_kind": data.obs_kind,
        "action_kind": data.action_kind,
        "dtypes": {
            "state": str(data.states.dtype),
            "action": str(data.actions.dtype),
            "reward": str(data.rewards.dtype),
        },
        "counts": {
            "transitions": len(data),
            "trajectories": len(infos),
            "terminated": int(data.terminated.sum()),
        },
        "trajectories": trajectories,
    }


def _command(request: CollectionRequest) -> str:
    """The ``cwmb collect`` command line that makes this dataset again."""
    split = "" if request.split == "search" else f" --split {request.split}"
    return (
        f"cwmb collect --env {request.spec.name}{split} --seed {request.seed} "
        f"--episodes {request.episodes} --max-steps {request.max_steps}"
    )


def collect_env(request: CollectionRequest, on_trajectory: Callable[[int], None] | None = None):
    """Collect one env; return ``(dataset, manifest)`` ready for :func:`write_dataset`."""
    if request.spec.family == "rtfm":
        from cwmb.rtfm.collection import collect_rtfm

        data, manifest = collect_rtfm(request, on_trajectory)
        return data, stamp_split(manifest, request)
    pairs = collect_episodes(request, on_trajectory)
    data = episodes_to_dataset(request.spec, [episode for episode, _ in pairs])
    return data, stamp_split(build_manifest(request, data, [info for _, info in pairs]), request)


def stamp_split(manifest: dict[str, Any], request: CollectionRequest) -> dict[str, Any]:
    """The manifest with the request's split and a command that makes that split again.

    Applied to every domain's manifest (an env family with its own collector included), so
    that ``write_dataset`` puts a held-out split in ``<ENV>/heldout/`` and never over the
    search split.
    """
    command = str(manifest.get("command", ""))
    if request.split != "search" and "--split" not in command:
        command = command.replace(
            f"--env {request.spec.name}", f"--env {request.spec.name} --split {request.split}"
        )
    return {**manifest, "split": request.split, "command": command}
