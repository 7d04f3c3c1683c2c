"""The public/hidden split and the two protocols."""

from __future__ import annotations

import pytest

from cwmb.apps.protocol import split_tests


def test_first_half_public_by_default():
    split = split_tests(5)
    assert split.public == (0, 1) and split.hidden == (2, 3, 4) and split.value == (0, 1)
    assert split.all == (0, 1, 2, 3, 4)


def test_paper_protocol_values_all_tests_but_feeds_back_the_first_half():
    split = split_tests(4, "paper")
    assert split.value == (0, 1, 2, 3) and split.public == (0, 1)


def test_single_test_problem_has_no_hidden_test():
    split = split_tests(1)
    assert split.public == (0,) and split.hidden == () and split.value == (0,)


def test_fraction_is_configurable_and_deterministic():
    assert split_tests(10, public_fraction=0.3).public == (0, 1, 2)
    assert split_tests(10, public_fraction=0.3) == split_tests(10, public_fraction=0.3)
    assert split_tests(0).all == ()


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="protocol"):
        split_tests(3, "leaky")
    with pytest.raises(ValueError, match="public_fraction"):
        split_tests(3, public_fraction=0)
