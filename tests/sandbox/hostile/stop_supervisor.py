"""Hostile: freezes the worker process that supervises it, then sleeps."""

import os
import signal
import time


class Environment:
    def __init__(self):
        os.kill(os.getppid(), signal.SIGSTOP)
        time.sleep(60)

    def set_state(self, state):
        pass

    def step(self, action):
        return 0, 0.0, False
