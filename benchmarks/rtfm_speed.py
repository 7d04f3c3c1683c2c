"""RTFM speed: sandboxed scoring of the reference model against its bare in-process time, and
planning steps per second.

* scoring: the reference world model on the paper's 999 released transitions (or the
  shipped dataset when ../shared is absent). "bare" is the model's own ``set_state`` +
  ``step`` calls in this process, with the boards already decoded to strings; "sandboxed"
  is the whole ``rtfm_predict`` job in a warm worker (fork, decode, convert, reply) plus
  scoring in the harness. Target: sandboxed <= 1.5 x bare.
* planning: one paper-profile MCTS decision (25 simulations, rollouts up to 100 steps) with
  the reference model in this process, as model steps per second, against the model's bare
  step rate (planner overhead), and the same for the oracle on the true env.

Run: .venv/bin/python benchmarks/rtfm_speed.py
"""

from __future__ import annotations

import dataclasses
import time
import types
from pathlib import Path

import numpy as np

from cwmb.planning.profiles import load_profile
from cwmb.rtfm import rules
from cwmb.rtfm.evaluator import score_rtfm_program
from cwmb.rtfm.reference import reference_source
from cwmb.sandbox import WorkerPool
from cwmb.trajectories import load_dataset

PAPER_BUFFER = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "rtfm" / "paper-train-buffer.jsonl"
)
TARGET = 1.5


def best_of(repeats: int, fn, *args) -> float:
    """Fastest wall time of ``repeats`` calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def reference_class() -> type:
    module = types.ModuleType("rtfm_reference")
    exec(compile(reference_source(), "rtfm_reference", "exec"), module.__dict__)
    return module.Environment


def dataset():
    if PAPER_BUFFER.exists():
        from cwmb.rtfm.paper_buffer import load_paper_buffer

        return load_paper_buffer(PAPER_BUFFER), "paper buffer"
    return load_dataset("trajectories", "RTFM-SimpleStationary-v0"), "shipped dataset"


def bare_calls(env_class: type, states: list, actions: list) -> None:
    model = env_class()
    for state, action in zip(states, actions, strict=True):
        model.set_state(state)
        model.step(action)


def scoring(data, source: str) -> None:
    words = np.array(rules.VOCABULARY, dtype=object)
    states = []
    for row in data.states:
        board, inventory = rules.decode_state(row)
        states.append((words[board], rules.VOCABULARY[inventory]))
    actions = [int(a) for a in data.actions[:, 0]]
    bare = best_of(5, bare_calls, reference_class(), states, actions)
    with WorkerPool(size=1) as pool:
        score_rtfm_program(source, data, pool, "default", 60)  # warm the worker
        sandboxed = best_of(5, score_rtfm_program, source, data, pool, "default", 60)
        one_row = dataclasses.replace(
            data,
            **{k: getattr(data, k)[:1] for k in ("trajectory", "step", "states", "actions", "rewards")},
            next_states=data.next_states[:1],
            terminated=data.terminated[:1],
            truncated=data.truncated[:1],
            next_valid_actions=data.next_valid_actions[:1],
        )
        fixed = best_of(5, score_rtfm_program, source, one_row, pool, "default", 60)
    ratio = sandboxed / bare
    verdict = "meets" if ratio <= TARGET else "misses"
    print(f"scoring {len(data)} transitions: bare {bare * 1e3:.1f} ms, sandboxed {sandboxed * 1e3:.1f} ms")
    print(f"  ratio {ratio:.2f} x (target <= {TARGET} x: {verdict})")
    print(f"  fixed cost of one job (1 transition): {fixed * 1e3:.1f} ms")


class CountingModel:
    """Counts the steps a planner takes through a planning model."""

    def __init__(self, inner) -> None:
        self.inner, self.steps = inner, 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def step(self, action):
        self.steps += 1
        return self.inner.step(action)


def planning() -> None:
    from cwmb.benchmark.making import make_env
    from cwmb.benchmark.snapshot import snapshot
    from cwmb.planning.episodes import ActionInfo, make_planner
    from cwmb.rtfm.planning import RtfmObservationModel, RtfmTrueEnvModel, observation_row

    profile = load_profile("paper")
    env = make_env("RTFM-SimpleStationary-v0")
    observation, info = env.reset(seed=3)
    token = (observation_row(observation), tuple(info["valid_actions"]))
    for label, model, start in (
        ("model", RtfmObservationModel(reference_class()()), token),
        ("oracle", RtfmTrueEnvModel(make_env("RTFM-SimpleStationary-v0")), snapshot(env)),
    ):
        counting = CountingModel(model)
        planner = make_planner(ActionInfo(n=rules.N_ACTIONS), profile, seed=0)
        began = time.perf_counter()
        for _ in range(5):
            planner.plan(counting, start)
        seconds = time.perf_counter() - began
        # The bare rate: the same number of steps straight through the adapter, no planner.
        model.load(start)
        began = time.perf_counter()
        for i in range(counting.steps):
            _, _, done = model.step(rules.valid_actions(rules.empty_board())[i % 3])
            if done:
                model.load(start)
        bare = time.perf_counter() - began
        rate = counting.steps / seconds
        print(
            f"planning ({label}): {rate:,.0f} model steps/s in MCTS, {counting.steps / bare:,.0f} bare; "
            f"{seconds / 5 * 1e3:.0f} ms per decision; planner overhead {seconds / bare - 1:+.0%}"
        )


def main() -> None:
    """Print both measurements."""
    data, what = dataset()
    print(f"RTFM reference world model, {what}")
    scoring(data, reference_source())
    planning()


if __name__ == "__main__":
    main()
