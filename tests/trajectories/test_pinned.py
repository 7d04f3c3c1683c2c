"""The shipped dataset's hashes live in the package, and a changed shipped dataset is refused."""

from __future__ import annotations

import json
import shutil

import pytest

from cwmb.errors import CwmbError
from cwmb.trajectories.pinned import check_pinned, pinned_hashes, shipped_root
from cwmb.trajectories.storage import load_dataset, read_manifest, sha256_of


def test_every_shipped_dataset_is_pinned_and_matches():
    root = shipped_root()
    searched = [(p.name, p) for p in root.iterdir() if (p / "transitions.parquet").exists()]
    held_out = [(f"{e}/heldout", p / "heldout") for e, p in searched if (p / "heldout").exists()]
    assert len(held_out) == len(searched)  # every shipped env has its held-out split
    # after `make collect`, re-pin (see cwmb/trajectories/pinned.py)
    assert sorted(pinned_hashes()) == sorted(key for key, _ in searched + held_out)
    for key, directory in searched + held_out:
        assert (
            sha256_of(directory / "transitions.parquet")
            == pinned_hashes()[key]
            == read_manifest(directory)["sha256"]
        )


def _tampered_copy(tmp_path, env="CartPole-v1", source=None):
    """A copy of a shipped dataset whose data and manifest were both rewritten consistently."""
    directory = tmp_path / env
    shutil.copytree(source or shipped_root() / env, directory)
    data = directory / "transitions.parquet"
    data.write_bytes(data.read_bytes() + b"\0")
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["sha256"] = sha256_of(data)
    (directory / "manifest.json").write_text(json.dumps(manifest))
    return directory


def test_a_consistently_rewritten_shipped_dataset_is_refused(tmp_path):
    directory = _tampered_copy(tmp_path)
    with pytest.raises(CwmbError, match="does not match the hash recorded in the cwmb package"):
        check_pinned(directory, "CartPole-v1", sha256_of(directory / "transitions.parquet"), root=tmp_path)


def test_the_untouched_shipped_dataset_loads():
    assert len(load_dataset(shipped_root(), "CartPole-v1")) == 420


def test_datasets_outside_the_shipped_root_are_the_users_own(tmp_path):
    directory = _tampered_copy(tmp_path)
    check_pinned(
        directory, "CartPole-v1", sha256_of(directory / "transitions.parquet")
    )  # not shipped: no pin


def test_a_consistently_rewritten_shipped_held_out_split_is_refused(tmp_path):
    (tmp_path / "CartPole-v1").mkdir()
    directory = _tampered_copy(
        tmp_path / "CartPole-v1", "heldout", source=shipped_root() / "CartPole-v1" / "heldout"
    )
    with pytest.raises(CwmbError, match="does not match the hash recorded in the cwmb package"):
        check_pinned(
            directory,
            "CartPole-v1",
            sha256_of(directory / "transitions.parquet"),
            root=tmp_path,
            split="heldout",
        )


def test_the_untouched_shipped_held_out_split_loads():
    data = load_dataset(shipped_root(), "CartPole-v1", "heldout")
    assert data.n_trajectories == 10 and data.manifest["split"] == "heldout"
