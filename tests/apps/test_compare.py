"""The output comparison, rule by rule: each rule passes what it should, and only in its modes."""

from __future__ import annotations

import pytest

from cwmb.apps.compare import MODE_RULES, matching_rule


def rule(output, expected, mode="apps", call_based=False):
    return matching_rule(output, expected, call_based=call_based, mode=mode)


@pytest.mark.parametrize(
    ("output", "expected", "first_rule"),
    [
        ("3\n", "3\n", "exact"),
        ("3", "3\n", "stripped"),
        ("1 \r\n\n2\n", "1\n2\n", "lines"),
        ("1  2\n", "1 2\n", "tokens"),
        ("3.1415926\n", "3.141593\n", "numbers"),
        ("2.50\n", "2.5\n", "numbers"),
        ("2 1\n", "1 2\n", "unordered"),
        ("b\na\n", "a\nb\n", "unordered"),
        ("0.3334\n", "0.3330\n", "unordered_rounded"),
    ],
)
def test_each_rule_is_the_first_that_holds(output, expected, first_rule):
    assert rule(output, expected) == first_rule


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("4\n", "3\n"),
        ("1 2 3\n", "1 2\n"),
        ("3.2\n", "3.1\n"),
        ("nan\n", "1\n"),
        ("", "1\n"),
        ("a b", "a\nb"),
    ],
)
def test_wrong_answers_fail_every_rule(output, expected):
    assert rule(output, expected) is None


def test_numbers_tolerance_is_numpy_allclose_default():
    assert rule("1000.009\n", "1000\n") == "numbers"  # 0.009 <= 1e-8 + 1e-5 * 1000
    assert rule("1000.02\n", "1000\n", mode="ordered") is None


def test_ordered_mode_refuses_the_set_rules():
    assert rule("2 1\n", "1 2\n", mode="ordered") is None
    assert rule("1\n1\n2\n", "1\n2\n", mode="apps") == "unordered"  # the harness even ignores repeats
    assert rule("1\n1\n2\n", "1\n2\n", mode="ordered") is None


def test_strict_mode_compares_exact_text():
    assert MODE_RULES["strict"] == ("exact",)
    assert rule("3\n", "3\n", mode="strict") == "exact"
    assert rule("3", "3\n", mode="strict") is None
    assert rule("3.0\n", "3\n", mode="strict") is None


def test_expected_given_as_list_of_lines():
    assert rule("a\nb\n", ["a", "b"]) == "stripped"


def test_call_based_values():
    assert rule("[0, 1]", [0, 1], call_based=True) == "equal"
    assert rule("[0, 1]", [[0, 1]], call_based=True) == "unwrapped"
    assert rule("5", [5], call_based=True, mode="strict") == "unwrapped"
    assert rule("[1, 0]", [[0, 1]], call_based=True) is None
    assert rule("not json", [1], call_based=True) is None


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="comparison mode"):
        rule("1", "1", mode="loose")
