"""The prompt-set seam: APPS templates, CoT prefill, fallback fragments, unknown sets refused."""

from __future__ import annotations

import pytest

from cwmb.prompts import fix_messages, generate_messages, improve_messages, load_template


def test_default_set_is_unchanged():
    assert load_template("generate").name == "generate"
    assert "reinforcement-learning" in generate_messages("D")[0]["content"]


def test_apps_set_has_its_own_templates():
    messages = generate_messages("PROBLEM TEXT", prompts="apps")
    assert "competitive programmer" in messages[0]["content"] and "PROBLEM TEXT" in messages[1]["content"]
    assert "Write the complete program from scratch." in messages[1]["content"]  # fallback fragment
    improve = improve_messages("P", "print(1)", "### Input\n```\n1\n```", prompts="apps")
    assert "## A test the program fails" in improve[1]["content"] and "### Input" in improve[1]["content"]
    assert "The error" in fix_messages("P", "print(", "SyntaxError on line 1", prompts="apps")[1]["content"]


def test_cot_set_prefills_step_by_step():
    messages = generate_messages("P", prompts="apps_cot")
    assert messages[-1] == {"role": "assistant", "content": "Let's think step by step."}


def test_continuation_prompt_of_apps():
    text = generate_messages("P", "n = int(input())\n", prompts="apps")[1]["content"]
    assert "n = int(input())" in text and "until the\nprogram solves the problem" in text


def test_unknown_set_is_refused():
    with pytest.raises(ValueError, match="unknown prompt set"):
        load_template("generate", "nope")
