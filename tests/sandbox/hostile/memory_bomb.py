"""Hostile: __init__ allocates memory until the limit stops it (untouched, so it fails fast)."""

import numpy as np


class Environment:
    def __init__(self):
        self.hoard = []
        while True:
            self.hoard.append(np.empty(64 * 1024 * 1024, dtype=np.uint8))

    def set_state(self, state):
        pass

    def step(self, action):
        return 0, 0.0, False
