"""A small seccomp-BPF filter, written out by hand, that denies what a job must never do.

The filter is a list of classic BPF instructions checked by the kernel on every system
call. It first checks the architecture (a call made through another ABI, e.g. x32 or
32-bit compat, is fatal), then returns ``EPERM`` for the calls listed below and allows the
rest. Two filters exist:

- :data:`SUPERVISOR` (installed once in the worker's supervisor, inherited by every job):
  no ptrace or cross-process memory access, no sockets at all (the sandbox talks over
  pipes), no bpf, perf events, kernel keyrings, io_uring, userfaultfd, SysV IPC or POSIX
  message queues (which would outlive a job), no mounts, module loading, kexec, swap,
  reboot or accounting.
- :data:`JOB` (added in each job process, on top): no new namespaces (``unshare``,
  ``setns``, ``clone`` with a namespace flag; ``clone3`` reports ENOSYS so that libc falls
  back to ``clone``, whose flags the filter can read) and no resource-limit changes
  (``setrlimit``; ``prlimit64`` only to read).

Filters stack: a job is checked against both, and neither can be removed.
"""

from __future__ import annotations

import ctypes
import struct

from cwmb.sandbox.syscalls import (
    NAMESPACE_FLAGS,
    PR_SET_NO_NEW_PRIVS,
    PR_SET_SECCOMP,
    SECCOMP_MODE_FILTER,
    machine,
    prctl,
)

_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_X32_BIT = 0x40000000

# name -> (x86_64 number, aarch64 number), from the kernel's unistd tables.
_NUMBERS = {
    "ptrace": (101, 117),
    "process_vm_readv": (310, 270),
    "process_vm_writev": (311, 271),
    "kcmp": (312, 272),
    "socket": (41, 198),
    "bpf": (321, 280),
    "perf_event_open": (298, 241),
    "keyctl": (250, 219),
    "add_key": (248, 217),
    "request_key": (249, 218),
    "io_uring_setup": (425, 425),
    "userfaultfd": (323, 282),
    "shmget": (29, 194),
    "semget": (64, 190),
    "msgget": (68, 186),
    "mq_open": (240, 180),
    "mount": (165, 40),
    "umount2": (166, 39),
    "pivot_root": (155, 41),
    "chroot": (161, 51),
    "move_mount": (429, 429),
    "open_tree": (428, 428),
    "fsopen": (430, 430),
    "fsconfig": (431, 431),
    "fsmount": (432, 432),
    "fspick": (433, 433),
    "mount_setattr": (442, 442),
    "open_by_handle_at": (304, 265),
    "name_to_handle_at": (303, 264),
    "init_module": (175, 105),
    "finit_module": (313, 273),
    "delete_module": (176, 106),
    "kexec_load": (246, 104),
    "kexec_file_load": (320, 294),
    "swapon": (167, 224),
    "swapoff": (168, 225),
    "reboot": (169, 142),
    "acct": (163, 89),
    "quotactl": (179, 60),
    "unshare": (272, 97),
    "setns": (308, 268),
    "clone": (56, 220),
    "clone3": (435, 435),
    "setrlimit": (160, 164),
    "prlimit64": (302, 261),
}

SUPERVISOR: tuple[str, ...] = (
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "socket", "bpf", "perf_event_open",
    "keyctl", "add_key", "request_key", "io_uring_setup", "userfaultfd", "shmget", "semget", "msgget",
    "mq_open", "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr", "open_by_handle_at", "name_to_handle_at",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "swapon",
    "swapoff", "reboot", "acct", "quotactl",
)  # fmt: skip
JOB: tuple[str, ...] = ("unshare", "setns", "setrlimit")

# Classic BPF opcodes and seccomp return values.
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_RET_K = 0x06
_RET_ALLOW = 0x7FFF0000
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_EPERM = 1
_ENOSYS = 38
_NR, _ARCH = 0, 4


def _arg(index: int, high: bool = False) -> int:
    """Offset of the low (or high) 32 bits of syscall argument ``index`` in seccomp_data."""
    return 16 + 8 * index + (4 if high else 0)


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("<HBBI", code, jt, jf, k)


def supported() -> bool:
    """True when this architecture has a filter here."""
    return machine() in _AUDIT_ARCH


def build(denied: tuple[str, ...], *, job_rules: bool = False) -> bytes:
    """The filter program: arch check, then EPERM for ``denied``, then the job's argument rules."""
    column = 0 if machine() == "x86_64" else 1
    program = [_insn(_LD_W_ABS, _ARCH), _insn(_JEQ_K, _AUDIT_ARCH[machine()], 1, 0)]
    program += [_insn(_RET_K, _RET_KILL_PROCESS), _insn(_LD_W_ABS, _NR)]
    if column == 0:  # x32 calls share the arch value and carry this bit
        program += [_insn(_JGE_K, _X32_BIT, 0, 1), _insn(_RET_K, _RET_KILL_PROCESS)]
    for name in denied:
        program += [_insn(_JEQ_K, _NUMBERS[name][column], 0, 1), _insn(_RET_K, _RET_ERRNO | _EPERM)]
    if job_rules:
        program += _job_argument_rules(column)
    program.append(_insn(_RET_K, _RET_ALLOW))
    return b"".join(program)


def _job_argument_rules(column: int) -> list[bytes]:
    """clone3 -> ENOSYS; clone with a namespace flag -> EPERM; prlimit64 that sets -> EPERM."""
    number = {name: numbers[column] for name, numbers in _NUMBERS.items()}
    errno_eperm = _RET_ERRNO | _EPERM
    return [
        _insn(_JEQ_K, number["clone3"], 0, 1),
        _insn(_RET_K, _RET_ERRNO | _ENOSYS),
        # clone: flags are argument 0 on both architectures.
        _insn(_JEQ_K, number["clone"], 0, 4),
        _insn(_LD_W_ABS, _arg(0)),
        _insn(_JSET_K, NAMESPACE_FLAGS, 0, 1),
        _insn(_RET_K, errno_eperm),
        _insn(_RET_K, _RET_ALLOW),
        # prlimit64(pid, resource, new_limit, old_limit): allowed only with new_limit NULL.
        _insn(_JEQ_K, number["prlimit64"], 0, 6),
        _insn(_LD_W_ABS, _arg(2)),
        _insn(_JEQ_K, 0, 0, 3),
        _insn(_LD_W_ABS, _arg(2, high=True)),
        _insn(_JEQ_K, 0, 0, 1),
        _insn(_RET_K, _RET_ALLOW),
        _insn(_RET_K, errno_eperm),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


class Prepared:
    """A filter program laid out in memory for the kernel, ready to install in one call.

    Built once in the worker, so that a job process, which inherits it, spends no time
    on it between receiving its job and running the program.
    """

    def __init__(self, program: bytes) -> None:
        if not supported():
            raise OSError(38, f"seccomp: no filter for architecture {machine()}")
        self._buffer = ctypes.create_string_buffer(program, len(program))
        self._fprog = _SockFprog(len(program) // 8, ctypes.cast(self._buffer, ctypes.c_void_p))

    def install(self) -> None:
        """Install the filter on this thread's process (no_new_privs first); raise OSError."""
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(self._fprog))


def install(program: bytes) -> None:
    """Install ``program`` on this thread's process (no_new_privs first); raise OSError."""
    Prepared(program).install()
