"""Hostile: step ends the process with os._exit(3), skipping every handler."""

import os


class Environment:
    def __init__(self):
        self.state = None

    def set_state(self, state):
        self.state = state

    def step(self, action):
        os._exit(3)
