"""The machinery every method shares: sample indices, stopping rules, budget and cost accounting."""

from __future__ import annotations

import pytest

from cwmb.llm import LLMClient, ScriptedLLM, config_from_dict, make_llm
from cwmb.methods import SEED_STRIDE, BestOfN, BestOfNConfig, Evaluation, Session, ZeroShot, ZeroShotConfig
from cwmb.methods.registry import load_method_config
from tests.methods.fakes import TASK, FakeEvaluator, answer, fake_program, scripted


class ConstantEvaluator:
    """Gives every program the same evaluation."""

    def __init__(self, evaluation: Evaluation) -> None:
        self.evaluation = evaluation

    def evaluate(self, source: str) -> Evaluation:
        return self.evaluation


class Recorder:
    """An observer that keeps what it is told."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def before_call(self, call, action, parent):
        self.events.append(("before", call, action, parent))

    def after_call(self, step, program, evaluation):
        self.events.append(("after", step.call, step.action, step.parent))


def test_repeated_prompts_get_new_sample_indices_and_the_seed_picks_the_stream():
    llm = scripted(*[answer(fake_program(f"P{i}", 0.1)) for i in range(3)])
    BestOfN(BestOfNConfig(budget=3)).run(TASK, llm, FakeEvaluator(), seed=2)
    assert [r.sample_index for r in llm.backend.requests] == [2 * SEED_STRIDE + k for k in range(3)]
    assert {r.env_name for r in llm.backend.requests} == {"CartPole-v1"}


@pytest.mark.parametrize(
    ("accuracy", "perfect", "calls"),
    [(0.9999999999999998, True, 1), (1.0, False, 3)],
)
def test_early_stop_follows_the_perfect_flag_not_the_float(accuracy, perfect, calls):
    evaluator = ConstantEvaluator(Evaluation(accuracy, perfect))
    llm = scripted(*[answer(fake_program(f"P{i}")) for i in range(3)])
    result = BestOfN(BestOfNConfig(budget=3)).run(TASK, llm, evaluator)
    assert result.calls == calls and result.perfect == perfect


def test_the_cost_cap_stops_the_search_cleanly():
    config = config_from_dict(
        {
            "backend": "scripted",
            "script": [answer(fake_program(f"P{i}", 0.1 * i)) for i in range(1, 6)],
            "price": {"input_per_mtok": 1000.0, "output_per_mtok": 1000.0},
            "max_cost": 0.5,
        }
    )
    llm = make_llm(config, cache=False)
    result = BestOfN(BestOfNConfig(budget=5)).run(TASK, llm, FakeEvaluator())
    assert result.stop_reason == "cost_cap" and 0 < result.calls < 5
    assert result.cost_usd == pytest.approx(llm.budget.spent_usd) and result.best_accuracy > 0


def test_observers_hear_about_every_call_in_order():
    recorder = Recorder()
    llm = scripted(answer(fake_program("A", 0.2)), answer(fake_program("B", 0.3)))
    BestOfN(BestOfNConfig(budget=2)).run(TASK, llm, FakeEvaluator(), observers=[recorder])
    assert recorder.events == [
        ("before", 1, "generate", None),
        ("after", 1, "generate", None),
        ("before", 2, "generate", None),
        ("after", 2, "generate", None),
    ]


def test_an_answer_without_code_is_a_no_code_failure_and_runs_nothing():
    evaluator = FakeEvaluator()
    result = BestOfN(BestOfNConfig(budget=1)).run(TASK, scripted("I cannot help with that."), evaluator)
    assert result.steps[0].status == "no_code" and result.steps[0].error and evaluator.sources == []


def test_the_first_program_is_the_best_until_a_strictly_better_one_comes():
    llm = scripted(*(answer(fake_program(name, acc)) for name, acc in [("A", 0.0), ("B", 0.0), ("C", 0.4)]))
    result = BestOfN(BestOfNConfig(budget=3)).run(TASK, llm, FakeEvaluator())
    assert [s.best_node for s in result.steps] == [1, 1, 3] and result.curve == (0.0, 0.0, 0.4)
    assert (
        "'C'" in result.best_program and result.programs[result.steps[2].program_hash] == result.best_program
    )


def test_token_and_cost_accounting():
    llm = LLMClient(ScriptedLLM([answer(fake_program("A", 0.2)), answer(fake_program("B", 0.3))]))
    result = BestOfN(BestOfNConfig(budget=2)).run(TASK, llm, FakeEvaluator())
    assert result.tokens_in == sum(s.llm["tokens_in"] for s in result.steps) > 0
    assert result.cost_usd == 0.0 and result.calls_unknown_cost == 0 and result.simulated


def test_zero_shot_makes_exactly_one_call():
    llm = scripted(answer(fake_program("A", 0.3)), answer(fake_program("B", 0.9)))
    result = ZeroShot(ZeroShotConfig()).run(TASK, llm, FakeEvaluator())
    assert result.calls == 1 and result.best_accuracy == 0.3 and llm.backend.remaining == 1
    with pytest.raises(ValueError, match="exactly one"):
        ZeroShotConfig(budget=2)


def test_a_finished_session_refuses_more_calls():
    session = Session(TASK, scripted(answer(fake_program("A", 1.0))), FakeEvaluator(), budget=1)
    candidate = session.propose("generate", parent=None)
    session.record(candidate, node=1, parent=None)
    assert session.finished and session.stop_reason == "perfect"
    with pytest.raises(RuntimeError):
        session.propose("generate", parent=None)


def test_every_method_returns_the_same_record():
    for name in ("gif_mcts", "worldcoder", "rex", "best_of_n", "zero_shot"):
        spec = load_method_config(name)
        budget = 1 if name == "zero_shot" else 3
        method = spec.with_overrides(budget=budget).build()
        llm = scripted(*[answer(fake_program(f"P{i}", 0.2 + 0.1 * i)) for i in range(3)])
        result = method.run(TASK, llm, FakeEvaluator(), seed=0)
        assert result.method == name and result.calls == budget == len(result.curve)
        assert result.best_node is not None and result.nodes and result.summary()["best"]["program_hash"]
