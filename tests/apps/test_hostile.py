"""Hostile APPS programs are contained as world models are: verdicts stay typed, the pool stays healthy.

What the sandbox does and does not protect against is in docs/sandbox.md. Reading the
APPS copy or writing outside the work dir is stopped by Landlock, for jobs as ``nobody``
(the default for a root harness) and for jobs that keep the harness's uid, with the targets
in a directory anyone may enter, so that file permissions do not help.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from cwmb.apps.data import load_problems
from cwmb.apps.judge import JudgeSettings, judge
from cwmb.sandbox import Limits, WorkerPool
from tests.apps.conftest import HUB, problem

QUICK = JudgeSettings(test_timeout_s=0.5, budget_s=3.0)
SUM = problem("3000")

BOUNDED_FORK_BOMB = """
import ctypes, os, time
libc = ctypes.CDLL(None)
for _ in range(5):  # 32 processes: the shape of a fork bomb, bounded so a failure cannot hurt the machine
    if os.fork() == 0:
        libc.prctl(15, b"cwmb-apps-bomb", 0, 0, 0)
time.sleep(60)
"""


def _healthy(pool) -> None:
    for _ in range(pool.size):
        assert judge(pool, SUM, SUM.solutions[0], range(len(SUM.tests)), QUICK).all_passed


def _bomb_processes() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "cwmb-apps-bomb":
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_fork_bomb_times_out_and_its_processes_die_with_the_job(pool):
    result = judge(pool, SUM, BOUNDED_FORK_BOMB, [0], QUICK)
    assert result.verdicts[0].verdict == "timeout"
    deadline = time.monotonic() + 5
    while _bomb_processes() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _bomb_processes() == []
    _healthy(pool)


@pytest.mark.parametrize(
    ("source", "verdict"),
    [
        ("import time\ntime.sleep(60)\n", "timeout"),
        ("while True:\n    try:\n        pass\n    except BaseException:\n        pass\n", "timeout"),
        ("while True:\n    print('x' * 10000)\n", "timeout"),
        ("import os\nos._exit(0)\n", "runtime_error"),
        ("x = [0] * (10 ** 10)\n", "runtime_error"),
    ],
    ids=["sleep", "swallows-timeouts", "huge-output", "os-exit", "memory"],
)
def test_hostile_programs_get_typed_verdicts(pool, source, verdict):
    result = judge(pool, SUM, source, [0, 1], QUICK)
    assert {v.verdict for v in result.verdicts} == {verdict}
    assert all(len(v.output) <= QUICK.output_bytes for v in result.verdicts)
    _healthy(pool)


def test_files_written_in_the_work_dir_do_not_reach_the_next_job(pool):
    write = "open('answers.txt', 'w').write('3')\nprint(3)\n"
    assert judge(pool, SUM, write, [0], QUICK).verdicts[0].verdict == "pass"
    read = "import os\nprint(open('answers.txt').read() if os.path.exists('answers.txt') else 'gone')\n"
    for _ in range(pool.size):
        assert judge(pool, SUM, read, [0], QUICK).verdicts[0].output == "gone\n"


def test_expected_outputs_never_reach_the_program(pool):
    # The job holds only inputs; the program can see nothing else of the problem.
    probe = (
        "import gc, sys\nprint(sum(1 for o in gc.get_objects() if isinstance(o, str) and o == '123\\n'))\n"
    )
    assert judge(pool, SUM, probe, [0], QUICK).verdicts[0].output == "0\n"


@pytest.fixture(scope="module", params=["default uid", "harness uid"])
def kernel_pool(request):
    limits = Limits() if request.param == "default uid" else Limits(run_as=None)
    with WorkerPool(size=1, limits=limits) as workers:
        if not workers.isolation.landlock_fs:
            pytest.skip(f"no Landlock here: {workers.isolation.summary()}")
        yield workers


@pytest.fixture
def open_dir():
    """A directory anyone may enter and write (under /tmp)."""
    path = Path(tempfile.mkdtemp(prefix="cwmb-apps-target-", dir="/tmp"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_reading_the_apps_copy_from_disk_is_denied(kernel_pool, open_dir):
    unprivileged_pool, copy = kernel_pool, open_dir / "apps"
    shutil.copytree(HUB, copy)
    for path in (copy, *copy.rglob("*")):
        path.chmod(0o777 if path.is_dir() else 0o644)
    target = load_problems(copy)[2]
    cheat = (
        "import json\n"
        f"rows = [json.loads(l) for l in open({str(copy / 'test.jsonl')!r})]\n"
        "row = next(r for r in rows if r['problem_id'] == 3000)\n"
        "io = json.loads(row['input_output'])\n"
        "print(io['outputs'][io['inputs'].index(input() + '\\n')], end='')\n"
    )
    result = judge(unprivileged_pool, target, cheat, [0], QUICK)
    assert result.verdicts[0].verdict == "runtime_error" and "PermissionError" in result.verdicts[0].message


def test_writing_outside_the_work_dir_is_denied(kernel_pool, open_dir):
    unprivileged_pool, outside = kernel_pool, open_dir / "planted.json"
    source = f"open({str(outside)!r}, 'w').write('{{}}')\nprint(3)\n"
    result = judge(unprivileged_pool, SUM, source, [0], QUICK)
    assert result.verdicts[0].verdict == "runtime_error" and "PermissionError" in result.verdicts[0].message
    assert not outside.exists()
    assert json.loads((HUB / "test.jsonl").read_text().splitlines()[0])["problem_id"] == 1  # data untouched
