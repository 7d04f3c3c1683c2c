"""Print how the offline coder's fitted programs score on the 11 MuJoCo envs.

Usage: ``.venv/bin/python benchmarks/offline_fits.py`` (a few seconds). For each env the
fault-free fitted program (:mod:`cwmb.llm.fitting`, what the simulated coder starts from
before it injects faults) and a trivial identity model (next state = state, reward 0, never
done) predict every transition of the shipped dataset (``trajectories/``) in the sandbox,
and both are scored with the default metric (the paper's Eq. 2). The state error is the
mean absolute error of the next state relative to the identity model's. Prints the Markdown
table of ``docs/llm.md`` (offline models).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cwmb.benchmark.reference_mujoco import MUJOCO_REFERENCE_ENVS
from cwmb.llm.offline import fitted_source
from cwmb.program_eval import score_program
from cwmb.sandbox import WorkerPool
from cwmb.trajectories import load_dataset

DATA = Path(__file__).resolve().parents[1] / "trajectories"
IDENTITY = """\
import numpy as np


class Environment:
    def __init__(self):
        self.state = None

    def set_state(self, state):
        self.state = np.array(state, dtype=float)

    def step(self, action):
        return self.state.copy(), 0.0, False
"""


def _row(env: str, pool: WorkerPool) -> str:
    """One table row: the fitted program's scores beside the identity model's."""
    data = load_dataset(DATA, env)
    program = fitted_source(data)
    fitted = score_program(program, data, pool, "default", timeout=120)
    identity = score_program(IDENTITY, data, pool, "default", timeout=120)
    if fitted.result is None or identity.result is None:
        return f"| {env} | failed: {fitted.message or identity.message} |"
    error = np.abs(fitted.predictions.next_states - data.next_states).mean()
    baseline = np.abs(data.states - data.next_states).mean()
    r = fitted.result
    return (
        f"| {env} | {len(data)} | **{r.accuracy:.4f}** | {r.state:.3f} | {r.reward:.3f} | {r.done:.3f} "
        f"| {identity.result.accuracy:.4f} | {error / baseline:.3f} | {len(program) / 1000:.1f} |"
    )


def main() -> None:
    """Print the table."""
    print(
        "| env | n | fitted: accuracy | state | reward | done | identity: accuracy "
        "| state error vs identity | program kB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    with WorkerPool(size=1) as pool:
        for env in MUJOCO_REFERENCE_ENVS:
            print(_row(env, pool), flush=True)


if __name__ == "__main__":
    main()
