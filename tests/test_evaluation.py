"""Evaluating one world model: accuracy, sandboxed planning episodes, R, and resuming."""

from __future__ import annotations

import json

import pytest

from cwmb.benchmark import get_env
from cwmb.benchmark.reference import reference_source
from cwmb.errors import CwmbError
from cwmb.evaluation import EvaluationRequest, evaluate_program
from cwmb.planning.normalized import ReturnSummary
from cwmb.planning.profiles import load_profile
from cwmb.planning.references import References
from cwmb.planning.sandboxed import PLANNING_PRELOAD
from cwmb.sandbox import WorkerPool

TINY = {"episode_cap": 8, "mcts.simulations": 4, "mcts.max_rollout_steps": 5}
BROKEN = "class Environment:\n    def __init__(self):\n        raise RuntimeError('no model today')\n"


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(size=2, preload=PLANNING_PRELOAD) as workers:
        yield workers


def request(source: str, env: str = "CartPole-v1") -> EvaluationRequest:
    return EvaluationRequest(get_env(env), source, "test", load_profile("quick", TINY))


def test_reference_model_plays_and_scores(pool, tmp_path):
    out = tmp_path / "evaluation.json"
    record = evaluate_program(request(reference_source("CartPole-v1")), pool, 2, out)
    assert record["accuracy"]["default"]["perfect"] is True
    assert [e["episode"] for e in record["episodes"]] == [0, 1]
    assert all(e["length"] == 8 and e["outcome"] == "truncated" for e in record["episodes"])
    assert json.loads(out.read_text())["returns"]["mean"] == 8.0


def test_resume_runs_only_missing_episodes(pool, tmp_path):
    out = tmp_path / "evaluation.json"
    evaluate_program(request(reference_source("CartPole-v1")), pool, 1, out)
    first = json.loads(out.read_text())["episodes"][0]
    seen = []
    evaluate_program(request(reference_source("CartPole-v1")), pool, 3, out, on_episode=seen.append)
    assert sorted(e["episode"] for e in seen) == [1, 2]
    assert json.loads(out.read_text())["episodes"][0] == first


def test_changed_settings_are_not_reused(pool, tmp_path):
    out = tmp_path / "evaluation.json"
    evaluate_program(request(reference_source("CartPole-v1")), pool, 1, out)
    other = EvaluationRequest(
        get_env("CartPole-v1"),
        reference_source("CartPole-v1"),
        "test",
        load_profile("quick", {**TINY, "episode_cap": 6}),
    )
    seen = []
    record = evaluate_program(other, pool, 1, out, on_episode=seen.append)
    assert len(seen) == 1 and record["episodes"][0]["length"] == 6


def test_broken_model_ends_episodes_cleanly(pool):
    record = evaluate_program(request(BROKEN), pool, 1)
    assert record["accuracy"]["status"] == "error" and "no model today" in record["accuracy"]["message"]
    episode = record["episodes"][0]
    assert (
        episode["outcome"] == "model_error"
        and episode["length"] == 0
        and "no model today" in episode["error"]
    )


def test_a_model_that_does_not_run_has_no_normalized_return(pool):
    fixed = References("CartPole-v1", ReturnSummary.of([2.0, 4.0]), ReturnSummary.of([10.0, 10.0]))
    record = evaluate_program(request(BROKEN), pool, 1, references=lambda e, p: fixed)
    assert record["returns"]["mean"] == 0.0  # the episode is recorded ...
    assert record["returns"]["normalized"] is None  # ... but is no return of a world model
    assert "does not run" in record["returns"]["normalized_note"]


def test_normalized_return_uses_the_references(pool):
    fixed = References("CartPole-v1", ReturnSummary.of([2.0, 4.0]), ReturnSummary.of([10.0, 10.0]))
    record = evaluate_program(
        request(reference_source("CartPole-v1")), pool, 2, references=lambda e, p: fixed
    )
    assert record["returns"]["normalized"] == pytest.approx((8.0 - 3.0) / (10.0 - 3.0))  # random 3, oracle 10


def test_missing_references_leave_r_undefined_with_the_reason(pool):
    def missing(env, profile):
        raise CwmbError("no reference returns for profile 'x'", "compute them: cwmb references --profile x")

    record = evaluate_program(request(reference_source("CartPole-v1")), pool, 1, references=missing)
    assert record["returns"]["normalized"] is None
    assert "cwmb references --profile x" in record["returns"]["normalized_note"]
