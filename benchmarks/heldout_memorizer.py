"""Held-out accuracy catches memorization: a lookup-table model against the exact references.

For each env, a program that stores every search transition in a dict (and otherwise
returns the state unchanged, reward 0, not done) and the env's reference model, where one
exists, are scored in the sandbox on the search split and on the held-out split.

Target: the memorizer scores 1.0 on search data and clearly less on held-out data; the
exact references score 1.0 on both.

    python benchmarks/heldout_memorizer.py [ENV ...]

(``CWMB_TRAJECTORIES=DIR`` scores a dataset root other than the shipped one.)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cwmb.benchmark.reference import REFERENCE_ENVS, reference_source
from cwmb.heldout import heldout_accuracy_of, heldout_block
from cwmb.program_eval import score_program
from cwmb.sandbox import WorkerPool
from cwmb.trajectories import load_dataset
from cwmb.trajectories.pinned import shipped_root

ROOT = Path(os.environ.get("CWMB_TRAJECTORIES") or shipped_root())
ENVS = (
    "Blackjack-v1",
    "CliffWalking-v0",
    "Taxi-v3",
    "CartPole-v1",
    "MountainCar-v0",
    "Acrobot-v1",
    "Pendulum-v1",
)


def _key_values(row) -> tuple:
    return tuple(float(v) for v in row)


def memorizer(env: str) -> str:
    """The lookup-table program of ``env``'s search split."""
    data = load_dataset(ROOT, env)
    table = {
        (_key_values(data.states[i]), _key_values(data.actions[i])): (
            [float(v) for v in data.next_states[i]],
            float(data.rewards[i]),
            bool(data.terminated[i]),
        )
        for i in range(len(data))
    }
    shape = {"box": "list(s)", "discrete": "int(s[0])", "tuple": "tuple(int(v) for v in s)"}[data.obs_kind]
    return (
        "import numpy as np\n\n"
        f"TABLE = {table!r}\n\n\n"
        "def shaped(s):\n"
        f"    return {shape}\n\n\n"
        "class Environment:\n"
        "    def set_state(self, state):\n"
        "        self.state = [float(v) for v in np.asarray(state).reshape(-1)]\n\n"
        "    def step(self, action):\n"
        "        key = (tuple(self.state), tuple(float(v) for v in np.asarray(action).reshape(-1)))\n"
        "        if key in TABLE:\n"
        "            s, r, d = TABLE[key]\n"
        "            return shaped(s), r, d\n"
        "        return shaped(self.state), 0.0, False\n"
    )


def both(source: str, env: str, pool: WorkerPool) -> tuple[float | None, float | None]:
    """(search accuracy, held-out accuracy) of ``source``, default metric."""
    search = score_program(source, load_dataset(ROOT, env), pool, "default", 120.0)
    heldout = heldout_block(source, ROOT, env, pool, 120.0)
    return (search.result.accuracy if search.result else None), heldout_accuracy_of(heldout)


def main(envs: list[str]) -> None:
    """Print one Markdown row per env."""
    fmt = lambda v: "n/a" if v is None else f"{v:.3f}"  # noqa: E731
    print("| env | memorizer search | memorizer held-out | reference search | reference held-out |")
    print("|---|--:|--:|--:|--:|")
    with WorkerPool(size=1) as pool:
        for env in envs:
            memo = both(memorizer(env), env, pool)
            ref = both(reference_source(env), env, pool) if env in REFERENCE_ENVS else (None, None)
            print(f"| {env} | {fmt(memo[0])} | {fmt(memo[1])} | {fmt(ref[0])} | {fmt(ref[1])} |", flush=True)
    print("target: memorizer search 1.000 and held-out well below; exact references 1.000 on both")


if __name__ == "__main__":
    main(sys.argv[1:] or list(ENVS))
