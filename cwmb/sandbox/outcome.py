"""The typed result of one sandbox job: what happened, and the value when it worked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

T = TypeVar("T")

Status = Literal["ok", "error", "timeout", "memory", "crashed"]

STATUSES: tuple[Status, ...] = ("ok", "error", "timeout", "memory", "crashed")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """How a job ended.

    ``status`` is one of:

    - ``ok``: the job ran to the end; ``value`` holds its result.
    - ``error``: the generated program raised (or could not be loaded); ``message`` names
      the program line that raised and the exception, ready for a "fix" prompt.
    - ``timeout``: the job exceeded its wall-clock timeout or its CPU-time budget.
    - ``memory``: the program exceeded the worker's memory limit.
    - ``crashed``: the job's process died (segfault, ``os._exit``, killed) or broke the
      reply protocol.

    ``output`` is the head of what the program printed (capped); ``seconds`` the wall
    time the harness waited.
    """

    status: Status
    value: T | None = None
    message: str = ""
    output: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the job ran to the end and ``value`` is set."""
        return self.status == "ok"
