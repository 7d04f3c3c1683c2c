"""Hand-written reference world models for the non-MuJoCo environments, and tools to check them.

Each env module (``cartpole.py``, ``taxi.py``, ...) is a self-contained program, numpy and the
standard library only, defining ``class Environment`` exactly as an LLM must write it:
``__init__()``, ``set_state(observation)`` and ``step(action) -> (next_state, reward, done)``.
The harness runs them as program text, like generated code, so :func:`reference_class` loads a
class by executing :func:`reference_source` in a fresh namespace, never by importing the
module, and a test checks that they import nothing but numpy and the standard library.

Measured agreement with gymnasium (100,000 transitions per env; ``docs/scoring.md``): every
transition is right within rtol = atol = 1e-5, and CliffWalking and Taxi are bit-exact. The
float envs cannot be bit-exact from a float32 observation (CartPole's next state is bit-equal
in 29 % of transitions, MountainCar 42 %, Acrobot 17 %, Pendulum 46 %; errors stay below
4e-6), but given gymnasium's internal float64 state they are bit-exact. Blackjack is
stochastic; its best deterministic model scores about 0.77 on random play (``blackjack.py``).

The helpers below serve tests, benchmarks and the demo: :func:`collect_transitions` samples
real transitions, :func:`predict_in_process` runs a *trusted* class over a dataset (generated
code goes through the sandbox instead).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable
from importlib import resources
from typing import Any

import numpy as np

from cwmb.benchmark.making import make_env
from cwmb.benchmark.registry import get_env
from cwmb.predictions import Predictions
from cwmb.trajectories.dataset import Dataset, observation_kind, to_gym_action, to_gym_observation, to_row

# CWMB name -> module holding its reference model.
_MODULES = {
    "Blackjack-v1": "blackjack",
    "CliffWalking-v0": "cliff_walking",
    "Taxi-v3": "taxi",
    "CartPole-v1": "cartpole",
    "MountainCar-v0": "mountain_car",
    "Acrobot-v1": "acrobot",
    "Pendulum-v1": "pendulum",
}
REFERENCE_ENVS: tuple[str, ...] = tuple(_MODULES)

# (trajectory, step, obs, action, reward, next_obs, terminated, truncated)
Record = tuple[int, int, Any, Any, Any, Any, bool, bool]
Policy = Callable[[Any, np.random.Generator], Any]


def _module_name(env_name: str) -> str:
    name = get_env(env_name).name
    if name not in _MODULES:
        raise KeyError(f"no reference model for {name}; available: {', '.join(REFERENCE_ENVS)}")
    return _MODULES[name]


def reference_source(env_name: str) -> str:
    """The program text of the reference model of ``env_name`` (CWMB name or gymnasium id)."""
    module = _module_name(env_name)
    return resources.files(__package__).joinpath(f"{module}.py").read_text(encoding="utf-8")


def reference_class(env_name: str) -> type:
    """The reference ``Environment`` class, loaded from its source text alone."""
    module = types.ModuleType(f"cwmb_reference_{_module_name(env_name)}")
    exec(compile(reference_source(env_name), module.__name__, "exec"), module.__dict__)
    return module.Environment


def dataset_from_records(env_name: str, records: Iterable[Record]) -> Dataset:
    """Build a :class:`Dataset` from gymnasium-valued transition records (in gymnasium's dtypes)."""
    records = list(records)
    if not records:
        raise ValueError("no transitions")
    spec = get_env(env_name)
    traj, step, obs, act, rew, nxt, term, trunc = zip(*records, strict=True)
    if spec.is_discrete:
        actions = np.array([[int(a)] for a in act], dtype=np.int64)
    else:
        actions = np.stack([np.asarray(a).reshape(-1) for a in act])
    return Dataset(
        env=spec.name,
        obs_kind=observation_kind(obs[0]),
        action_kind=spec.action_kind,
        trajectory=np.asarray(traj, dtype=np.int64),
        step=np.asarray(step, dtype=np.int64),
        states=np.stack([to_row(o) for o in obs]),
        actions=actions,
        # np.asarray keeps gymnasium's reward type: ints stay int64, floats become float64.
        rewards=np.asarray([r.item() if isinstance(r, np.generic) else r for r in rew]),
        next_states=np.stack([to_row(o) for o in nxt]),
        terminated=np.asarray(term, dtype=bool),
        truncated=np.asarray(trunc, dtype=bool),
    )


def collect_transitions(
    env_name: str, n_transitions: int, seed: int, *, max_steps: int = 100, policy: Policy | None = None
) -> Dataset:
    """Step the real env for ``n_transitions`` steps, resetting on termination or after ``max_steps``.

    ``policy(obs, rng)`` picks actions; by default they are uniform random from the action
    space, seeded with ``seed`` like the env, so the result is reproducible.
    """
    env = make_env(env_name)
    env.action_space.seed(seed)
    rng = np.random.default_rng(seed)
    obs, _ = env.reset(seed=seed)
    records: list[Record] = []
    trajectory = step = 0
    while len(records) < n_transitions:
        action = env.action_space.sample() if policy is None else policy(obs, rng)
        next_obs, reward, terminated, _, _ = env.step(action)
        truncated = not terminated and step + 1 >= max_steps
        records.append((trajectory, step, obs, action, reward, next_obs, bool(terminated), truncated))
        obs, step = next_obs, step + 1
        if terminated or truncated:
            obs, _ = env.reset()
            trajectory, step = trajectory + 1, 0
    env.close()
    return dataset_from_records(env_name, records)


def _store_output(output: Any, obs_dim: int) -> tuple[np.ndarray, float, bool]:
    """Check and convert one ``step`` output; raise ValueError/TypeError when malformed."""
    if not isinstance(output, tuple) or len(output) != 3:
        raise ValueError("step must return a tuple (next_state, reward, done)")
    next_state, reward, done = output
    row = np.asarray(next_state, dtype=np.float64).reshape(-1)
    if row.shape[0] != obs_dim:
        raise ValueError(f"next_state has {row.shape[0]} values, expected {obs_dim}")
    return row, float(reward), bool(done)


def predict_in_process(env_class: type, dataset: Dataset) -> Predictions:
    """Run a trusted ``Environment`` class over every transition of ``dataset`` in this process.

    One instance serves all transitions (as in the original code): ``set_state`` with the
    gymnasium observation, then ``step`` with the gymnasium action. A malformed output makes
    that row invalid with a one-line reason; exceptions propagate (the class is trusted).
    """
    n, obs_dim = dataset.next_states.shape
    next_states = np.full((n, obs_dim), np.nan)
    rewards = np.full(n, np.nan)
    dones = np.zeros(n, dtype=bool)
    valid = np.zeros(n, dtype=bool)
    problems = [""] * n
    model = env_class()
    for i in range(n):
        model.set_state(to_gym_observation(dataset.states[i], dataset.obs_kind))
        output = model.step(to_gym_action(dataset.actions[i], dataset.action_kind))
        try:
            next_states[i], rewards[i], dones[i] = _store_output(output, obs_dim)
            valid[i] = True
        except (TypeError, ValueError) as exc:
            problems[i] = str(exc)
    return Predictions(next_states, rewards, dones, valid, tuple(problems))
