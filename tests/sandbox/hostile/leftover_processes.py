"""Hostile: starts a child and a detached grandchild that outlive the job, then reports their pids."""

import ctypes
import os
import time

_PR_SET_NAME = 15


def _sleep_marked():
    """Take the name the test looks for in the process table, then sleep past the job."""
    ctypes.CDLL(None).prctl(_PR_SET_NAME, b"cwmb-leftover", 0, 0, 0)
    time.sleep(60)
    os._exit(0)


def _daemon():
    """Fork a grandchild in a new session whose parent exits at once."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.setsid()
        grandchild = os.fork()
        if grandchild == 0:
            _sleep_marked()
        os.write(write_end, str(grandchild).encode())
        os._exit(0)
    os.waitpid(pid, 0)
    return int(os.read(read_end, 32))


class Environment:
    def __init__(self):
        child = os.fork()
        if child == 0:
            _sleep_marked()
        raise RuntimeError(f"pids {child} {_daemon()}")

    def set_state(self, state):
        pass

    def step(self, action):
        return 0, 0.0, False
