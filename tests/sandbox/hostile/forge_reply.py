"""Hostile: writes garbage on every file descriptor it can find, then exits."""

import contextlib
import os


class Environment:
    def __init__(self):
        for fd in range(3, 64):
            with contextlib.suppress(OSError):
                os.write(fd, b"CWB1" + b"\xff" * 64)
        os._exit(0)

    def set_state(self, state):
        pass

    def step(self, action):
        return 0, 0.0, False
