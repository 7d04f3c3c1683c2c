"""Judging programs in the real sandbox: every verdict, stdin and call-based, limits and caps."""

from __future__ import annotations

import pytest

from cwmb.apps.data import load_problems
from cwmb.apps.judge import JudgeSettings, judge
from tests.apps.conftest import HUB, problem

FAST = JudgeSettings(test_timeout_s=0.5, budget_s=5.0)


def verdicts(pool, problem_id, source, settings=FAST, indices=None):
    task = problem(problem_id)
    chosen = range(len(task.tests)) if indices is None else indices
    return judge(pool, task, source, chosen, settings)


def test_every_reference_solution_passes_its_tests(pool):
    for task in load_problems(HUB):
        if task.problem_id == "3006" or not task.tests:
            continue  # 3006's first solution is the slow one, judged below
        for solution in task.solutions:
            result = judge(pool, task, solution, range(len(task.tests)), JudgeSettings())
            assert result.all_passed, (task.problem_id, result.verdicts)


def test_a_slow_reference_solution_times_out_on_the_big_test(pool):
    slow, fast = problem("3006").solutions
    result = verdicts(pool, "3006", slow)
    assert [v.verdict for v in result.verdicts] == ["pass", "pass", "timeout"]
    assert "0.5 s limit" in result.verdicts[2].message
    assert verdicts(pool, "3006", fast).all_passed


def test_wrong_answer_keeps_the_output(pool):
    result = verdicts(pool, "3000", "a, b = map(int, input().split())\nprint(a - b)\n")
    assert result.verdicts[0].verdict == "wrong_answer" and result.verdicts[0].output == "-1\n"
    assert result.verdicts[1].verdict == "wrong_answer" and result.passed == 1  # 7 - 0 == 7 + 0
    assert result.pass_fraction == 0.25 and not result.all_passed


def test_runtime_error_names_the_line(pool):
    result = verdicts(pool, "3000", "a, b = map(int, input().split())\nprint(a // (b - b))\n")
    first = result.verdicts[0]
    assert first.verdict == "runtime_error"
    assert first.message.startswith("Error on line 2") and "ZeroDivisionError" in first.message


def test_compile_error_for_every_test(pool):
    result = verdicts(pool, "3000", "print(")
    assert {v.verdict for v in result.verdicts} == {"compile_error"}
    assert "SyntaxError on line 1" in result.verdicts[0].message


def test_per_program_budget_stops_later_tests(pool):
    settings = JudgeSettings(test_timeout_s=0.4, budget_s=1.0)
    result = verdicts(pool, "3000", "import time\ntime.sleep(10)\n", settings)
    assert [v.verdict for v in result.verdicts] == ["timeout"] * 4
    assert "time budget of 1 s" in result.verdicts[-1].message


def test_output_cap_makes_a_wrong_answer(pool):
    settings = JudgeSettings(test_timeout_s=0.5, output_bytes=1000)
    result = verdicts(pool, "3001", "print('1\\n' * 5000)\n", settings, indices=[0])
    assert result.verdicts[0].verdict == "wrong_answer"
    assert result.verdicts[0].message == "the output exceeded the size cap"


@pytest.mark.parametrize(
    "source",
    [
        "import sys\na, b = map(int, sys.stdin.readline().split())\nsys.stdout.write(str(a + b) + '\\n')\n",
        "a, b = map(int, open(0).read().split())\nprint(a + b)\n",
        "import sys\nsys.stdout.buffer.write(str(sum(map(int, sys.stdin.buffer.read().split()))).encode())\n",
        "def main():\n    print(sum(map(int, input().split())))\n\nif __name__ == '__main__':\n    main()\n",
        "import threading\ndef main():\n    print(sum(map(int, input().split())))\n"
        "threading.Thread(target=main).start()\n",
        "print(sum(map(int, input().split())))\nexit()\nprint('never')\n",
    ],
    ids=["sys-stdin", "open-0", "buffer", "main-guard", "thread", "exit"],
)
def test_common_io_styles_pass(pool, source):
    assert verdicts(pool, "3000", source).all_passed


def test_nonzero_exit_is_a_runtime_error(pool):
    result = verdicts(pool, "3000", "import sys\nprint(3)\nsys.exit(1)\n", indices=[0])
    assert result.verdicts[0].verdict == "runtime_error" and "SystemExit" in result.verdicts[0].message


def test_call_based_function_and_solution_class(pool):
    assert verdicts(pool, "3004", "def max_pair(v):\n    return sum(sorted(v)[-2:])\n").all_passed
    two_sum = problem("3005").solutions[0]
    assert verdicts(pool, "3005", two_sum).all_passed
    wrong = verdicts(pool, "3004", "def max_pair(v):\n    return max(v)\n")
    assert wrong.verdicts[0].verdict == "wrong_answer" and wrong.verdicts[0].output == "3"
    missing = verdicts(pool, "3004", "def other(v):\n    return 1\n")
    assert "defines no function `max_pair`" in missing.verdicts[0].message


def test_tests_do_not_share_program_globals(pool):
    # Each test runs the top level in a fresh namespace: a global set by test 1 is gone in test 2.
    source = "count = globals().get('count', 0) + 1\nprint(count + 2)\n"
    result = verdicts(pool, "3000", source, indices=[0, 0])
    assert [v.verdict for v in result.verdicts] == ["pass", "pass"]
