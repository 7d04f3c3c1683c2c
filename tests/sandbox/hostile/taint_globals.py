"""Hostile: leaves traces for the next job: patched numpy, strict float errors, a file, a thread."""

import threading
import time

import numpy as np


def _spin():
    while True:
        time.sleep(0.01)


class Environment:
    def __init__(self):
        np.seterr(all="raise")
        np.asarray = None
        np.float64 = None
        with open("left_behind.txt", "w") as handle:
            handle.write("hello")
        threading.Thread(target=_spin, daemon=True).start()

    def set_state(self, state):
        self.state = state

    def step(self, action):
        return self.state, 0.0, False
