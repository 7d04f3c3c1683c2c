"""Getting the program out of LLM answers, and continuing a program from its prefix."""

from __future__ import annotations

import pytest

from cwmb.methods.extraction import continue_program, extract_program, fenced_blocks, keep_code_lines

ENV = "import numpy as np\n\nclass Environment:\n    def step(self, action):\n        return 1\n"


def test_a_single_fenced_block_with_prose_around_it():
    text = f"Sure! Here is the code:\n\n```python\n{ENV}```\n\nIt models the cart. Hope it helps."
    found = extract_program(text)
    assert found.code == ENV and found.how == "fenced" and found.blocks == 1


@pytest.mark.parametrize("tag", ["python", "Python", "py", "python3", "", "PYTHON "])
def test_fence_tags_that_mean_python(tag):
    assert extract_program(f"```{tag}\n{ENV}```").code == ENV


def test_blocks_in_other_languages_are_not_programs():
    text = f"Run it:\n```bash\npip install numpy\n```\nThen:\n```python\n{ENV}```\n```text\noutput\n```"
    assert extract_program(text).code == ENV
    assert extract_program("```bash\nls\n```").code == ""


def test_the_last_block_defining_environment_wins_over_a_draft_and_a_usage_example():
    draft = ENV.replace("return 1", "return 0")
    usage = "env = Environment()\nprint(env.step(0))\n"
    text = f"Draft:\n```python\n{draft}```\nFinal:\n```python\n{ENV}```\nUsage:\n```python\n{usage}```"
    assert extract_program(text).code == ENV


def test_helper_blocks_before_the_class_are_kept_in_front_of_it():
    helpers = "import math\n\ndef wrap(x):\n    return math.remainder(x, 2 * math.pi)\n"
    text = f"Helpers:\n```python\n{helpers}```\nClass:\n```python\n{ENV}```"
    code = extract_program(text).code
    assert code.startswith(helpers.strip()) and code.endswith(ENV)


def test_without_environment_the_longest_block_wins():
    text = "```python\nx = 1\n```\n```python\ndef f():\n    return 2\n```"
    assert extract_program(text).code == "def f():\n    return 2\n"


def test_an_unclosed_fence_runs_to_the_end():
    assert extract_program(f"Here:\n```python\n{ENV}").code == ENV


def test_tildes_and_longer_fences():
    assert extract_program(f"~~~python\n{ENV}~~~").code == ENV
    assert extract_program(f"````python\n{ENV}````").code == ENV


def test_unfenced_code_with_prose_before_and_after():
    text = f"The model is below.\n# a comment on the model\n{ENV}\nThis should work for all cases."
    found = extract_program(text)
    assert found.how == "unfenced" and found.code == "# a comment on the model\n" + ENV


def test_unfenced_code_that_never_parses_is_kept_for_the_fix_prompt():
    text = "class Environment:\n    def step(self, action)\n        return 1\n"
    assert extract_program(text).code == text


def test_no_code_at_all():
    found = extract_program("I am sorry, I cannot write that program.")
    assert found.code == "" and found.how == "none"


def test_the_answer_format_keeps_code_after_correct_code_and_the_critique_before():
    buggy = ENV.replace("return 1", "return x")
    text = (
        "## Error explanation\nThe variable x is undefined.\n\n```python\n"
        f"{buggy}```\n\n## Fix suggestion\nReturn 1.\n\n## Correct code\n```python\n{ENV}```\n"
    )
    found = extract_program(text)
    assert found.code == ENV
    assert found.critique.startswith("The variable x is undefined.") and "Return 1." in found.critique


def test_a_uniformly_indented_block_is_dedented_and_trailing_spaces_go():
    indented = "".join(f"    {line}   \n" if line else "\n" for line in ENV.splitlines())
    assert extract_program(f"```python\n{indented}```").code == ENV


def test_fenced_blocks_lists_every_block():
    blocks = fenced_blocks("a\n```python\nx = 1\n```\nb\n```\ny = 2\n```\n")
    assert [(b.tag, b.text) for b in blocks] == [("python", "x = 1"), ("", "y = 2")]


def test_keep_code_lines_counts_code_not_blank_or_comment_lines():
    program = "# header\nimport math\n\nclass Environment:\n    x = 1\n"
    assert keep_code_lines(program, 2) == ("# header\nimport math\n\nclass Environment:\n", False)
    assert keep_code_lines(program, 3) == (program, True)


def test_continue_program_cases():
    prefix = "import math\nclass Environment:\n"
    full = prefix + "    x = 1\n"
    # The answer repeated the prefix (maybe with other comments): it is the program.
    assert continue_program(prefix, "# mine\n" + full) == "# mine\n" + full
    # The answer rewrote the class: it replaces the prefix.
    rewrite = "import numpy as np\nclass Environment:\n    y = 2\n"
    assert continue_program(prefix, rewrite) == rewrite
    # The answer only continues: appended to the prefix.
    assert continue_program(prefix, "    x = 1\n") == full
    # A prefix without the class is kept in front of an answer that lacks it.
    assert continue_program("import math\n", "class Environment:\n    pass\n") == (
        "import math\nclass Environment:\n    pass\n"
    )
    assert continue_program("", "x = 1\n") == "x = 1\n"
