"""Where a dataset is read from when no --trajectories is given: ./trajectories, then the packaged one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cwmb.errors import CwmbError
from cwmb.trajectories import load_dataset
from cwmb.trajectories.locate import packaged_dataset_root, resolve_dataset_root
from cwmb.trajectories.summary import summarize


@pytest.fixture
def own_cartpole(tmp_path, monkeypatch):
    """A working directory whose trajectories/ holds a copy of CartPole's dataset only."""
    shutil.copytree(packaged_dataset_root() / "CartPole-v1", tmp_path / "trajectories" / "CartPole-v1")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_working_directory_first_then_packaged_per_env(own_cartpole):
    assert resolve_dataset_root("CartPole-v1") == Path("trajectories")
    assert resolve_dataset_root("Taxi-v3") == packaged_dataset_root()  # not collected here
    assert len(load_dataset(None, "Taxi-v3")) > 0


def test_an_explicit_root_is_used_as_it_is(own_cartpole, tmp_path):
    assert resolve_dataset_root("Taxi-v3", tmp_path / "mine") == tmp_path / "mine"
    with pytest.raises(CwmbError) as caught:
        load_dataset(tmp_path / "mine", "Taxi-v3")  # never searched past
    assert "no dataset at" in caught.value.message and "cwmb collect" in caught.value.hint


def test_no_dataset_anywhere_says_where_it_looked_and_what_to_do(own_cartpole):
    with pytest.raises(CwmbError) as caught:
        resolve_dataset_root("RTFM-NotShipped-v0")
    assert "trajectories" in caught.value.message and str(packaged_dataset_root()) in caught.value.message
    assert "--trajectories" in caught.value.hint and "cwmb collect" in caught.value.hint


def test_summary_without_a_root_covers_all_18(own_cartpole):
    rows = summarize(None)
    assert len(rows) == 18 and rows[0]["transitions"] > 0
