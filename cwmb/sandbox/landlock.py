"""Landlock (Linux >= 5.13): unprivileged, kernel-enforced limits on files, TCP and signals.

A process builds a *ruleset* naming the access rights it wants the kernel to police, adds
rules that allow some of them beneath chosen paths, and restricts itself. From then on the
kernel refuses every policed access not allowed by a rule, for the process and every
descendant, for good. Rights the running kernel does not know (its *ABI* is older) are left
out, so the same code runs on every Landlock kernel and reports what it could enforce.

Also: a Landlock domain cannot ptrace (nor read ``/proc/<pid>/mem``, ``environ``, ``fd``)
a process outside it, and with the signal scope (ABI 6) cannot signal one.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterable
from dataclasses import dataclass

from cwmb.sandbox.syscalls import (
    PR_SET_NO_NEW_PRIVS,
    SYS_LANDLOCK_ADD_RULE,
    SYS_LANDLOCK_CREATE_RULESET,
    SYS_LANDLOCK_RESTRICT_SELF,
    prctl,
    syscall,
)

_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

# Filesystem rights, by the ABI that introduced them.
EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
IOCTL_DEV = 1 << 15  # ABI 5
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
_FILE_ONLY = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV

READ = READ_FILE | READ_DIR
WRITE = WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG | MAKE_SYM | TRUNCATE

# Network rights (ABI 4) and scopes (ABI 6).
BIND_TCP = 1 << 0
CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX = 1 << 0
SCOPE_SIGNAL = 1 << 1


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 when Landlock is absent or disabled."""
    try:
        return syscall(SYS_LANDLOCK_CREATE_RULESET, None, 0, _CREATE_RULESET_VERSION, what="landlock")
    except OSError:
        return 0


def handled_fs(abi: int) -> int:
    """Every filesystem right this ABI knows."""
    known = [mask for version, mask in _FS_BY_ABI.items() if version <= abi]
    return max(known) if known else 0


@dataclass(frozen=True)
class Policy:
    """What a Landlock domain allows: ``read`` and ``write`` paths, TCP, scopes.

    ``read`` paths get read rights (files and directories), ``write`` paths get read and
    write rights. ``deny_tcp`` polices TCP bind and connect with no rule allowing any;
    ``scope`` asks for the signal and abstract-socket scopes. ``filesystem`` False leaves
    the filesystem unpoliced (a domain that only adds scopes).
    """

    read: tuple[str, ...] = ()
    write: tuple[str, ...] = ()
    filesystem: bool = True
    deny_tcp: bool = True
    scope: bool = True


@dataclass(frozen=True)
class Enforced:
    """What a restriction actually enforces on this kernel."""

    abi: int
    filesystem: bool
    tcp: bool
    signals: bool


def _ruleset(abi: int, policy: Policy) -> tuple[int, Enforced]:
    attr = _RulesetAttr(
        handled_fs(abi) if policy.filesystem else 0,
        (BIND_TCP | CONNECT_TCP) if policy.deny_tcp and abi >= 4 else 0,
        (SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL) if policy.scope and abi >= 6 else 0,
    )
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    fd = syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), size, 0, what="landlock_create_ruleset")
    enforced = Enforced(abi, bool(attr.handled_access_fs), bool(attr.handled_access_net), bool(attr.scoped))
    return fd, enforced


def _allow(ruleset: int, path: str, rights: int) -> None:
    """Allow ``rights`` beneath ``path`` (file rights only, for a file); skip missing paths."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not os.path.isdir(path):
            rights &= _FILE_ONLY
        rule = _PathBeneathAttr(rights, fd)
        syscall(
            SYS_LANDLOCK_ADD_RULE,
            ruleset,
            _RULE_PATH_BENEATH,
            ctypes.byref(rule),
            0,
            what="landlock_add_rule",
        )
    finally:
        os.close(fd)


def restrict(policy: Policy, abi: int | None = None) -> Enforced:
    """Restrict this process (and all it starts) to ``policy``; raise OSError if impossible."""
    abi = abi_version() if abi is None else abi
    if abi < 1:
        raise OSError(38, "Landlock is not available on this kernel")
    ruleset, enforced = _ruleset(abi, policy)
    try:
        fs = handled_fs(abi)
        if policy.filesystem:
            for path in _unique(policy.read):
                _allow(ruleset, path, READ & fs)
            for path in _unique(policy.write):
                _allow(ruleset, path, (READ | WRITE) & fs)
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0, what="landlock_restrict_self")
    finally:
        os.close(ruleset)
    return enforced


def _unique(paths: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for path in paths:
        seen.setdefault(os.path.abspath(path), None)
    return list(seen)
