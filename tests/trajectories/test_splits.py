"""The held-out split: where it lives, how it is made, and what is refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cwmb.benchmark import get_env
from cwmb.errors import CwmbError
from cwmb.trajectories.collection import CollectionRequest, collect_env
from cwmb.trajectories.storage import DATA_FILE, MANIFEST_FILE, dataset_dir, load_dataset, write_dataset

REPO = Path(__file__).resolve().parents[2]


def small(split: str, seed: int, env: str = "CartPole-v1") -> CollectionRequest:
    return CollectionRequest(get_env(env), seed, episodes=2, max_steps=12, split=split)


def test_the_held_out_split_sits_beside_the_search_split_with_its_own_manifest(tmp_path):
    write_dataset(tmp_path, *collect_env(small("search", 0)))
    directory = write_dataset(tmp_path, *collect_env(small("heldout", 1)))
    assert (
        directory == tmp_path / "CartPole-v1" / "heldout" == dataset_dir(tmp_path, "CartPole-v1", "heldout")
    )
    search, heldout = load_dataset(tmp_path, "CartPole-v1"), load_dataset(tmp_path, "CartPole-v1", "heldout")
    assert heldout.manifest["split"] == "heldout" and search.manifest["split"] == "search"
    assert "--split heldout --seed 1" in heldout.manifest["command"]
    assert heldout.states.tobytes() != search.states.tobytes()


def test_the_same_held_out_request_gives_the_same_bytes(tmp_path):
    for folder in ("a", "b"):
        write_dataset(tmp_path / folder, *collect_env(small("heldout", 1)))
    first, second = (tmp_path / f / "CartPole-v1" / "heldout" / DATA_FILE for f in ("a", "b"))
    assert first.read_bytes() == second.read_bytes()


def test_a_search_manifest_in_the_held_out_place_is_refused(tmp_path):
    write_dataset(tmp_path, *collect_env(small("search", 0)))
    held = tmp_path / "CartPole-v1" / "heldout"
    held.mkdir()
    for name in (DATA_FILE, MANIFEST_FILE):
        (held / name).write_bytes((tmp_path / "CartPole-v1" / name).read_bytes())
    with pytest.raises(CwmbError, match="is the 'search' split, expected 'heldout'"):
        load_dataset(tmp_path, "CartPole-v1", "heldout")


def test_a_missing_held_out_split_names_the_command_that_makes_it(tmp_path):
    write_dataset(tmp_path, *collect_env(small("search", 0)))
    with pytest.raises(CwmbError) as raised:
        load_dataset(tmp_path, "CartPole-v1", "heldout")
    assert f"cwmb collect --split heldout --env CartPole-v1 --out {tmp_path}" in raised.value.hint


def cwmb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cwmb", *args], capture_output=True, text=True, timeout=300, cwd=REPO
    )


def test_cwmb_collect_split_heldout_writes_the_split_with_seed_1(tmp_path):
    done = cwmb(
        "collect", "--split", "heldout", "--env", "Blackjack-v1", "--episodes", "2", "--out", str(tmp_path)
    )
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "Blackjack-v1" / "heldout" / MANIFEST_FILE).read_text())
    assert (manifest["split"], manifest["seed"]) == ("heldout", 1)
    assert not (tmp_path / "Blackjack-v1" / MANIFEST_FILE).exists()  # the search split is left alone


def test_a_held_out_split_from_the_search_splits_seed_is_refused(tmp_path):
    write_dataset(tmp_path, *collect_env(small("search", 3, "Blackjack-v1")))
    done = cwmb(
        "collect", "--split", "heldout", "--env", "Blackjack-v1", "--seed", "3", "--out", str(tmp_path)
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert (
        "error: the search split of Blackjack-v1" in done.stderr
        and "hint: pass another --seed" in done.stderr
    )
    assert not (tmp_path / "Blackjack-v1" / "heldout").exists()


def test_an_unknown_split_is_refused_in_one_line(tmp_path):
    done = cwmb("collect", "--split", "test", "--env", "Blackjack-v1", "--out", str(tmp_path))
    assert (
        done.returncode != 0
        and "error: unknown split 'test'" in done.stderr
        and "Traceback" not in done.stderr
    )


def test_cwmb_dataset_summarizes_and_verifies_the_held_out_split(tmp_path):
    write_dataset(tmp_path, *collect_env(small("heldout", 1, "Blackjack-v1")))
    done = cwmb("dataset", str(tmp_path), "--split", "heldout", "--markdown")
    assert done.returncode == 0, done.stderr
    assert "| Blackjack-v1 | Blackjack-v1 |" in done.stdout
    parquet = tmp_path / "Blackjack-v1" / "heldout" / DATA_FILE
    parquet.write_bytes(parquet.read_bytes() + b"\0")
    damaged = cwmb("dataset", str(tmp_path), "--split", "heldout")
    assert damaged.returncode != 0 and "does not match the sha256" in damaged.stderr
    assert "--split heldout --force" in damaged.stderr
