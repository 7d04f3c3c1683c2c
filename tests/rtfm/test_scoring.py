"""RTFM scoring in the real sandbox: the reference is exact, bad answers are scored with clear lines."""

from __future__ import annotations

import numpy as np
import pytest

from cwmb.rtfm.evaluator import RtfmSandboxEvaluator, score_rtfm_program
from cwmb.rtfm.scoring import actions_match, score_rtfm

ANSWER = "return (self.board.copy(), self.inventory), self.valid_actions(), reward, done"


def variant(reference: str, old: str, new: str) -> str:
    assert old in reference
    return reference.replace(old, new)


@pytest.mark.parametrize("metric", ["default", "original"])
def test_reference_model_scores_one_on_the_paper_buffer(pool, paper_dataset, reference, metric):
    scored = score_rtfm_program(reference, paper_dataset, pool, metric, 60)
    assert scored.status == "ok"
    assert scored.result.accuracy == 1.0 and scored.result.perfect
    assert not scored.predictions.mutated.any()


def test_three_values_get_a_clear_error_saying_what_rtfm_expects(pool, paper_dataset, reference):
    source = variant(reference, ANSWER, "return (self.board.copy(), self.inventory), reward, done")
    evaluation = RtfmSandboxEvaluator(pool, paper_dataset).evaluate(source)
    assert evaluation.status == "error" and evaluation.accuracy == 0.0
    assert "step returned 3 values" in evaluation.error
    assert "((next_board, next_inventory), valid_actions, reward, done)" in evaluation.error


def test_a_list_board_is_scored_wrong_with_a_line_asking_for_an_array(pool, paper_dataset, reference):
    source = variant(reference, ANSWER, ANSWER.replace("self.board.copy()", "self.board.tolist()"))
    evaluation = RtfmSandboxEvaluator(pool, paper_dataset).evaluate(source)
    assert evaluation.status == "error"
    assert "next_board is a list; RTFM expects a numpy array of shape (6, 6, 2)" in evaluation.error


def test_words_outside_the_vocabulary_make_only_those_rows_wrong(pool, paper_dataset, reference):
    # Only plain moves onto empty cells say "hero": stays, walls, items and fights stay right.
    source = variant(
        reference,
        'self.board[target] = "you"\n        return self._answer(0.0',
        'self.board[target] = "hero"\n        return self._answer(0.0',
    )
    scored = score_rtfm_program(source, paper_dataset, pool, "default", 60)
    predictions = scored.predictions
    assert 0 < predictions.valid.sum() < len(paper_dataset)
    problem = next(p for p in predictions.problems if p)
    assert "'hero'" in problem and "not a word of the board vocabulary" in problem
    assert 0.0 < scored.result.accuracy < 1.0
    evaluation = RtfmSandboxEvaluator(pool, paper_dataset).evaluate(source)
    assert evaluation.status == "ok" and "not a word of the board vocabulary" in evaluation.feedback


def test_a_model_that_edits_the_given_board_is_scored_and_told(pool, paper_dataset, reference):
    source = variant(reference, "np.array(board, dtype=object).copy()", "board")
    evaluation = RtfmSandboxEvaluator(pool, paper_dataset).evaluate(source)
    assert evaluation.status == "ok" and evaluation.perfect
    assert "changed the board passed to set_state in place" in evaluation.feedback


def test_the_two_valid_action_rules_differ_as_documented(pool, paper_dataset, reference):
    only_stay = variant(reference, ANSWER, ANSWER.replace("self.valid_actions()", "[0]"))
    scored = score_rtfm_program(only_stay, paper_dataset, pool, "default", 60)
    assert scored.result.valid_actions == 0.0  # never the exact set: Stay alone is never all
    original = score_rtfm(paper_dataset, scored.predictions, "original")
    assert original.valid_actions == 1.0 and original.accuracy == 1.0  # a non-empty subset


def test_original_metric_weights_reward_classes_and_terminal_transitions(paper_dataset, pool, reference):
    never_wins = variant(reference, "KILL_REWARD[content], True", "-1.0, True")
    scored = score_rtfm_program(never_wins, paper_dataset, pool, "default", 60)
    wins = int((paper_dataset.rewards == 1.0).sum())
    assert wins == 7
    # Default: the 7 wins lose only their reward quarter.
    assert scored.result.accuracy == pytest.approx(1 - 7 * 0.25 / 999)
    # Original: the +1 class (a third of the score) keeps only its done half.
    original = score_rtfm(paper_dataset, scored.predictions, "original")
    assert original.accuracy == pytest.approx((1 + 1 + 0.5) / 3)


def test_an_exception_names_the_program_line(pool, paper_dataset, reference):
    source = variant(
        reference,
        "        position = self._player()\n        if position is None or",
        "        position = self._player()\n        1 / 0\n        if position is None or",
    )
    evaluation = RtfmSandboxEvaluator(pool, paper_dataset).evaluate(source)
    assert evaluation.status == "error"
    assert "ZeroDivisionError" in evaluation.error and "`1 / 0`" in evaluation.error


def test_actions_match_rules():
    truth = np.array([[1, 1, 0, 1, 0]] * 3, dtype=bool)
    predicted = np.array([[1, 1, 0, 1, 0], [1, 0, 0, 0, 0], [0, 0, 0, 0, 0]], dtype=bool)
    assert actions_match(truth, predicted, "exact").tolist() == [True, False, False]
    assert actions_match(truth, predicted, "subset").tolist() == [True, True, False]


def test_cells_that_are_not_strings_are_scored_not_crashes(pool, paper_dataset, reference):
    hostile = variant(
        reference,
        "    def _answer(self, reward, done):\n        return",
        "    def _answer(self, reward, done):\n        class Odd:\n            def __hash__(self):\n"
        "                raise RuntimeError('no hash')\n        self.board[0, 0, 1] = Odd()\n        return",
    )
    scored = score_rtfm_program(hostile, paper_dataset, pool, "default", 60)
    assert scored.status == "ok" and not scored.predictions.valid.any()
    assert "not a word of the board vocabulary" in scored.predictions.problems[0]
