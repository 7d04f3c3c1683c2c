"""The sandbox job that runs an APPS candidate on its tests: inputs in, outputs out, never the answers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

RESULT_STATUSES = ("ok", "runtime_error", "timeout", "compile_error")
_MAX_MESSAGE = 1000


@dataclass(frozen=True)
class RunOutput:
    """What one test run produced: ``status`` (see :data:`RESULT_STATUSES`), the output and a message.

    ``output`` is the program's stdout (stdin/stdout problems) or the JSON text of the
    value it returned (call-based ones); ``truncated`` says the output hit the cap.
    """

    status: str
    output: str
    message: str
    truncated: bool


@dataclass(frozen=True, eq=False)
class AppsRunJob:
    """Run ``source`` once per test input (see :func:`cwmb.apps.runner.run_tests`).

    ``inputs`` are stdin texts, or for a call-based problem (``fn_name`` set) the
    argument lists, sent as JSON text. The expected outputs are not part of the job.
    """

    source: str
    inputs: Sequence[Any]
    fn_name: str | None = None
    test_timeout_s: float = 4.0
    budget_s: float = 20.0
    output_bytes: int = 1 << 20

    def __post_init__(self) -> None:
        if self.test_timeout_s <= 0 or self.budget_s <= 0 or self.output_bytes < 1:
            raise ValueError("test_timeout_s, budget_s and output_bytes must be positive")

    def request(self) -> dict[str, Any]:
        """The job as plain data for the worker."""
        inputs = [json.dumps(i) for i in self.inputs] if self.fn_name else [str(i) for i in self.inputs]
        return {
            "kind": "apps_run",
            "source": self.source,
            "inputs": inputs,
            "fn_name": self.fn_name,
            "test_timeout_s": float(self.test_timeout_s),
            "budget_s": float(self.budget_s),
            "output_bytes": int(self.output_bytes),
        }

    def parse(self, value: Any) -> tuple[RunOutput, ...]:
        """One :class:`RunOutput` per test; ValueError on anything else."""
        results = value.get("results") if isinstance(value, dict) else None
        if not isinstance(results, list) or len(results) != len(self.inputs):
            raise ValueError("apps reply is not a list with one result per test")
        parsed = []
        for item in results:
            if not isinstance(item, dict) or item.get("status") not in RESULT_STATUSES:
                raise ValueError("apps reply holds a malformed test result")
            output, message, truncated = item.get("output"), item.get("message"), item.get("truncated")
            if not isinstance(output, str) or not isinstance(message, str) or not isinstance(truncated, bool):
                raise ValueError("apps reply holds a test result with fields of the wrong type")
            parsed.append(RunOutput(item["status"], output, message[:_MAX_MESSAGE], truncated))
        return tuple(parsed)
