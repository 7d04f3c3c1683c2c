"""The RTFM datasets, collected like the paper's: a random policy over the valid actions.

Two variants, recorded in the manifest as ``variant``:

* ``default``: whole trajectories until the dataset holds at least 1000 transitions (the
  paper's buffer: 57 trajectories, 999 transitions), each capped at 100 steps;
* ``failures`` (Appendix F): ``episodes`` trajectories (10 by default) that all end in
  failure: terminated with reward -1 and no +1 on the way. Trajectories that win or run
  out of steps are drawn again.

Every draw comes from a generator seeded by ``(seed, crc32(env name), variant, index)``,
so the same command gives the same bytes.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from importlib import metadata
from typing import Any

import numpy as np

from cwmb.rtfm import rules
from cwmb.trajectories.dataset import Dataset

VARIANTS = ("default", "failures")
DEFAULT_TRANSITIONS = 1000
MAX_ATTEMPTS = 10_000
_VARIANT_CODE = {"default": 0, "failures": 1}


def trajectory_rng(seed: int, env_name: str, variant: str, index: int) -> np.random.Generator:
    """The generator behind draw ``index`` of one variant."""
    entropy = [seed, zlib.crc32(env_name.encode()), _VARIANT_CODE[variant], index]
    return np.random.default_rng(np.random.SeedSequence(entropy))


def random_trajectory(env: Any, rng: np.random.Generator, max_steps: int) -> list[tuple[Any, ...]]:
    """One trajectory of a uniform random policy over the valid actions of each state.

    Each record is (state row, action, reward, next state row, terminated, truncated,
    valid-actions mask of the next state).
    """
    from cwmb.rtfm.env import state_row

    observation, info = env.reset(seed=int(rng.integers(2**31 - 1)))
    records = []
    for step in range(max_steps):
        action = int(rng.choice(info["valid_actions"]))
        next_observation, reward, terminated, _, info = env.step(action)
        truncated = not terminated and step + 1 >= max_steps
        row, next_row = state_row(observation), state_row(next_observation)
        records.append(
            (row, action, reward, next_row, terminated, truncated, rules.valid_mask(info["valid_actions"]))
        )
        observation = next_observation
        if terminated:
            break
    return records


def _ends_in_failure(records: list[tuple[Any, ...]]) -> bool:
    rewards = [r[2] for r in records]
    return bool(records[-1][4]) and rewards[-1] == -1.0 and 1.0 not in rewards


def _draw(request: Any, env: Any, on_trajectory: Callable[[int], None] | None) -> list[list[tuple[Any, ...]]]:
    name, variant, cap = request.spec.name, request.variant, request.step_limit
    trajectories: list[list[tuple[Any, ...]]] = []
    index = 0
    while _needs_more(request, trajectories):
        if index >= MAX_ATTEMPTS:
            raise RuntimeError(f"no {variant} dataset after {MAX_ATTEMPTS} trajectories")
        records = random_trajectory(env, trajectory_rng(request.seed, name, variant, index), cap)
        index += 1
        if variant == "default" or _ends_in_failure(records):
            trajectories.append(records)
            if on_trajectory:
                on_trajectory(len(trajectories) - 1)
    return trajectories


def _needs_more(request: Any, trajectories: list[list[tuple[Any, ...]]]) -> bool:
    if request.variant == "failures":
        return len(trajectories) < request.episodes
    return _total(trajectories) < DEFAULT_TRANSITIONS


def _total(trajectories: list[list[tuple[Any, ...]]]) -> int:
    return sum(len(t) for t in trajectories)


def records_to_dataset(env_name: str, trajectories: list[list[tuple[Any, ...]]]) -> Dataset:
    """Stack trajectories of records into an RTFM :class:`Dataset` (obs_kind ``rtfm``)."""
    flat = [r for t in trajectories for r in t]
    column = list(zip(*flat, strict=True))
    return Dataset(
        env=env_name,
        obs_kind="rtfm",
        action_kind="discrete",
        trajectory=np.concatenate([np.full(len(t), i, dtype=np.int32) for i, t in enumerate(trajectories)]),
        step=np.concatenate([np.arange(len(t), dtype=np.int32) for t in trajectories]),
        states=np.stack(column[0]).astype(np.int64),
        actions=np.asarray(column[1], dtype=np.int64).reshape(-1, 1),
        rewards=np.asarray(column[2], dtype=np.float64),
        next_states=np.stack(column[3]).astype(np.int64),
        terminated=np.asarray(column[4], dtype=bool),
        truncated=np.asarray(column[5], dtype=bool),
        next_valid_actions=np.stack(column[6]),
    )


def _manifest(request: Any, data: Dataset) -> dict[str, Any]:
    lengths, returns = data.trajectory_lengths(), data.trajectory_returns()
    variant_flag = f" --variant {request.variant}" if request.variant != "default" else ""
    episodes_flag = f" --episodes {request.episodes}" if request.variant == "failures" else ""
    return {
        "env": request.spec.name,
        "gym_id": request.spec.gym_id,
        "id_note": request.spec.id_note,
        "variant": request.variant,
        "versions": {n: metadata.version(n) for n in ("cwmb", "gymnasium", "numpy", "pyarrow")},
        "seed": request.seed,
        "episodes": len(lengths),
        "max_steps": request.step_limit,
        "command": f"cwmb collect --env {request.spec.name} --seed {request.seed}{variant_flag}"
        f"{episodes_flag} --max-steps {request.max_steps}",
        "policy": {"random_over_valid_actions": len(lengths), "vocabulary": list(rules.VOCABULARY)},
        "obs_kind": data.obs_kind,
        "action_kind": data.action_kind,
        "dtypes": {"state": str(data.states.dtype), "action": str(data.actions.dtype), "reward": "float64"},
        "counts": {
            "transitions": len(data),
            "trajectories": len(lengths),
            "terminated": int(data.terminated.sum()),
            "wins": int((data.rewards == 1.0).sum()),
        },
        "trajectories": [
            {"index": i, "length": lengths[i], "return": returns[i], "policy": "random over valid actions"}
            for i in range(len(lengths))
        ],
    }


def collect_rtfm(
    request: Any, on_trajectory: Callable[[int], None] | None = None
) -> tuple[Dataset, dict[str, Any]]:
    """Collect one RTFM variant; return ``(dataset, manifest)`` ready for ``write_dataset``."""
    from cwmb.benchmark.making import make_env

    if request.variant not in VARIANTS:
        raise ValueError(f"RTFM dataset variants are {', '.join(VARIANTS)}, not {request.variant!r}")
    env = make_env(request.spec)
    data = records_to_dataset(request.spec.name, _draw(request, env, on_trajectory))
    return data, _manifest(request, data)
