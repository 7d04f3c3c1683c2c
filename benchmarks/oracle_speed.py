"""The MuJoCo oracle's cost per model step against raw physics, on each of the 11 MuJoCo envs.

For each env, one population of CEM-like plans (mean at the middle of the bounds, standard
deviation half the bound, clipped) from a reset state, scored three ways in one run:

- raw physics: per plan, copy the start ``MjData`` in, then per step set ``ctrl`` and call
  ``mj_step`` x frame_skip, and nothing else (the floor for any planner on this simulator);
- oracle: :meth:`cwmb.planning.mujoco_oracle.MujocoOracleModel.plan_returns`, what the
  oracle planner runs (rewards, terminations, returns);
- env.step: the previous oracle, :class:`cwmb.planning.world_model.TrueEnvModel` through
  gymnasium's ``step``, for comparison.

All three take exactly the same steps (raw physics stops where the oracle's rollout
terminated). Times are this process's CPU time, rounds alternate the three and the fastest
round of each counts, because the machine is shared. Target: oracle / raw <= 1.15 on every env.

Run: .venv/bin/python benchmarks/oracle_speed.py [--rounds 7] [--env NAME ...]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from figures import figure

from cwmb.benchmark import ENVS
from cwmb.benchmark.making import make_env
from cwmb.benchmark.snapshot import snapshot
from cwmb.planning.cem_agent import plan_returns
from cwmb.planning.mujoco_oracle import MujocoOracleModel
from cwmb.planning.world_model import TrueEnvModel

TARGET = 1.15
# Model steps per timed pass, so that each pass takes a fraction of a second on every env.
STEP_BUDGET = {"Ant-v4": 600, "Humanoid-v4": 300, "HumanoidStandup-v4": 300}
DEFAULT_BUDGET = 2000
HORIZON = 50


def population(env, count: int, rng: np.random.Generator) -> np.ndarray:
    """CEM's first-iteration samples: around the middle of the bounds, std half the bound."""
    low, high = env.action_space.low.astype(np.float64), env.action_space.high.astype(np.float64)
    std = 0.5 * np.maximum(np.abs(low), np.abs(high))
    plans = (low + high) / 2 + std * rng.standard_normal((count, HORIZON, low.shape[0]))
    return np.clip(plans, low, high)


def rollout_lengths(oracle: MujocoOracleModel, token, plans: np.ndarray) -> list[int]:
    """How many steps the oracle takes on each plan (a rollout stops at termination)."""
    lengths = []
    for plan in plans:
        oracle.load(token)
        steps = 0
        for action in plan:
            steps += 1
            if oracle.step(action)[2]:
                break
        lengths.append(steps)
    return lengths


def raw_physics(env, token, plans: np.ndarray, lengths: list[int]) -> None:
    """Only the physics: restore, then ctrl + mj_step x frame_skip per step."""
    import mujoco

    model, data, frame_skip = env.model, env.data, env.frame_skip
    ctrl, step, source = data.ctrl, mujoco.mj_step, token.mj_data
    for plan, length in zip(plans, lengths, strict=True):
        mujoco.mj_copyData(data, model, source)
        for action in plan[:length]:
            ctrl[:] = action
            step(model, data, frame_skip)


def timed(fn, *args) -> float:
    """CPU seconds of one call: on a shared machine, time spent descheduled is not ours."""
    started = time.process_time()
    fn(*args)
    return time.process_time() - started


def measure(spec, rounds: int) -> dict[str, float]:
    """Seconds per model step of raw physics, the oracle and env.step (fastest of ``rounds``)."""
    env = make_env(spec)
    env.reset(seed=0)
    token = snapshot(env)
    oracle, gym_model = MujocoOracleModel(make_env(spec)), TrueEnvModel(make_env(spec))
    budget = STEP_BUDGET.get(spec.name, DEFAULT_BUDGET)
    plans = population(env, max(budget // HORIZON, 2), np.random.default_rng(0))
    lengths = rollout_lengths(oracle, token, plans)
    steps = sum(lengths)
    best = {"raw": np.inf, "oracle": np.inf, "env_step": np.inf}
    for _ in range(rounds):
        best["raw"] = min(best["raw"], timed(raw_physics, env, token, plans, lengths))
        best["oracle"] = min(best["oracle"], timed(oracle.plan_returns, token, plans))
        best["env_step"] = min(best["env_step"], timed(plan_returns, gym_model, token, plans))
    return {key: value / steps for key, value in best.items()} | {"steps": steps}


def main() -> None:
    """Print the per-env table and one figure per env."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--env", action="append", help="only these envs (repeatable)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    specs = [s for s in ENVS if s.family == "mujoco" and (not args.env or s.name in args.env)]
    print(
        f"{'env':26s} {'steps':>6s} {'raw us':>8s} {'oracle us':>9s} {'env.step us':>11s} "
        f"{'oracle/raw':>10s} {'env.step/raw':>12s}"
    )
    results = {}
    for spec in specs:
        r = measure(spec, args.rounds)
        results[spec.name] = r
        print(
            f"{spec.name:26s} {int(r['steps']):6d} {r['raw'] * 1e6:8.1f} {r['oracle'] * 1e6:9.1f} "
            f"{r['env_step'] * 1e6:11.1f} {r['oracle'] / r['raw']:10.2f} {r['env_step'] / r['raw']:12.2f}"
        )
    print(f"target: oracle/raw <= {TARGET} on every env")
    for name, r in results.items():
        figure(f"oracle step / raw physics, {name}", r["oracle"] / r["raw"], f"<= {TARGET}x")


if __name__ == "__main__":
    main()
