"""Hostile: step prints about 300 MB through print() and then answers correctly."""

import numpy as np


class Environment:
    def __init__(self):
        self.state = None
        self.flooded = False

    def set_state(self, state):
        self.state = np.asarray(state)

    def step(self, action):
        if not self.flooded:
            line = "x" * 1_000_000
            for _ in range(300):
                print(line)
            self.flooded = True
        return self.state, 1.0, False
