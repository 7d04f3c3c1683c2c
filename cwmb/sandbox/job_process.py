"""The body of one sandbox job process: harden, warm up, wait for one job, run it, reply.

A job process is forked by the worker's supervisor (:mod:`cwmb.sandbox.worker`) before its
job arrives, alone in a new PID namespace where the machine allows it. It closes every
descriptor but its own two pipes, enters its own Landlock domain and drops its
capabilities, runs a dummy job to warm its copy-on-write pages, and waits. When the
request comes it sets its CPU budget, adds the job's seccomp filter and runs the task.
Its reply carries the job's id and nonce, so a reply cannot be passed off for another job.
"""

from __future__ import annotations

import linecache
import os
import signal
import sys
from typing import Any, NoReturn

import numpy as np

from cwmb.sandbox import wire
from cwmb.sandbox.isolation import WorkerHardening
from cwmb.sandbox.limits import set_job_cpu_limit
from cwmb.sandbox.program import CANDIDATE_FILENAME, CANDIDATE_MODULE
from cwmb.sandbox.syscalls import PR_SET_PDEATHSIG, prctl
from cwmb.sandbox.tasks import run_task

INTERNAL_FAILURE = 70


class Capture:
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


def close_fds_except(keep: tuple[int, ...]) -> None:
    """Close every fd above 2 that is not in ``keep``."""
    low = 3
    for fd in sorted(keep):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 65536)


def job_main(
    job_r: int, reply_w: int, config: dict[str, Any], hardening: WorkerHardening, warm: bool = True
) -> NoReturn:
    """Body of a job process: (warm up if ``warm``,) wait for one job, run it, reply, exit."""
    close_fds_except((job_r, reply_w))
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    hardening.harden_job()
    if warm:
        _warm_up()
    body = wire.read_frame(job_r, int(config["reply_bytes"]))
    if body is None:  # the supervisor is shutting down
        os._exit(0)
    request = wire.decode(body)
    identity = {"job_id": request.pop("job_id", None), "nonce": request.pop("nonce", None)}
    set_job_cpu_limit(int(request["cpu_seconds"]))
    hardening.seal_job()
    capture = Capture(int(config["output_chars"]))
    sys.stdout = sys.stderr = capture  # type: ignore[assignment]
    reply = run_task(request, int(config["memory_bytes"]))
    reply["output"] = capture.text()
    wire.write_all(reply_w, _encode_reply({**reply, **identity}))
    # Exiting at once tears the address space down while the supervisor forwards the
    # reply, so that the supervisor finds a zombie to reap instead of waiting for it.
    os._exit(0)


_WARM_UP_PROGRAM = """
import math

import numpy as np


class Environment:
    def __init__(self):
        self.state = np.zeros(3)

    def set_state(self, state):
        self.state = np.asarray(state, dtype=np.float64)

    def step(self, action):
        x, y, z = self.state
        c, s = math.cos(x), math.sin(y)
        nxt = np.clip(np.array([x + 0.1 * c, y - s, z * 2.0]), -1.0, 1.0)
        done = bool(abs(x) > 2.4 or abs(z) > 0.5)
        return nxt.astype(np.float32), float(np.square(action).sum()), done
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
    identity = {"job_id": reply.get("job_id"), "nonce": reply.get("nonce")}
    try:
        return wire.encode(reply)
    except MemoryError:
        return wire.encode(
            {
                "status": "memory",
                "message": "out of memory while sending the result",
                "value": None,
                **identity,
            }
        )
    except (TypeError, ValueError, RecursionError) as exc:
        message = f"the job's result cannot be sent back: {exc}"[:300]
        return wire.encode(
            {"status": "error", "message": message, "value": None, "output": reply["output"], **identity}
        )
