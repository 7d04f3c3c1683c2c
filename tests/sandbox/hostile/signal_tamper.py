"""Hostile: disarms SIGALRM/SIGTERM/SIGXCPU handling, then loops forever."""

import signal


class Environment:
    def __init__(self):
        for sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGXCPU):
            signal.signal(sig, signal.SIG_IGN)
        signal.alarm(0)
        signal.setitimer(signal.ITIMER_REAL, 0)

    def set_state(self, state):
        pass

    def step(self, action):
        while True:
            signal.alarm(0)
