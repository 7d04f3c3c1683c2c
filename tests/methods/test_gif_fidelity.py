"""``fidelity: original``: each rule of the original GIF-MCTS, pinned on small scripted trees.

Every scenario runs both fidelities on the same script and checks the (action, parent)
sequence of each, so a change of either rule shows up here.
"""

from __future__ import annotations

import math

import pytest

from cwmb.benchmark.reference import reference_source
from cwmb.methods import GIFMCTS, GIFMCTSConfig, InProcessEvaluator
from cwmb.methods.gif_original import local_mean_after_expansion, original_prefix
from cwmb.methods.gif_prior import ActionPrior
from cwmb.methods.gif_tree import Node, Tree
from tests.methods.fakes import TASK, FakeEvaluator, answer, fake_program, repair_answer, scripted


def run(config: GIFMCTSConfig, answers: list[str], evaluator=None):
    llm = scripted(*answers)
    result = GIFMCTS(config).run(TASK, llm, evaluator or FakeEvaluator(), seed=0)
    return [(s.action, s.parent) for s in result.steps], result, llm


def test_the_original_line_budget_counts_raw_lines_and_a_leading_newline():
    program = "# a comment\nimport math\n\nclass Environment:\n    pass\n"
    # Root: "\n" counts 2 lines, so 2 + L = 4 raw lines are kept (comment and blank included).
    prefix, length, complete = original_prefix("", 2, program)
    assert prefix == "# a comment\nimport math\n\nclass Environment:" and (length, complete) == (2, False)
    # Below it: "\n" + 4 lines = 5, budget 7; the program has 5 lines, 0 new: complete.
    assert original_prefix(prefix, 2, program) == (program.rstrip("\n"), 0, True)
    # The strict "<": exactly L new lines is not complete (cwmb's "<=" would say it is).
    assert original_prefix("", 2, "a = 1\nb = 2\nc = 3\nd = 4\n")[1:] == (2, False)
    assert original_prefix("", 2, "a = 1\nb = 2\nc = 3\n")[1:] == (1, True)


IMPROVING = [answer(fake_program("A", 0.3))] + [
    repair_answer(fake_program(f"P{i}", 0.4 + 0.05 * i)) for i in range(7)
]


@pytest.mark.parametrize(
    ("fidelity", "expected"),
    [
        # cwmb: improve children are whole programs, so below node 6 only improve is possible.
        ("cwmb", [("generate", 0), ("generate", 0)] + [("improve", 2)] * 4 + [("improve", 6)] * 2),
        # original: improve children keep a prefix, so generate continues node 6 at the end.
        (
            "original",
            [("generate", 0), ("generate", 0)] + [("improve", 2)] * 4 + [("improve", 6), ("generate", 6)],
        ),
    ],
)
def test_improve_children_can_be_continued_by_generate_only_in_the_original(fidelity, expected):
    config = GIFMCTSConfig(budget=8, fidelity=fidelity, improve_prior=0.9, generate_prior=0.6)
    sequence, result, _ = run(config, IMPROVING)
    assert sequence == expected
    improve_nodes = {s.node for s in result.steps if s.action == "improve"}
    generated_below_improve = any(s.action == "generate" and s.parent in improve_nodes for s in result.steps)
    assert generated_below_improve == (fidelity == "original")


FIXED_THEN_GENERATE = [
    answer(fake_program("A", error="NameError on line 2")),
    repair_answer(fake_program("B", 0.5)),
] + [answer(fake_program(f"G{i}", 0.2 + 0.1 * i)) for i in range(4)]


@pytest.mark.parametrize(
    ("fidelity", "expected"),
    [
        # cwmb with improve off: the fixed program (node 2) has no slot left; generate restarts at the root.
        (
            "cwmb",
            [("generate", 0), ("fix", 1), ("generate", 0), ("generate", 0), ("generate", 4), ("generate", 5)],
        ),
        # original: the fixed program keeps its generate slot and the search continues it.
        (
            "original",
            [("generate", 0), ("fix", 1), ("generate", 2), ("generate", 2), ("generate", 2), ("generate", 0)],
        ),
    ],
)
def test_with_improve_off_a_fixed_program_is_continued_only_in_the_original(fidelity, expected):
    config = GIFMCTSConfig(budget=6, fidelity=fidelity, allow_improve=False)
    assert run(config, FIXED_THEN_GENERATE)[0] == expected


CRASH_SECOND = [answer(fake_program("A", 0.6)), answer(fake_program("B", error="boom on line 2"))] + [
    answer(fake_program(f"G{i}", 0.5)) for i in range(4)
]


@pytest.mark.parametrize(
    ("fidelity", "expected", "node_1_value"),
    [
        # cwmb with fixes off: the crash backs a 0 up, node 1 falls to (0.6 + 0) / 2.
        ("cwmb", [("generate", 0), ("generate", 1), ("generate", 0), ("generate", 3), ("generate", 4)], 0.3),
        # original fixes=0: the crash counts a visit only, node 1 stays at 0.6.
        (
            "original",
            [("generate", 0), ("generate", 1), ("generate", 1), ("generate", 3), ("generate", 3)],
            0.6,
        ),
    ],
)
def test_with_fixes_off_a_crash_changes_no_mean_only_in_the_original(fidelity, expected, node_1_value):
    config = GIFMCTSConfig(budget=5, fidelity=fidelity, allow_fix=False, allow_improve=False)
    sequence, result, _ = run(config, CRASH_SECOND)
    assert sequence == expected
    assert result.steps[1].extra["dead"] and result.steps[1].extra["value"] == 0.0
    # Call 3 compares node 1 at the root: its mean plus C sqrt(ln 3 / (2 + 1)).
    node_1_score = result.steps[2].extra["scores"][0]["node 1"]
    assert node_1_score == pytest.approx(node_1_value + 0.1 * math.sqrt(math.log(3) / 3))


def test_the_prior_weight_update_of_the_original_always_steps_and_is_not_clamped():
    ours, original = ActionPrior(0.5, 2), ActionPrior(0.5, 2)
    ours.update(0.5, None, 1.0)  # no local mean: cwmb leaves the weights alone
    assert (ours.w_global, ours.w_local, ours.steps) == (0.5, 0.5, 0)
    original.update(0.5, 0.0, 1.0, original=True)  # the original's v_L with the new child at 0
    # error = 0.25 - 1; d/dw_G = 2 * error * 0.5 * 0.5 / 1 = -0.375; lr = 1/3.
    assert original.w_global == pytest.approx(0.5 + 0.375 / 3) and original.w_local == pytest.approx(
        0.5 - 0.375 / 3
    )
    far = ActionPrior(0.5, 2, w_global=0.01, w_local=0.01)
    far.update(1.0, 0.0, 0.0, original=True)  # a large step drives w_G below zero: no clamp
    assert far.w_global < 0
    clamped = ActionPrior(0.5, 2, w_global=0.01, w_local=0.01)
    clamped.update(1.0, 0.0, 0.0)
    assert clamped.w_global == pytest.approx(1e-3)


def test_the_original_local_mean_counts_the_new_child_at_zero():
    tree = Tree(root_slots=["generate"])
    parent = tree.add(Node(1, 0, "generate", 1, 1, visits=2, value_sum=1.2))
    tree.add(Node(2, 1, "improve", 2, 2, visits=1, value_sum=0.8))
    new = tree.add(Node(3, 1, "improve", 2, 3))
    tree.add(Node(4, 1, "generate", 2, 4, visits=1, value_sum=0.1))
    # cwmb's step would use the selection's v_L = 0.8; the original's is (0.8 + 0) / 2.
    assert local_mean_after_expansion(tree, parent, "improve", new) == pytest.approx(0.4)


def test_the_original_improve_prompt_shows_one_transition_without_accuracy_or_marks(cartpole):
    wrong = reference_source("CartPole-v1").replace("self.gravity = 9.8", "self.gravity = 12.0")
    prompts = {}
    for fidelity in ("cwmb", "original"):
        config = GIFMCTSConfig(budget=2, fidelity=fidelity, allow_generate=False)
        _, _, llm = run(config, [answer(wrong), repair_answer(wrong)], InProcessEvaluator(cartpole))
        prompts[fidelity] = llm.backend.requests[1].messages[-1].content
    assert "wrong on" in prompts["cwmb"] and "WRONG" in prompts["cwmb"]
    original = prompts["original"]
    assert "wrong on" not in original and "accuracy" not in original and "WRONG" not in original
    assert "Initial state:" in original and original.count("Next state:") == 2
    assert "What the real environment gave:" in original and "What the program predicted:" in original


def test_the_original_formats_programs_with_autopep8_and_never_appends_to_the_prefix():
    messy = "# fake: " + fake_program("A", 0.5).split("# fake: ")[1].replace(
        "    def step", "\n\n\n    def step"
    )
    evaluator = FakeEvaluator()
    config = GIFMCTSConfig(budget=2, fidelity="original", allow_improve=False)
    llm = scripted(answer(messy), "```python\nx=1\n```")
    result = GIFMCTS(config).run(TASK, llm, evaluator, seed=0)
    assert evaluator.sources[0] != messy and "\n\n\n    def step" not in evaluator.sources[0]
    # The second generate answered a fragment: the original scores it alone (cwmb would append it).
    assert result.steps[1].action == "generate" and evaluator.sources[1] == "x = 1\n"


def test_fidelity_is_validated():
    with pytest.raises(ValueError, match="fidelity"):
        GIFMCTSConfig(fidelity="paperish")
