"""An installed wheel's layout, without building one: cwmb with its data in ``cwmb/_data/``.

The package is copied next to the data the way ``setup.py`` lays it out, and run from an
empty directory through PYTHONPATH, so no file of the checkout can answer.
(``.ci/wheel-smoke`` builds and installs the real wheel.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cwmb

REPO = Path(cwmb.__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(site directory holding cwmb with _data/, an empty working directory)."""
    site = tmp_path_factory.mktemp("site")
    ignore = shutil.ignore_patterns("__pycache__", "_data")
    shutil.copytree(REPO / "cwmb", site / "cwmb", ignore=ignore)
    shutil.copytree(REPO / "configs", site / "cwmb" / "_data" / "configs")
    shipped = site / "cwmb" / "_data" / "trajectories" / "CartPole-v1"
    shutil.copytree(REPO / "trajectories" / "CartPole-v1", shipped)  # one env keeps the test small
    return site, tmp_path_factory.mktemp("work")


def run(installed, *args: str) -> subprocess.CompletedProcess:
    site, work = installed
    environment = os.environ | {"PYTHONPATH": str(site), "CWMB_CACHE_DIR": str(work / "cache")}
    return subprocess.run(
        [sys.executable, "-m", "cwmb", *args], capture_output=True, text=True, cwd=work, env=environment
    )


def test_presets_come_from_the_package_data(installed):
    site, _ = installed
    result = run(installed, "llm", "presets", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["directory"] == str(site / "cwmb" / "_data" / "configs" / "llms")
    assert "gpt-4-turbo" in [p["name"] for p in document["presets"]]


def test_a_configs_path_from_the_docs_names_the_packaged_file(installed):
    result = run(installed, "llm", "ping", "--llm", "configs/llms/offline.yaml", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["simulated"] is True


def test_dataset_and_reference_returns_come_from_the_package(installed):
    args = ["evaluate", "--reference", "--env", "CartPole-v1", "--profile", "quick", "--episodes", "1"]
    result = run(installed, *args, "--json")  # the quick profile as shipped: its references apply
    assert result.returncode == 0, result.stderr
    evaluation = json.loads(result.stdout)["evaluations"][0]
    assert evaluation["accuracy"]["default"]["perfect"] is True  # the packaged dataset was scored
    assert evaluation["returns"]["random_mean"] is not None  # the packaged reference returns were read


def test_a_missing_dataset_says_where_it_looked(installed):
    site, _ = installed
    result = run(installed, "score", "--reference", "--env", "Taxi-v3")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "error: no dataset for Taxi-v3 in trajectories or " in result.stderr
    assert str(site / "cwmb" / "_data" / "trajectories") in result.stderr and "hint: " in result.stderr
