"""The kernel layers hold against programs that attack the judge (see docs/sandbox.md).

Every test gives a hostile program the exact targets and asserts the concrete outcome:
the file is unchanged, the listener saw nothing, the process is alive, the key is absent.
Targets that a program could damage are copies the test made (world-writable, so that only
the sandbox stands in the way), never the project's own files.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from cwmb.sandbox import Limits, PredictJob, SandboxStartError, WorkerPool
from tests.sandbox import CARTPOLE_MODEL, attacks, cartpole_rows

REPO = Path(__file__).resolve().parents[2]
DATASET = REPO / "trajectories" / "CartPole-v1"


def _pool(limits: Limits):
    with WorkerPool(size=2, limits=limits) as pool:
        if not pool.isolation.user_ns or not pool.isolation.landlock_fs:
            pytest.skip(f"this machine lacks isolation layers: {pool.isolation.summary()}")
        yield pool


@pytest.fixture(scope="module")
def pool():
    yield from _pool(Limits())


@pytest.fixture(scope="module", params=["default uid", "harness uid"])
def any_pool(request):
    """The default pool, and one whose jobs keep the harness's uid, where only the kernel layers stand."""
    yield from _pool(Limits() if request.param == "default uid" else Limits(run_as=None))


@pytest.fixture
def open_dir():
    """A directory anyone may enter and write (under /tmp), so that file permissions do not help."""
    path = Path(tempfile.mkdtemp(prefix="cwmb-attack-target-", dir="/tmp"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _attack(pool: WorkerPool, body: str, timeout: float = 10.0) -> str:
    states, actions = cartpole_rows(2)
    outcome = pool.run(PredictJob(attacks.program(body), "box", "discrete", states, actions), timeout=timeout)
    assert outcome.status == "error", (outcome.status, outcome.message)
    return outcome.message


def _assert_healthy(pool: WorkerPool) -> None:
    states, actions = cartpole_rows(8)
    jobs = [PredictJob(CARTPOLE_MODEL, "box", "discrete", states, actions)] * pool.size
    for outcome in pool.run_many(jobs, timeout=10.0):
        assert outcome.ok and outcome.value.valid.all(), outcome.message


def test_every_layer_is_active_on_this_machine(pool):
    report = pool.isolation
    assert report.missing() == []
    assert "landlock" in report.summary() and "seccomp: on" in report.summary()


def test_the_answers_on_disk_and_in_the_harness_cannot_be_read(any_pool):
    pool = any_pool
    worker = pool.worker_pids()[0]
    targets = {
        "dataset": str(DATASET / "transitions.parquet"),
        "manifest": str(DATASET / "manifest.json"),
        "package-reference-model": str(REPO / "cwmb" / "benchmark" / "reference" / "__init__.py"),
        "harness-environ": f"/proc/{os.getpid()}/environ",
        "harness-mem": f"/proc/{os.getpid()}/mem",
        "harness-cmdline": f"/proc/{os.getpid()}/cmdline",
        "worker-fds": f"/proc/{worker}/fd/0",
        "passwd": "/etc/passwd",
        "home": str(Path.home() / ".bashrc"),
        "cache": str(Path.home() / ".cache"),
    }
    message = _attack(pool, attacks.read_answers(targets))
    assert attacks.opened(message) == []
    assert len(attacks.results(message)) == len(targets)


def _world_writable_copy(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    path.chmod(0o666)
    return path


def test_nothing_outside_the_private_directory_can_be_written(any_pool, open_dir):
    pool, tmp_path = any_pool, open_dir
    files = {
        "dataset": _world_writable_copy(tmp_path, "transitions.parquet", b"PAR1 data"),
        "manifest": _world_writable_copy(tmp_path, "manifest.json", b'{"sha256": "abc"}'),
        "package": _world_writable_copy(tmp_path, "cwmb/__init__.py", b'"""cwmb."""\n'),
        "cache": _world_writable_copy(tmp_path, "llm-cache.sqlite3", b"SQLite format 3"),
    }
    (tmp_path / "site-packages").mkdir(mode=0o777)
    (tmp_path / "site-packages").chmod(0o777)
    new_files = {
        "pth-hook": str(tmp_path / "site-packages" / "evil.pth"),
        "dev-shm": "/dev/shm/cwmb-attack-marker",
        "tmp": f"/tmp/cwmb-attack-{os.getpid()}",
    }
    before = {label: path.read_bytes() for label, path in files.items()}
    message = _attack(pool, attacks.poison({k: str(v) for k, v in files.items()}, new_files))
    assert attacks.opened(message) == []
    assert {label: path.read_bytes() for label, path in files.items()} == before
    assert not any(os.path.exists(path) for path in new_files.values())


def test_no_connection_leaves_the_sandbox(any_pool, open_dir):
    pool, tmp_path = any_pool, open_dir
    tcp = socket.create_server(("127.0.0.1", 0))
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    unix_path = str(tmp_path / "listener.sock")
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(unix_path)
    unix.listen()
    os.chmod(unix_path, 0o777)
    try:
        message = _attack(pool, attacks.network(tcp.getsockname()[1], udp.getsockname()[1], unix_path))
        assert attacks.opened(message) == []
        for listener in (tcp, udp, unix):
            listener.settimeout(0.3)
        with pytest.raises(TimeoutError):
            tcp.accept()
        with pytest.raises(TimeoutError):
            udp.recvfrom(64)
        with pytest.raises(TimeoutError):
            unix.accept()
    finally:
        for listener in (tcp, udp, unix):
            listener.close()


def _sacrifice(user: str | None) -> subprocess.Popen[bytes]:
    """A process of ``user`` for a program to try to kill (the harness stands in for itself)."""
    return subprocess.Popen(["sleep", "30"], user=user, start_new_session=True)


def test_the_harness_and_its_neighbours_cannot_be_signalled(pool):
    victims = {"root": _sacrifice(None)}
    if os.geteuid() == 0:
        victims["same-uid-as-jobs"] = _sacrifice("nobody")
    try:
        workers = pool.worker_pids()
        pids = {"harness": os.getpid(), "worker": workers[0], "other-worker": workers[1]}
        pids.update({name: proc.pid for name, proc in victims.items()})
        message = _attack(pool, attacks.signals(pids))
        assert attacks.opened(message) == []
        assert all(proc.poll() is None for proc in victims.values())
        assert pool.worker_pids() == workers
        _assert_healthy(pool)
    finally:
        for proc in victims.values():
            proc.kill()
            proc.wait()


def test_resource_limits_cannot_be_raised(pool):
    message = _attack(pool, attacks.RAISE_LIMITS)
    assert attacks.opened(message) == []
    assert len(attacks.results(message)) == 6


def test_the_kernel_surface_a_job_needs_not_is_closed(pool):
    message = _attack(pool, attacks.KERNEL_SURFACE)
    assert attacks.opened(message) == []
    assert attacks.results(message)["unshare-user"] == "denied(EPERM)"  # seccomp, not a missing feature


def test_the_private_directory_is_capped_and_emptied(pool):
    message = _attack(pool, attacks.FILL_DISK, timeout=30.0)
    found = attacks.results(message)
    assert found["write-192MB"] == "denied(ENOSPC)" and found["write-5000-files"] == "denied(ENOSPC)"
    probe = "import os\nraise RuntimeError(f'left: {sorted(os.listdir())}')\n"
    states, actions = cartpole_rows(1)
    for outcome in pool.run_many([PredictJob(probe, "box", "discrete", states, actions)] * 2, timeout=5.0):
        assert "left: []" in outcome.message


def test_a_reply_for_another_job_is_refused_and_the_worker_replaced(pool):
    forger = """
import os, struct, json
from cwmb.sandbox import wire


class Environment:
    def __init__(self):
        reply = {"status": "ok", "message": "", "value": None, "output": "", "job_id": 10**9, "nonce": "x"}
        frame = wire.encode(reply)
        for fd in range(3, 32):
            try:
                if os.fstat(fd).st_mode & 0o170000 == 0o010000:  # a pipe
                    os.write(fd, frame)
            except OSError:
                pass
        os._exit(0)

    def set_state(self, state):
        pass

    def step(self, action):
        return 0, 0.0, False
"""
    workers = pool.worker_pids()
    states, actions = cartpole_rows(2)
    outcomes = pool.run_many([PredictJob(forger, "box", "discrete", states, actions)] * 2, timeout=5.0)
    for outcome in outcomes:
        assert outcome.status == "crashed" and "id and nonce" in outcome.message, outcome.message
    assert set(pool.worker_pids()).isdisjoint(workers)  # discarded, not reused
    _assert_healthy(pool)


def test_strict_isolation_refuses_a_machine_without_a_layer():
    limits = Limits(isolation="strict", skip_layers=("seccomp",))
    with pytest.raises(
        SandboxStartError, match="isolation is strict but these layers are not active: seccomp"
    ):
        WorkerPool(size=1, limits=limits).start()


def test_standard_isolation_runs_without_a_layer_and_says_so():
    with WorkerPool(size=1, limits=Limits(skip_layers=("landlock",))) as pool:
        assert "landlock fs" in pool.isolation.missing()
        assert "landlock" in " ".join(pool.isolation.notes)
        states, actions = cartpole_rows(2)
        assert pool.run(PredictJob(CARTPOLE_MODEL, "box", "discrete", states, actions), timeout=5.0).ok


def _cwmb(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cwmb", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, cwd=REPO)


def test_a_program_that_attacks_the_judge_cannot_stop_cwmb_score(tmp_path):
    killer = tmp_path / "killer.py"
    killer.write_text(attacks.program(attacks.KILL_EVERYTHING))
    fake_key = "sk-test-FAKE-judge-0123456789"
    env = {**os.environ, "OPENAI_API_KEY": fake_key}
    result = _cwmb("score", str(killer), "--env", "CartPole-v1", env=env)
    # cwmb lived to give its usual verdict on a crashing program: exit code 1 and the error.
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "error: Error on line" in result.stdout and "RESULTS kill-all=denied(ESRCH)" in result.stdout
    assert fake_key not in result.stdout + result.stderr


def test_a_program_searching_for_keys_finds_none(tmp_path):
    thief = tmp_path / "thief.py"
    body = """
def scan():
    found = [read(f"/proc/{entry}/environ") for entry in os.listdir("/proc") if entry.isdigit()]
    raise RuntimeError(f"found {found}")


def attack():
    attempt("environ-scan", scan)
    attempt("self-environ", lambda: os.environ["OPENAI_API_KEY"])
"""
    thief.write_text(attacks.program(body))
    fake_key = "sk-test-FAKE-thief-0123456789"
    result = _cwmb(
        "score", str(thief), "--env", "CartPole-v1", env={**os.environ, "OPENAI_API_KEY": fake_key}
    )
    assert result.returncode == 1, result.stderr
    assert fake_key not in result.stdout + result.stderr
    assert "self-environ=failed(KeyError)" in result.stdout
    assert "environ-scan=denied(EACCES)" in result.stdout


def test_the_worker_directory_on_disk_stays_empty(pool):
    homes = [os.path.join(root, "home") for root in pool.worker_roots()]
    _attack(pool, attacks.FILL_DISK, timeout=30.0)
    for home in homes:  # the job wrote into its tmpfs, never onto this disk
        assert os.listdir(home) == [] and stat.S_IMODE(os.stat(home).st_mode) == 0o700


CHEATER = """
import json

import numpy as np


class Environment:
    def __init__(self):
        try:
            with open(ANSWERS) as handle:
                self.answers = json.load(handle)
        except OSError:
            self.answers = {}

    def set_state(self, state):
        self.state = np.asarray(state)

    def step(self, action):
        key = repr((np.round(self.state.astype(float), 6).tolist(), int(action)))
        if key in self.answers:
            next_state, reward, done = self.answers[key]
            return np.asarray(next_state, dtype=np.float32), reward, done
        return self.state, 1.0, False
"""


def test_a_program_cannot_score_itself_from_answers_on_disk(any_pool, open_dir):
    pool, tmp_path = any_pool, open_dir
    from cwmb.methods.evaluation import InProcessEvaluator
    from cwmb.methods.sandbox_evaluator import SandboxEvaluator
    from cwmb.trajectories.storage import load_dataset

    data = load_dataset(REPO / "trajectories", "CartPole-v1")
    answers = {
        repr((np.round(data.states[i].astype(float), 6).tolist(), int(data.actions[i, 0]))): [
            data.next_states[i].tolist(),
            float(data.rewards[i]),
            bool(data.terminated[i]),
        ]
        for i in range(len(data))
    }
    key_file = tmp_path / "answers.json"
    key_file.write_text(json.dumps(answers))
    key_file.chmod(0o644)
    cheater = f"ANSWERS = {str(key_file)!r}\n" + CHEATER
    # The control: run where it can read the answer key, the cheater is perfect.
    assert InProcessEvaluator(data).evaluate(cheater).accuracy == 1.0
    judged = SandboxEvaluator(pool, data).evaluate(cheater)
    assert judged.status == "ok" and judged.accuracy < 0.7, judged
