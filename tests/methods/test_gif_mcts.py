"""GIF-MCTS golden trees: every selection score, value and backup of hand-worked scenarios.

Expected numbers are written as the arithmetic of the paper's formulas (Table 4 settings,
with a low generate prior in the chain scenarios so that the search stays on the fix chain).
"""

from __future__ import annotations

import math

import pytest

from cwmb.methods import GIFMCTS, GIFMCTSConfig
from tests.methods.fakes import TASK, FakeEvaluator, answer, fake_program, repair_answer, scripted

C = 0.1  # exploration constant of Table 4


def bonus(parent_visits: int, count: int) -> float:
    """C sqrt(ln N(P) / (n + eps)) with eps = 1."""
    return C * math.sqrt(math.log(parent_visits) / (count + 1))


def run(config: GIFMCTSConfig, *answers: str, seed: int = 0):
    llm = scripted(*answers)
    result = GIFMCTS(config).run(TASK, llm, FakeEvaluator(), seed=seed)
    return result, llm


def assert_scores(step, expected: list[dict[str, float]]) -> None:
    levels = step.extra["scores"]
    assert [set(level) for level in levels] == [set(level) for level in expected], step.call
    for got, want in zip(levels, expected, strict=True):
        for key, value in want.items():
            assert got[key] == pytest.approx(value, abs=1e-8), (step.call, key)


def test_bug_two_failed_fixes_a_fix_an_improve_that_helps_and_an_early_stop():
    config = GIFMCTSConfig(budget=20, generate_prior=0.2)
    result, llm = run(
        config,
        answer(fake_program("A", error="NameError on line 7")),
        repair_answer(fake_program("B", error="TypeError on line 8")),
        repair_answer(fake_program("C", error="TypeError on line 8")),
        repair_answer(fake_program("D", 0.6)),
        repair_answer(fake_program("E", 0.9)),
        repair_answer(fake_program("F", 1.0)),
        answer(fake_program("never used", 0.1)),
    )
    steps = result.steps
    g_global = 0.2 * 2 / 3  # generate prior after one expansion that produced 0 (the bug)
    assert [s.action for s in steps] == ["generate", "fix", "fix", "fix", "improve", "improve"]
    assert [s.extra["path"] for s in steps] == [
        [0],
        [0, 1],
        [0, 1, 2],
        [0, 1, 2, 3],
        [0, 1, 2, 3, 4],
        [0, 1, 2, 3, 4, 5],
    ]
    # 1: the root can only generate; the estimate is the generate prior.
    assert_scores(steps[0], [{"generate": 0.2}])
    # 2: the bug's temporary value 0.99 beats a second generate; a buggy node admits only fix.
    assert_scores(
        steps[1],
        [{"node 1": 0.99 + bonus(2, 1), "generate": (g_global + 0.99) / 2 + bonus(2, 1)}, {"fix": 0.5}],
    )
    # 3: one failed fix: node 1 decays to 0.66; the fix prior fell to (0.5*2 + 0) / 3.
    assert_scores(
        steps[2],
        [
            {"node 1": 0.66 + bonus(3, 2), "generate": (g_global + 0.66) / 2 + bonus(3, 1)},
            {"node 2": 0.66 + bonus(2, 1)},
            {"fix": 1 / 3},
        ],
    )
    # 4: two failed fixes: the chain is worth 0.33; the fix prior is (1 + 0 + 0) / 4.
    assert_scores(
        steps[3],
        [
            {"node 1": 0.33 + bonus(4, 3), "generate": (g_global + 0.33) / 2 + bonus(4, 1)},
            {"node 2": 0.33 + bonus(3, 2)},
            {"node 3": 0.33 + bonus(2, 1)},
            {"fix": 0.25},
        ],
    )
    # 5: the fix worked (0.6): the whole chain and the original bug node take its value.
    assert_scores(
        steps[4],
        [
            {"node 1": 0.6 + bonus(5, 4), "generate": (g_global + 0.6) / 2 + bonus(5, 1)},
            {"node 2": 0.6 + bonus(4, 3)},
            {"node 3": 0.6 + bonus(3, 2)},
            {"node 4": 0.6 + bonus(2, 1)},
            {"improve": 0.55},
        ],
    )
    # 6: the improve helped (0.9) and was backed up along the path; the improve prior is (1.1 + 0.9) / 3.
    i_global = (0.55 * 2 + 0.9) / 3
    assert_scores(
        steps[5],
        [
            {"node 1": (2.4 + 0.9) / 5 + bonus(6, 5), "generate": (g_global + 0.66) / 2 + bonus(6, 1)},
            {"node 2": (1.8 + 0.9) / 4 + bonus(5, 4)},
            {"node 3": (1.2 + 0.9) / 3 + bonus(4, 3)},
            {"node 4": (0.6 + 0.9) / 2 + bonus(3, 2)},
            {"node 5": 0.9 + bonus(2, 1), "improve": (i_global + 0.9) / 2 + bonus(2, 1)},
            {"improve": i_global},
        ],
    )
    assert [s.extra["value"] for s in steps] == pytest.approx([0.99, 0.66, 0.33, 0.6, 0.9, 1.0])
    assert [s.extra["fixes_left"] for s in steps] == [3, 2, 1, 3, 3, 3]
    # Early stop: the perfect program ends the search; the 7th answer is never requested.
    assert result.stop_reason == "perfect" and result.calls == 6 and llm.backend.remaining == 1
    assert result.best_node == 6 and result.perfect and result.curve == (0.0, 0.0, 0.0, 0.6, 0.9, 1.0)
    final = {n.id: n for n in result.nodes}
    # The perfect leaf was backed up too: the root saw 0.6, 0.9 and 1.0 over 7 visits (1 initial).
    assert final[0].extra["visits"] == 7 and final[0].extra["value"] == pytest.approx(2.5 / 7)
    assert final[1].extra["visits"] == 6 and final[1].extra["value"] == pytest.approx((3.3 + 1.0) / 6)


def test_a_bug_whose_fixes_all_fail_kills_the_chain_and_is_never_selected_again():
    config = GIFMCTSConfig(budget=5, generate_prior=0.2)
    result, _ = run(
        config,
        answer(fake_program("A", error="NameError on line 7")),
        repair_answer(fake_program("B", error="NameError on line 7")),
        repair_answer(fake_program("C", error="NameError on line 7")),
        repair_answer(fake_program("D", error="NameError on line 7")),
        answer(fake_program("E", 0.5)),
    )
    assert [s.action for s in result.steps] == ["generate", "fix", "fix", "fix", "generate"]
    assert result.steps[3].extra == {**result.steps[3].extra, "fixes_left": 0, "dead": True, "value": 0.0}
    # The dead chain is not an option any more: only a new generate is left at the root.
    assert_scores(result.steps[4], [{"generate": (0.2 * 2 / 3 + 0.0) / 2 + bonus(5, 1)}])
    nodes = {n.id: n for n in result.nodes}
    for node_id in (1, 2, 3, 4):
        assert nodes[node_id].extra["dead"] and nodes[node_id].extra["value"] == 0.0
    assert result.stop_reason == "budget" and result.best_node == 5


def test_generate_keeps_l_code_lines_and_continues_from_them():
    prefix_answer = "```python\nimport math\nclass Environment:\n    pass\n```"
    config = GIFMCTSConfig(budget=2, allow_improve=False, generate_prior=0.2)
    llm = scripted(answer(fake_program("A", 0.5)), prefix_answer)
    evaluator = FakeEvaluator()
    result = GIFMCTS(config).run(TASK, llm, evaluator, seed=0)
    second_prompt = llm.backend.requests[1].messages[-1].content
    # Node 1 kept its comment line plus L = 2 code lines; the second generate continues node 1.
    assert "# fake:" in second_prompt and "import math\nclass Environment:\n```" in second_prompt
    assert result.steps[1].extra["path"] == [0, 1] and result.steps[1].parent == 1
    # The answer repeated the prefix's code lines, so it is the whole program.
    assert evaluator.sources[1] == "import math\nclass Environment:\n    pass\n"


def test_improve_without_a_failing_transition_does_not_crash():
    config = GIFMCTSConfig(budget=2, allow_generate=False)
    llm = scripted(answer(fake_program("A", 0.5, feedback="")), repair_answer(fake_program("B", 0.7)))
    result = GIFMCTS(config).run(TASK, llm, FakeEvaluator())
    assert [s.action for s in result.steps] == ["generate", "improve"]
    assert "no individual\nfailing transition could be shown" in llm.backend.requests[1].messages[-1].content


def test_the_fix_prompt_quotes_the_error_and_the_offending_line():
    config = GIFMCTSConfig(budget=2)
    program = fake_program("A", error="Error on line 7 (in `step`): NameError: name 'x' is not defined")
    llm = scripted(answer(program), repair_answer(fake_program("B", 0.5)))
    GIFMCTS(config).run(TASK, llm, FakeEvaluator())
    prompt = llm.backend.requests[1].messages[-1].content
    assert "NameError: name 'x' is not defined" in prompt
    assert "The line of code that caused the error is: `def step(self, action):`" in prompt
    assert llm.backend.requests[1].action == "fix" and llm.backend.requests[1].program == program


@pytest.mark.parametrize(
    ("switch", "banned"), [("allow_generate", "generate"), ("allow_improve", "improve"), ("allow_fix", "fix")]
)
def test_ablation_switches_remove_their_action(switch: str, banned: str):
    answers = []
    for i in range(12):  # alternate healthy and buggy programs so every action has a reason to occur
        error = "ValueError on line 8" if i % 3 == 1 else None
        answers.append(repair_answer(fake_program(f"P{i}", 0.1 + 0.05 * i, error=error)))
    config = GIFMCTSConfig(budget=12, **{switch: False})
    result, _ = run(config, *answers)
    actions = [s.action for s in result.steps]
    if banned == "generate":  # the root still writes the first program
        assert actions[0] == "generate" and "generate" not in actions[1:]
    else:
        assert banned not in actions
    assert result.calls == len(actions) <= 12


def test_without_fix_a_crash_is_a_dead_leaf_worth_zero():
    config = GIFMCTSConfig(budget=2, allow_fix=False)
    result, _ = run(config, answer(fake_program("A", error="boom on line 2")), answer(fake_program("B", 0.4)))
    assert result.steps[0].extra["dead"] and result.steps[0].extra["value"] == 0.0
    assert [s.action for s in result.steps] == ["generate", "generate"]


def test_a_tree_with_nothing_left_to_expand_stops_as_exhausted():
    config = GIFMCTSConfig(budget=10, allow_generate=False, allow_improve=False)
    result, llm = run(config, answer(fake_program("A", 0.5)), answer(fake_program("B", 0.5)))
    assert result.stop_reason == "exhausted" and result.calls == 1 and llm.backend.remaining == 1


def test_budget_is_counted_in_llm_calls():
    answers = [answer(fake_program(f"P{i}", 0.1 + 0.01 * i)) for i in range(10)]
    result, llm = run(GIFMCTSConfig(budget=7), *answers)
    assert result.calls == 7 == len(result.steps) == len(result.curve) and llm.backend.remaining == 3
    assert result.stop_reason == "budget" and [s.call for s in result.steps] == list(range(1, 8))
    assert all(node.id == node.call for node in result.nodes)


def test_same_seed_same_tree_and_ties_are_broken_by_the_seed():
    answers = [answer(fake_program(f"P{i}", 0.5)) for i in range(8)]
    config = GIFMCTSConfig(budget=8, allow_improve=False)
    first, _ = run(config, *answers, seed=3)
    again, _ = run(config, *answers, seed=3)
    assert [s.as_dict() for s in first.steps] == [s.as_dict() for s in again.steps]
    paths = {tuple(tuple(s.extra["path"]) for s in run(config, *answers, seed=k)[0].steps) for k in range(6)}
    assert len(paths) > 1  # equal values: different seeds break the ties differently
