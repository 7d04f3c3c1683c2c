"""The pool: ordering and concurrency, call jobs, limits, start-up failures and clean-up."""

from __future__ import annotations

import os
import re
import time

import numpy as np
import pytest

from cwmb.sandbox import CallJob, Limits, MiB, PredictJob, SandboxStartError, WorkerPool
from tests.sandbox import CARTPOLE_MODEL, cartpole_rows, hostile

# Reports what the job process sees of its own sandbox, through an error message.
PROBE = """
import os
import resource

limits = [resource.getrlimit(r)[0] for r in
          (resource.RLIMIT_AS, resource.RLIMIT_FSIZE, resource.RLIMIT_NOFILE, resource.RLIMIT_CPU)]
raise RuntimeError(f"limits={limits} cwd={os.getcwd()} home={os.environ['HOME']} uid={os.getuid()} "
                   f"supervisor={os.getppid()} env={sorted(os.environ)}")
"""


def _constant_reward_model(value: float) -> str:
    return CARTPOLE_MODEL.replace(
        "return self.state.astype(np.float32), 1.0, done", f"return self.state, {value}, done"
    )


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(size=2) as pool:
        yield pool


def _probe(pool, **kwargs):
    states, actions = cartpole_rows(1)
    outcome = pool.run(PredictJob(PROBE, "box", "discrete", states, actions), **kwargs)
    assert outcome.status == "error"
    return outcome.message


def test_run_many_keeps_job_order_through_failures(pool):
    states, actions = cartpole_rows(5)
    jobs = [PredictJob(_constant_reward_model(i), "box", "discrete", states, actions) for i in range(7)]
    jobs[3] = PredictJob(hostile("infinite_loop"), "box", "discrete", states, actions)
    outcomes = pool.run_many(jobs, timeout=1.5)
    assert [o.status for o in outcomes] == ["ok", "ok", "ok", "timeout", "ok", "ok", "ok"]
    for i, outcome in enumerate(outcomes):
        if i != 3:
            assert outcome.value.rewards.tolist() == [float(i)] * 5


def test_limits_directory_and_environment_are_applied(pool):
    message = _probe(pool, timeout=3.0)
    limits = [int(v) for v in re.search(r"limits=\[([^\]]*)\]", message).group(1).split(",")]
    assert limits[:3] == [pool.limits.memory_bytes, pool.limits.file_bytes, pool.limits.open_files]
    assert 1 <= limits[3] <= 6  # CPU seconds used so far (about 0) plus the budget: 3 s + 1
    cwd = re.search(r"cwd=(\S+)", message).group(1)
    assert "cwmb-sandbox-" in cwd and cwd != os.getcwd()
    assert re.search(r"home=(\S+)", message).group(1) == cwd
    names = re.search(r"env=\[([^\]]*)\]", message).group(1)
    assert not re.search(r"KEY|TOKEN|SECRET|AWS|OPENAI|ANTHROPIC", names)


def test_cpu_budget_stops_a_busy_loop_before_the_wall_clock(tmp_path):
    states, actions = cartpole_rows(1)
    with WorkerPool(size=1, limits=Limits(cpu_seconds=1)) as pool:
        outcome = pool.run(
            PredictJob(hostile("infinite_loop"), "box", "discrete", states, actions), timeout=30.0
        )
        assert outcome.status == "timeout" and "CPU-time budget" in outcome.message
        assert pool.run(PredictJob(CARTPOLE_MODEL, "box", "discrete", states, actions), timeout=5.0).ok


def test_file_size_limit():
    states, actions = cartpole_rows(1)
    writer = "open('big.bin', 'wb').write(b'0' * 3_000_000)\nclass Environment:\n    pass\n"
    with WorkerPool(size=1, limits=Limits(file_bytes=1 * MiB)) as pool:
        outcome = pool.run(PredictJob(writer, "box", "discrete", states, actions), timeout=5.0)
    assert outcome.status == "error" and "File too large" in outcome.message and "line 1" in outcome.message


def test_call_job_runs_a_rollout_next_to_the_program(pool):
    job = CallJob(
        "cwmb.sandbox.episodes:rollout",
        {
            "state": np.zeros(4, dtype=np.float32),
            "actions": np.ones((300, 1), dtype=np.int64),
            "obs_kind": "box",
            "action_kind": "discrete",
        },
        source=CARTPOLE_MODEL,
    )
    outcome = pool.run(job, timeout=5.0)
    assert outcome.status == "ok", outcome.message
    steps = len(outcome.value["rewards"])
    assert 1 < steps < 300 and outcome.value["dones"][-1] and not outcome.value["dones"][:-1].any()
    assert outcome.value["states"].shape == (steps, 4) and outcome.value["problem"] == ""


def test_call_job_results_must_be_plain_data(pool):
    assert pool.run(CallJob("os:getcwd"), timeout=5.0).value != os.getcwd()
    outcome = pool.run(CallJob("threading:Lock"), timeout=5.0)
    assert outcome.status == "error" and "cannot be sent back" in outcome.message
    failing = pool.run(
        CallJob("cwmb.sandbox.episodes:rollout", {"state": 1}, source=hostile("os_exit")), timeout=5.0
    )
    assert failing.status == "error" and "rollout" in failing.message
    with pytest.raises(ValueError):
        CallJob("no_colon_here")
    with pytest.raises(TypeError):
        pool.run(CallJob("os:getcwd", {"handle": object()}))


def test_start_failure_is_reported_to_the_harness():
    with pytest.raises(SandboxStartError, match="no_such_module_for_cwmb"):
        WorkerPool(size=1, preload=("no_such_module_for_cwmb",), start_timeout=30.0).start()


def test_close_kills_workers_and_removes_their_directories():
    pool = WorkerPool(size=1).start()
    message = _probe(pool, timeout=3.0)
    supervisor = pool.worker_pids()[0]
    root = os.path.dirname(re.search(r"cwd=(\S+)", message).group(1))
    assert os.path.isdir(root)
    pool.close()
    assert not os.path.exists(root)
    end = time.monotonic() + 3.0
    while time.monotonic() < end:
        try:
            os.kill(supervisor, 0)
        except ProcessLookupError:
            break
        time.sleep(0.02)
    else:
        pytest.fail("the worker survived close()")
    with pytest.raises(RuntimeError):
        pool.run(CallJob("os:getcwd"))


def _outer_uid(pid: int) -> int:
    """The real uid of ``pid`` as the harness sees it."""
    with open(f"/proc/{pid}/status") as handle:
        return int(next(line for line in handle if line.startswith("Uid:")).split()[1])


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping privileges needs root")
def test_root_harness_runs_jobs_as_nobody_by_default(pool):
    assert pool.limits.run_as == "nobody"
    assert all(_outer_uid(pid) == 65534 for pid in pool.worker_pids())
    assert pool.isolation.user == "nobody"


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping privileges needs root")
def test_run_as_none_keeps_root_but_the_user_namespace_still_holds(tmp_path):
    states, actions = cartpole_rows(1)
    with WorkerPool(size=1, limits=Limits(run_as=None)) as pool:
        assert _outer_uid(pool.worker_pids()[0]) == 0
        assert pool.run(PredictJob(CARTPOLE_MODEL, "box", "discrete", states, actions), timeout=5.0).ok
        outcome = pool.run(
            PredictJob(hostile("read_secret"), "box", "discrete", states, actions), timeout=5.0
        )
        assert "proc_leak=False" in outcome.message and "unreadable" in outcome.message
