"""CQL baseline: short real training with d3rlpy on real gymnasium envs, resume, missing extra."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cwmb.benchmark.registry import get_env
from cwmb.planning.profiles import load_profile

STUB = Path(__file__).parent / "stub_missing"


@pytest.mark.parametrize("env", ["CartPole-v1", "Pendulum-v1"])
def test_trains_evaluates_and_resumes(env: str, tmp_path: Path) -> None:
    pytest.importorskip("d3rlpy", reason="the offline-rl extra (d3rlpy) is not installed")
    from cwmb.baselines.cql import run_env

    profile = load_profile("paper", {"episodes": 1})
    record = run_env(get_env(env), tmp_path, steps=4, seed=0, profile=profile)
    assert record is not None
    assert record["algorithm"] == ("DiscreteCQL" if env == "CartPole-v1" else "CQL")
    assert len(record["returns"]) == 1
    assert json.loads((tmp_path / f"{env}.json").read_text()) == record
    assert record["profile"] == "paper" and record["episode_seed"] == 0
    assert run_env(get_env(env), tmp_path, steps=4, seed=0, profile=profile) is None  # resumed: not retrained


def test_a_record_with_other_settings_is_neither_reused_nor_overwritten(tmp_path: Path) -> None:
    from cwmb.baselines.cql import run_env
    from cwmb.errors import CwmbError

    record = {
        "env": "CartPole-v1",
        "steps": 1000,
        "seed": 0,
        "episodes": 10,
        "profile": "paper",
        "episode_seed": 0,
    }
    path = tmp_path / "CartPole-v1.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(CwmbError, match="other settings \\(steps=1000\\)"):
        run_env(get_env("CartPole-v1"), tmp_path, steps=4, seed=0, profile=load_profile("paper"))
    assert json.loads(path.read_text(encoding="utf-8")) == record


def test_one_hot_encoding_of_tuple_observations() -> None:
    import numpy as np

    from cwmb.baselines.cql import encode

    encoded = encode(np.array([[3, 1]]), [4, 2])
    assert encoded.tolist() == [[0, 0, 0, 1, 0, 1]]


def test_missing_extra_is_one_line_error(tmp_path: Path) -> None:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(STUB), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "cwmb", "baseline", "cql", "--env", "CartPole-v1"]
    command += ["--out", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=environment)
    assert result.returncode == 2
    assert "error: d3rlpy (the offline-rl extra) is not installed" in result.stderr
    assert "hint: pip install -e '.[offline-rl]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())


def test_cql_reads_the_same_episodes_as_the_minari_export(tmp_path: Path) -> None:
    """The transitions CQL trains on are those a Minari user loads with minari.load_dataset."""
    d3rlpy = pytest.importorskip("d3rlpy", reason="the offline-rl extra (d3rlpy) is not installed")
    minari = pytest.importorskip("minari", reason="the minari extra is not installed")
    import numpy as np

    from cwmb.baselines.cql import _mdp_dataset
    from cwmb.trajectories.minari_export import datasets_root, export_minari
    from cwmb.trajectories.storage import load_dataset

    spec, data = get_env("CartPole-v1"), load_dataset(None, "CartPole-v1")
    ours = _mdp_dataset(d3rlpy, data, []).episodes
    dataset_id = export_minari(data, spec, tmp_path)
    with datasets_root(tmp_path):
        theirs = list(minari.load_dataset(dataset_id).iterate_episodes())
    assert len(ours) == len(theirs) == data.n_trajectories
    for mine, exported in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(mine.observations, np.asarray(exported.observations)[:-1], rtol=1e-6)
        np.testing.assert_array_equal(mine.actions.reshape(-1), np.asarray(exported.actions))
        np.testing.assert_allclose(mine.rewards.reshape(-1), np.asarray(exported.rewards), rtol=1e-6)
        assert bool(mine.terminated) == bool(np.asarray(exported.terminations)[-1])
