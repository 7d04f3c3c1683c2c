"""Evaluators: the sandbox one for generated code, the in-process one for trusted test programs."""

from __future__ import annotations

import pytest

from cwmb.benchmark import get_env
from cwmb.benchmark.descriptions import describe_env
from cwmb.benchmark.reference import reference_source
from cwmb.llm import make_llm
from cwmb.methods import InProcessEvaluator, Task, load_method_config
from cwmb.methods.sandbox_evaluator import SandboxEvaluator

CRASHING_STEP = "        raise KeyError('no such thing')\n"


def crashing(source: str) -> str:
    """The reference with a crash at the start of ``step``."""
    return source.replace("    def step(self, action):\n", "    def step(self, action):\n" + CRASHING_STEP, 1)


@pytest.fixture(params=["sandbox", "in_process"])
def evaluator(request, pool, cartpole):
    if request.param == "sandbox":
        return SandboxEvaluator(pool, cartpole, feedback_transitions=2)
    return InProcessEvaluator(cartpole, feedback_transitions=2)


def test_the_reference_model_is_perfect(evaluator):
    result = evaluator.evaluate(reference_source("CartPole-v1"))
    assert result.perfect and result.accuracy == 1.0 and result.error is None and result.feedback == ""


def test_a_wrong_model_gets_improve_feedback(evaluator, cartpole):
    wrong = reference_source("CartPole-v1").replace("self.gravity = 9.8", "self.gravity = 12.0")
    result = evaluator.evaluate(wrong)
    assert not result.perfect and 0 < result.accuracy < 1 and not result.buggy
    assert "WRONG" in result.feedback and result.feedback.count("Transition ") == 2
    assert result.details["n"] == len(cartpole)


def test_a_crash_names_the_line(evaluator):
    result = evaluator.evaluate(crashing(reference_source("CartPole-v1")))
    assert result.buggy and result.status == "error" and result.accuracy == 0.0
    assert "KeyError" in result.error and "raise KeyError('no such thing')" in result.error


def test_no_class_and_no_code(evaluator):
    assert evaluator.evaluate("x = 1\n").buggy
    assert evaluator.evaluate("  \n").status == "no_code"


def test_wrong_output_on_every_row_counts_as_a_crash(evaluator):
    source = reference_source("CartPole-v1").replace(
        "    def step(self, action):\n", "    def step(self, action):\n        return 1\n", 1
    )
    result = evaluator.evaluate(source)
    assert result.buggy and "no usable prediction" in result.error


@pytest.mark.parametrize("method", ["gif_mcts", "worldcoder"])
def test_the_offline_coder_reaches_a_perfect_cartpole_model_within_the_default_budget(method, pool, cartpole):
    task = Task("CartPole-v1", describe_env(get_env("CartPole-v1")))
    evaluator = SandboxEvaluator(pool, cartpole)
    spec = load_method_config(method)
    assert spec.config.budget == 50
    for seed in range(4):
        result = spec.build().run(task, make_llm(None, cache=False), evaluator, seed=seed)
        assert result.perfect and result.best_accuracy == 1.0 and result.calls <= 50, seed
        assert result.simulated
