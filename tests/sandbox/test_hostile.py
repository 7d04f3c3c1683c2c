"""Hostile programs: each gets the right outcome, and the pool stays healthy afterwards."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from cwmb.sandbox import Limits, PredictJob, WorkerPool
from tests.sandbox import CARTPOLE_MODEL, cartpole_rows, hostile

FAKE_KEY = "sk-test-FAKE-0123456789"
TIMEOUT = 1.5


@pytest.fixture(scope="module")
def pool():
    # Secrets in the harness's environment must not reach the workers.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OPENAI_API_KEY", FAKE_KEY)
        patch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_KEY)
        with WorkerPool(size=2) as pool:
            yield pool


def _run(pool, name, timeout=TIMEOUT):
    states, actions = cartpole_rows(4)
    outcome = pool.run(PredictJob(hostile(name), "box", "discrete", states, actions), timeout=timeout)
    assert FAKE_KEY not in outcome.message and FAKE_KEY not in outcome.output
    return outcome


def _assert_healthy(pool):
    """A correct model still runs, on every worker."""
    states, actions = cartpole_rows(16)
    jobs = [PredictJob(CARTPOLE_MODEL, "box", "discrete", states, actions)] * pool.size
    for outcome in pool.run_many(jobs, timeout=10.0):
        assert outcome.status == "ok", outcome.message
        assert outcome.value.valid.all()


@pytest.mark.parametrize("name", ["infinite_loop", "sleep_forever", "signal_tamper"])
def test_programs_that_never_return_time_out(pool, name):
    outcome = _run(pool, name)
    assert outcome.status == "timeout"
    assert "timeout of 1.5 s" in outcome.message
    _assert_healthy(pool)


def test_memory_bomb_is_out_of_memory(pool):
    outcome = _run(pool, "memory_bomb", timeout=10.0)
    assert outcome.status == "memory"
    assert outcome.message.startswith(
        "Error on line 10 (in `__init__`) when calling Environment(): MemoryError"
    )
    assert "memory limit is 1024 MiB" in outcome.message
    _assert_healthy(pool)


def test_deep_recursion_is_an_error_naming_the_line(pool):
    outcome = _run(pool, "deep_recursion")
    assert outcome.status == "error"
    assert "RecursionError" in outcome.message and "line 12" in outcome.message
    assert "return self.descend(depth + 1)" in outcome.message
    _assert_healthy(pool)


def test_sys_exit_is_an_error_naming_the_line(pool):
    outcome = _run(pool, "sys_exit")
    assert outcome.status == "error"
    assert (
        "SystemExit" in outcome.message and "line 14" in outcome.message and "sys.exit(0)" in outcome.message
    )
    _assert_healthy(pool)


def test_os_exit_crashes_the_job_only(pool):
    outcome = _run(pool, "os_exit")
    assert outcome.status == "crashed"
    assert "exited with code 3" in outcome.message
    _assert_healthy(pool)


def test_segfault_crashes_and_points_at_the_line(pool):
    outcome = _run(pool, "segfault")
    assert outcome.status == "crashed"
    assert "SIGSEGV" in outcome.message
    assert "line 14" in outcome.message and "ctypes.string_at(0)" in outcome.message
    _assert_healthy(pool)


def test_print_flood_is_capped_and_the_job_completes(pool):
    outcome = _run(pool, "stdout_flood", timeout=20.0)
    assert outcome.status == "ok", outcome.message
    assert outcome.value.valid.all()
    assert len(outcome.output) < 3 * pool.limits.output_chars
    assert "more characters of output dropped" in outcome.output
    _assert_healthy(pool)


def test_raw_fd_flood_is_stopped_by_the_file_size_limit(pool):
    outcome = _run(pool, "fd_flood", timeout=20.0)
    # The write past RLIMIT_FSIZE fails inside the program, which does not catch it.
    assert outcome.status == "error" and "File too large" in outcome.message
    assert len(outcome.output) < 3 * pool.limits.output_chars
    _assert_healthy(pool)


def test_no_credentials_are_visible(pool):
    outcome = _run(pool, "read_secret")
    assert outcome.status == "error"
    assert "names=[] values=[] proc_leak=False" in outcome.message
    assert FAKE_KEY not in outcome.message
    _assert_healthy(pool)


def test_program_cannot_kill_its_supervisor(pool):
    workers = pool.worker_pids()
    outcome = _run(pool, "kill_supervisor")
    assert "worker process was killed" not in outcome.message
    assert pool.worker_pids() == workers  # no worker had to be replaced
    _assert_healthy(pool)


def test_program_cannot_freeze_its_supervisor(pool):
    workers = pool.worker_pids()
    outcome = _run(pool, "stop_supervisor", timeout=1.0)
    # The supervisor, not the harness's backstop, ends the sleeping job on time.
    assert outcome.status == "timeout" and "the worker was killed" not in outcome.message
    assert pool.worker_pids() == workers
    _assert_healthy(pool)


def _named(marker: str) -> list[int]:
    """Every process on this machine whose name (comm) is ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as handle:
                    if handle.read().strip() == marker:
                        found.append(int(entry))
            except OSError:
                pass
    return found


def test_processes_a_job_started_die_with_it(pool):
    outcome = _run(pool, "leftover_processes")
    assert outcome.status == "error" and "pids" in outcome.message
    end = time.monotonic() + 3.0
    while _named("cwmb-leftover") and time.monotonic() < end:
        time.sleep(0.02)
    assert _named("cwmb-leftover") == []  # walked the whole process table: no survivor
    _assert_healthy(pool)


@pytest.mark.parametrize("skip", [(), ("namespaces",)], ids=["pid namespace", "subreaper"])
def test_leftover_processes_are_gone_before_the_next_job_starts(skip):
    """Per-job PID namespace (the kernel kills it) or, without one, the subreaper's sweep."""
    with WorkerPool(size=1, limits=Limits(skip_layers=skip)) as single:
        assert single.isolation.pid_ns == (not skip)
        outcome = _run(single, "leftover_processes")
        assert outcome.status == "error" and "pids" in outcome.message
        _assert_healthy(single)  # runs only once the previous job's clean-up is done
        assert _named("cwmb-leftover") == []


def test_garbage_on_every_fd_is_a_crash_not_a_harness_error(pool):
    outcome = _run(pool, "forge_reply")
    assert outcome.status == "crashed"
    _assert_healthy(pool)


def test_unconvertible_objects_make_rows_invalid(pool):
    states = np.zeros((2, 4), dtype=np.float32)
    actions = np.array([[0], [1]], dtype=np.int64)
    outcome = pool.run(PredictJob(hostile("unpicklable"), "box", "discrete", states, actions), timeout=5.0)
    assert outcome.status == "ok"
    assert not outcome.value.valid.any()
    assert outcome.value.problems[0] == "next_state is a generator, expected an array of numbers"
    assert outcome.value.problems[1].startswith("reward is a function")


def test_one_job_cannot_taint_the_next(pool):
    states, actions = cartpole_rows(4)
    job = PredictJob(hostile("taint_globals"), "box", "discrete", states, actions)
    assert pool.run(job, timeout=5.0).status == "ok"
    probe = PredictJob(
        "import os\nimport numpy as np\n"
        "raise RuntimeError(f'{np.geterr()[\"divide\"]} {np.asarray is None} {sorted(os.listdir())}')\n",
        "box",
        "discrete",
        states,
        actions,
    )
    for outcome in pool.run_many([probe] * pool.size, timeout=5.0):
        assert "RuntimeError: warn False []" in outcome.message
