"""Resource limits for sandbox workers, and the stripped environment they start with.

The harness builds a :class:`Limits` and the worker applies it to itself at start-up,
before it imports anything or runs any program (``apply_worker_limits``). Limits are set
by the worker rather than by a ``preexec_fn`` because the harness may have threads, and
``preexec_fn`` is not safe then.
"""

from __future__ import annotations

import math
import os
import resource
from dataclasses import asdict, dataclass, field
from typing import Any

MiB = 1024 * 1024
GiB = 1024 * MiB
ISOLATION_MODES = ("standard", "strict")
SKIPPABLE_LAYERS = ("namespaces", "landlock", "seccomp")


def default_run_as() -> str | None:
    """The user jobs run as when the harness is root: ``$CWMB_RUN_AS``, else ``nobody``."""
    value = os.environ.get("CWMB_RUN_AS", "nobody").strip()
    return None if value in ("", "none", "root") else value


def default_isolation() -> str:
    """``$CWMB_ISOLATION`` (``standard`` or ``strict``), else ``standard``."""
    return os.environ.get("CWMB_ISOLATION", "standard").strip() or "standard"


# Variables a Python interpreter needs. Everything else, API keys and credentials
# included, is left out: an allowlist cannot forget a new secret's name.
_PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ")


@dataclass(frozen=True)
class Limits:
    """Per-worker resource limits and capture caps.

    ``memory_bytes`` is RLIMIT_AS (address space; numpy + gymnasium need 256-512 MiB).
    ``cpu_seconds`` is the CPU-time budget of one job; None means the job's wall-clock
    timeout rounded up, plus one second. ``file_bytes`` (RLIMIT_FSIZE) caps any file the
    program writes, including its raw stdout/stderr. ``open_files`` is RLIMIT_NOFILE.
    ``output_chars`` is how much printed output is kept per job; ``reply_bytes`` the
    largest reply the harness accepts. ``run_as`` names the unprivileged user the worker
    switches to after start-up when the harness runs as root (default ``nobody``, or
    ``$CWMB_RUN_AS``; None or ``""`` keeps root); ``processes`` (RLIMIT_NPROC) is applied
    only together with ``run_as``, because it counts every process of the user.
    ``disk_bytes`` and ``disk_files`` cap the private directory (a tmpfs where user
    namespaces exist). ``isolation`` is ``standard`` (run with the layers this machine
    has, and say which are missing) or ``strict`` (refuse to start without all of them);
    default ``$CWMB_ISOLATION`` or ``standard``. ``skip_layers`` leaves layers out (one of
    :data:`SKIPPABLE_LAYERS`), to see how cwmb behaves on a machine without them.
    """

    memory_bytes: int = 1 * GiB
    cpu_seconds: float | None = None
    file_bytes: int = 16 * MiB
    open_files: int = 128
    output_chars: int = 8192
    reply_bytes: int = 256 * MiB
    run_as: str | None = field(default_factory=lambda: default_run_as())
    processes: int = 256
    disk_bytes: int = 64 * MiB
    disk_files: int = 4096
    isolation: str = field(default_factory=lambda: default_isolation())
    skip_layers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.isolation not in ISOLATION_MODES:
            raise ValueError(f"isolation must be one of {ISOLATION_MODES}, not {self.isolation!r}")
        unknown = set(self.skip_layers) - set(SKIPPABLE_LAYERS)
        if unknown:
            raise ValueError(f"skip_layers: unknown {sorted(unknown)}; known: {SKIPPABLE_LAYERS}")

    def cpu_budget(self, timeout: float) -> int:
        """Whole CPU seconds one job may use, for a job with this wall-clock timeout."""
        if self.cpu_seconds is not None:
            return max(1, math.ceil(self.cpu_seconds))
        return max(1, math.ceil(timeout)) + 1

    def to_config(self) -> dict[str, Any]:
        """Plain-data form sent to the worker on its command line."""
        return {**asdict(self), "skip_layers": list(self.skip_layers)}


def worker_environment(home: str) -> dict[str, str]:
    """The environment a worker starts with: what Python needs, nothing secret.

    ``home`` becomes HOME and TMPDIR, so that anything a program writes by default lands
    in the worker's private directory. BLAS libraries are held to one thread, which also
    makes forking the worker safe and keeps two workers from fighting over two cores.
    """
    env = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    env.setdefault("PATH", "/usr/bin:/bin")
    env.update(
        HOME=home,
        TMPDIR=home,
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONNOUSERSITE="1",
        PYTHONSAFEPATH="1",
        PYTHONUNBUFFERED="1",
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    return env


def _set_limit(which: int, value: int) -> None:
    """Set soft and hard limit to ``value``, never above an existing hard limit."""
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def apply_worker_limits(config: dict[str, Any]) -> None:
    """Apply the memory, file-size, open-file and core-dump limits to this process.

    Runs in the worker, before any program. The CPU limit is set later, per job, in the
    process that runs the job, since RLIMIT_CPU counts a process's whole life.
    """
    _set_limit(resource.RLIMIT_AS, int(config["memory_bytes"]))
    _set_limit(resource.RLIMIT_FSIZE, int(config["file_bytes"]))
    _set_limit(resource.RLIMIT_NOFILE, int(config["open_files"]))
    _set_limit(resource.RLIMIT_CORE, 0)


def set_job_cpu_limit(seconds: int) -> None:
    """Allow this process ``seconds`` more CPU time: SIGXCPU then, SIGKILL a second later."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = math.ceil(usage.ru_utime + usage.ru_stime)
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft_new = used + seconds
    hard_new = soft_new + 1
    if hard != resource.RLIM_INFINITY:
        hard_new = min(hard_new, hard)
        soft_new = min(soft_new, hard_new)
    resource.setrlimit(resource.RLIMIT_CPU, (soft_new, hard_new))


def drop_privileges(user: str, processes: int) -> None:
    """Switch this (root) process to ``user`` for good, with no supplementary groups.

    Also caps the user's process count (RLIMIT_NPROC), which is meaningful only for a
    user that runs nothing else. Does nothing when not root.
    """
    if os.geteuid() != 0:
        return
    import pwd

    entry = pwd.getpwnam(user)
    _set_limit(resource.RLIMIT_NPROC, processes)
    os.setgroups([])
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)
