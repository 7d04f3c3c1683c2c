"""Prompt templates: what each prompt carries, and the renderer's strictness."""

from __future__ import annotations

import pytest

from cwmb.benchmark import get_env
from cwmb.benchmark.descriptions import describe_env
from cwmb.prompts import (
    error_with_line,
    fix_messages,
    generate_messages,
    improve_messages,
    load_template,
    parse_template,
)

PROGRAM = "import numpy as np\n\nclass Environment:\n    def step(self, action):\n        return {'a': 1}\n"


@pytest.fixture(scope="module")
def description() -> str:
    return describe_env(get_env("CartPole-v1"))


def test_generate_carries_the_description_and_contract(description):
    messages = generate_messages(description)
    assert [m["role"] for m in messages] == ["system", "user"]
    user = messages[1]["content"]
    assert description in user and "## Class Definition" in user and "from scratch" in user
    assert "{{" not in user and "```python" in user


def test_generate_from_a_prefix_shows_the_code_so_far(description):
    user = generate_messages(description, "import math\nclass Environment:\n")[1]["content"]
    assert "```python\nimport math\nclass Environment:\n```" in user and "exactly as they are" in user


def test_improve_carries_the_whole_program_the_feedback_and_the_answer_format(description):
    feedback = "Transition 3: Next state (WRONG): expected [1.0], predicted [2.0]"
    user = improve_messages(description, PROGRAM, feedback)[1]["content"]
    assert description in user and PROGRAM.rstrip() in user and feedback in user
    positions = [user.index(h) for h in ("## Error explanation", "## Fix suggestion", "## Correct code")]
    assert positions == sorted(positions)


def test_fix_carries_the_error_and_the_offending_line(description):
    error = "Error on line 5 (in `step`): NameError: name 'x' is not defined"
    user = fix_messages(description, PROGRAM, error)[1]["content"]
    assert error in user and PROGRAM.rstrip() in user
    assert "The line of code that caused the error is: `return {'a': 1}`" in user
    assert user.index("## Error explanation") < user.index("## Correct code")


def test_braces_in_values_are_inserted_verbatim():
    user = improve_messages("desc {{code}}", PROGRAM, "got {{feedback}}")[1]["content"]
    assert "desc {{code}}" in user and "got {{feedback}}" in user and "{'a': 1}" in user


def test_error_with_line_leaves_quoted_or_lineless_messages_alone():
    quoted = "Error on line 2: boom\nThe line of code that caused the error is: `x`"
    assert error_with_line(quoted, PROGRAM) == quoted
    assert error_with_line("timeout after 10 s", PROGRAM) == "timeout after 10 s"
    assert error_with_line("Error on line 99: boom", PROGRAM) == "Error on line 99: boom"


def test_templates_are_strict_about_their_values():
    template = parse_template("t", "--- system ---\nhello {{name}}\n--- user ---\nbye")
    assert template.messages(name="x") == [
        {"role": "system", "content": "hello x"},
        {"role": "user", "content": "bye"},
    ]
    with pytest.raises(ValueError, match="missing values"):
        template.messages()
    with pytest.raises(ValueError, match="unused values"):
        template.messages(name="x", other="y")
    with pytest.raises(ValueError, match="unknown role"):
        parse_template("t", "--- robot ---\nhi")
    with pytest.raises(ValueError, match="fragment"):
        load_template("code_so_far").messages(code="x")


def test_every_shipped_template_loads():
    for name in ("generate", "improve", "fix", "code_so_far", "fresh_start", "no_feedback"):
        assert load_template(name).parts
