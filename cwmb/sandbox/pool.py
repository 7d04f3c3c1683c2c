"""A pool of pre-started sandbox workers: the harness's only way to run generated code.

Each worker is a fresh interpreter (``python -m cwmb.sandbox.worker``) in its own
session and private directory, with a stripped environment. The harness talks to it
over two dedicated pipes and decodes its replies with the strict plain-data decoder in
``wire.py``. Every failure of generated code comes back as an :class:`Outcome`; the
harness raises only for its own mistakes (bad job inputs) or when a worker cannot start.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import cwmb
from cwmb.errors import CwmbError
from cwmb.sandbox import wire
from cwmb.sandbox.isolation import IsolationReport
from cwmb.sandbox.jobs import Job
from cwmb.sandbox.limits import Limits, worker_environment
from cwmb.sandbox.outcome import Outcome, Status
from cwmb.sandbox.replies import ForeignReply, describe_exit, interpret

T = TypeVar("T")

# numpy plus the standard modules programs tend to import: imported once per worker, not once
# per job (and still importable after ``run_as`` has dropped access to the stdlib's files).
DEFAULT_PRELOAD: tuple[str, ...] = (
    "numpy",
    "math",
    "random",
    "collections",
    "itertools",
    "functools",
    "copy",
    "dataclasses",
    "typing",
    "enum",
    "heapq",
    "bisect",
    "statistics",
    "fractions",
    "decimal",
    "string",
    # What competition programs (APPS) and careful world models also reach for: once the job is
    # unprivileged, a module that was not imported here cannot be loaded from the interpreter's files.
    "array",
    "calendar",
    "cmath",
    "datetime",
    "operator",
    "pprint",
    "queue",
    "struct",
    "textwrap",
    "unicodedata",
)
# Extra seconds the harness waits beyond a job's timeout before it kills the worker
# itself; the worker normally reports the timeout on time.
_GRACE = 2.0


class SandboxStartError(CwmbError):
    """A sandbox worker could not be started (not caused by any generated program)."""


class _Lost(Exception):
    """The worker itself stopped answering or died: it must be replaced."""

    def __init__(self, status: Status, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Worker:
    """The harness's handle on one worker process."""

    def __init__(self, limits: Limits, preload: Sequence[str]) -> None:
        self._limits = limits
        self._config = {**limits.to_config(), "preload": list(preload)}
        self._proc: subprocess.Popen[bytes] | None = None
        self._ready = False
        self.isolation = IsolationReport()
        self.spawn()

    def spawn(self) -> None:
        """Start the worker process (without waiting for it to be ready)."""
        self.root = tempfile.mkdtemp(prefix="cwmb-sandbox-")
        home = os.path.join(self.root, "home")
        os.mkdir(home, 0o700)
        if self._limits.run_as and os.geteuid() == 0:
            import pwd

            entry = pwd.getpwnam(self._limits.run_as)
            for path in (self.root, home):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._output_path = os.path.join(self.root, "output")
        capture = os.open(self._output_path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        req_r, self._req_w = os.pipe()
        self._rep_r, rep_w = os.pipe()
        env = worker_environment(home)
        env["PYTHONPATH"] = str(Path(cwmb.__file__).resolve().parent.parent)
        command = [sys.executable, "-s", "-m", "cwmb.sandbox.worker"]
        command += ["--requests", str(req_r), "--replies", str(rep_w), "--config", json.dumps(self._config)]
        try:
            self._proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=capture,
                stderr=capture,
                pass_fds=(req_r, rep_w),
                cwd=home,
                env=env,
                start_new_session=True,  # its own process group, killed as one
            )
        finally:
            for fd in (capture, req_r, rep_w):
                os.close(fd)
        os.set_blocking(self._req_w, False)
        os.set_blocking(self._rep_r, False)
        self._ready = False

    def wait_ready(self, timeout: float) -> None:
        """Wait for the worker's ready message; SandboxStartError if it never comes."""
        if self._ready:
            return
        if self._proc is None:  # an earlier start failed: try again
            self.spawn()
        reason = "it did not answer"
        try:
            body = wire.read_frame(self._rep_r, 1 << 16, time.monotonic() + timeout)
            hello = wire.decode(body) if body is not None else None
            if isinstance(hello, dict) and hello.get("ready") is True:
                self.isolation = IsolationReport.from_dict(hello.get("isolation"))
                self._ready = True
                return
            if isinstance(hello, dict):
                reason = str(hello.get("message", reason))
        except (TimeoutError, OSError, wire.WireError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
        output = self._read_output()
        self.kill()
        raise SandboxStartError(
            f"a sandbox worker failed to start: {reason}" + (f"\n{output}" if output else ""),
            "check that the venv's python can import cwmb and the preloaded modules",
        )

    def _read_output(self) -> str:
        try:
            with open(self._output_path, "rb") as handle:
                return handle.read(2000).decode("utf-8", errors="replace").strip()
        except OSError:
            return ""

    def exchange(self, envelope: bytes, timeout: float, max_reply: int) -> dict[str, Any]:
        """Send one request and return the worker's decoded reply; raise _Lost if it fails."""
        deadline = time.monotonic() + timeout + _GRACE
        try:
            wire.write_all(self._req_w, envelope, deadline)
            body = wire.read_frame(self._rep_r, max_reply, deadline)
        except TimeoutError:
            raise _Lost(
                "timeout", f"the job exceeded its timeout of {timeout:g} s (the worker was killed)"
            ) from None
        except (OSError, wire.WireError) as exc:
            raise _Lost("crashed", f"the worker broke the reply protocol: {exc}") from None
        if body is None:
            raise _Lost("crashed", f"the worker process {self._exit_text()} during the job")
        try:
            reply = wire.decode(body)
        except wire.WireError as exc:
            raise _Lost("crashed", f"the worker sent an unreadable reply: {exc}") from None
        if not isinstance(reply, dict) or "event" not in reply:
            raise _Lost("crashed", "the worker sent a reply of the wrong form")
        return reply

    @property
    def pid(self) -> int | None:
        """The worker's process id as the harness sees it (None while not started)."""
        return None if self._proc is None else self._proc.pid

    def _exit_text(self) -> str:
        assert self._proc is not None
        try:
            code = self._proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            return "it closed its reply channel"
        return describe_exit(code)

    def kill(self) -> None:
        """Kill the worker's whole process group and remove its directory."""
        if self._proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(timeout=10.0)
        for fd in (self._req_w, self._rep_r):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self.root, ignore_errors=True)
        self._proc = None


class WorkerPool:
    """Pre-started sandbox workers that run jobs, one round trip per job.

    Use as a context manager::

        with WorkerPool(size=2) as pool:
            outcome = pool.run(PredictJob(...), timeout=10.0)

    ``run`` is thread-safe; ``run_many`` runs jobs concurrently, one per worker.
    ``preload`` names modules imported once per worker (``numpy`` always helps; add
    ``gymnasium`` for jobs that need it), so jobs never pay for their import.
    """

    def __init__(
        self,
        size: int = 2,
        limits: Limits | None = None,
        *,
        preload: Sequence[str] = DEFAULT_PRELOAD,
        start_timeout: float = 60.0,
    ) -> None:
        if size < 1:
            raise ValueError("a pool needs at least one worker")
        self.size = size
        self.limits = limits or Limits()
        self._preload = tuple(preload)
        self._start_timeout = start_timeout
        self._workers: list[_Worker] = []
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        self._job_ids = itertools.count(1)
        self._finalizer = weakref.finalize(self, _kill_all, self._workers)

    def start(self) -> WorkerPool:
        """Start every worker and wait until all are ready (idempotent)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the pool is closed")
            if self._workers:
                return self
            self._workers.extend(_Worker(self.limits, self._preload) for _ in range(self.size))
            try:
                for worker in self._workers:
                    worker.wait_ready(self._start_timeout)
            except SandboxStartError:
                _kill_all(self._workers)
                self._workers.clear()
                raise
            self._refuse_if_strict()
            for worker in self._workers:
                self._idle.put(worker)
        return self

    def worker_pids(self) -> list[int | None]:
        """The worker processes' ids, as the harness sees them (for tests and diagnostics)."""
        return [worker.pid for worker in self._workers]

    def worker_roots(self) -> list[str]:
        """The workers' private directories on this machine's disk (for tests and diagnostics)."""
        return [worker.root for worker in self._workers]

    @property
    def isolation(self) -> IsolationReport:
        """The isolation layers the workers enforce (starts the pool if needed)."""
        self.start()
        return self._workers[0].isolation

    def _refuse_if_strict(self) -> None:
        missing = self._workers[0].isolation.missing()
        if self.limits.isolation == "strict" and missing:
            _kill_all(self._workers)
            self._workers.clear()
            raise SandboxStartError(
                f"isolation is strict but these layers are not active: {', '.join(missing)}",
                "run with --isolation standard (or CWMB_ISOLATION=standard) to use the layers it has; "
                "`cwmb sandbox status` shows them",
            )

    def run(self, job: Job[T], timeout: float = 10.0) -> Outcome[T]:
        """Run one job with a wall-clock ``timeout`` (seconds); never raises for the program's sake."""
        job_id, nonce = next(self._job_ids), secrets.token_hex(16)
        cpu = self.limits.cpu_budget(timeout)
        job_frame = wire.encode({**job.request(), "cpu_seconds": cpu, "job_id": job_id, "nonce": nonce})
        envelope = wire.encode(
            {"timeout": float(timeout), "job": job_frame, "job_id": job_id, "cpu_seconds": cpu}
        )
        self.start()
        started = time.monotonic()
        worker = self._idle.get()
        try:
            worker.wait_ready(self._start_timeout)
            reply = worker.exchange(envelope, timeout, self.limits.reply_bytes)
            outcome = interpret(job, reply, job_id, nonce)
        except ForeignReply as foreign:
            worker.kill()
            worker.spawn()
            outcome = Outcome("crashed", message=str(foreign))
        except _Lost as lost:
            worker.kill()
            worker.spawn()  # the replacement starts now, while the harness goes on
            outcome = Outcome(lost.status, message=lost.message)
        finally:
            self._idle.put(worker)
        return Outcome(
            outcome.status, outcome.value, outcome.message, outcome.output, time.monotonic() - started
        )

    def run_many(self, jobs: Sequence[Job[T]], timeout: float = 10.0) -> list[Outcome[T]]:
        """Run ``jobs`` concurrently over the workers; outcomes come back in job order."""
        self.start()
        with ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="cwmb-sandbox") as executor:
            return list(executor.map(lambda job: self.run(job, timeout), jobs))

    def close(self) -> None:
        """Kill every worker and remove their directories (idempotent)."""
        with self._lock:
            self._closed = True
            self._finalizer()

    def __enter__(self) -> WorkerPool:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _kill_all(workers: list[_Worker]) -> None:
    """Kill every worker in ``workers`` (also run at interpreter exit)."""
    for worker in workers:
        worker.kill()
