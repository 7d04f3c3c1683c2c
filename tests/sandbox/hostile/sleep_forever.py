"""Hostile: step sleeps forever, so a CPU-time limit alone would never stop it."""

import time


class Environment:
    def __init__(self):
        self.state = None

    def set_state(self, state):
        self.state = state

    def step(self, action):
        while True:
            time.sleep(60)
