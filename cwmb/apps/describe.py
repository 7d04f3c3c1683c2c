"""The prompt description of an APPS problem: its statement plus how the program is run and judged."""

from __future__ import annotations

from cwmb.apps.data import Problem

_STDIN = (
    "## How your program is run\n\n"
    "Write a complete Python 3 program. It reads the test's input from standard input (for example "
    "with `input()` or `sys.stdin`) and prints the answer to standard output; the printed text is "
    "compared with the expected output. Print nothing else: no prompts, no debugging output."
)
_CALL = (
    "## How your program is run\n\n"
    "Write Python 3 code that defines {what}. It is called with each test's arguments and the value "
    "it returns is compared with the expected value. Do not read input and do not print the answer."
)


def problem_task_name(problem: Problem) -> str:
    """The name a problem's search runs under (the offline coder reads it): ``apps/<problem_id>``."""
    return f"apps/{problem.problem_id}"


def describe_problem(problem: Problem) -> str:
    """The description the prompts show: statement, then the run-and-judge contract (and starter code)."""
    parts = ["## Problem\n\n" + problem.question.strip()]
    if problem.call_based:
        uses_class = "class Solution" in problem.starter_code
        what = (
            f"`class Solution` with the method `{problem.fn_name}`"
            if uses_class
            else f"the function `{problem.fn_name}`"
        )
        parts.append(_CALL.format(what=what))
    else:
        parts.append(_STDIN)
    if problem.starter_code.strip():
        parts.append(
            "## Starter code\n\nYour program must start from:\n\n```python\n"
            + problem.starter_code.rstrip()
            + "\n```"
        )
    return "\n\n".join(parts)
