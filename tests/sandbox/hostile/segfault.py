"""Hostile: step dereferences a null pointer through ctypes."""

import ctypes


class Environment:
    def __init__(self):
        self.state = None

    def set_state(self, state):
        self.state = state

    def step(self, action):
        return ctypes.string_at(0), 0.0, False
