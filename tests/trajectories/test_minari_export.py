"""Minari export: every trajectory an episode, loadable by minari.load_dataset, spaces kept."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from cwmb.benchmark.registry import get_env
from cwmb.errors import CwmbError
from cwmb.trajectories.pinned import shipped_root
from cwmb.trajectories.storage import load_dataset

minari = pytest.importorskip("minari")

from cwmb.trajectories.minari_export import datasets_root, export_minari, minari_id  # noqa: E402


@pytest.mark.parametrize("name", ["CartPole-v1", "Blackjack-v1", "InvertedPendulum-v4"])
def test_export_round_trips_through_minari(tmp_path, name):
    data = load_dataset(shipped_root(), name)
    dataset_id = export_minari(data, get_env(name), tmp_path)
    assert (
        dataset_id == minari_id(name) and dataset_id.startswith("cwmb/") and dataset_id.endswith("/paper-v0")
    )
    with datasets_root(tmp_path):
        loaded = minari.load_dataset(dataset_id)
        assert loaded.total_episodes == data.n_trajectories and loaded.total_steps == len(data)
        assert loaded.spec.env_spec.id == get_env(name).gym_id
        first = np.flatnonzero(data.trajectory == np.unique(data.trajectory)[0])
        episode = next(loaded.iterate_episodes())
    observations = episode.observations
    if isinstance(observations, tuple):  # Blackjack: a tuple space, one column per element
        observations = np.stack(observations, axis=1)
    observations = np.asarray(observations).reshape(len(first) + 1, -1)
    np.testing.assert_array_equal(observations[:-1], data.states[first])
    np.testing.assert_array_equal(observations[-1], data.next_states[first[-1]])
    np.testing.assert_array_equal(np.asarray(episode.rewards), data.rewards[first])
    np.testing.assert_array_equal(np.asarray(episode.terminations), data.terminated[first])
    np.testing.assert_array_equal(np.asarray(episode.truncations), data.truncated[first])
    actions = np.asarray(episode.actions).reshape(len(first), -1)
    np.testing.assert_array_equal(actions, data.actions[first])


def test_an_existing_export_needs_force(tmp_path):
    data = load_dataset(shipped_root(), "CartPole-v1")
    export_minari(data, get_env("CartPole-v1"), tmp_path)
    with pytest.raises(CwmbError, match="exists already"):
        export_minari(data, get_env("CartPole-v1"), tmp_path)
    export_minari(data, get_env("CartPole-v1"), tmp_path, force=True)


def test_without_minari_the_error_is_one_line(tmp_path):
    probe = (
        "import sys; sys.modules['minari'] = None\n"
        "from cwmb.errors import CwmbError\n"
        "from cwmb.trajectories.minari_export import _import_minari\n"
        "try:\n    _import_minari()\nexcept CwmbError as e:\n    print(e.message, '|', e.hint)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "Minari is not installed | pip install 'cwmb[minari]'"
