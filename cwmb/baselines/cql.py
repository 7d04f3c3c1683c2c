"""CQL on cwmb's shipped dataset (paper Table 12), via d3rlpy (the ``offline-rl`` extra).

cwmb writes only the data adapter, the ``fit`` call and the evaluation: d3rlpy's
``DiscreteCQL`` (Discrete actions) or ``CQL`` (Box actions) does the loss and the updates.
Discrete observations are one-hot encoded (Tuple observations: one one-hot per component),
because a neural learner cannot use a state index as a magnitude.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from cwmb.atomic import write_json_atomic
from cwmb.baselines import CQL_RECORDS
from cwmb.benchmark.registry import EnvSpec
from cwmb.errors import CwmbError
from cwmb.planning.episodes import episode_seeds, play
from cwmb.planning.profiles import PlannerProfile

OFFLINE_RL_HINT = "pip install -e '.[offline-rl]'  (d3rlpy==2.7.0, torch==2.13.0)"
DEFAULT_RECORDS = CQL_RECORDS  # beside the reference returns; Table 12 reads them


def import_d3rlpy() -> Any:
    """d3rlpy with its console logging quietened, or a one-line CwmbError naming the install command.

    d3rlpy imports the legacy ``gym`` package, which prints a deprecation notice (cwmb does not
    use ``gym``), and logs every epoch's metrics through structlog; cwmb prints its own one line
    per env, so both are kept off the terminal. Warnings and errors still show.
    """
    try:
        with contextlib.redirect_stderr(io.StringIO()):  # gym's notice, printed at import
            import d3rlpy
        import structlog
    except ImportError:
        raise CwmbError("d3rlpy (the offline-rl extra) is not installed", OFFLINE_RL_HINT) from None
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
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


def train(data: Any, spec: EnvSpec, env: Any, *, steps: int, seed: int, threads: int = 1) -> Any:
    """Train CQL for ``steps`` gradient steps (10 epochs when steps allow) and return the learner.

    ``threads`` is torch's intra-op thread count. One is the default so that two runs can share a
    2-core machine: a lone run on an idle machine is about 1.7x faster with 2 threads, but with
    torch's default threads on a busy machine Pendulum took 515 s against 85 s with one thread
    per run (benchmarks/cql_training.py measures the idle case).
    """
    d3rlpy = import_d3rlpy()
    import torch

    torch.set_num_threads(threads)
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


class GreedyPolicy:
    """The learner's greedy action for the real observation, one action per decision."""

    def __init__(self, learner: Any, spec: EnvSpec, sizes: list[int]) -> None:
        self.learner, self.discrete, self.sizes = learner, spec.is_discrete, sizes

    def decide(self, observation: Any, steps_left: int) -> list[Any]:
        """A one-action plan: the learner's choice for ``observation``."""
        row = np.atleast_1d(np.asarray(observation, dtype=np.float64))[None, :]
        action = self.learner.predict(encode(row, self.sizes))[0]
        return [int(action) if self.discrete else np.asarray(action, dtype=np.float32)]


def evaluate(learner: Any, env: Any, spec: EnvSpec, profile: PlannerProfile) -> list[float]:
    """Undiscounted greedy returns on the true env, one per episode of ``profile``.

    Episodes are played by the same loop, reset seeds and cap as the random and oracle
    references of the profile, so the three returns start from the same states.
    """
    policy = GreedyPolicy(learner, spec, _space_sizes(env.observation_space))
    cap = profile.cap_for(spec.episode_cap)
    return [
        play(env, policy, episode_seeds(profile.seed, episode)[0], cap)["episode_return"]
        for episode in range(profile.episodes)
    ]


def _check_same_settings(path: Path, **settings: object) -> None:
    """Resume only a record made with these settings; never overwrite or reuse another one."""
    record = json.loads(path.read_text(encoding="utf-8"))
    differing = {name: record.get(name) for name, value in settings.items() if record.get(name) != value}
    if differing:
        shown = ", ".join(f"{name}={value}" for name, value in differing.items())
        raise CwmbError(
            f"{path} was made with other settings ({shown})",
            "pass the same --steps/--seed/--profile/--episodes to resume it, or --out DIR for new records",
        )


def run_env(
    spec: EnvSpec, out: Path, *, steps: int, seed: int, profile: PlannerProfile, threads: int = 1
) -> dict[str, Any] | None:
    """Train CQL on one env, evaluate it for ``profile``'s episodes, write ``out/<env>.json``.

    ``seed`` seeds training; the episodes use the profile's seed, like the references.
    Returns None when a record with the same settings is already there.
    """
    episodes = profile.episodes
    from cwmb.benchmark.making import make_env
    from cwmb.trajectories.storage import load_dataset

    path = out / f"{spec.name}.json"
    if path.exists():
        _check_same_settings(
            path, steps=steps, seed=seed, episodes=episodes, profile=profile.name, episode_seed=profile.seed
        )
        print(f"cql {spec.name}: done already ({path}), skipped", file=sys.stderr)
        return None
    data = load_dataset(None, spec.name)
    env = make_env(spec)
    started = time.perf_counter()
    learner = train(data, spec, env, steps=steps, seed=seed, threads=threads)
    trained = time.perf_counter() - started
    returns = evaluate(learner, env, spec, profile)
    env.close()
    record = {
        "env": spec.name,
        "agent": "cql",
        "library": f"d3rlpy {import_d3rlpy().__version__}",
        "algorithm": "DiscreteCQL" if spec.is_discrete else "CQL",
        "steps": steps,
        "seed": seed,
        "episodes": episodes,
        "profile": profile.name,
        "episode_seed": profile.seed,
        "returns": returns,
        "mean_return": float(np.mean(returns)),
        "train_seconds": round(trained, 2),
        "torch_threads": threads,
    }
    out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, record)
    print(
        f"cql {spec.name}: mean return {record['mean_return']:.2f} ({trained:.1f} s training)",
        file=sys.stderr,
    )
    return record
