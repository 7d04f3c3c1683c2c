"""The trusted code that runs an APPS candidate on its tests, inside a sandbox job process.

It receives only the tests' *inputs* (never the expected outputs, so a program cannot
read its answers from memory) and returns, per test, what the program printed (or
returned, for call-based problems) and how it ended. The harness compares the outputs
(:mod:`cwmb.apps.compare`).

Per test, the program's top level runs afresh as ``__main__`` in a new namespace, with
``sys.stdin`` (and file descriptor 0, for ``open(0)``) holding the test's input and
``sys.stdout`` a capped in-memory capture. A per-test timer raises :class:`TestTimeout`
in the program, repeatedly, so a bare ``except:`` cannot swallow it for long; tests not
started before the per-program budget is spent are reported as timeouts without being
run. The sandbox's job timeout (set by the harness a little above the budget) stops a
program that survives all of that.

Results: ``ok`` (it ran; the harness judges the output), ``runtime_error`` (with the
cleaned message), ``timeout``, ``compile_error`` (the program does not compile; every
test gets it).
"""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import linecache
import os
import signal
import sys
import threading
import time
from typing import Any

from cwmb.sandbox.program import CANDIDATE_FILENAME, ProgramError, compile_program, describe_exception

_REARM_S = 0.05  # the timer fires again every 50 ms until the program lets the exception out


class TestTimeout(BaseException):
    """Raised inside the program when its test's time is up."""

    __test__ = False  # not a pytest test class


class _CappedBytes(io.RawIOBase):
    """A writable byte sink keeping the first ``cap`` bytes and counting the rest."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap
        self.kept = bytearray()
        self.dropped = 0

    def writable(self) -> bool:
        """Always writable."""
        return True

    def write(self, data: Any) -> int:
        """Keep what fits under the cap."""
        chunk = bytes(data)
        room = max(self.cap - len(self.kept), 0)
        self.kept += chunk[:room]
        self.dropped += len(chunk) - min(len(chunk), room)
        return len(chunk)


def _raise_timeout(signum: int, frame: Any) -> None:
    raise TestTimeout("the test's time limit was reached")


@contextlib.contextmanager
def _timer(seconds: float):
    previous = signal.signal(signal.SIGALRM, _raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001), _REARM_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _feed_fd0(data: bytes) -> None:
    """Make file descriptor 0 read ``data`` too (programs use ``open(0)`` and ``os.read(0, n)``)."""
    try:
        fd = os.memfd_create("stdin")
    except (AttributeError, OSError):
        return
    try:
        os.write(fd, data)
        os.lseek(fd, 0, os.SEEK_SET)
        if fd != 0:  # the program closed fd 0 on an earlier test, so the new file already got it
            os.dup2(fd, 0)
    except OSError:
        pass
    finally:
        if fd != 0:
            os.close(fd)


def _join_threads(started: set[threading.Thread], deadline: float) -> None:
    """Wait for the non-daemon threads the program started (programs run ``main`` in a thread)."""
    for thread in threading.enumerate():
        if thread not in started and not thread.daemon:
            thread.join(max(deadline - time.monotonic(), 0.0))
            if thread.is_alive():
                raise TestTimeout("a thread the program started was still running")


def _call(namespace: dict[str, Any], fn_name: str, raw_args: str) -> str:
    """Call the program's ``fn_name`` (a ``Solution`` method if there is one); its result as JSON."""
    solution = namespace.get("Solution")
    target = (
        getattr(solution(), fn_name) if isinstance(solution, type) and hasattr(solution, fn_name) else None
    )
    target = target or namespace.get(fn_name)
    if not callable(target):
        raise ProgramError(f"the program defines no function `{fn_name}` (nor a method `Solution.{fn_name}`)")
    args = json.loads(raw_args)
    value = target(*(args if isinstance(args, list) else [args]))
    try:
        return json.dumps(value, default=_plain, allow_nan=True)
    except (TypeError, ValueError) as problem:
        raise ProgramError(f"`{fn_name}` returned a value that is not plain data: {problem}") from None


def _plain(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    raise TypeError(f"a {type(value).__name__} is not plain data")


def _run_one(
    code: Any, source: str, test_input: Any, request: dict[str, Any], seconds: float
) -> dict[str, Any]:
    """Run the program on one test; the result record (status, output, message, truncated)."""
    fn_name = request.get("fn_name")
    stdin_text = "" if fn_name else str(test_input)
    data = stdin_text.encode("utf-8")
    _feed_fd0(data)
    sink = _CappedBytes(int(request["output_bytes"]))
    out = io.TextIOWrapper(io.BufferedWriter(sink), encoding="utf-8", errors="replace", write_through=True)
    saved_in, saved_out = sys.stdin, sys.stdout
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace")
    sys.stdout = out
    namespace: dict[str, Any] = {
        "__name__": "__main__",
        "__builtins__": builtins,
        "__file__": CANDIDATE_FILENAME,
    }
    started = set(threading.enumerate())
    status, message, returned = "ok", "", ""
    try:
        with _timer(seconds):
            deadline = time.monotonic() + seconds
            try:
                exec(code, namespace)
            except SystemExit as stop:
                if stop.code not in (None, 0):
                    raise
            _join_threads(started, deadline)
            if fn_name:
                returned = _call(namespace, fn_name, str(test_input))
    except TestTimeout:
        status, message = "timeout", f"the test took longer than its {seconds:g} s limit"
    except ProgramError as problem:
        status, message = "runtime_error", problem.message
    except BaseException as problem:  # the program's own exceptions, SystemExit(1) included
        status, message = "runtime_error", _describe(problem, source)
    finally:
        with contextlib.suppress(BaseException):
            out.flush()
        sys.stdin, sys.stdout = saved_in, saved_out
    printed = bytes(sink.kept).decode("utf-8", errors="replace")
    return {
        "status": status,
        "output": returned if fn_name else printed,
        "message": message,
        "truncated": sink.dropped > 0,
    }


def _describe(problem: BaseException, source: str) -> str:
    try:
        return describe_exception(problem, source, "running the program on the test")[:1000]
    except BaseException:
        return f"{type(problem).__name__} (its message could not be shown)"


def run_tests(request: dict[str, Any], phase: Any) -> dict[str, Any]:
    """Run the program on every test input of ``request``; ``{"results": [...]}``, one record per test.

    ``request`` holds ``source``, ``inputs`` (stdin texts, or JSON argument lists when
    ``fn_name`` is set), ``test_timeout_s``, ``budget_s`` and ``output_bytes``.
    """
    source, inputs = request["source"], request["inputs"]
    started = time.monotonic()
    try:
        code = compile_program(source)
    except ProgramError as problem:
        return {"results": [_record("compile_error", problem.message) for _ in inputs]}
    linecache.cache[CANDIDATE_FILENAME] = (len(source), None, source.splitlines(True), CANDIDATE_FILENAME)
    results = []
    budget_end = started + float(request["budget_s"])
    for index, test_input in enumerate(inputs):
        phase.now = f"running test {index}"
        left = budget_end - time.monotonic()
        if left <= 0:
            budget = float(request["budget_s"])
            results.append(
                _record("timeout", f"not run: the program's time budget of {budget:g} s was spent")
            )
            continue
        seconds = min(float(request["test_timeout_s"]), left)
        result = _run_one(code, source, test_input, request, seconds)
        if result["status"] == "timeout" and seconds < float(request["test_timeout_s"]):
            result["message"] = f"the program's time budget of {float(request['budget_s']):g} s ran out"
        results.append(result)
    return {"results": results}


def _record(status: str, message: str) -> dict[str, Any]:
    return {"status": status, "output": "", "message": message, "truncated": False}
