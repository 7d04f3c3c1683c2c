"""Thin ctypes wrappers over the Linux system calls the sandbox's isolation layers need.

Python 3.11 has no ``os.unshare``/``os.setns`` and no binding for Landlock, seccomp or
capabilities, so they are called through libc. Every wrapper raises ``OSError`` with the
kernel's errno on failure; callers decide whether a missing layer is fatal.
"""

from __future__ import annotations

import ctypes
import os
import platform

# Namespace flags (linux/sched.h).
CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
NAMESPACE_FLAGS = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER
NAMESPACE_FLAGS |= CLONE_NEWPID | CLONE_NEWNET

# prctl options (linux/prctl.h).
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_SECCOMP = 22
PR_SET_SECUREBITS = 28
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
SECCOMP_MODE_FILTER = 2

# mount flags (linux/mount.h).
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REC = 0x4000
MS_PRIVATE = 0x40000

# The syscalls without a libc wrapper; Landlock's numbers are the same on every architecture.
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
_SYS_CAPSET = {"x86_64": 126, "aarch64": 91}

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def machine() -> str:
    """The CPU architecture as the kernel names it (``x86_64``, ``aarch64``, ...)."""
    return platform.machine()


def _check(result: int, what: str) -> int:
    if result < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")
    return result


def syscall(number: int, *args: object, what: str = "syscall") -> int:
    """Call syscall ``number`` with integer or pointer arguments; raise OSError on failure."""
    return _check(_libc.syscall(ctypes.c_long(number), *args), what)


def prctl(option: int, arg2: int = 0, arg3: int = 0) -> int:
    """prctl(2) with up to two arguments (the rest zero); pointers are passed as integers."""
    args = (ctypes.c_ulong(arg2), ctypes.c_ulong(arg3), ctypes.c_ulong(0), ctypes.c_ulong(0))
    return _check(_libc.prctl(option, *args), f"prctl({option})")


def unshare(flags: int) -> None:
    """unshare(2): move this process into new namespaces."""
    _check(_libc.unshare(flags), "unshare")


def setns(fd: int, nstype: int) -> None:
    """setns(2): join the namespace behind ``fd``."""
    _check(_libc.setns(fd, nstype), "setns")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    """mount(2)."""

    def enc(text: str | None) -> bytes | None:
        return None if text is None else text.encode()

    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)), "mount")


class _CapHeader(ctypes.Structure):
    _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))


class _CapData(ctypes.Structure):
    _fields_ = (
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    )


_CAP_VERSION_3 = 0x20080522
_LAST_CAP = 63
# SECBIT_NOROOT, SECBIT_NO_SETUID_FIXUP, SECBIT_KEEP_CAPS off, each with its _LOCKED bit.
_SECUREBITS_NO_ROOT = 0x01 | 0x02 | 0x04 | 0x08 | 0x20


def drop_capabilities() -> None:
    """Give up every capability for good: bounding set, securebits, then the sets themselves.

    In a user namespace the process holds every capability *inside* it; after this it holds
    none, and an exec (if one were allowed) could not give them back to uid 0 either.
    """
    for cap in range(_LAST_CAP + 1):
        try:
            prctl(PR_CAPBSET_DROP, cap)
        except OSError as exc:  # EINVAL past the kernel's last capability
            if exc.errno != 22:
                raise
            break
    prctl(PR_SET_SECUREBITS, _SECUREBITS_NO_ROOT)
    number = _SYS_CAPSET.get(machine())
    if number is None:
        raise OSError(38, "capset: unsupported architecture")
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    syscall(number, ctypes.byref(header), ctypes.byref(data), what="capset")
