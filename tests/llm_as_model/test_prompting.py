"""Prompts for the LLM as world model, and the tolerant parser of its answers."""

from __future__ import annotations

import numpy as np

from cwmb.llm_as_model.prompting import Shot, parse_answer, parsed_query, prediction_messages


def test_parser_reads_the_usual_shapes_of_answer():
    plain = parse_answer("### Next Observation\n[0.1, -2e-3, 3, 4.5]\nReward: 1\nDone: False", 4)
    assert plain.problem == "" and plain.next_state.tolist() == [0.1, -0.002, 3.0, 4.5]
    assert plain.reward == 1.0 and plain.done is False
    chatty = parse_answer(
        "Sure! Here is my prediction.\n### Next Observation ###\n(1.0, 2.0)\nreward = -0.5\nterminated: TRUE",
        2,
    )
    assert chatty.problem == "" and chatty.done is True and chatty.reward == -0.5
    scalar = parse_answer("### Next Observation\n7\nReward: -1\nDone: no", 1)
    assert scalar.problem == "" and scalar.next_state.tolist() == [7.0]


def test_unreadable_answers_say_why():
    assert parse_answer("I think the pole falls.", 4).problem == "next state: expected 4 numbers, found none"
    assert parse_answer("### Next Observation\n[1, 2]\nReward: 0\nDone: False", 4).problem.endswith(
        "found 2 numbers"
    )
    assert parse_answer("### Next Observation\n[1, 2]\nDone: False", 2).problem == "no reward line"


def test_every_query_is_built_fresh_and_shots_are_shown():
    shot = Shot(np.array([0.5], np.float32), np.array([1]), np.array([0.25], np.float32), 1.0, False)
    first = prediction_messages(
        "An env.", [shot], np.array([1.5], np.float32), np.array([0]), "box", "discrete"
    )
    second = prediction_messages(
        "An env.", [shot], np.array([2.5], np.float32), np.array([1]), "box", "discrete"
    )
    assert parsed_query(first[1]["content"]) == {"observation": [1.5], "action": 0}
    assert parsed_query(second[1]["content"]) == {"observation": [2.5], "action": 1}
    assert "## Examples" in first[1]["content"] and "[0.25]" in first[1]["content"]
    assert first[0]["role"] == "system" and "simulator" in first[0]["content"]
