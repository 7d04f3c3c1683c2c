"""Hostile: looks for API keys in its environment and raises with whatever it found."""

import os


def _ancestor_environ():
    """Try to read the environment of the process two levels up (the harness)."""
    try:
        with open(f"/proc/{os.getppid()}/stat") as handle:
            grandparent = int(handle.read().rsplit(")", 1)[1].split()[1])
        with open(f"/proc/{grandparent}/environ", "rb") as handle:
            return handle.read().decode(errors="replace")
    except OSError as exc:
        return f"unreadable ({type(exc).__name__})"


class Environment:
    def __init__(self):
        names = [k for k in os.environ if any(w in k for w in ("KEY", "TOKEN", "SECRET", "AWS", "OPENAI"))]
        values = [v for v in os.environ.values() if "sk-" in v]
        proc = _ancestor_environ()
        leaked = "sk-" in proc
        raise RuntimeError(f"names={names} values={values} proc_leak={leaked} proc={proc[:40]!r}")

    def set_state(self, state):
        pass

    def step(self, action):
        return 0, 0.0, False
