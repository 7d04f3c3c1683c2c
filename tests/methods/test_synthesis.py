"""``synthesize_env``: the run directory of one env, re-runs and resumption, through the library API."""

from __future__ import annotations

import json
import shutil

import pytest

from cwmb.benchmark import get_env
from cwmb.llm import load_llm_config, read_call_log
from cwmb.methods import load_method_config
from cwmb.methods.rundir import read_lines
from cwmb.methods.sandbox_evaluator import SandboxEvaluator
from cwmb.methods.synthesis import synthesize_env
from tests.methods.conftest import DATA_ROOT

ENV = "Blackjack-v1"  # never perfect for a deterministic model, so every run spends its whole budget


def run(results, pool, budget=12, **changes):
    method = load_method_config("gif_mcts").with_overrides(budget=budget)
    factory = lambda dataset, config: SandboxEvaluator(pool, dataset, timeout_s=config.eval_timeout_s)  # noqa: E731
    options = {"results_dir": results, "data_root": DATA_ROOT, "seed": 1, "evaluator_factory": factory}
    return synthesize_env(get_env(ENV), method, load_llm_config(None), **(options | changes))


def decisions(folder):
    keys = ("call", "node", "parent", "action", "accuracy", "status", "program_hash", "best_node", "extra")
    return [{k: line[k] for k in keys} for line in read_lines(folder / "tree.jsonl")]


def test_the_run_directory_holds_everything(tmp_path, pool):
    outcome = run(tmp_path, pool)
    folder = tmp_path / ENV
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["schema_version"] == 1 and summary["status"] == "finished" and summary["calls"] == 12
    assert summary["llm"]["simulated"] is True and "NOT an LLM" in summary["llm"]["note"]
    assert len(summary["curve"]) == 12 and summary["nodes"][0]["action"] == "root"
    tree = read_lines(folder / "tree.jsonl")
    assert [line["call"] for line in tree] == list(range(1, 13))
    assert {"node", "parent", "action", "accuracy", "error", "program_hash"} <= set(tree[0])
    for line in tree:
        assert (folder / "candidates" / f"{line['program_hash']}.py").exists()
    assert (folder / "best.py").read_text() == outcome.result.best_program
    assert len(read_call_log(folder / "llm_calls.jsonl")) == 12
    config = json.loads((folder / "config.json").read_text())
    assert config["method"]["budget"] == 12 and config["seed"] == 1 and config["versions"]["numpy"]


def test_a_finished_run_is_not_run_again_and_a_larger_budget_continues_it(tmp_path, pool):
    run(tmp_path, pool)
    log = tmp_path / ENV / "llm_calls.jsonl"
    again = run(tmp_path, pool)
    assert again.already_finished and len(read_call_log(log)) == 12
    longer = run(tmp_path, pool, budget=15)
    assert (longer.replayed_calls, longer.new_calls) == (12, 3) and len(read_call_log(log)) == 15


def test_a_run_cut_at_any_point_resumes_to_the_uninterrupted_result(tmp_path, pool):
    whole = run(tmp_path / "whole", pool)
    for tree_lines, journal_lines in [(0, 0), (3, 4), (7, 7), (11, 12)]:
        cut = tmp_path / f"cut{tree_lines}"
        shutil.copytree(tmp_path / "whole", cut)
        folder = cut / ENV
        for name, keep in (("tree.jsonl", tree_lines), ("completions.jsonl", journal_lines)):
            lines = (folder / name).read_text().splitlines(keepends=True)
            (folder / name).write_text("".join(lines[:keep]) + '{"torn": ')  # killed mid-write
        (folder / "summary.json").write_text(json.dumps({"status": "running", "calls": tree_lines}))
        resumed = run(cut, pool)
        assert resumed.resumed and resumed.replayed_calls == journal_lines
        assert resumed.new_calls == 12 - journal_lines
        assert decisions(folder) == decisions(tmp_path / "whole" / ENV)
        assert resumed.result.best_program == whole.result.best_program
        assert resumed.result.curve == whole.result.curve


def test_other_settings_in_the_same_run_directory_are_refused(tmp_path, pool):
    from cwmb.errors import CwmbError

    run(tmp_path, pool)
    with pytest.raises(CwmbError, match="differs in: seed"):
        run(tmp_path, pool, seed=2)
    assert run(tmp_path, pool, seed=2, restart=True).result.calls == 12
