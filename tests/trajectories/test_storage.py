"""Datasets round-trip losslessly and every kind of damaged file is reported clearly."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from cwmb.benchmark import get_env
from cwmb.errors import CwmbError
from cwmb.trajectories.collection import CollectionRequest, collect_env
from cwmb.trajectories.storage import DATA_FILE, MANIFEST_FILE, load_dataset, write_dataset


@pytest.fixture(scope="module")
def small_datasets(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    made = {}
    for name in ("Blackjack-v1", "Taxi-v3", "CartPole-v1", "Pendulum-v1", "Reacher-v4"):
        data, manifest = collect_env(CollectionRequest(get_env(name), seed=5, episodes=2, max_steps=15))
        write_dataset(root, data, manifest)
        made[name] = data
    return root, made


@pytest.mark.parametrize("name", ["Blackjack-v1", "Taxi-v3", "CartPole-v1", "Pendulum-v1", "Reacher-v4"])
def test_round_trip_keeps_values_and_dtypes(small_datasets, name):
    root, made = small_datasets
    original, loaded = made[name], load_dataset(root, name)
    for field in (
        "trajectory",
        "step",
        "states",
        "actions",
        "rewards",
        "next_states",
        "terminated",
        "truncated",
    ):
        a, b = getattr(original, field), getattr(loaded, field)
        assert a.dtype == b.dtype, field
        assert a.tobytes() == b.tobytes(), field  # bit for bit, NaN-safe


def test_dtypes_are_gymnasiums(small_datasets):
    root, _ = small_datasets
    assert load_dataset(root, "CartPole-v1").states.dtype == np.float32
    assert load_dataset(root, "Reacher-v4").states.dtype == np.float64
    assert load_dataset(root, "Taxi-v3").rewards.dtype == np.int64
    assert load_dataset(root, "Pendulum-v1").actions.dtype == np.float32


def test_gym_native_values_come_back(small_datasets):
    root, _ = small_datasets
    blackjack, taxi = load_dataset(root, "Blackjack-v1"), load_dataset(root, "Taxi-v3")
    assert isinstance(blackjack.observation(0), tuple) and len(blackjack.observation(0)) == 3
    assert isinstance(taxi.observation(0), int) and isinstance(taxi.action(0), int)


def _copy(small_datasets, tmp_path, name="CartPole-v1"):
    root, _ = small_datasets
    shutil.copytree(root / name, tmp_path / name)
    return tmp_path / name


def test_edited_data_file_is_reported(small_datasets, tmp_path):
    directory = _copy(small_datasets, tmp_path)
    blob = bytearray((directory / DATA_FILE).read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    (directory / DATA_FILE).write_bytes(bytes(blob))
    with pytest.raises(CwmbError, match="sha256") as caught:
        load_dataset(tmp_path, "CartPole-v1")
    assert str(directory / DATA_FILE) in caught.value.message


def test_broken_manifest_json_is_reported(small_datasets, tmp_path):
    directory = _copy(small_datasets, tmp_path)
    (directory / MANIFEST_FILE).write_text("{not json")
    with pytest.raises(CwmbError, match="not valid JSON"):
        load_dataset(tmp_path, "CartPole-v1")


def test_other_schema_version_is_reported(small_datasets, tmp_path):
    directory = _copy(small_datasets, tmp_path)
    manifest = json.loads((directory / MANIFEST_FILE).read_text())
    manifest["schema_version"] = 999
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(CwmbError, match="schema version 999"):
        load_dataset(tmp_path, "CartPole-v1")


def test_foreign_manifest_and_parquet_are_reported(small_datasets, tmp_path):
    import hashlib

    import pyarrow as pa
    import pyarrow.parquet as pq

    directory = _copy(small_datasets, tmp_path)
    (directory / MANIFEST_FILE).write_text(json.dumps({"hello": 1}))
    with pytest.raises(CwmbError, match="not a cwmb dataset manifest"):
        load_dataset(tmp_path, "CartPole-v1")
    pq.write_table(pa.table({"x": [1, 2]}), directory / DATA_FILE)
    manifest = {
        "schema_version": 1,
        "sha256": hashlib.sha256((directory / DATA_FILE).read_bytes()).hexdigest(),
    }
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(CwmbError, match="lacks columns"):
        load_dataset(tmp_path, "CartPole-v1")


def test_missing_dataset_names_the_fix(tmp_path):
    with pytest.raises(CwmbError) as caught:
        load_dataset(tmp_path, "Ant-v4")
    assert "cwmb collect --env Ant-v4" in caught.value.hint
