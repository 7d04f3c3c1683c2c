"""Cutting long texts for one terminal line: whole words only, the cut marked."""

from __future__ import annotations

from cwmb.oneline import cut_at_word


def test_never_cuts_inside_a_word():
    text = "TypeError: step() missing 1 required positional argument: 'action'"
    assert cut_at_word(text, 40) == "TypeError: step() missing 1 required..."
    assert cut_at_word(text, 31) == "TypeError: step() missing 1..."


def test_a_cut_between_two_words_keeps_the_last_whole_one():
    assert cut_at_word("aaaa bbbb cccc", 12) == "aaaa bbbb..."


def test_short_texts_stay_and_further_lines_are_marked():
    assert cut_at_word("short", 40) == "short"
    assert cut_at_word("first line\nsecond", 40) == "first line..."
    assert cut_at_word("", 40) == ""


def test_a_single_long_word_is_cut_where_it_must_be():
    assert cut_at_word("x" * 50, 10) == "xxxxxxx..."
