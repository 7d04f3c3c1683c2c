"""Run-directory files: torn lines, atomic appends, the replay journal and the tree log."""

from __future__ import annotations

import json

import pytest

from cwmb.errors import CwmbError
from cwmb.llm import LLMRequest
from cwmb.methods.records import StepRecord
from cwmb.methods.replay import JournaledLLM
from cwmb.methods.rundir import RunDirectory, TreeLog, append_line, read_lines
from tests.methods.fakes import scripted


def request(text: str, index: int = 0) -> LLMRequest:
    return LLMRequest.chat([{"role": "user", "content": text}], action="generate", sample_index=index)


def step(call: int, accuracy: float) -> StepRecord:
    return StepRecord(call, call, None, "generate", accuracy, False, "ok", None, f"h{call}", call, accuracy)


def test_a_torn_last_line_is_dropped_and_cut_from_the_file(tmp_path):
    path = tmp_path / "log.jsonl"
    append_line(path, {"a": 1})
    append_line(path, {"a": 2})
    with path.open("a") as handle:
        handle.write('{"a": 3, "b"')  # the process died in the middle of this write
    assert read_lines(path) == [{"a": 1}, {"a": 2}]
    assert path.read_text() == '{"a":1}\n{"a":2}\n'


def test_the_journal_replays_matching_requests_for_free(tmp_path):
    journal = tmp_path / "completions.jsonl"
    first = JournaledLLM(scripted("one", "two"), journal)
    assert [first.complete(request("q", i)).text for i in range(2)] == ["one", "two"]
    inner = scripted("never")
    again = JournaledLLM(inner, journal)
    replayed = [again.complete(request("q", i)) for i in range(2)]
    assert [r.text for r in replayed] == ["one", "two"] and all(r.spent_usd == 0.0 for r in replayed)
    assert again.replayed == 2 and again.new_calls == 0 and inner.backend.remaining == 1


def test_a_different_request_ends_the_replay_and_cuts_the_journal(tmp_path):
    journal = tmp_path / "completions.jsonl"
    first = JournaledLLM(scripted("one", "two", "three"), journal)
    for i in range(3):
        first.complete(request("q", i))
    changed = JournaledLLM(scripted("new"), journal)
    assert changed.complete(request("q", 0)).text == "one"
    assert changed.complete(request("another prompt", 1)).text == "new"
    assert changed.diverged_at == 2 and [r["text"] for r in read_lines(journal)] == ["one", "new"]


def test_the_tree_log_skips_identical_replayed_lines_and_cuts_at_a_divergence(tmp_path):
    path = tmp_path / "tree.jsonl"
    log = TreeLog(path)
    for call in (1, 2, 3):
        log.write(step(call, 0.1 * call))
    before = path.read_bytes()
    resumed = TreeLog(path)
    resumed.write(step(1, 0.1))
    assert path.read_bytes() == before
    resumed.write(step(2, 0.9))  # differs from the recorded call 2
    assert resumed.diverged_at == 2
    assert [json.loads(line)["accuracy"] for line in path.read_text().splitlines()] == [0.1, 0.9]


def test_a_run_directory_refuses_other_settings_unless_restarted(tmp_path):
    run_dir = RunDirectory(tmp_path / "run" / "CartPole-v1")
    assert run_dir.prepare({"method": {}}, {"seed": 0}) is False
    append_line(run_dir.file("tree.jsonl"), {"call": 1})
    assert run_dir.prepare({"method": {}}, {"seed": 0}) is True
    with pytest.raises(CwmbError, match="differs in: seed") as problem:
        run_dir.prepare({"method": {}}, {"seed": 1})
    assert "--restart" in problem.value.hint
    assert run_dir.prepare({"method": {}}, {"seed": 1}, restart=True) is False
    assert not run_dir.file("tree.jsonl").exists()
    config = json.loads(run_dir.file("config.json").read_text())
    assert config["identity"] == {"seed": 1} and config["identity_hash"]
