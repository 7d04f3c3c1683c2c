"""Collection follows its plan, and the same request gives byte-identical files."""

from __future__ import annotations

import numpy as np
import pytest

from cwmb.benchmark import get_env
from cwmb.trajectories.collection import CollectionRequest, collect_env
from cwmb.trajectories.storage import DATA_FILE, MANIFEST_FILE, write_dataset


def _write(root, name, seed=0, episodes=4, max_steps=20):
    data, manifest = collect_env(CollectionRequest(get_env(name), seed, episodes, max_steps))
    write_dataset(root, data, manifest)
    return data, manifest


@pytest.mark.parametrize("name", ["CliffWalking-v0", "Acrobot-v1", "Swimmer-v4"])
def test_same_request_same_bytes(tmp_path, name):
    _write(tmp_path / "a", name)
    _write(tmp_path / "b", name)
    for file in (DATA_FILE, MANIFEST_FILE):
        assert (tmp_path / "a" / name / file).read_bytes() == (tmp_path / "b" / name / file).read_bytes()


def test_other_seed_other_data(tmp_path):
    first, _ = _write(tmp_path / "a", "CartPole-v1", seed=0)
    second, _ = _write(tmp_path / "b", "CartPole-v1", seed=1)
    assert not np.array_equal(first.states[:5], second.states[:5])


def test_plan_half_random_half_better_and_caps(tmp_path):
    data, manifest = _write(tmp_path, "Pendulum-v1", episodes=4, max_steps=12)
    assert [t["policy"] for t in manifest["trajectories"]] == ["random", "random", "cem", "cem"]
    assert [t["iterations"] for t in manifest["trajectories"][2:]] == [1, 2]
    assert data.trajectory_lengths() == [12, 12, 12, 12]  # Pendulum never terminates
    last_steps = data.step == 11
    assert data.truncated[last_steps].all() and not data.truncated[~last_steps].any()
    assert manifest["counts"] == {"transitions": 48, "trajectories": 4, "terminated": 0}


def test_env_limit_caps_below_requested_steps(tmp_path):
    data, manifest = _write(tmp_path, "Reacher-v4", episodes=2, max_steps=100)
    assert manifest["max_steps"] == 50 and data.trajectory_lengths() == [50, 50]


def test_filtered_trajectories_pass_their_threshold(tmp_path):
    _, manifest = _write(tmp_path, "CartPole-v1", episodes=4, max_steps=100)
    better = manifest["trajectories"][2:]
    assert all(t["policy"] == "filtered" and t["threshold_met"] for t in better)
    assert all(t["return"] >= t["threshold"] for t in better)


def test_transitions_chain_within_a_trajectory(tmp_path):
    data, _ = _write(tmp_path, "MountainCar-v0", episodes=2, max_steps=30)
    same_trajectory = data.trajectory[1:] == data.trajectory[:-1]
    assert np.array_equal(data.states[1:][same_trajectory], data.next_states[:-1][same_trajectory])


def test_terminated_only_at_the_end(tmp_path):
    data, _ = _write(tmp_path, "CartPole-v1", episodes=4, max_steps=100)
    for t in np.unique(data.trajectory):
        flags = data.terminated[data.trajectory == t]
        assert not flags[:-1].any()
