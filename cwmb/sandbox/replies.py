"""Reading a worker's reply to one job: whose it is, how the job ended, and its value.

A reply is untrusted: the job process that wrote its inner part ran generated code. It is
decoded once, with the strict plain-data decoder, and must carry the job's id and the
nonce the harness sent; anything else is a :class:`ForeignReply` and costs the worker.
"""

from __future__ import annotations

import re
import signal
from typing import Any, TypeVar

from cwmb.sandbox import wire
from cwmb.sandbox.jobs import Job
from cwmb.sandbox.outcome import Outcome
from cwmb.sandbox.program import CANDIDATE_FILENAME, shorten, source_line

T = TypeVar("T")

_FAULT_LINE = re.compile(r'File "' + re.escape(CANDIDATE_FILENAME) + r'", line (\d+) in (\w+)')


class ForeignReply(Exception):
    """The reply is not this job's (wrong id or nonce, or unreadable): replace the worker."""


def describe_exit(code: int) -> str:
    """'was killed by SIGSEGV (Segmentation fault)' or 'exited with code 3'."""
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else f"signal {-code}"
        return f"was killed by {name} ({signal.strsignal(-code) or 'unknown'})"
    return f"exited with code {code}"


def _crash_message(reply: dict[str, Any], source: str | None, output: str) -> str:
    """Say how the job process died, and where in the program if faulthandler told us."""
    detail = str(reply.get("detail") or "")
    code = reply.get("exit_code")
    if not detail and isinstance(code, int):
        detail = f"the job process {describe_exit(code)} before it finished"
        if code >= 0:
            detail += " (the program called os._exit() or similar)"
    match = _FAULT_LINE.search(output)
    if match and source is not None:
        lineno = int(match.group(1))
        detail += f"\nLast line of the program running: line {lineno} (in `{match.group(2)}`)"
        text = source_line(source, lineno)
        detail += f": `{shorten(text, 200)}`" if text else ""
    return detail or "the job process crashed"


def _job_part(reply: dict[str, Any], job_id: int, nonce: str) -> dict[str, Any] | None:
    """The job process's own reply, decoded, once its id and nonce are checked (None if it died)."""
    if reply.get("job_id") != job_id:
        raise ForeignReply("the worker replied for another job (job id mismatch); it was replaced")
    if reply.get("event") != "replied":
        return None
    try:
        inner = wire.decode(reply["child"])
    except (wire.WireError, KeyError, TypeError) as exc:
        raise ForeignReply(f"the job sent a malformed reply: {exc}"[:300]) from None
    if not isinstance(inner, dict) or inner.get("job_id") != job_id or inner.get("nonce") != nonce:
        raise ForeignReply("the job's reply does not carry this job's id and nonce; the worker was replaced")
    return inner


def interpret(job: Job[T], reply: dict[str, Any], job_id: int, nonce: str) -> Outcome[T]:
    """Turn the worker's reply into an Outcome, parsing the job's value strictly.

    Raises :class:`ForeignReply` when the reply is not this job's.
    """
    inner = _job_part(reply, job_id, nonce)
    event, output = reply.get("event"), str(reply.get("output") or "")
    if event == "timeout":
        return Outcome("timeout", message=str(reply.get("detail", "")), output=output)
    if inner is None:
        return Outcome("crashed", message=_crash_message(reply, job.source, output), output=output)
    try:
        status = inner["status"]
        printed = str(inner.get("output") or "")
        output = printed + ("\n" if printed and output else "") + output
        message = shorten(str(inner.get("message") or ""), 1200)
        if status == "ok":
            return Outcome("ok", value=job.parse(inner["value"]), output=output)
        if status in ("error", "memory"):
            return Outcome(status, message=message, output=output)
        raise ValueError(f"unknown status {status!r}")
    except (KeyError, TypeError, ValueError) as exc:
        return Outcome("crashed", message=f"the job sent a malformed reply: {exc}"[:300], output=output)
