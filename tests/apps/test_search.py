"""The shared search methods on APPS through the Task and Evaluator seams, and what the search may see."""

from __future__ import annotations

import json

import pytest

from cwmb.apps.describe import describe_problem, problem_task_name
from cwmb.apps.evaluator import AppsEvaluator
from cwmb.apps.judge import JudgeSettings
from cwmb.apps.offline import AppsSimulatedCoder, read_tags
from cwmb.apps.protocol import split_tests
from cwmb.apps.synthesis import AppsSettings, synthesize_problem
from cwmb.llm.config import LLMConfig, OfflineSkill
from cwmb.llm.protocol import LLMRequest
from cwmb.methods import load_method_config
from tests.apps.conftest import problem

SETTINGS = JudgeSettings(test_timeout_s=1.0, budget_s=5.0)
WRONG_SUM = "a, b = map(int, input().split())\nprint(a * b)\n"


def evaluator(pool, problem_id, protocol="clean"):
    task = problem(problem_id)
    return AppsEvaluator(pool, task, split_tests(len(task.tests), protocol), SETTINGS)


def test_clean_value_counts_public_tests_only(pool):
    # 3000's tests: "1 2"->3, "-5 5"->0, "100 23"->123, "7 0"->7; a*b passes none of the public two.
    evaluation = evaluator(pool, "3000").evaluate(WRONG_SUM)
    assert evaluation.status == "ok" and evaluation.details["total"] == 2 and evaluation.accuracy == 0.0
    assert "1 2" in evaluation.feedback and "### Expected output\n```\n3\n" in evaluation.feedback
    assert "### The program printed\n```\n2\n" in evaluation.feedback
    for hidden in ("100 23", "7 0", "123"):
        assert hidden not in evaluation.feedback


def test_paper_protocol_values_all_tests_feedback_still_public(pool):
    evaluation = evaluator(pool, "3000", "paper").evaluate(
        "a, b = map(int, input().split())\nprint(a + b if a < 50 else 0)\n"
    )
    assert evaluation.details["total"] == 4 and evaluation.accuracy == 0.75 and not evaluation.perfect
    assert evaluation.feedback == ""  # the failing test (100 23) is not public: no public failure to show


def test_perfect_on_public_tests_stops_clean_search(pool):
    evaluation = evaluator(pool, "3000").evaluate(
        "a, b = map(int, input().split())\nprint(a + b if a < 50 else 0)\n"
    )
    assert evaluation.perfect and evaluation.accuracy == 1.0


def test_crashes_need_a_fix(pool):
    assert evaluator(pool, "3000").evaluate("print(").status == "error"
    crash = evaluator(pool, "3000").evaluate("print(undefined)\n")
    assert crash.status == "error" and "NameError" in crash.error and "line 1" in crash.error


def test_description_states_the_contract():
    text = describe_problem(problem("3005"))
    assert "class Solution` with the method `twoSum`" in text and "Starter code" in text
    assert "standard input" in describe_problem(problem("3000"))


def test_offline_coder_corrupts_and_repairs():
    target = problem("3008")
    coder = AppsSimulatedCoder({problem_task_name(target): target}, OfflineSkill(generate_faults=(2, 2)))
    request = LLMRequest.chat(
        [{"role": "user", "content": "x"}], action="generate", env_name=problem_task_name(target)
    )
    first = coder.generate(request).text
    assert first.startswith("Simulated coder (offline model, not an LLM)")
    assert coder.generate(request).text == first  # reproducible
    program = first.split("```python\n")[1].split("```")[0]
    assert len(read_tags(program)[2]) == 2
    perfect = AppsSimulatedCoder(
        {problem_task_name(target): target},
        OfflineSkill(
            generate_faults=(2, 2),
            fix_remove=dict.fromkeys(("constant", "comparison", "runtime_error", "syntax_error"), 1.0),
            p_new_fault=0.0,
        ),
    )
    fixed = perfect.generate(
        LLMRequest.chat(
            [{"role": "user", "content": "x"}],
            action="fix",
            env_name=problem_task_name(target),
            program=program,
        )
    ).text
    assert read_tags(fixed.split("```python\n")[1])[2] == []


@pytest.mark.parametrize("method", ["gif_mcts", "worldcoder", "rex", "best_of_n", "zero_shot"])
def test_every_method_runs_unchanged_on_apps(pool, tmp_path, method):
    target = problem("3007")
    config = LLMConfig(cache=False)
    coder = AppsSimulatedCoder({problem_task_name(target): target}, config.offline)
    spec = load_method_config(method).with_overrides(budget=None if method == "zero_shot" else 3)
    outcome = synthesize_problem(
        target,
        spec,
        config,
        run_root=tmp_path,
        pool=pool,
        settings=AppsSettings(judge=SETTINGS),
        offline_backend=coder,
    )
    assert outcome.summary["status"] == "finished" and 1 <= outcome.summary["calls"] <= 3
    calls = [json.loads(line) for line in (tmp_path / "3007" / "completions.jsonl").read_text().splitlines()]
    assert calls and all(c["simulated"] for c in calls)
    assert (tmp_path / "3007" / "best.py").exists()


def test_an_answer_without_code_gets_the_apps_wording(pool, tmp_path):
    target = problem("3000")
    config = LLMConfig(backend="scripted", script=("I cannot solve this.",), cache=False)
    spec = load_method_config("zero_shot")
    outcome = synthesize_problem(
        target, spec, config, run_root=tmp_path, pool=pool, settings=AppsSettings(judge=SETTINGS)
    )
    assert outcome.summary["calls"] == 1
    stored = next((tmp_path / "3000" / "candidates").glob("*.json")).read_text()
    assert "no code block was found" in stored and "Environment" not in stored
