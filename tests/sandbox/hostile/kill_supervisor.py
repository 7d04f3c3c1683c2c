"""Hostile: kills the worker process that supervises it."""

import os
import signal


class Environment:
    def __init__(self):
        os.kill(os.getppid(), signal.SIGKILL)

    def set_state(self, state):
        pass

    def step(self, action):
        return 0, 0.0, False
