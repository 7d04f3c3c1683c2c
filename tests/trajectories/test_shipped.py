"""The shipped dataset: all 18 envs present and intact, and reproducible byte for byte."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest

from cwmb.benchmark import ENVS, get_env
from cwmb.trajectories.collection import CollectionRequest, collect_env
from cwmb.trajectories.storage import DATA_FILE, load_dataset, write_dataset

SHIPPED = Path(__file__).resolve().parents[2] / "trajectories"


@pytest.mark.parametrize("spec", ENVS, ids=lambda s: s.name)
def test_shipped_dataset_is_complete_and_intact(spec):
    data = load_dataset(SHIPPED, spec.name)  # verifies sha256, schema and columns
    assert data.n_trajectories == 10
    assert max(data.trajectory_lengths()) <= min(100, spec.episode_cap)
    manifest = data.manifest
    assert manifest["gym_id"] == spec.gym_id
    assert [t["policy"] for t in manifest["trajectories"]][:5] == ["random"] * 5
    for package in ("gymnasium", "mujoco", "numpy"):
        assert manifest["versions"][package] == metadata.version(package), (
            f"{spec.name} was collected with {package} {manifest['versions'][package]}; re-collect it"
        )


@pytest.mark.parametrize("name", ["CartPole-v1", "Taxi-v3", "InvertedPendulum-v4"])
def test_recollecting_with_the_recorded_seed_gives_the_same_bytes(tmp_path, name):
    manifest = load_dataset(SHIPPED, name).manifest
    request = CollectionRequest(get_env(name), manifest["seed"], manifest["episodes"], manifest["max_steps"])
    write_dataset(tmp_path, *collect_env(request))
    assert (tmp_path / name / DATA_FILE).read_bytes() == (SHIPPED / name / DATA_FILE).read_bytes()


@pytest.mark.parametrize("spec", ENVS, ids=lambda s: s.name)
def test_shipped_held_out_split_is_complete_and_made_like_the_search_split(spec):
    search = load_dataset(SHIPPED, spec.name)
    heldout = load_dataset(SHIPPED, spec.name, "heldout")  # verifies sha256, pin, schema and columns
    assert heldout.n_trajectories == 10 and heldout.path == SHIPPED / spec.name / "heldout"
    assert heldout.manifest["split"] == "heldout" and heldout.manifest["seed"] != search.manifest["seed"]
    assert [t["policy"] for t in heldout.manifest["trajectories"]] == [
        t["policy"] for t in search.manifest["trajectories"]
    ]
    for key in ("policy", "versions", "max_steps", "episodes", "gym_id", "dtypes"):
        assert heldout.manifest[key] == search.manifest[key], key


@pytest.mark.parametrize("name", ["CartPole-v1", "Taxi-v3"])
def test_recollecting_the_held_out_split_gives_the_same_bytes(tmp_path, name):
    manifest = load_dataset(SHIPPED, name, "heldout").manifest
    request = CollectionRequest(
        get_env(name), manifest["seed"], manifest["episodes"], manifest["max_steps"], split="heldout"
    )
    write_dataset(tmp_path, *collect_env(request))
    shipped = SHIPPED / name / "heldout" / DATA_FILE
    assert (tmp_path / name / "heldout" / DATA_FILE).read_bytes() == shipped.read_bytes()
