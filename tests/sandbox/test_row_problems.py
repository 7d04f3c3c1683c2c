"""Per-row problem texts on the wire: sparse, rebuilt exactly, and strict about malformed replies."""

import numpy as np
import pytest

from cwmb.sandbox.row_problems import MAX_PROBLEM_CHARS, problems_from_wire, problems_to_wire


def test_only_rows_with_a_problem_travel_and_the_tuple_comes_back_whole():
    problems = ["", "reward is NaN", "", "", "step returned 2 values", ""]
    wire = problems_to_wire(problems)
    assert wire["problem_rows"].tolist() == [1, 4] and wire["problem_rows"].dtype == np.int64
    assert wire["problem_texts"] == ["reward is NaN", "step returned 2 values"]
    assert problems_from_wire(wire, len(problems)) == tuple(problems)


def test_no_problem_at_all_is_an_empty_array():
    wire = problems_to_wire([""] * 4)
    assert wire["problem_rows"].shape == (0,) and problems_from_wire(wire, 4) == ("",) * 4


def test_long_texts_are_cut():
    rebuilt = problems_from_wire(problems_to_wire(["x" * 5000]), 1)
    assert len(rebuilt[0]) == MAX_PROBLEM_CHARS


@pytest.mark.parametrize(
    ("rows", "texts", "complaint"),
    [
        (None, [], "problem_rows"),
        ([1], ["a"], "problem_rows"),  # a list, not an array
        (np.array([1], dtype=np.int32), ["a"], "problem_rows"),
        (np.array([[1]]), ["a"], "problem_rows"),
        (np.array([1]), "a", "problem_texts"),
        (np.array([1]), ["a", "b"], "problem_texts"),
        (np.array([1]), [3], "problem_texts"),
        (np.array([5]), ["a"], "outside"),
        (np.array([-1]), ["a"], "outside"),
        (np.array([1, 1]), ["a", "b"], "repeats"),
    ],
)
def test_a_malformed_reply_is_refused(rows, texts, complaint):
    value = {"problem_texts": texts} if rows is None else {"problem_rows": rows, "problem_texts": texts}
    with pytest.raises(ValueError, match=complaint):
        problems_from_wire(value, 3)
