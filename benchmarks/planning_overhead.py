"""Planner overhead and sandbox scaling, measured in one run.

1. Overhead: a planner's CPU time per imagined step against the bare model step (the
   world model's own ``set_state`` + ``step`` in a plain loop over dataset states), for the
   reference CWMs (MCTS on CartPole with the paper's settings, CEM on Pendulum), in-process:
   the worker runs the same code next to the model, with no IPC per step. Planning is
   deterministic, so one untimed pass counts the imagined steps and a second, plain, pass is
   timed; planning and bare step are timed in turn ``REPEATS`` times and the median ratio
   is reported (this VM's speed drifts by tens of percent within minutes). Target (issue
   14): at most 1.2x the bare step.
2. Scaling: the same sandboxed evaluation (reference CartPole model, quick profile,
   4 episodes) with 1 and with 2 sandbox workers. Target: 1.8x or better on 2 cores.

Run: .venv/bin/python benchmarks/planning_overhead.py
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from figures import figure

from cwmb.benchmark import get_env
from cwmb.benchmark.reference import reference_class, reference_source
from cwmb.evaluation import EvaluationRequest, evaluate_program
from cwmb.planning.episodes import ActionInfo, ModelPolicy, make_planner
from cwmb.planning.profiles import load_profile
from cwmb.planning.sandboxed import PLANNING_PRELOAD
from cwmb.sandbox import WorkerPool
from cwmb.trajectories import load_dataset

OVERHEAD_TARGET = 1.2
REPEATS = 5


class CountingModel:
    """Wraps a world model and counts its steps (used in the untimed pass only)."""

    def __init__(self, model: Any) -> None:
        self.model, self.steps = model, 0

    def set_state(self, state: Any) -> None:
        self.model.set_state(state)

    def step(self, action: Any) -> Any:
        self.steps += 1
        return self.model.step(action)


def bare_step_seconds(env: str, data: Any, actions: ActionInfo, steps: int = 20000) -> float:
    """CPU seconds of one ``set_state`` + ``step`` of the model, in a plain loop."""
    model, rng = reference_class(env)(), np.random.default_rng(0)
    states = [data.observation(i % len(data)) for i in range(200)]
    if actions.is_discrete:
        chosen = [np.int64(a) for a in rng.integers(actions.n, size=steps)]
    else:
        chosen = list(rng.uniform(np.array(actions.low), np.array(actions.high), (steps, len(actions.low))))
    started = time.process_time()
    for index, action in enumerate(chosen):
        model.set_state(states[index % 200])
        model.step(action)
    return (time.process_time() - started) / steps


def planning_step_seconds(env: str, profile_name: str, decisions: int) -> tuple[float, float, int]:
    """(CPU seconds per imagined step while planning, bare step seconds, imagined steps)."""
    spec, profile = get_env(env), load_profile(profile_name)
    data = load_dataset("trajectories", env)
    from cwmb.benchmark.making import make_env

    actions = ActionInfo.from_space(make_env(spec).action_space)
    cap = profile.cap_for(spec.episode_cap)
    counting = CountingModel(reference_class(env)())
    policy = ModelPolicy(counting, make_planner(actions, profile, seed=0))
    for i in range(decisions):
        policy.decide(data.observation(i % len(data)), steps_left=cap)
    runs = []
    for _ in range(REPEATS):
        policy = ModelPolicy(reference_class(env)(), make_planner(actions, profile, seed=0))
        started = time.process_time()
        for i in range(decisions):
            policy.decide(data.observation(i % len(data)), steps_left=cap)
        per_step = (time.process_time() - started) / counting.steps
        bare = bare_step_seconds(env, data, actions)
        runs.append((per_step / bare, per_step, bare))
    _ratio, per_step, bare = sorted(runs)[len(runs) // 2]  # the run with the median ratio
    return per_step, bare, counting.steps


def scaling(workers: int, episodes: int) -> float:
    """Wall seconds of a sandboxed quick evaluation of the CartPole reference model."""
    request = EvaluationRequest(
        get_env("CartPole-v1"),
        reference_source("CartPole-v1"),
        "ref",
        load_profile("quick", {"episode_cap": 100}),
    )
    with WorkerPool(size=workers, preload=PLANNING_PRELOAD) as pool:
        started = time.perf_counter()
        evaluate_program(request, pool, episodes)
        return time.perf_counter() - started


def main() -> None:
    """Print both measurements and their figures."""
    header = (
        f"{'planner':22s} {'decisions':>9s} {'imagined steps':>14s} {'us/step':>8s} {'bare us/step':>12s}"
    )
    print(f"{header} {'ratio':>6s}")
    ratios = {}
    for label, env, profile, decisions in (
        ("MCTS CartPole paper", "CartPole-v1", "paper", 100),
        ("CEM Pendulum quick", "Pendulum-v1", "quick", 20),
    ):
        per_step, bare, steps = planning_step_seconds(env, profile, decisions)
        ratios[label] = per_step / bare
        print(
            f"{label:22s} {decisions:9d} {steps:14d} {per_step * 1e6:8.1f} {bare * 1e6:12.1f} "
            f"{per_step / bare:6.2f}"
        )
    print(f"target: planning step <= {OVERHEAD_TARGET}x the bare model step")
    one, two = scaling(1, 4), scaling(2, 4)
    print(
        f"sandboxed evaluation, 4 episodes: 1 worker {one:.2f} s, 2 workers {two:.2f} s, "
        f"speed-up {one / two:.2f}x"
    )
    for label, ratio in ratios.items():
        figure(f"planning step / bare model step, {label}", ratio, f"<= {OVERHEAD_TARGET}x")
    figure("sandboxed evaluation, 2 workers vs 1", one / two, ">= 1.9x (issue 14; lead's goal 6)")


if __name__ == "__main__":
    main()
