"""Experiment files: the shipped ones load, mistakes are one clean line, dry runs print the estimate."""

from __future__ import annotations

import pytest

from cwmb.errors import CwmbError
from cwmb.grid.experiment import experiment_from_dict, list_experiments, load_experiment
from tests.grid.conftest import lines, run_cwmb, write_experiment

MINIMAL = {"suites": {"cwmb": {"envs": ["CartPole-v1"]}}, "methods": ["gif_mcts"], "llms": ["offline"]}


def test_the_five_shipped_experiments_load():
    assert {
        "demo",
        "paper-table1-apps",
        "paper-table2-gpt4",
        "paper-table2-llama3",
        "paper-table3-rtfm",
    } <= set(list_experiments())
    table3 = load_experiment("paper-table3-rtfm")
    assert [e.budgets for e in table3.llms] == [(50,), (10, 50)]
    assert load_experiment("paper-table2-llama3").llms[0].seeds == (0, 1, 2)


@pytest.mark.parametrize(
    ("changes", "message", "hint"),
    [
        ({"methdos": ["gif_mcts"]}, "unknown key 'methdos' in experiment", "did you mean methods"),
        ({"llms": [{"config": "offline"}]}, "llms[0] has no 'budget'", "budget: LLM calls per cell"),
        ({"stages": ["synthesise"]}, "unknown stage 'synthesise'", "did you mean synthesize?"),
        ({"llms": [{"config": "offline", "budget": 0}]}, "'budget' must be an integer >= 1", None),
        ({"planner": {"episodes": "ten"}}, "'episodes' must be an integer >= 1, not 'ten'", None),
    ],
)
def test_mistakes_in_an_experiment_name_the_key(changes, message, hint):
    with pytest.raises(CwmbError) as raised:
        experiment_from_dict({**MINIMAL, "llms": [{"config": "offline", "budget": 1}], **changes}, "x.yaml")
    assert message in raised.value.message
    if hint:
        assert hint in raised.value.hint


def test_a_missing_section_is_refused():
    with pytest.raises(CwmbError, match="has no 'llms'"):
        experiment_from_dict({"suites": MINIMAL["suites"], "methods": ["gif_mcts"]})


def test_dry_run_of_table2_gpt4_counts_calls_dollars_and_core_hours():
    done = run_cwmb("run", "paper-table2-gpt4", "--dry-run")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "36 cell(s); at most 360 LLM call(s)" in out  # 18 envs x 2 methods x 1 seed x 10 calls
    assert "gif_mcts-gpt-4-turbo-b10-seed0/Ant-v4" in out
    assert "litellm's price table" in out and "estimated LLM cost: $" in out
    assert "core-hours (profile paper, committed oracle timings)" in out


def test_dry_run_of_table2_llama3_says_the_price_is_unknown():
    done = run_cwmb("run", "paper-table2-llama3", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "108 cell(s); at most 5400 LLM call(s)" in done.stdout
    assert "estimated LLM cost: unknown" in done.stdout and "set price:" in done.stdout


def test_dry_run_runs_nothing_and_lists_the_offline_label(tmp_path):
    path = write_experiment(tmp_path)
    done = run_cwmb("run", str(path), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "8 cell(s); at most 16 LLM call(s)" in done.stdout
    assert "[simulated, not an LLM]" in done.stdout and "$0.00" in done.stdout
    assert not (tmp_path / "grid").exists()


def test_an_apps_grid_runs_its_cells_as_apps_runs(tmp_path):
    from pathlib import Path

    import yaml

    hub = Path(__file__).resolve().parents[1] / "apps" / "fixtures" / "hub"
    experiment = {
        "name": "apps-small",
        "output": str(tmp_path / "out"),
        "suites": {"apps": {"data": str(hub), "problems": "0:2"}},
        "methods": ["gif_mcts"],
        "llms": [{"config": "offline", "seeds": [0], "budget": 2}],
        "stages": ["synthesize"],
    }
    path = tmp_path / "apps.yaml"
    path.write_text(yaml.safe_dump(experiment))
    done = run_cwmb("run", str(path), env={"CWMB_CACHE_DIR": str(tmp_path / "c")})
    assert done.returncode == 0, done.stderr
    run = tmp_path / "out" / "gif_mcts-offline-b2-seed0"
    assert (run / "apps_run.json").is_file()
    assert sorted(p.name for p in run.iterdir() if (p / "summary.json").is_file()) == ["3000", "3001"]
    # The grid counts an APPS cell's calls from its problems' call logs: the first run paid them all.
    logged = sum(len(lines(log)) for log in run.glob("*/llm_calls.jsonl"))
    assert logged > 0 and f"{logged} new LLM call(s)" in done.stdout
    again = run_cwmb("run", str(path), env={"CWMB_CACHE_DIR": str(tmp_path / "c")})
    assert again.returncode == 0 and "0 new LLM call(s)" in again.stdout


def test_a_bad_shard_and_executor_are_one_clean_line(tmp_path):
    path = write_experiment(tmp_path)
    for args, message in ((("--shard", "3/2"), "bad --shard '3/2'"), (("--executor", "slurm"), "executor")):
        done = run_cwmb("run", str(path), *args)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert message in done.stderr.splitlines()[0]


def test_table1_apps_dry_run_has_the_papers_three_methods():
    done = run_cwmb("run", "paper-table1-apps", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "60 cell(s); at most 1200 LLM call(s)" in done.stdout  # 20 chunks x 3 methods x 20 calls
    for method in ("zero_shot_cot", "worldcoder", "gif_mcts"):
        assert f"{method}-llama3-70b-vllm-b20-seed0/0:50" in done.stdout
    assert "best_of_n-" not in done.stdout


def test_each_suite_checks_the_methods_its_domain_accepts(tmp_path):
    from cwmb.grid.expansion import expand_cells

    base = {**MINIMAL, "llms": [{"config": "offline", "budget": 1}]}
    apps = {"apps": {"data": str(tmp_path), "problems": "0:2"}}
    plan = experiment_from_dict({**base, "suites": apps, "methods": ["zero_shot_cot"]})
    assert [cell.method for cell in expand_cells(plan).cells] == ["zero_shot_cot"]
    with pytest.raises(CwmbError) as raised:  # the cwmb domain has no zero_shot_cot
        expand_cells(experiment_from_dict({**base, "methods": ["zero_shot_cot"]}))
    assert "no method config 'zero_shot_cot'" in raised.value.message
    with pytest.raises(CwmbError) as raised:
        expand_cells(experiment_from_dict({**base, "suites": apps, "methods": ["zero_shot_cat"]}))
    assert "(apps suite)" in raised.value.message and "also takes zero_shot_cot" in raised.value.hint
