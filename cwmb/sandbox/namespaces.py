"""Linux namespaces for sandbox workers: one user namespace per worker, one PID namespace per job.

At start-up a worker (already unprivileged when the harness is root) moves into new user,
mount, network, IPC, UTS and PID namespaces (:func:`enter_worker_namespaces`). Inside the
user namespace it holds capabilities over those namespaces only, never over the host. The
network namespace has no interface that is up, so no packet leaves it, not even to
127.0.0.1. The first process forked after that is PID 1 of the new PID namespace and
becomes the supervisor (:func:`become_init`); its parent only waits and passes on how it
ended.

Each job process is then forked into a PID namespace of its own
(:meth:`PidNamespaceForker.fork`): it sees no process but its own descendants, and when it
is killed the kernel kills every process in its namespace, detached or not. The worker's
private directory becomes a size- and inode-capped tmpfs (:func:`private_tmpfs`), so a job
cannot fill the disk or leave files on it.
"""

from __future__ import annotations

import os
import signal
from typing import NoReturn

from cwmb.sandbox.syscalls import (
    CLONE_NEWIPC,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWPID,
    CLONE_NEWUSER,
    CLONE_NEWUTS,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_REC,
    PR_SET_DUMPABLE,
    PR_SET_PDEATHSIG,
    mount,
    prctl,
    setns,
    unshare,
)

WORKER_NAMESPACES = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def enter_worker_namespaces() -> None:
    """Move this single-threaded process into new user, mount, net, IPC, UTS and PID namespaces.

    The user namespace maps uid and gid 0 inside to this process's uid and gid outside (and
    nothing else), with setgroups denied. Raises OSError when the kernel refuses (user
    namespaces disabled, or a container that forbids them).
    """
    uid, gid = os.getuid(), os.getgid()
    # A uid change (root -> nobody) made the process non-dumpable, which makes its own
    # /proc/self/uid_map root's; dumpable again, it may write it. The caller resets it.
    prctl(PR_SET_DUMPABLE, 1)
    unshare(WORKER_NAMESPACES)
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"0 {uid} 1")
    _write("/proc/self/gid_map", f"0 {gid} 1")


def become_init(close_in_parent: tuple[int, ...]) -> None:
    """Fork; the child returns as PID 1 of the new PID namespace, the parent waits for it.

    The parent closes ``close_in_parent`` (the protocol pipes, so that the harness sees the
    child's end as end of file), waits, and ends the way the child ended. The child dies with the
    parent (parent-death signal), taking the whole namespace with it.
    """
    pid = os.fork()
    if pid == 0:
        # If the parent is killed first, the harness kills the process group (ours too).
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        return
    for fd in close_in_parent:
        os.close(fd)
    _wait_and_mirror(pid)


def _wait_and_mirror(pid: int) -> NoReturn:
    """Wait for ``pid``, then exit with its exit code or die by its signal."""
    while True:
        try:
            _pid, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def private_tmpfs(path: str, size_bytes: int, inodes: int) -> None:
    """Mount a fresh tmpfs of at most ``size_bytes`` and ``inodes`` files on ``path``.

    Mount events are made private first so that nothing propagates back to the host. The
    caller must ``chdir`` into ``path`` again afterwards: its old working directory is the
    directory underneath the new mount.
    """
    mount(None, "/", None, MS_REC | MS_PRIVATE, None)
    options = f"size={int(size_bytes)},nr_inodes={int(inodes)},mode=0700"
    mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, options)


class PidNamespaceForker:
    """Forks each child as PID 1 of a fresh PID namespace (needs CAP_SYS_ADMIN in our user namespace).

    ``unshare(CLONE_NEWPID)`` applies to the *next* child only and may not be repeated
    while it is pending, so after every fork the parent re-enters its own PID namespace for
    children (``setns`` on the descriptor kept from the start) and the next ``unshare``
    makes another fresh namespace.
    """

    def __init__(self) -> None:
        self._own = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)

    def fork(self) -> int:
        """``os.fork()`` with the child alone in a new PID namespace (it is PID 1 there)."""
        unshare(CLONE_NEWPID)
        try:
            pid = os.fork()
        except BaseException:
            setns(self._own, CLONE_NEWPID)
            raise
        if pid != 0:
            setns(self._own, CLONE_NEWPID)
        return pid


def network_is_isolated() -> bool:
    """True when this process's network namespace has no interface up but loopback (none here)."""
    try:
        with open("/proc/self/net/dev") as handle:
            lines = handle.read().splitlines()[2:]
    except OSError:
        return False
    return all(line.split(":")[0].strip() == "lo" for line in lines)
