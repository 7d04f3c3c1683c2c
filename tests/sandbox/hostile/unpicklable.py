"""Hostile: returns objects that cannot be pickled or converted (a generator, a lambda)."""


class Environment:
    def __init__(self):
        self.state = None

    def set_state(self, state):
        self.state = state

    def step(self, action):
        if action == 0:
            return (x for x in range(4)), 0.0, False
        return self.state, (lambda: 1.0), False
