"""The shipped RTFM datasets: intact, reproducible, as the paper made them; bad data is one line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cwmb.benchmark import get_env
from cwmb.benchmark.making import make_env
from cwmb.rtfm import rules
from cwmb.trajectories.collection import CollectionRequest, collect_env
from cwmb.trajectories.storage import DATA_FILE, load_dataset, write_dataset

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = {"default": ROOT / "trajectories", "failures": ROOT / "trajectories" / "rtfm-failures"}
NAME = "RTFM-SimpleStationary-v0"


@pytest.mark.parametrize("variant", ["default", "failures"])
def test_recollecting_gives_the_same_bytes(tmp_path, variant):
    manifest = load_dataset(SHIPPED[variant], NAME).manifest
    assert manifest["variant"] == variant
    request = CollectionRequest(get_env(NAME), manifest["seed"], manifest["episodes"], 100, variant)
    write_dataset(tmp_path, *collect_env(request))
    assert (tmp_path / NAME / DATA_FILE).read_bytes() == (SHIPPED[variant] / NAME / DATA_FILE).read_bytes()


def test_default_dataset_is_about_a_thousand_random_transitions():
    data = load_dataset(SHIPPED["default"], NAME)
    assert 1000 <= len(data) < 1100
    assert max(data.trajectory_lengths()) <= 100
    assert set(np.unique(data.rewards)) == {-1.0, 0.0, 1.0}
    assert data.next_valid_actions is not None and data.next_valid_actions.shape == (len(data), 5)
    # Only valid actions were taken.
    valid_now = np.array(
        [rules.valid_mask(rules.valid_actions(rules.decode_state(s)[0])) for s in data.states]
    )
    assert valid_now[np.arange(len(data)), data.actions[:, 0]].all()


def test_failure_variant_has_ten_failed_trajectories():
    data = load_dataset(SHIPPED["failures"], NAME)
    assert data.n_trajectories == 10
    assert 1.0 not in data.rewards
    for t in np.unique(data.trajectory):
        last = np.flatnonzero(data.trajectory == t)[-1]
        assert data.terminated[last] and data.rewards[last] == -1.0


def test_shipped_transitions_replay_on_the_env():
    data = load_dataset(SHIPPED["default"], NAME)
    env = make_env(NAME)
    for i in range(len(data)):
        env.set_text_state(*rules.decode_state(data.states[i]))
        obs, reward, terminated, _, info = env.step(int(data.actions[i][0]))
        assert np.array_equal(rules.encode_state(obs["board"], obs["inventory"]), data.next_states[i])
        assert (reward, terminated) == (data.rewards[i], data.terminated[i])
        assert np.array_equal(rules.valid_mask(info["valid_actions"]), data.next_valid_actions[i])


def cwmb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cwmb", *args], capture_output=True, text=True, timeout=120)


def test_a_corrupted_rtfm_dataset_is_one_line_error(tmp_path):
    shutil.copytree(SHIPPED["default"] / NAME, tmp_path / NAME)
    path = tmp_path / NAME / DATA_FILE
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    result = cwmb("score", "--reference", "--env", NAME, "--trajectories", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "does not match the sha256 in its manifest" in result.stderr and "hint:" in result.stderr


def test_cli_scores_and_checks_the_reference():
    scored = cwmb("score", "--reference", "--env", NAME, "--metric", "original")
    assert scored.returncode == 0, scored.stderr
    assert "accuracy 1.0000" in scored.stdout and "(perfect)" in scored.stdout
    checked = cwmb("check", "--reference", "--env", NAME)
    assert checked.returncode == 0 and "conforms" in checked.stdout


def test_cli_check_names_the_contract_violation(tmp_path, reference):
    three = reference.replace(
        "return (self.board.copy(), self.inventory), self.valid_actions(), reward, done",
        "return (self.board.copy(), self.inventory), reward, done",
    )
    (tmp_path / "model.py").write_text(three)
    result = cwmb("check", str(tmp_path / "model.py"), "--env", NAME)
    assert result.returncode == 1 and "step returned 3 values" in result.stdout


def test_unknown_variant_is_one_line():
    result = cwmb("collect", "--env", "CartPole-v1", "--variant", "failures", "--out", "/nonexistent")
    assert result.returncode == 2 and "no dataset variant 'failures'" in result.stderr
