"""CQL on cwmb's shipped dataset (paper Table 12), via d3rlpy (the ``offline-rl`` extra).

cwmb writes only the data adapter, the ``fit`` call and the evaluation: d3rlpy's
``DiscreteCQL`` (Discrete actions) or ``CQL`` (Box actions) does the loss and the updates.
Discrete observations are one-hot encoded (Tuple observations: one one-hot per component),
because a neural learner cannot use a state index as a magnitude.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from cwmb.atomic import write_json_atomic
from cwmb.benchmark.registry import EnvSpec
from cwmb.errors import CwmbError

OFFLINE_RL_HINT = "pip install -e '.[offline-rl]'  (d3rlpy==2.7.0, torch==2.13.0)"
DEFAULT_RECORDS = Path(__file__).resolve().parents[1] / "benchmark" / "reference_returns" / "cql"


def import_d3rlpy() -> Any:
    """d3rlpy, or a one-line CwmbError naming the install command."""
    try:
        import d3rlpy
    except ImportError:
        raise CwmbError("d3rlpy (the offline-rl extra) is not installed", OFFLINE_RL_HINT) from None
    return d3rlpy


def _space_sizes(space: Any) -> list[int]:
    """Category counts of a Discrete or Tuple-of-Discrete space; [] for Box."""
    if hasattr(space, "spaces"):
        return [int(s.n) for s in space.spaces]
    if hasattr(space, "n"):
        return [int(space.n)]
    return []


def encode(rows: np.ndarray, sizes: list[int]) -> np.ndarray:
    """Box rows as float32; discrete rows as concatenated one-hots (one per component)."""
    if not sizes:
        return rows.astype(np.float32)
    parts = [np.eye(n, dtype=np.float32)[rows[:, j].astype(np.int64)] for j, n in enumerate(sizes)]
    return np.concatenate(parts, axis=1)


def _mdp_dataset(d3rlpy: Any, data: Any, sizes: list[int]) -> Any:
    """An MDPDataset from cwmb's transition arrays (episodes ordered by trajectory and step)."""
    order = np.lexsort((data.step, data.trajectory))
    actions = data.actions[order]
    if data.action_kind == "discrete":
        actions = actions[:, 0].astype(np.int64)
    last = np.r_[data.trajectory[order][1:] != data.trajectory[order][:-1], True]
    return d3rlpy.dataset.MDPDataset(
        observations=encode(data.states[order], sizes),
        actions=actions,
        rewards=data.rewards[order].astype(np.float32),
        terminals=data.terminated[order].astype(np.float32),
        timeouts=(last & ~data.terminated[order].astype(bool)).astype(np.float32),
    )


def train(data: Any, spec: EnvSpec, env: Any, *, steps: int, seed: int) -> Any:
    """Train CQL for ``steps`` gradient steps (10 epochs when steps allow) and return the learner."""
    d3rlpy = import_d3rlpy()
    d3rlpy.seed(seed)
    dataset = _mdp_dataset(d3rlpy, data, _space_sizes(env.observation_space))
    config = d3rlpy.algos.DiscreteCQLConfig() if spec.is_discrete else d3rlpy.algos.CQLConfig()
    learner = config.create(device="cpu:0")
    per_epoch = max(1, steps // 10)
    learner.fit(
        dataset,
        n_steps=steps,
        n_steps_per_epoch=per_epoch,
        show_progress=False,
        save_interval=10**9,
        logger_adapter=d3rlpy.logging.NoopAdapterFactory(),  # no d3rlpy_logs/ in the cwd
    )
    return learner


def evaluate(learner: Any, env: Any, spec: EnvSpec, *, episodes: int, seed: int) -> list[float]:
    """Undiscounted returns of the greedy policy on the true env, one per episode."""
    sizes = _space_sizes(env.observation_space)
    returns = []
    for episode in range(episodes):
        observation, _ = env.reset(seed=seed + episode)
        total, done, steps = 0.0, False, 0
        while not done and steps < spec.episode_cap:
            row = np.atleast_1d(np.asarray(observation, dtype=np.float64))[None, :]
            action = learner.predict(encode(row, sizes))[0]
            action = int(action) if spec.is_discrete else np.asarray(action, dtype=np.float32)
            observation, reward, terminated, truncated, _ = env.step(action)
            total, steps, done = total + float(reward), steps + 1, terminated or truncated
        returns.append(total)
    return returns


def _check_same_settings(path: Path, **settings: int) -> None:
    """Resume only a record made with these settings; never overwrite or reuse another one."""
    record = json.loads(path.read_text(encoding="utf-8"))
    differing = {name: record.get(name) for name, value in settings.items() if record.get(name) != value}
    if differing:
        shown = ", ".join(f"{name}={value}" for name, value in differing.items())
        raise CwmbError(
            f"{path} was made with other settings ({shown})",
            "pass the same --steps/--seed/--episodes to resume it, or --out DIR for a new set of records",
        )


def run_env(spec: EnvSpec, out: Path, *, steps: int, seed: int, episodes: int) -> dict[str, Any] | None:
    """Train and evaluate CQL on one env, write ``out/<env>.json``; None if already there."""
    from cwmb.benchmark.making import make_env
    from cwmb.trajectories.storage import load_dataset

    path = out / f"{spec.name}.json"
    if path.exists():
        _check_same_settings(path, steps=steps, seed=seed, episodes=episodes)
        print(f"cql {spec.name}: done already ({path}), skipped", file=sys.stderr)
        return None
    data = load_dataset(None, spec.name)
    env = make_env(spec)
    started = time.perf_counter()
    learner = train(data, spec, env, steps=steps, seed=seed)
    trained = time.perf_counter() - started
    returns = evaluate(learner, env, spec, episodes=episodes, seed=seed)
    env.close()
    record = {
        "env": spec.name,
        "agent": "cql",
        "library": f"d3rlpy {import_d3rlpy().__version__}",
        "algorithm": "DiscreteCQL" if spec.is_discrete else "CQL",
        "steps": steps,
        "seed": seed,
        "episodes": episodes,
        "returns": returns,
        "mean_return": float(np.mean(returns)),
        "train_seconds": round(trained, 2),
    }
    out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, record)
    print(
        f"cql {spec.name}: mean return {record['mean_return']:.2f} ({trained:.1f} s training)",
        file=sys.stderr,
    )
    return record
