"""The sandbox worker: a pre-started interpreter that runs every job in a fresh fork of itself.

Started by the harness as ``python -m cwmb.sandbox.worker`` (a new interpreter, never a
fork of the harness). At start-up it limits itself, imports numpy and the job code, and
becomes a *supervisor*: it never runs generated code itself. For each job it hands the
request to a pre-forked *job process* (a copy of the warm interpreter, forked while the
previous job ran), watches it against the wall-clock deadline, and forwards its reply.

Forking per job costs about a millisecond, mostly spent off the critical path, and buys
clean state: nothing a program does (monkeypatching numpy, global seeds, threads, files
in the working directory, leftover processes) survives into the next job, and RLIMIT_CPU
counts one job only. After each job the supervisor kills the job process and any process
it left behind (the supervisor is a child subreaper, so even daemonised descendants come
back to it), empties the working directory and truncates the captured output.

Protocol: the harness writes request frames to ``--requests`` and reads reply frames
from ``--replies`` (see ``wire.py``). fds 1 and 2 point at a capture file, never at the
protocol, and the job process closes the harness's fds before it loads any program.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import faulthandler
import gc
import importlib
import json
import linecache
import os
import select
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np

from cwmb.sandbox import wire
from cwmb.sandbox.limits import apply_worker_limits, drop_privileges, set_job_cpu_limit
from cwmb.sandbox.program import CANDIDATE_FILENAME, CANDIDATE_MODULE
from cwmb.sandbox.tasks import run_task

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_INTERNAL_FAILURE = 70


def _prctl(option: int, value: int) -> bool:
    """Call Linux prctl(2); False when unavailable."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


@dataclass
class _JobProcess:
    """The supervisor's handle on one forked job process."""

    pid: int
    pidfd: int
    job_w: int
    reply_r: int
    reaped: bool = False


class _Capture:
    """A text stream keeping the first ``cap`` characters written and counting the rest.

    Replaces sys.stdout/sys.stderr in the job process, so that a print flood costs no
    syscalls, no disk and no memory.
    """

    def __init__(self, cap: int) -> None:
        self._cap = cap
        self._parts: list[str] = []
        self._kept = 0
        self.dropped = 0

    def write(self, text: str) -> int:
        """Keep what fits under the cap; count the rest."""
        n = len(text)
        room = self._cap - self._kept
        if room > 0:
            piece = str(text[:room])
            self._parts.append(piece)
            self._kept += len(piece)
        self.dropped += n - min(n, max(room, 0))
        return n

    def flush(self) -> None:
        """Nothing to flush: the text stays in memory."""

    def isatty(self) -> bool:
        """Never a terminal."""
        return False

    def text(self) -> str:
        """The kept text, with a note on how much was dropped."""
        note = f"\n[... {self.dropped} more characters of output dropped]" if self.dropped else ""
        return "".join(self._parts) + note


def _close_fds_except(keep: tuple[int, ...]) -> None:
    """Close every fd above 2 that is not in ``keep``."""
    low = 3
    for fd in sorted(keep):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 65536)


def _job_main(job_r: int, reply_w: int, config: dict[str, Any]) -> NoReturn:
    """Body of a job process: wait for one job, run it, reply, exit."""
    _close_fds_except((job_r, reply_w))
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    _warm_up()
    body = wire.read_frame(job_r, int(config["reply_bytes"]))
    if body is None:  # the supervisor is shutting down
        os._exit(0)
    request = wire.decode(body)
    set_job_cpu_limit(int(request["cpu_seconds"]))
    capture = _Capture(int(config["output_chars"]))
    sys.stdout = sys.stderr = capture  # type: ignore[assignment]
    reply = run_task(request, int(config["memory_bytes"]))
    reply["output"] = capture.text()
    wire.write_all(reply_w, _encode_reply(reply))
    # Exiting now would tear down the address space on the CPU the supervisor is about to
    # wake on; waiting to be killed moves that cost after the reply has been forwarded.
    os.read(job_r, 1)
    os._exit(0)


_WARM_UP_PROGRAM = """
class Environment:
    def __init__(self):
        self.state = None

    def set_state(self, state):
        self.state = state

    def step(self, action):
        return self.state * 1.0, 1.0, False
"""


def _warm_up() -> None:
    """Run a tiny job before the real one, while the process waits anyway.

    A forked process pays a page fault for each memory page it first writes (reference
    counts, allocator pools); a dummy job takes most of those faults off the real job's
    clock. Its traces (the ``world_model`` module and source cache entry) are removed.
    """
    for action_kind, actions in (("discrete", np.zeros((2, 1), np.int64)), ("continuous", np.zeros((2, 2)))):
        request = {
            "kind": "predict",
            "source": _WARM_UP_PROGRAM,
            "obs_kind": "box",
            "action_kind": action_kind,
            "states": np.zeros((2, 3), dtype=np.float32),
            "actions": actions,
        }
        wire.encode(run_task(wire.decode(wire.body_of(wire.encode(request))), 0))
    sys.modules.pop(CANDIDATE_MODULE, None)
    linecache.cache.pop(CANDIDATE_FILENAME, None)


def _encode_reply(reply: dict[str, Any]) -> bytes:
    """Encode a job's reply; a value that is not plain data becomes an error reply."""
    try:
        return wire.encode(reply)
    except MemoryError:
        return wire.encode(
            {"status": "memory", "message": "out of memory while sending the result", "value": None}
        )
    except (TypeError, ValueError, RecursionError) as exc:
        message = f"the job's result cannot be sent back: {exc}"[:300]
        return wire.encode({"status": "error", "message": message, "value": None, "output": reply["output"]})


class Supervisor:
    """Serves job requests from the harness, one at a time, each in a fresh job process."""

    def __init__(self, requests: int, replies: int, config: dict[str, Any]) -> None:
        self._requests = requests
        self._replies = replies
        self._config = config
        self._max_frame = int(config["reply_bytes"])

    def serve(self) -> None:
        """Reply ``ready``, then run jobs until the harness closes the request pipe."""
        wire.write_all(self._replies, wire.encode({"ready": True, "pid": os.getpid(), "uid": os.getuid()}))
        spare = self._fork()
        while True:
            body = wire.read_frame(self._requests, self._max_frame)
            if body is None:
                break
            request = wire.decode(body)
            deadline = time.monotonic() + float(request["timeout"])
            active = self._dispatch(spare, request["job"])
            reply = self._supervise(active, deadline, float(request["timeout"]))
            reply["output"] = self._output_head()
            wire.write_all(self._replies, wire.encode(reply))
            # Forking the next job process only now keeps the fork off the job's CPU (a job
            # process woken while its parent forks waits for that fork to finish). The new
            # process warms up on the other core while the old one is torn down.
            spare = self._fork()
            self._cleanup(active, keep=spare.pid)
        self._cleanup(spare, keep=-1)

    def _fork(self) -> _JobProcess:
        """Fork a job process that waits for its job on a private pipe."""
        job_r, job_w = os.pipe()
        reply_r, reply_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                _job_main(job_r, reply_w, self._config)
            finally:
                os._exit(_INTERNAL_FAILURE)
        os.close(job_r)
        os.close(reply_w)
        os.set_blocking(reply_r, False)
        return _JobProcess(pid, os.pidfd_open(pid), job_w, reply_r)

    def _dispatch(self, spare: _JobProcess, job: bytes) -> _JobProcess:
        """Hand ``job`` to the spare process; fork a new one if the spare has died."""
        try:
            wire.write_all(spare.job_w, job)
            return spare
        except OSError:
            self._cleanup(spare, keep=-1)
        fresh = self._fork()
        wire.write_all(fresh.job_w, job)
        return fresh

    def _supervise(self, job: _JobProcess, deadline: float, timeout: float) -> dict[str, Any]:
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
                return self._died(job)
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

    def _died(self, job: _JobProcess) -> dict[str, Any]:
        """Report how a job process that ended without a complete reply ended."""
        _pid, status = os.waitpid(job.pid, 0)
        job.reaped = True
        code = os.waitstatus_to_exitcode(status)
        if code == -signal.SIGXCPU:
            budget = "its CPU-time budget"
            return {
                "event": "timeout",
                "detail": f"the job exceeded {budget} (killed by SIGXCPU)",
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

    def _cleanup(self, job: _JobProcess, keep: int) -> None:
        """Kill the job process and everything it left behind, sparing only the process ``keep``.

        Then empty the working directory and truncate the captured output.
        """
        for fd in (job.job_w, job.reply_r, job.pidfd):
            os.close(fd)
        if not job.reaped:  # once reaped, its pid may belong to someone else
            _kill(job.pid)
            os.waitpid(job.pid, 0)
        _kill_descendants(keep)
        _empty_directory(".")
        os.ftruncate(1, 0)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _children() -> set[int]:
    """This process's children (orphaned descendants come back here: we are a subreaper)."""
    pid = os.getpid()
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return {int(p) for p in handle.read().split()}
    except OSError:
        return set()


def _kill_descendants(keep: int) -> None:
    """SIGKILL and reap every child but ``keep`` until none is left (bounded rounds)."""
    for _ in range(100):
        victims = _children() - {keep}
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


def _start(config: dict[str, Any]) -> None:
    """Limit this process, warm it up, and drop privileges if asked."""
    apply_worker_limits(config)
    # A write past RLIMIT_FSIZE then fails with EFBIG instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    faulthandler.enable(file=sys.stderr)
    for name in config["preload"]:
        importlib.import_module(name)
    if config.get("run_as"):
        drop_privileges(config["run_as"], int(config["processes"]))
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)
    # Keep the warm heap out of the collector's reach so that forks stay copy-on-write.
    gc.collect()
    gc.freeze()


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m cwmb.sandbox.worker --requests FD --replies FD --config JSON``."""
    parser = argparse.ArgumentParser(prog="cwmb.sandbox.worker")
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--replies", type=int, required=True)
    parser.add_argument("--config", required=True)
    args = parser.parse_args(argv)
    config = json.loads(args.config)
    try:
        _start(config)
    except BaseException as exc:
        message = f"worker start-up failed: {type(exc).__name__}: {exc}"[:500]
        wire.write_all(args.replies, wire.encode({"ready": False, "message": message}))
        return 1
    Supervisor(args.requests, args.replies, config).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
