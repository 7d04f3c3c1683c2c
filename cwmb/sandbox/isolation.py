"""Kernel-enforced isolation of sandbox workers and jobs: which layers, applied in which order.

Threat model: a job runs a program written by an adversary, as the harness's user (often
root). It must not read the answers (datasets, hidden tests, the harness's memory), reach
the supervisor's pipes or the harness, write outside its private directory, see
credentials, open network connections, outlive its job or raise its limits. Python-level
guards cannot hold against that; these kernel mechanisms do, each detected and reported:

===========  ==========================================================================
uid          when the harness is root, the worker switches to ``run_as`` (``nobody``)
userns       user, mount, network, IPC, UTS and PID namespaces per worker
pid          a PID namespace per job: the harness and supervisor are invisible, and
             killing the job's PID 1 kills every process it started, detached or not
net          the worker's network namespace has no interface up
tmpfs        the private directory is a tmpfs capped in bytes and files
landlock fs  reads only the standard library and numpy; writes only the private directory
landlock tcp no TCP bind or connect (ABI >= 4)
signals      no signal to any process outside the job's Landlock domain (ABI >= 6)
seccomp      no ptrace, sockets, bpf, keyrings, mounts, namespaces or rlimit changes
===========  ==========================================================================

The worker reports what it applied in its ready message (:class:`IsolationReport`); the
harness refuses to run in ``strict`` mode when any layer is missing.
"""

from __future__ import annotations

import os
import pwd
import signal
import sys
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from cwmb.sandbox import landlock, namespaces, seccomp
from cwmb.sandbox.syscalls import PR_SET_DUMPABLE, drop_capabilities, prctl

CPU_EXHAUSTED_EXIT = 152  # 128 + SIGXCPU: how a job process reports a spent CPU budget


@dataclass(frozen=True)
class IsolationReport:
    """Which isolation layers a worker enforces; ``notes`` say why a layer is missing."""

    uid: int = -1
    user: str = "?"
    user_ns: bool = False
    pid_ns: bool = False
    net_ns: bool = False
    tmpfs: bool = False
    landlock_abi: int = 0
    landlock_fs: bool = False
    landlock_tcp: bool = False
    landlock_signals: bool = False
    seccomp: bool = False
    notes: tuple[str, ...] = ()

    @property
    def unprivileged(self) -> bool:
        """True unless jobs run as root outside any user namespace."""
        return self.uid != 0 or self.user_ns

    def missing(self) -> list[str]:
        """The layers that are not active, by name."""
        wanted = {
            "unprivileged uid": self.uid != 0,
            "user namespace": self.user_ns,
            "pid namespace": self.pid_ns,
            "network namespace": self.net_ns,
            "tmpfs work dir": self.tmpfs,
            "landlock fs": self.landlock_fs,
            "landlock tcp": self.landlock_tcp,
            "landlock signals": self.landlock_signals,
            "seccomp": self.seccomp,
        }
        return [name for name, active in wanted.items() if not active]

    def summary(self) -> str:
        """One line: ``landlock 7: fs, tcp, signals; userns: pid, net, tmpfs; seccomp: on; uid: nobody``."""
        lock = [name for name, on in (("fs", self.landlock_fs), ("tcp", self.landlock_tcp)) if on]
        lock += ["signals"] if self.landlock_signals else []
        landlock_text = (
            f"landlock {self.landlock_abi}: {', '.join(lock) or 'none'}"
            if self.landlock_abi
            else "landlock: off"
        )
        ns = [name for name, on in (("pid", self.pid_ns), ("net", self.net_ns), ("tmpfs", self.tmpfs)) if on]
        ns_text = f"userns: {', '.join(ns) or 'none'}" if self.user_ns else "userns: off"
        return f"{landlock_text}; {ns_text}; seccomp: {'on' if self.seccomp else 'off'}; uid: {self.user}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the wire and for run records."""
        return {**asdict(self), "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, data: Any) -> IsolationReport:
        """Parse what a worker sent (unknown or malformed fields are ignored)."""
        if not isinstance(data, dict):
            return cls(notes=("the worker sent no isolation report",))
        known = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name == "notes" and isinstance(value, list):
                values[name] = tuple(str(v) for v in value)
            elif name in known and isinstance(value, (bool, int, str)) and name != "notes":
                values[name] = value
        return cls(**values)


def readable_paths() -> tuple[str, ...]:
    """What a job may read: the standard library, numpy, and a few harmless device files.

    Not the project, the datasets, the package (whose reference models are answers), other
    site-packages (gymnasium would be the true environment), /proc or any home directory.
    """
    # sysconfig would import its data module lazily, which an unprivileged uid may not read.
    stdlib = os.path.dirname(os.path.realpath(os.__file__))
    paths = {stdlib, os.path.join(stdlib, "lib-dynload")}
    numpy_module = sys.modules.get("numpy")
    if numpy_module is not None and getattr(numpy_module, "__file__", None):
        numpy_dir = os.path.dirname(os.path.realpath(numpy_module.__file__))
        paths.update({numpy_dir, numpy_dir + ".libs", os.path.join(os.path.dirname(numpy_dir), "numpy.libs")})
    paths.update({"/dev/null", "/dev/zero", "/dev/urandom", "/etc/localtime", "/usr/share/zoneinfo"})
    return tuple(sorted(p for p in paths if os.path.exists(p)))


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


class WorkerHardening:
    """Applies the worker-wide layers at start-up and the per-job layers in each job process."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config
        self._notes: list[str] = []
        self.report = IsolationReport()
        self.forker: namespaces.PidNamespaceForker | None = None
        self.children_fd = -1
        self._job_filter: seccomp.Prepared | None = None

    def _try(self, layer: str, action: Any) -> bool:
        if layer.split()[0] in self._config.get("skip_layers", ()):
            self._notes.append(f"{layer}: skipped on request")
            return False
        try:
            action()
            return True
        except OSError as exc:
            self._notes.append(f"{layer}: {exc.strerror or exc}")
            return False

    def apply(self, home: str, protocol_fds: tuple[int, int]) -> IsolationReport:
        """Harden this (single-threaded, already limited and warm) worker; return what holds.

        Must run after the preload imports and after any privilege drop. May fork: the
        caller continues in the child, PID 1 of the worker's PID namespace.
        """
        uid = os.getuid()
        user = _user_name(uid)  # /etc/passwd is out of reach once Landlock is on
        userns = self._try("namespaces", namespaces.enter_worker_namespaces)
        if userns:
            namespaces.become_init(close_in_parent=protocol_fds)
            self.forker = namespaces.PidNamespaceForker()
        # The supervisor lists its children here; /proc is out of reach once Landlock is on.
        self.children_fd = os.open("/proc/thread-self/children", os.O_RDONLY | os.O_CLOEXEC)
        net = userns and namespaces.network_is_isolated()
        tmpfs = userns and self._try("tmpfs", lambda: self._mount_home(home))
        self._try("dumpable", lambda: prctl(PR_SET_DUMPABLE, 0))
        enforced = self._landlock(home)
        sec = self._try("seccomp", lambda: seccomp.install(seccomp.build(seccomp.SUPERVISOR)))
        if sec:
            self._job_filter = seccomp.Prepared(seccomp.build(seccomp.JOB, job_rules=True))
        self.report = IsolationReport(
            uid=uid,
            user=user,
            user_ns=userns,
            pid_ns=self.forker is not None,
            net_ns=net,
            tmpfs=tmpfs,
            landlock_abi=enforced.abi if enforced else landlock.abi_version(),
            landlock_fs=bool(enforced and enforced.filesystem),
            landlock_tcp=bool(enforced and enforced.tcp),
            landlock_signals=bool(enforced and enforced.signals),
            seccomp=sec,
            notes=tuple(self._notes),
        )
        return self.report

    def _mount_home(self, home: str) -> None:
        namespaces.private_tmpfs(home, int(self._config["disk_bytes"]), int(self._config["disk_files"]))
        os.chdir(home)

    def _landlock(self, home: str) -> landlock.Enforced | None:
        policy = landlock.Policy(read=readable_paths(), write=(home, "/dev/null"))
        enforced: list[landlock.Enforced] = []
        self._try("landlock", lambda: enforced.append(landlock.restrict(policy)))
        return enforced[0] if enforced else None

    def fork_job(self) -> int:
        """Fork a job process, alone in a new PID namespace when the worker has one."""
        return self.forker.fork() if self.forker is not None else os.fork()

    def harden_job(self) -> None:
        """In a fresh job process: own session, own Landlock domain, no capabilities."""
        if self.report.pid_ns:
            os.setsid()  # kill(0, ...) now reaches this job's processes only
        if self.report.landlock_signals:
            # A nested domain: the job can no longer signal the supervisor's domain.
            landlock.restrict(landlock.Policy(filesystem=False, deny_tcp=False, scope=True))
        if self.report.user_ns:
            drop_capabilities()
        # As PID 1 of its namespace, a job ignores signals it has no handler for, SIGXCPU included.
        signal.signal(signal.SIGXCPU, _cpu_exhausted)

    def seal_job(self) -> None:
        """Last step before the program runs (after the job's CPU limit is set)."""
        if self._job_filter is not None:
            self._job_filter.install()


def _cpu_exhausted(_signum: int, _frame: object) -> None:
    os._exit(CPU_EXHAUSTED_EXIT)


def degrade(report: IsolationReport, note: str) -> IsolationReport:
    """``report`` with one more note (used by the harness for start-up problems)."""
    return replace(report, notes=(*report.notes, note))
