"""Hostile: unbounded recursion in step."""


class Environment:
    def __init__(self):
        self.state = None

    def set_state(self, state):
        self.state = state

    def descend(self, depth):
        return self.descend(depth + 1)

    def step(self, action):
        return self.descend(0)
