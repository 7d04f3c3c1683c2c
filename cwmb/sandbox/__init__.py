"""The sandbox: the only place generated code (a "code world model") ever runs.

Generated programs run in pre-started worker processes with resource limits, a private
directory, an environment without credentials and a wall-clock timeout per job; every
result comes back as plain data in a typed :class:`Outcome`. See ``docs/sandbox.md`` for
what this isolation does and does not protect against.

Typical use::

    from cwmb.sandbox import PredictJob, WorkerPool

    with WorkerPool(size=2) as pool:
        outcome = pool.run(PredictJob(source, "box", "discrete", states, actions), timeout=10.0)
        if outcome.ok:
            predictions = outcome.value
"""

from cwmb.sandbox.jobs import ActionKind, CallJob, CheckJob, Job, ObsKind, PredictJob
from cwmb.sandbox.limits import GiB, Limits, MiB
from cwmb.sandbox.outcome import STATUSES, Outcome, Status
from cwmb.sandbox.pool import DEFAULT_PRELOAD, SandboxStartError, WorkerPool

__all__ = [
    "DEFAULT_PRELOAD",
    "STATUSES",
    "ActionKind",
    "CallJob",
    "CheckJob",
    "GiB",
    "Job",
    "Limits",
    "MiB",
    "ObsKind",
    "Outcome",
    "PredictJob",
    "SandboxStartError",
    "Status",
    "WorkerPool",
]
