"""WorldCoder and REx: Thompson sampling over programs with the REx Beta belief."""

from __future__ import annotations

import numpy as np
import pytest

from cwmb.methods import RExConfig, ThompsonRefinement, WorldCoder, WorldCoderConfig
from tests.methods.fakes import TASK, FakeEvaluator, answer, fake_program, repair_answer, scripted


def test_worldcoder_beta_prior_update_and_draws_by_hand():
    llm = scripted(
        answer(fake_program("A", 0.4)),
        repair_answer(fake_program("B", 0.6)),
        repair_answer(fake_program("C", 1.0)),
    )
    result = WorldCoder(WorldCoderConfig(budget=5)).run(TASK, llm, FakeEvaluator(), seed=7)
    steps = result.steps
    # Seed program: Beta(1 + 5*0.4, 1 + 5*0.6) = Beta(3, 4).
    assert (steps[0].extra["alpha"], steps[0].extra["beta"]) == pytest.approx((3.0, 4.0))
    # Call 2: one arm, one draw; the refinement failed, so its beta grows by one.
    rng = np.random.default_rng(7)
    first_draw = rng.beta(3.0, 4.0)
    assert steps[1].extra["draws"] == {"1": pytest.approx(first_draw, abs=1e-9)}
    assert (steps[1].extra["parent_alpha"], steps[1].extra["parent_beta"]) == (3.0, 5.0)
    assert (steps[1].extra["alpha"], steps[1].extra["beta"]) == pytest.approx((4.0, 3.0))
    # Call 3: draws for both arms in pool order; the larger one is refined.
    draws = [rng.beta(3.0, 5.0), rng.beta(4.0, 3.0)]
    assert list(steps[2].extra["draws"].values()) == pytest.approx(draws, abs=1e-9)
    assert steps[2].parent == [1, 2][int(np.argmax(draws))]
    # The perfect child: the parent's alpha grows by one and the search stops early.
    assert steps[2].extra["parent_alpha"] == pytest.approx(1 + (3.0 if steps[2].parent == 1 else 4.0))
    assert result.stop_reason == "perfect" and result.calls == 3


def test_refine_is_fix_for_a_crash_and_improve_otherwise():
    llm = scripted(
        answer(fake_program("A", error="KeyError on line 6")),
        repair_answer(fake_program("B", 0.5)),
        repair_answer(fake_program("C", 0.6)),
    )
    result = WorldCoder(WorldCoderConfig(budget=3, select_sequential=True)).run(TASK, llm, FakeEvaluator())
    assert [s.action for s in result.steps] == ["generate", "fix", "improve"]
    assert [s.parent for s in result.steps] == [None, 1, 2]  # sequential: always the newest program
    assert "KeyError on line 6" in llm.backend.requests[1].messages[-1].content


def test_rex_does_not_add_a_duplicate_program_as_a_second_arm():
    same = fake_program("A", 0.5)
    llm = scripted(answer(same), repair_answer(same), repair_answer(fake_program("B", 0.7)))
    result = ThompsonRefinement(RExConfig(budget=3)).run(TASK, llm, FakeEvaluator(), seed=1)
    arms = {n.id: n.extra["arm"] for n in result.nodes}
    assert arms == {1: True, 2: False, 3: True}
    assert result.steps[2].parent == 1 and set(result.steps[2].extra["draws"]) == {"1"}
    worldcoder = WorldCoder(WorldCoderConfig(budget=3)).run(
        TASK, scripted(answer(same), repair_answer(same), repair_answer(same)), FakeEvaluator(), seed=1
    )
    assert all(n.extra["arm"] for n in worldcoder.nodes)  # the paper's baseline did not de-duplicate


def test_rex_and_worldcoder_defaults():
    assert RExConfig().heuristic_weight == 20.0 and RExConfig().deduplicate
    assert WorldCoderConfig().heuristic_weight == 5.0 and not WorldCoderConfig().deduplicate
