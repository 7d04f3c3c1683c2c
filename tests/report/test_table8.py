"""Table 8 from real ``cwmb llm-as-model`` records, beside the paper's rows; bad records skipped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cwmb.report.table8 import SIMULATED_MARK, load_records, published_table8, table8


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results root holding one real record, written by the offline predictor through the CLI."""
    root = tmp_path_factory.mktemp("results")
    command = [sys.executable, "-m", "cwmb", "llm-as-model", "--env", "CartPole-v1", "--results", str(root)]
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)
    return root


def _record(results: Path) -> dict:
    (path,) = (results / "llm-as-model").rglob("CartPole-v1.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_a_real_record_becomes_a_row_beside_the_papers(results: Path) -> None:
    warnings: list[str] = []
    records = load_records(results, warnings)
    assert warnings == [] and len(records) == 1
    table = table8(records)
    assert table is not None
    ours = [value for value in table.values if value["source"] == "record"]
    paper = [value for value in table.values if value["source"] == "paper"]
    assert len(paper) == len(published_table8()["rows"]) and len(ours) == 1
    record = _record(results)
    assert ours[0]["llm_accuracy"] == record["accuracy"]
    assert ours[0]["cwm_accuracy"] == record["cwm_accuracy"]
    assert ours[0]["ratio"] == pytest.approx(record["llm_median_seconds"] / record["cwm_seconds_per_step"])
    row = table.rows[table.values.index(ours[0])]
    assert row[1].endswith(SIMULATED_MARK), "the offline predictor must be labelled simulated"
    assert any("offline predictor" in note for note in table.notes)


def test_the_paper_row_comes_first_within_its_env(results: Path) -> None:
    table = table8(load_records(results, []))
    assert table is not None
    cartpole = [value["source"] for value in table.values if value["env"] == "CartPole-v1"]
    assert cartpole == ["paper", "record"]  # the paper publishes a CartPole row (published_table8.json)


def test_the_original_metric_reads_the_original_fields(results: Path) -> None:
    table = table8(load_records(results, []), metric="original")
    assert table is not None
    (ours,) = [value for value in table.values if value["source"] == "record"]
    assert ours["llm_accuracy"] == _record(results)["accuracy_original"]


def test_unreadable_and_incomplete_records_are_skipped_with_a_warning(results: Path, tmp_path: Path) -> None:
    root = tmp_path / "results"
    folder = root / "llm-as-model" / "someone"
    folder.mkdir(parents=True)
    good = _record(results)
    (folder / "CartPole-v1.json").write_text(json.dumps(good), encoding="utf-8")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    (folder / "no-accuracy.json").write_text(json.dumps({**good, "accuracy": None}), encoding="utf-8")
    (folder / "other-kind.json").write_text(json.dumps({**good, "kind": "cwmb.score"}), encoding="utf-8")
    (folder / "no-env.json").write_text(json.dumps({**good, "env": "NoSuchEnv-v0"}), encoding="utf-8")
    warnings: list[str] = []
    records = load_records(root, warnings)
    assert [Path(record["path"]).name for record in records] == ["CartPole-v1.json"]
    assert len(warnings) == 4
    for name, reason in [
        ("broken.json", "not a readable"),
        ("no-accuracy.json", "'accuracy'"),
        ("other-kind.json", "kind is"),
        ("no-env.json", "unknown env"),
    ]:
        assert any(name in warning and reason in warning for warning in warnings), (name, warnings)


def test_no_records_no_table(tmp_path: Path) -> None:
    warnings: list[str] = []
    assert load_records(tmp_path, warnings) == [] and warnings == []
    assert table8([]) is None
