"""How much does the sandbox add to scoring a world model on a whole dataset?

Synthesizes about 400 transitions each of CartPole-v1 and HalfCheetah-v4 by random
rollouts, then times prediction for a small exact CartPole model and a trivial
HalfCheetah model three ways, in one run:

- floor: the model's own ``set_state`` + ``step`` loop in this process, nothing else;
- in-process: the sandbox's own ``predict`` task (loading, row conversion, checks)
  called directly in this process, i.e. the job without any process boundary;
- 1 job: ``WorkerPool.run(PredictJob(...))``, a full round trip to a warm worker;
- scored: the way cwmb scores a dataset, in answer-free batches (one job each,
  ``cwmb.sandbox.answer_free``), on a pool of 1 and of 2 workers.

It also measures what the machine itself allows two processes: the in-process task run by
2 forked processes at once against 1 (the "ceiling" for 2 workers vs 1 on this work; on
the project's 2-vCPU VM it varies from run to run, since the vCPUs share a host).

Each figure is the median of many repetitions after a warm-up. Run with::

    .venv/bin/python benchmarks/sandbox_overhead.py
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time
from collections.abc import Callable

import numpy as np
from figures import figure

from cwmb.benchmark.making import make_env
from cwmb.sandbox import PredictJob, WorkerPool
from cwmb.sandbox.answer_free import answer_free_batches, run_answer_free
from cwmb.sandbox.tasks import _Phase, predict

CARTPOLE = """
import math

import numpy as np


class Environment:
    def __init__(self):
        self.state = np.zeros(4)

    def set_state(self, state):
        self.state = np.asarray(state, dtype=np.float64)

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = 10.0 if action == 1 else -10.0
        cos, sin = math.cos(theta), math.sin(theta)
        temp = (force + 0.05 * theta_dot**2 * sin) / 1.1
        theta_acc = (9.8 * sin - cos * temp) / (0.5 * (4.0 / 3.0 - 0.1 * cos**2 / 1.1))
        x_acc = temp - 0.05 * theta_acc * cos / 1.1
        x, x_dot = x + 0.02 * x_dot, x_dot + 0.02 * x_acc
        theta, theta_dot = theta + 0.02 * theta_dot, theta_dot + 0.02 * theta_acc
        self.state = np.array([x, x_dot, theta, theta_dot])
        done = bool(abs(x) > 2.4 or abs(theta) > 12 * 2 * math.pi / 360)
        return self.state.astype(np.float32), 1.0, done
"""

HALFCHEETAH = """
import numpy as np


class Environment:
    def __init__(self):
        self.state = np.zeros(17)

    def set_state(self, state):
        self.state = np.array(state, dtype=np.float64)

    def step(self, action):
        return self.state, -0.1 * float(np.square(action).sum()), False
"""


def rollouts(name: str, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, str, np.ndarray]:
    """``n`` (state, action) rows from random episodes; discrete actions as int64 rows.

    Also returns each row's step within its episode (what answer-free batching needs).
    """
    env = make_env(name)
    env.action_space.seed(seed)
    obs, _ = env.reset(seed=seed)
    states, actions, steps, step = [], [], [], 0
    while len(states) < n:
        action = env.action_space.sample()
        states.append(np.asarray(obs))
        actions.append(np.atleast_1d(action))
        steps.append(step)
        obs, _, terminated, truncated, _ = env.step(action)
        step += 1
        if terminated or truncated or len(states) % 100 == 0:
            obs, _ = env.reset(seed=seed + len(states))
            step = 0
    kind = "discrete" if np.issubdtype(np.asarray(actions[0]).dtype, np.integer) else "continuous"
    acts = np.stack(actions).astype(np.int64 if kind == "discrete" else np.float32)
    return np.stack(states), acts, kind, np.array(steps)


def interleaved_medians(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median wall time (ms) of each function, timed in turn within each repetition.

    Interleaving makes background load (other processes on the 2 cores) hit every
    variant alike, so the ratios stay meaningful even when absolute times wobble.
    """
    for fn in fns.values():
        for _ in range(3):
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: 1000 * statistics.median(t) for name, t in times.items()}


def floor_loop(source: str, states: np.ndarray, actions: np.ndarray, discrete: bool) -> list[object]:
    """Only the model's own calls, in this process."""
    namespace: dict[str, object] = {}
    exec(compile(source, "model.py", "exec"), namespace)
    env = namespace["Environment"]()  # type: ignore[operator]
    out = []
    for i in range(states.shape[0]):
        env.set_state(states[i].copy())
        out.append(env.step(int(actions[i, 0]) if discrete else actions[i]))
    return out


def measure(pools: dict[int, WorkerPool], name: str, source: str, n: int, repeats: int) -> dict[str, float]:
    """Floor, in-process, one-job and answer-free (as scored) medians for ``n`` transitions."""
    states, actions, action_kind, steps = rollouts(name, n, seed=0)
    job = PredictJob(source, "box", action_kind, states, actions)  # type: ignore[arg-type]
    request = job.request()
    batches = answer_free_batches(np.zeros_like(steps), steps)
    check = run_answer_free(pools[2], job, batches, 30.0)
    assert check.ok and check.value is not None and check.value.valid.all(), check.message
    medians = interleaved_medians(
        {
            "floor": lambda: floor_loop(source, states, actions, action_kind == "discrete"),
            "inproc": lambda: predict(request, _Phase()),
            "sandbox": lambda: pools[1].run(job, timeout=30.0),
            "scored1": lambda: run_answer_free(pools[1], job, batches, 30.0),
            "scored2": lambda: run_answer_free(pools[2], job, batches, 30.0),
        },
        repeats,
    )
    return {"n": states.shape[0], **medians}


def _predict_loop(request: dict, calls: int, start: object, out: object) -> None:
    """In a forked process: wait for ``start``, run the predict task ``calls`` times, report the wall time."""
    start.wait()  # type: ignore[attr-defined]
    began = time.perf_counter()
    for _ in range(calls):
        predict(request, _Phase())
    out.put(time.perf_counter() - began)  # type: ignore[attr-defined]


def machine_ceiling(request: dict, calls: int = 10, repeats: int = 5) -> float:
    """2 processes running the in-process predict task at once, against 1.

    The two are timed in turn, ``repeats`` times, and their medians compared, so that the
    host's drift hits both alike.
    """
    context = multiprocessing.get_context("fork")

    def wall(processes: int) -> float:
        start, out = context.Event(), context.Queue()
        procs = [
            context.Process(target=_predict_loop, args=(request, calls, start, out)) for _ in range(processes)
        ]
        for proc in procs:
            proc.start()
        time.sleep(0.2)  # every process at the start line before the clock starts
        start.set()
        times = [out.get() for _ in procs]
        for proc in procs:
            proc.join()
        return max(times)

    ones, twos = [], []
    for _ in range(repeats):
        ones.append(wall(1))
        twos.append(wall(2))
    return 2 * statistics.median(ones) / statistics.median(twos)


def isolated_job_ms(pool: WorkerPool, source: str, repeats: int) -> float:
    """Median round trip of a 1-transition job that finds the worker idle (after a pause)."""
    states, actions, action_kind, _ = rollouts("CartPole-v1", 1, seed=0)
    job = PredictJob(source, "box", action_kind, states, actions)  # type: ignore[arg-type]
    times = []
    for _ in range(repeats):
        time.sleep(0.02)
        start = time.perf_counter()
        pool.run(job, timeout=30.0)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    """Print the table of medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=60)
    args = parser.parse_args()
    cases = (
        ("CartPole-v1", CARTPOLE, 1),
        ("CartPole-v1", CARTPOLE, 400),
        ("HalfCheetah-v4", HALFCHEETAH, 400),
        ("CartPole-v1", CARTPOLE, 4000),
    )
    # Before any pool exists: the forked processes must not inherit its pipes.
    states, actions, action_kind, _ = rollouts("CartPole-v1", 4000, seed=0)
    ceiling = machine_ceiling(PredictJob(CARTPOLE, "box", action_kind, states, actions).request())  # type: ignore[arg-type]
    rows = []
    with WorkerPool(size=1) as one, WorkerPool(size=2) as two:
        pools = {1: one.start(), 2: two.start()}
        for name, source, n in cases:
            rows.append((name, measure(pools, name, source, n, args.repeats)))
        isolated = isolated_job_ms(one, CARTPOLE, args.repeats // 2)
    header = f"{'env':<16}{'N':>6}{'floor ms':>10}{'in-proc ms':>12}{'1 job ms':>10}"
    print(header + f"{'1 job - in-proc':>17}{'scored, 1 worker':>18}{'scored, 2 workers':>19}")
    for name, r in rows:
        extra = r["sandbox"] - r["inproc"]
        line = f"{name:<16}{r['n']:>6}{r['floor']:>10.2f}{r['inproc']:>12.2f}{r['sandbox']:>10.2f}"
        print(line + f"{extra:>14.2f} ms{r['scored1']:>15.2f} ms{r['scored2']:>16.2f} ms")
    inproc_1 = next(r["inproc"] for _, r in rows if r["n"] == 1)
    print(f"1-transition job on an idle worker (after a 20 ms pause): {isolated:.2f} ms")
    print("scored = the dataset as cwmb scores it: answer-free batches (docs/sandbox.md), each a job")
    # Headline figures for benchmarks/run_all.py (targets from issue 14, goal 4).
    for name, r in rows:
        if r["n"] == 1:
            figure(
                "sandbox fixed cost per job, back to back (1 transition)",
                r["sandbox"] - r["inproc"],
                "<= 1 ms",
                " ms",
            )
            figure(
                "sandbox fixed cost per job, idle worker (1 transition)",
                isolated - inproc_1,
                "<= 1 ms",
                " ms",
            )
        elif r["n"] == 400:
            figure(f"one sandbox job / floor, {name} 400 transitions", r["sandbox"] / r["floor"], "<= 1.5x")
            figure(
                f"answer-free scoring (2 workers) / floor, {name} 400 transitions",
                r["scored2"] / r["floor"],
                "<= 1.5x",
            )
    print(
        f"machine ceiling: the predict task (4000 CartPole transitions) in 2 processes vs 1: {ceiling:.2f}x"
    )
    for name, r in rows:
        if r["n"] == 4000:
            figure(
                f"answer-free scoring, 2 workers vs 1, {name} 4000 transitions",
                r["scored1"] / r["scored2"],
                ">= 1.9x",
            )
    figure(
        "machine ceiling: predict task, 2 processes vs 1 (4000 transitions)",
        ceiling,
        "info: the most 2 workers can give",
    )


if __name__ == "__main__":
    main()
