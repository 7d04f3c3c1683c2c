"""Hostile: step never returns (a busy loop)."""


class Environment:
    def __init__(self):
        self.state = None

    def set_state(self, state):
        self.state = state

    def step(self, action):
        n = 0
        while True:
            n += 1
