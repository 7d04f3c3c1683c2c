"""Under the shipped quick profile: exact reference models reach R close to 1, a model that
knows nothing gets R near 0, and a crashing one is recorded, not fatal."""

from __future__ import annotations

import pytest

from cwmb.benchmark import get_env
from cwmb.benchmark.reference import reference_source
from cwmb.evaluation import EvaluationRequest, evaluate_program
from cwmb.planning.profiles import load_profile
from cwmb.planning.references import reference_summaries
from cwmb.planning.sandboxed import PLANNING_PRELOAD
from cwmb.sandbox import WorkerPool

# Knows the observation's shape and nothing else: the state never changes, every action
# looks the same, so the planner can do no better than chance.
STATIC = """
class Environment:
    def __init__(self):
        self.state = None
    def set_state(self, state):
        self.state = state
    def step(self, action):
        return self.state, 1.0, False
"""
CRASHES_IN_STEP = STATIC.replace("return self.state, 1.0, False", "raise ValueError('lost')")


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(size=2, preload=PLANNING_PRELOAD) as workers:
        yield workers


def normalized(source: str, env: str, pool) -> dict:
    request = EvaluationRequest(get_env(env), source, "test", load_profile("quick"))
    return evaluate_program(request, pool, request.profile.episodes, references=reference_summaries)


@pytest.mark.parametrize("env", ["CartPole-v1", "Taxi-v3", "CliffWalking-v0"])
def test_exact_reference_models_reach_r_close_to_one(env, pool):
    assert normalized(reference_source(env), env, pool)["returns"]["normalized"] > 0.85


def test_a_model_that_knows_nothing_gets_r_near_zero(pool):
    assert normalized(STATIC, "CartPole-v1", pool)["returns"]["normalized"] < 0.5


def test_a_crashing_model_is_recorded_and_scores_its_return_so_far(pool):
    record = normalized(CRASHES_IN_STEP, "CartPole-v1", pool)
    assert [e["outcome"] for e in record["episodes"]] == ["model_error", "model_error"]
    assert "lost" in record["episodes"][0]["error"] and record["returns"]["mean"] == 0.0
