"""The sandbox worker: a pre-started interpreter that runs every job in a fresh fork of itself.

Started by the harness as ``python -m cwmb.sandbox.worker`` (a new interpreter, never a
fork of the harness). At start-up it limits itself, imports numpy and the job code, and
becomes a *supervisor*: it never runs generated code itself. For each job it hands the
request to a pre-forked *job process* (a copy of the warm interpreter, one of
:data:`SPARES` forked and warmed up while the supervisor had nothing else to do), watches
it against the wall-clock deadline, and forwards its reply.

Forking per job costs a few milliseconds of CPU, spent off the critical path, and buys
clean state: nothing a program does (monkeypatching numpy, global seeds, threads, files
in the working directory, leftover processes) survives into the next job, and RLIMIT_CPU
counts one job only. A job process exits right after its reply; the supervisor reaps it
and everything it left behind (each job is PID 1 of its own PID namespace, which the
kernel empties when it exits; without that namespace the supervisor is a child
subreaper and kills what comes back to it), empties the working directory and truncates
the captured output before the next job starts.

Isolation: after the imports the worker applies the kernel layers of
:mod:`cwmb.sandbox.isolation` (unprivileged uid, user/PID/net/mount namespaces, a tmpfs
work dir, Landlock, seccomp) and reports them in its ready message; each job process is
forked into its own PID namespace and adds its own Landlock domain and seccomp filter.

Protocol: the harness writes request frames to ``--requests`` and reads reply frames
from ``--replies`` (see ``wire.py``). fds 1 and 2 point at a capture file, never at the
protocol, and the job process closes the harness's fds before it loads any program.
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import gc
import importlib
import json
import os
import select
import shutil
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

# Harness functions that CallJob runs next to a program must be imported before the worker
# is locked down: once Landlock is on, a job can no longer read the package's files.
import cwmb.sandbox.episodes  # noqa: F401
from cwmb.sandbox import wire
from cwmb.sandbox.isolation import CPU_EXHAUSTED_EXIT, WorkerHardening
from cwmb.sandbox.job_process import INTERNAL_FAILURE, job_main
from cwmb.sandbox.limits import apply_worker_limits, drop_privileges
from cwmb.sandbox.syscalls import PR_SET_CHILD_SUBREAPER, prctl

#: Warm job processes kept ready per worker: enough for the answer-free batches of one
#: dataset (cwmb.sandbox.answer_free) to find one each on a pool of two workers.
SPARES = 2
_NEXT_REQUEST_GRACE_S = 0.0005


@dataclass
class _JobProcess:
    """The supervisor's handle on one forked job process."""

    pid: int
    pidfd: int
    job_w: int
    reply_r: int
    reaped: bool = False


class Supervisor:
    """Serves job requests from the harness, one at a time, each in a fresh job process."""

    def __init__(
        self, requests: int, replies: int, config: dict[str, Any], hardening: WorkerHardening
    ) -> None:
        self._requests = requests
        self._replies = replies
        self._config = config
        self._hardening = hardening
        self._max_frame = int(config["reply_bytes"])
        self._spares: deque[_JobProcess] = deque()

    def serve(self) -> None:
        """Reply ``ready``, then run jobs until the harness closes the request pipe.

        A request is dispatched at once to a warm spare job process. Housekeeping waits
        for idle time: after each reply the supervisor forks replacement spares only while
        no request is pending, so a burst of jobs (a dataset's answer-free batches) finds
        every spare warm, and the forks happen while the harness is busy elsewhere.
        """
        hello = {"ready": True, "uid": os.getuid(), "isolation": self._hardening.report.to_dict()}
        wire.write_all(self._replies, wire.encode(hello))
        self._spares.append(self._fork())
        while True:
            self._top_up_spares()
            body = wire.read_frame(self._requests, self._max_frame)
            if body is None:
                break
            request = wire.decode(body)
            deadline = time.monotonic() + float(request["timeout"])
            active = self._dispatch(request["job"])
            reply = self._supervise(active, deadline, float(request["timeout"]), int(request["cpu_seconds"]))
            reply["output"] = self._output_head()
            reply["job_id"] = request["job_id"]
            wire.write_all(self._replies, wire.encode(reply))
            self._cleanup(active)
        while self._spares:
            self._cleanup(self._spares.popleft())

    def _top_up_spares(self) -> None:
        """Fork spares up to :data:`SPARES`, one at a time, as long as no request is waiting.

        The first check waits a moment: a harness running a burst of jobs sends the next
        one within a fraction of a millisecond, and forking then would only delay it.
        """
        grace = _NEXT_REQUEST_GRACE_S
        while len(self._spares) < SPARES:
            ready, _, _ = select.select([self._requests], [], [], grace)
            if ready:
                return
            self._spares.append(self._fork())
            grace = 0.0

    def _fork(self, warm: bool = True) -> _JobProcess:
        """Fork a job process that waits for its job on a private pipe.

        ``warm``: run the warm-up dummy job first. A process forked while a request waits
        skips it: the warm-up costs more CPU than the page faults it saves the job.
        """
        job_r, job_w = os.pipe()
        reply_r, reply_w = os.pipe()
        pid = self._hardening.fork_job()
        if pid == 0:
            try:
                job_main(job_r, reply_w, self._config, self._hardening, warm=warm)
            finally:
                os._exit(INTERNAL_FAILURE)
        os.close(job_r)
        os.close(reply_w)
        os.set_blocking(reply_r, False)
        return _JobProcess(pid, os.pidfd_open(pid), job_w, reply_r)

    def _dispatch(self, job: bytes) -> _JobProcess:
        """Hand ``job`` to the oldest spare; fork a fresh process if no spare is alive."""
        while self._spares:
            spare = self._spares.popleft()
            try:
                wire.write_all(spare.job_w, job)
                return spare
            except OSError:  # the spare died (killed from outside): discard it
                self._cleanup(spare)
        fresh = self._fork(warm=False)
        wire.write_all(fresh.job_w, job)
        return fresh

    def _supervise(self, job: _JobProcess, deadline: float, timeout: float, cpu: int) -> dict[str, Any]:
        """Wait for the job's reply, its death or the deadline; say which happened."""
        buffer = bytearray()
        watched = [job.reply_r, job.pidfd]
        while True:
            try:
                total = wire.frame_length(buffer)
            except wire.WireError:
                return self._fail(job, "crashed", "the job process wrote garbage on the reply channel")
            if total is not None and total > self._max_frame:
                return self._fail(job, "crashed", f"the job's reply exceeds {self._max_frame} bytes")
            if total is not None and len(buffer) >= total:
                return {"event": "replied", "child": wire.body_of(buffer[:total])}
            if job.pidfd not in watched:  # exited, reply drained and incomplete
                return self._died(job, cpu)
            left = deadline - time.monotonic()
            if left <= 0:
                return self._fail(job, "timeout", f"the job exceeded its timeout of {timeout:g} s")
            ready, _, _ = select.select(watched, [], [], left)
            if job.reply_r in ready and not self._read_some(job.reply_r, buffer):
                watched.remove(job.reply_r)
            if job.pidfd in ready:
                watched.remove(job.pidfd)
                while job.reply_r in watched and self._read_some(job.reply_r, buffer, drain=True):
                    if len(buffer) > self._max_frame + 16:
                        break

    @staticmethod
    def _read_some(fd: int, buffer: bytearray, drain: bool = False) -> bool:
        """Append what is readable to ``buffer``; False at end of file or, if draining, when empty."""
        try:
            chunk = os.read(fd, 1 << 20)
        except BlockingIOError:
            return not drain
        buffer += chunk
        return bool(chunk)

    def _fail(self, job: _JobProcess, event: str, detail: str) -> dict[str, Any]:
        """Kill the job process and report ``event``."""
        _kill(job.pid)
        return {"event": event, "detail": detail, "exit_code": None}

    def _died(self, job: _JobProcess, cpu_budget: int) -> dict[str, Any]:
        """Report how a job process that ended without a complete reply ended.

        A spent CPU budget shows as SIGXCPU, as the job's own exit code for it (a PID 1
        ignores SIGXCPU without a handler) or, if the program blocked that, as the SIGKILL
        of the hard limit with the budget used up.
        """
        _pid, status, usage = os.wait4(job.pid, 0)
        job.reaped = True
        code = os.waitstatus_to_exitcode(status)
        spent = usage.ru_utime + usage.ru_stime >= cpu_budget
        if code in (-signal.SIGXCPU, CPU_EXHAUSTED_EXIT) or (code == -signal.SIGKILL and spent):
            return {
                "event": "timeout",
                "detail": "the job exceeded its CPU-time budget (killed by SIGXCPU)",
                "exit_code": code,
            }
        return {"event": "crashed", "detail": "", "exit_code": code}

    def _output_head(self) -> str:
        """The start of what went to fds 1 and 2 during the job (the capture file)."""
        try:
            size = os.fstat(1).st_size
            head = os.pread(1, int(self._config["output_chars"]), 0)
        except OSError:
            return ""
        text = head.decode("utf-8", errors="replace")
        return text + (f"\n[... {size - len(head)} more bytes of output dropped]" if size > len(head) else "")

    def _cleanup(self, job: _JobProcess) -> None:
        """Kill the job process and everything it left behind, sparing only the spares.

        Then empty the working directory and truncate the captured output. A job process
        exits by itself right after its reply, so this usually reaps a zombie.
        """
        for fd in (job.job_w, job.reply_r, job.pidfd):
            os.close(fd)
        if not job.reaped:  # once reaped, its pid may belong to someone else
            _kill(job.pid)
            os.waitpid(job.pid, 0)
        if not self._hardening.report.pid_ns:
            # In its own PID namespace a job's descendants die with it: the kernel kills the
            # whole namespace when its PID 1 exits, and reaping PID 1 waits for all of them.
            _kill_descendants({spare.pid for spare in self._spares}, self._hardening.children_fd)
        _empty_directory(".")
        os.ftruncate(1, 0)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _children(children_fd: int) -> set[int]:
    """This process's children (orphaned descendants come back here: we are a subreaper).

    Read through a descriptor opened at start-up (``/proc/thread-self/children``): /proc is
    out of reach once Landlock is on, and the kernel regenerates the text at each read.
    """
    try:
        if children_fd >= 0:
            text = os.pread(children_fd, 1 << 16, 0).decode()
        else:
            with open("/proc/thread-self/children") as handle:
                text = handle.read()
        return {int(p) for p in text.split()}
    except OSError:
        return set()


def _kill_descendants(keep: set[int], children_fd: int) -> None:
    """SIGKILL and reap every child not in ``keep`` until none is left (bounded rounds)."""
    for _ in range(100):
        victims = _children(children_fd) - keep
        if not victims:
            return
        for pid in victims:
            _kill(pid)
        for pid in victims:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _empty_directory(path: str) -> None:
    """Remove everything in ``path`` without following symlinks (best effort)."""
    try:
        entries = list(os.scandir(path))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


def _start(config: dict[str, Any], protocol_fds: tuple[int, int]) -> WorkerHardening:
    """Limit this process, warm it up, drop privileges if asked, and apply the isolation layers.

    May fork (see :meth:`WorkerHardening.apply`): what returns is the supervisor.
    """
    apply_worker_limits(config)
    # A write past RLIMIT_FSIZE then fails with EFBIG instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    faulthandler.enable(file=sys.stderr)
    for name in config["preload"]:
        importlib.import_module(name)
    if config.get("run_as"):
        drop_privileges(config["run_as"], int(config["processes"]))
    hardening = WorkerHardening(config)
    hardening.apply(os.getcwd(), protocol_fds)
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    # Keep the warm heap out of the collector's reach so that forks stay copy-on-write.
    gc.collect()
    gc.freeze()
    return hardening


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m cwmb.sandbox.worker --requests FD --replies FD --config JSON``."""
    parser = argparse.ArgumentParser(prog="cwmb.sandbox.worker")
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--replies", type=int, required=True)
    parser.add_argument("--config", required=True)
    args = parser.parse_args(argv)
    config = json.loads(args.config)
    try:
        hardening = _start(config, (args.requests, args.replies))
    except BaseException as exc:
        message = f"worker start-up failed: {type(exc).__name__}: {exc}"[:500]
        wire.write_all(args.replies, wire.encode({"ready": False, "message": message}))
        return 1
    Supervisor(args.requests, args.replies, config, hardening).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
