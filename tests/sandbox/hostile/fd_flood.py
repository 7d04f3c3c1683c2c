"""Hostile: step writes about 300 MB straight to file descriptors 1 and 2."""

import os

import numpy as np


class Environment:
    def __init__(self):
        self.state = None

    def set_state(self, state):
        self.state = np.asarray(state)

    def step(self, action):
        block = b"y" * 1_000_000
        for _ in range(150):
            os.write(1, block)
            os.write(2, block)
        return self.state, 1.0, False
