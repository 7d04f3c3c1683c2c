"""Table 12: random, CQL, each CWM's planning return and the oracle, beside the paper's numbers.

Expected values are computed here from the shipped paper-profile reference file and the
records the test writes, so a wrong mean, a wrong normalizer or a silently used unfinished
reference fails a test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cwmb.planning.references import load_reference_returns
from cwmb.report import build_report
from cwmb.report.table12 import load_cql_records, table12
from tests.report.fakes import write_env_run, write_evaluation

PAPER = load_reference_returns("paper")
# A shipped paper-profile oracle with some but not all episodes (chosen from the file, since
# unfinished references get finished over time: Swimmer was this env until 2026-12-04).
UNFINISHED = next(
    (
        env
        for (env, agent), block in sorted(PAPER.blocks.items())
        if agent == "oracle" and 0 < len(block.episodes) < PAPER.target
    ),
    None,
)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _reference_mean(env: str, agent: str) -> float:
    block = PAPER.block(env, agent)
    assert block is not None
    return _mean(block.returns())


def _write_cql(folder: Path, env: str, returns: list[float], profile: str = "paper") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    record = {"env": env, "agent": "cql", "library": "d3rlpy 2.7.0", "steps": 1000, "seed": 0}
    record |= {"episodes": len(returns), "returns": returns, "profile": profile, "episode_seed": 0}
    (folder / f"{env}.json").write_text(json.dumps(record), encoding="utf-8")


def _row(table, env: str) -> dict[str, str]:
    index = [row[0] for row in table.rows].index(env)
    return dict(zip(table.columns, table.rows[index], strict=True))


@pytest.fixture
def cql_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "cql"
    _write_cql(folder, "CartPole-v1", [100.0, 200.0])
    if UNFINISHED is not None:
        _write_cql(folder, UNFINISHED, [20.0, 40.0])
    _write_cql(folder, "MountainCar-v0", [-200.0, -200.0])
    return folder


def _report(tmp_path: Path, cql: Path, references: str = "ours"):
    envs = [("CartPole-v1", "paper"), ("MountainCar-v0", "quick")]
    envs += [(UNFINISHED, "paper")] if UNFINISHED is not None else []
    for env, profile in envs:
        env_dir = write_env_run(tmp_path, "a", env, accuracies=[0.9])
        write_evaluation(env_dir, 0.9, 0.5, profile=profile, return_mean=123.0)
    report = build_report(["a"], tmp_path, references=references, cql_records=cql)
    tables = {table.name: table for table in report.tables}
    return tables["table12"], report


def test_cql_r_is_computed_against_complete_references_only(tmp_path: Path, cql_folder: Path) -> None:
    if UNFINISHED is None:
        pytest.skip("every shipped paper-profile oracle is finished or empty")
    table, _ = _report(tmp_path, cql_folder)
    cart = _row(table, "CartPole-v1")
    random, oracle = _reference_mean("CartPole-v1", "random"), _reference_mean("CartPole-v1", "oracle")
    assert cart["CQL"] == "150.0"
    assert cart["Random"] == f"{random:.1f}" and cart["Oracle"] == f"{oracle:.1f}"
    assert cart["R of CQL"] == f"{(150.0 - random) / (oracle - random):.2f}"
    unfinished = _row(table, UNFINISHED)
    episodes = len(PAPER.block(UNFINISHED, "oracle").episodes)
    assert 0 < episodes < PAPER.target  # the shipped oracle is unfinished: no R may rest on it
    assert unfinished["R of CQL"] == "reference unfinished"
    assert unfinished["Oracle"].endswith(f"({episodes}/{PAPER.target} ep.)")
    assert _row(table, "MountainCar-v0")["R of CQL"] == "N/A"  # oracle = random: a tie


def test_cwm_columns_show_only_returns_of_the_same_profile(tmp_path: Path, cql_folder: Path) -> None:
    table, report = _report(tmp_path, cql_folder)
    column = report.groups[0].short
    assert column in table.columns
    assert _row(table, "CartPole-v1")[column] == "123.0"
    assert _row(table, "MountainCar-v0")[column] == "profile quick"


def test_paper_columns_and_their_r(tmp_path: Path, cql_folder: Path) -> None:
    table, _ = _report(tmp_path, cql_folder)
    cart = _row(table, "CartPole-v1")
    assert cart["CQL (paper)"] == "317.6" and cart["GIF-MCTS GPT-4 (paper)"] == "310.4"
    assert cart["R of CQL (paper)"] == f"{(317.6 - 24.4) / (494.0 - 24.4):.2f}"
    assert "R of CQL (paper's normalizers)" not in table.columns


def test_published_normalizers_add_a_labelled_column(tmp_path: Path, cql_folder: Path) -> None:
    table, _ = _report(tmp_path, cql_folder, references="published")
    cart = _row(table, "CartPole-v1")
    assert cart["R of CQL (paper's normalizers)"] == f"{(150.0 - 24.4) / (494.0 - 24.4):.2f}"
    assert any("other physics version" in note for note in table.notes)


def test_bad_records_are_skipped_with_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "cql"
    _write_cql(folder, "CartPole-v1", [1.0])
    (folder / "Taxi-v3.json").write_text("{not json", encoding="utf-8")
    (folder / "Acrobot-v1.json").write_text(
        json.dumps({"env": "Acrobot-v1", "returns": []}), encoding="utf-8"
    )
    _write_cql(folder, "NoSuchEnv-v0", [1.0])
    warnings: list[str] = []
    records = load_cql_records(folder, warnings)
    assert list(records) == ["CartPole-v1"]
    assert len(warnings) == 3 and all("not a usable CQL record" in w for w in warnings)
    assert any("unknown env 'NoSuchEnv-v0'" in w for w in warnings)


def test_an_empty_records_folder_gives_no_table(tmp_path: Path) -> None:
    import pandas as pd

    assert table12({}, pd.DataFrame(), []) is None
    env_dir = write_env_run(tmp_path, "a", "CartPole-v1", accuracies=[0.9])
    write_evaluation(env_dir, 0.9, 0.5)
    report = build_report(["a"], tmp_path, cql_records=tmp_path / "empty")
    assert "table12" not in [table.name for table in report.tables]
    shipped = build_report(["a"], tmp_path)  # default: the shipped records
    assert "table12" in [table.name for table in shipped.tables]


def test_baseline_cql_prints_table12_and_keeps_library_logs_quiet(tmp_path: Path) -> None:
    pytest.importorskip("d3rlpy", reason="the offline-rl extra (d3rlpy) is not installed")
    command = [sys.executable, "-m", "cwmb", "baseline", "cql", "--env", "CartPole-v1", "--steps", "4"]
    command += ["--episodes", "1", "--out", str(tmp_path)]
    environment = {**os.environ, "COLUMNS": "250"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=environment)
    assert result.returncode == 0, result.stderr
    record = json.loads((tmp_path / "CartPole-v1.json").read_text(encoding="utf-8"))
    assert "Table 12" in result.stdout and f"{record['mean_return']:.1f}" in result.stdout
    output = result.stdout + result.stderr
    assert "Signatures have been automatically determined" not in output  # d3rlpy's structlog lines
    assert "Gym has been unmaintained" not in output  # the legacy gym notice d3rlpy's import prints
