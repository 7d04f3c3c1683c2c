"""Hostile: step calls sys.exit(0)."""

import sys


class Environment:
    def __init__(self):
        self.state = None

    def set_state(self, state):
        self.state = state

    def step(self, action):
        sys.exit(0)
