"""Planner overhead and sandbox scaling, measured in one run.

1. Overhead: a planner's time per imagined step against the world model's own
   ``set_state`` + ``step`` time, for the reference CWMs (MCTS on CartPole, CEM on
   Pendulum), in-process. Target from the architecture: overhead under 50 %.
2. Scaling: the same sandboxed evaluation (reference CartPole model, quick profile,
   4 episodes) with 1 and with 2 sandbox workers. Target: 1.8x or better on 2 cores.

Run: .venv/bin/python benchmarks/planning_overhead.py
"""

from __future__ import annotations

import time
from typing import Any

from cwmb.benchmark import get_env
from cwmb.benchmark.reference import reference_class, reference_source
from cwmb.evaluation import EvaluationRequest, evaluate_program
from cwmb.planning.episodes import ActionInfo, ModelPolicy, make_planner
from cwmb.planning.profiles import load_profile
from cwmb.planning.sandboxed import PLANNING_PRELOAD
from cwmb.sandbox import WorkerPool
from cwmb.trajectories import load_dataset


class TimedModel:
    """Wraps a world model and adds up the time spent in its own methods."""

    def __init__(self, model: Any) -> None:
        self.model, self.seconds, self.steps = model, 0.0, 0

    def set_state(self, state: Any) -> None:
        started = time.perf_counter()
        self.model.set_state(state)
        self.seconds += time.perf_counter() - started

    def step(self, action: Any) -> Any:
        started = time.perf_counter()
        out = self.model.step(action)
        self.seconds += time.perf_counter() - started
        self.steps += 1
        return out


def overhead(env: str, profile_name: str, decisions: int) -> tuple[float, float, int]:
    """(planning seconds, model seconds, imagined steps) over ``decisions`` decisions."""
    spec, profile = get_env(env), load_profile(profile_name)
    data = load_dataset("trajectories", env)
    from cwmb.benchmark.making import make_env

    actions = ActionInfo.from_space(make_env(spec).action_space)
    timed = TimedModel(reference_class(env)())
    policy = ModelPolicy(timed, make_planner(actions, profile, seed=0))
    started = time.perf_counter()
    for i in range(decisions):
        policy.decide(data.observation(i % len(data)), steps_left=profile.cap_for(spec.episode_cap))
    return time.perf_counter() - started, timed.seconds, timed.steps


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
    """Print both measurements."""
    print(
        f"{'planner':22s} {'decisions':>9s} {'imagined steps':>14s} {'us/step':>8s} {'model us/step':>13s} "
        f"{'overhead':>8s}"
    )
    for label, env, profile, decisions in (
        ("MCTS CartPole paper", "CartPole-v1", "paper", 100),
        ("CEM Pendulum quick", "Pendulum-v1", "quick", 20),
    ):
        total, model, steps = overhead(env, profile, decisions)
        print(
            f"{label:22s} {decisions:9d} {steps:14d} {total / steps * 1e6:8.1f} {model / steps * 1e6:13.1f} "
            f"{(total - model) / model:8.0%}"
        )
    one, two = scaling(1, 4), scaling(2, 4)
    print(
        f"sandboxed evaluation, 4 episodes: 1 worker {one:.2f} s, 2 workers {two:.2f} s, "
        f"speed-up {one / two:.2f}x"
    )


if __name__ == "__main__":
    main()
