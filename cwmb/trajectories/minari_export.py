"""Export a cwmb dataset in Minari's format, for offline-RL users (``cwmb dataset export``).

Each trajectory becomes one Minari episode: ``observations`` holds the states and the last
next state (T + 1 rows), ``actions``, ``rewards``, ``terminations`` and ``truncations`` one
row per transition, as Minari expects. The dataset id is ``cwmb/<env>/paper-v0`` (env name
lower-cased without its version, e.g. ``cwmb/cartpole/paper-v0``), the env spec is the
gymnasium id the data was collected with, and the description says where the data came
from. Minari is an optional extra (``pip install 'cwmb[minari]'``), imported only here.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from cwmb.benchmark.registry import EnvSpec
from cwmb.errors import CwmbError
from cwmb.trajectories.dataset import Dataset

MINARI_HINT = "pip install 'cwmb[minari]'"


def minari_id(env_name: str, variant: str = "paper") -> str:
    """``cwmb/cartpole/paper-v0`` for ``CartPole-v1``: namespace, env name without version, dataset."""
    base = re.sub(r"-v\d+$", "", env_name).lower()
    return f"cwmb/{base}/{variant}-v0"


def _import_minari() -> Any:
    try:
        import minari
        from minari.data_collector.episode_buffer import EpisodeBuffer
    except ImportError:
        raise CwmbError("Minari is not installed", MINARI_HINT) from None
    return minari, EpisodeBuffer


@contextmanager
def datasets_root(out: Path) -> Iterator[None]:
    """Point Minari at ``out`` (its datasets folder) for the duration of the block."""
    previous = os.environ.get("MINARI_DATASETS_PATH")
    os.environ["MINARI_DATASETS_PATH"] = str(out.resolve())
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("MINARI_DATASETS_PATH", None)
        else:
            os.environ["MINARI_DATASETS_PATH"] = previous


def _episodes(data: Dataset, episode_buffer: Any) -> list[Any]:
    """One Minari EpisodeBuffer per cwmb trajectory, in trajectory order."""
    buffers = []
    for index, trajectory in enumerate(np.unique(data.trajectory)):
        rows = np.flatnonzero(data.trajectory == trajectory)
        rows = rows[np.argsort(data.step[rows], kind="stable")]
        observations = np.concatenate([data.states[rows], data.next_states[rows[-1:]]])
        actions = data.actions[rows]
        if data.action_kind == "discrete":
            actions = actions[:, 0]
        buffers.append(
            episode_buffer(
                id=index,
                observations=_observations(observations, data.obs_kind),
                actions=list(actions),
                rewards=list(data.rewards[rows].astype(np.float64)),
                terminations=list(data.terminated[rows].astype(bool)),
                truncations=list(data.truncated[rows].astype(bool)),
                infos={},
            )
        )
    return buffers


def _observations(rows: np.ndarray, obs_kind: str) -> Any:
    """Observations in the env's own space: scalars for Discrete, a tuple of columns for Tuple."""
    if obs_kind == "discrete":
        return list(rows[:, 0].astype(np.int64))
    if obs_kind == "tuple":
        return tuple(list(rows[:, j].astype(np.int64)) for j in range(rows.shape[1]))
    return list(rows)


def export_minari(data: Dataset, spec: EnvSpec, out: Path, *, force: bool = False) -> str:
    """Write ``data`` as a Minari dataset under ``out``; return its dataset id."""
    minari, episode_buffer = _import_minari()
    from cwmb.benchmark.making import make_env

    dataset_id = minari_id(spec.name)
    out.mkdir(parents=True, exist_ok=True)
    # Minari prints progress to stdout and warns about scores it cannot estimate: keep the
    # command's own output clean (its --json document included).
    quiet = contextlib.redirect_stdout(io.StringIO())
    with datasets_root(out), quiet, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if dataset_id in minari.list_local_datasets():
            if not force:
                raise CwmbError(
                    f"{out}/{dataset_id} exists already",
                    "pass --force to replace it, or choose another --out",
                )
            minari.delete_dataset(dataset_id)
        env = make_env(spec)
        note = f"; it runs as {spec.gym_id} here ({spec.id_note})" if spec.gym_id != spec.name else ""
        minari.create_dataset_from_buffers(
            dataset_id=dataset_id,
            buffer=_episodes(data, episode_buffer),
            env=env.spec if env.spec is not None else spec.gym_id,
            algorithm_name=str(data.manifest.get("command", "cwmb collect")),
            author="cwmb",
            description=(
                f"The CWMB dataset of {spec.name} (Dainese et al., NeurIPS 2024 benchmark), exported by cwmb"
                f"{note}: {len(data)} transitions in {data.n_trajectories} trajectories."
            ),
            data_format="arrow",
        )
    return dataset_id
