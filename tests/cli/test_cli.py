"""The command line as a user meets it: real subprocesses, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def cwmb(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cwmb", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_help_lists_commands_and_imports_nothing_heavy():
    probe = (
        "import sys; import cwmb.cli.main; print(sorted(m for m in ('gymnasium', 'mujoco', 'litellm', "
        "'pandas', 'pyarrow') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
    result = cwmb("--help")
    assert result.returncode == 0
    for command in ("envs", "describe", "collect", "dataset"):
        assert command in result.stdout


def test_envs_json_lists_18():
    result = cwmb("envs", "--json")
    assert result.returncode == 0
    rows = [row for row in json.loads(result.stdout) if row["group"] == "cwmb"]  # RTFM has its own group
    assert len(rows) == 18 and rows[1]["gym_id"] == "CliffWalking-v1" and rows[7]["planner"] == "cem"


def test_envs_table_mentions_renames():
    result = cwmb("envs")
    assert result.returncode == 0 and "Pusher-v5" in result.stdout and "Taxi-v3" in result.stdout


def test_unknown_env_is_one_clean_line():
    result = cwmb("collect", "--env", "HalfCheeta-v4", "--out", "unused")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == "error: unknown environment 'HalfCheeta-v4'"
    assert "HalfCheetah-v4" in result.stderr


def test_debug_shows_traceback():
    result = cwmb("--debug", "collect", "--env", "nope", "--out", "unused")
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_collect_refuses_to_overwrite_and_keeps_the_file(tmp_path):
    first = cwmb(
        "collect", "--env", "CartPole-v1", "--episodes", "2", "--max-steps", "10", "--out", str(tmp_path)
    )
    assert first.returncode == 0, first.stderr
    data_file = tmp_path / "CartPole-v1" / "transitions.parquet"
    before = data_file.read_bytes()
    again = cwmb(
        "collect", "--env", "CartPole-v1", "--episodes", "2", "--max-steps", "11", "--out", str(tmp_path)
    )
    assert again.returncode == 2 and "--force" in again.stderr
    assert data_file.read_bytes() == before
    forced = cwmb(
        "collect",
        "--env",
        "CartPole-v1",
        "--episodes",
        "2",
        "--max-steps",
        "11",
        "--out",
        str(tmp_path),
        "--force",
    )
    assert forced.returncode == 0 and data_file.read_bytes() != before


def test_dataset_summary_and_damaged_file(tmp_path):
    assert (
        cwmb(
            "collect", "-e", "Taxi-v3", "--episodes", "2", "--max-steps", "10", "-o", str(tmp_path)
        ).returncode
        == 0
    )
    summary = cwmb("dataset", str(tmp_path), "--markdown")
    assert summary.returncode == 0 and "| Taxi-v3 | Taxi-v4 | 20 | 2 |" in summary.stdout
    (tmp_path / "Taxi-v3" / "manifest.json").write_text("garbage")
    broken = cwmb("dataset", str(tmp_path), "--env", "Taxi-v3")
    assert broken.returncode == 2 and "manifest.json is not valid JSON" in broken.stderr
    assert "Traceback" not in broken.stderr


def test_empty_dataset_dir_is_an_error(tmp_path):
    result = cwmb("dataset", str(tmp_path))
    assert result.returncode == 2 and "no datasets found" in result.stderr


@pytest.mark.parametrize("bad", [["--episodes", "0"], ["--workers", "0"]])
def test_bad_numbers_are_usage_errors(bad, tmp_path):
    result = cwmb("collect", "--env", "CartPole-v1", "--out", str(tmp_path), *bad)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_mujoco_writes_no_log_and_prints_nothing(tmp_path):
    code = "from cwmb.benchmark.making import make_env; make_env('HalfCheetah-v4').reset(seed=0)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr == "" and result.stdout == ""
    assert not (tmp_path / "MUJOCO_LOG.TXT").exists()
