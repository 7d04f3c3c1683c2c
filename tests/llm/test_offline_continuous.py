"""The offline coder on the 11 MuJoCo envs: fitted programs, run in the real sandbox on the shipped data.

For each env the coder's fault-free answer must pass the conformance check and beat a
trivial identity model (next state = state, reward 0, never done) on that env's dataset;
injected faults must break it and improve/fix must remove them; the same seed must give the
same text. One worker pool serves the module; each env costs a few sandbox jobs.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path

import numpy as np
import pytest

from cwmb.benchmark.reference_mujoco import MUJOCO_REFERENCE_ENVS
from cwmb.benchmark.registry import get_env
from cwmb.llm import LLMRequest, OfflineSkill, SimulatedCoder
from cwmb.llm.config import FAULT_KINDS
from cwmb.llm.faults import Fault
from cwmb.llm.offline import dataset_reference_source, fitted_source, read_fault_tags, render_program
from cwmb.program_eval import check_program, score_program
from cwmb.sandbox import WorkerPool
from cwmb.trajectories import load_dataset
from cwmb.trajectories.dataset import Dataset

DATA = Path(__file__).resolve().parents[2] / "trajectories"
CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
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
# Envs where a linear model can match no part exactly but done, which identity also gets right
# on data without terminations: the next state and the reward (a forward velocity averaged
# over the frame's substeps) miss the 1e-5 tolerance on every transition, so both score 1/3.
TIES = {"HalfCheetah-v4", "Swimmer-v4"}
# Parts the fit gets exactly right, by the known reward form or the fitted done rule.
EXACT_PARTS = {
    "Reacher-v4": ("reward", "done"),
    "InvertedPendulum-v4": ("reward", "done"),
    "Hopper-v4": ("done",),
    "Ant-v4": ("done",),
}


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(size=1) as pool:
        yield pool


def ask(coder, env, action="generate", sample_index=0, program=None) -> str:
    request = LLMRequest.chat(
        [{"role": "user", "content": f"{action} a world model"}],
        action=action,
        sample_index=sample_index,
        env_name=env,
        program=program,
    )
    match = CODE_BLOCK.search(coder.generate(request).text)
    assert match
    return match.group(1)


@functools.cache
def dataset(env: str) -> Dataset:
    return load_dataset(DATA, env)


@functools.cache
def fitted(env: str) -> str:
    return fitted_source(dataset(env))


def coder_for(env: str, **skill) -> SimulatedCoder:
    """A coder answering from the module's one fit per env (the fit itself is tested below)."""
    return SimulatedCoder(dataclasses.replace(OfflineSkill(), **skill), reference_source=fitted)


def score(pool, program, data):
    return score_program(program, data, pool, "default", timeout=60)


@pytest.mark.parametrize("env", MUJOCO_REFERENCE_ENVS)
def test_the_fault_free_answer_conforms_and_beats_identity(pool, env):
    data = dataset(env)
    program = ask(coder_for(env, generate_faults=(0, 0)), env)
    assert program.startswith("# Written by the cwmb simulated coder (offline model), NOT by an LLM.")
    assert read_fault_tags(program) == (env, [])
    assert "mujoco" not in program and "gymnasium" not in program
    checked = check_program(program, get_env(env), data, pool, timeout=60)
    assert checked.status == "ok" and checked.value == (), checked
    fitted, identity = score(pool, program, data), score(pool, IDENTITY, data)
    assert fitted.status == identity.status == "ok", fitted.message
    if env in TIES:
        assert fitted.result.accuracy == identity.result.accuracy == pytest.approx(1 / 3)
    else:
        assert fitted.result.accuracy > identity.result.accuracy
    for part in EXACT_PARTS.get(env, ()):
        assert getattr(fitted.result, part) == 1.0, part
    # Closer than identity in the state too, even where neither meets the tolerance.
    fitted_error = np.abs(fitted.predictions.next_states - data.next_states).mean()
    identity_error = np.abs(data.states - data.next_states).mean()
    assert fitted_error < identity_error
    assert fitted.result.accuracy < 0.7  # honest: far below the reference's ceiling


@pytest.mark.parametrize("env", MUJOCO_REFERENCE_ENVS)
def test_faults_break_the_program_and_fix_removes_them(pool, env):
    data, source = dataset(env), fitted(env)
    clean = render_program(env, [], source)
    crashing = render_program(env, [Fault("runtime_error", 0), Fault("termination", 0)], source)
    assert score(pool, crashing, data).status == "error"
    if data.terminated.any():  # a model that never ends an episode is wrong where the data ends one
        never_done = render_program(env, [Fault("termination", 0)], source)
        assert score(pool, never_done, data).result.done < score(pool, clean, data).result.done
    fixer = coder_for(env, fix_remove={k: 1.0 for k in FAULT_KINDS}, p_new_fault=0.0)
    fixed = ask(fixer, env, action="fix", program=crashing)
    assert fixed == clean


def test_generated_programs_carry_faults_and_improve_removes_them(pool):
    data = dataset("Walker2d-v4")
    weights = {"runtime_error": 1.0, "syntax_error": 1.0}
    coder = coder_for(
        "Walker2d-v4",
        generate_faults=(2, 2),
        fault_weights=weights,
        improve_remove={k: 1.0 for k in FAULT_KINDS},
        p_new_fault=0.0,
    )
    buggy = ask(coder, "Walker2d-v4")
    assert len(read_fault_tags(buggy)[1]) == 2
    assert score(pool, buggy, data).status == "error"
    better = ask(coder, "Walker2d-v4", action="improve", program=buggy)
    assert read_fault_tags(better)[1] == []
    assert score(pool, better, data).status == "ok"


@pytest.mark.parametrize("env", MUJOCO_REFERENCE_ENVS)
def test_same_seed_same_text(env):
    # A fresh load and a fresh fit give the same program, faults included.
    fresh = SimulatedCoder(reference_source=dataset_reference_source(load_dataset(DATA, env)))
    assert ask(fresh, env, sample_index=3) == ask(coder_for(env), env, sample_index=3)


def test_samples_and_seeds_differ():
    coder, other_seed = coder_for("Ant-v4"), coder_for("Ant-v4", seed=5)
    first = [ask(coder, "Ant-v4", sample_index=i) for i in range(4)]
    assert len(set(first)) > 1
    assert [ask(other_seed, "Ant-v4", sample_index=i) for i in range(4)] != first


def test_the_cache_key_follows_the_fitted_dataset():
    data = dataset("Swimmer-v4")
    columns = ("trajectory", "step", "states", "actions", "rewards", "next_states", "terminated", "truncated")
    fewer = dataclasses.replace(data, **{name: getattr(data, name)[:500] for name in columns})
    request = LLMRequest.chat([{"role": "user", "content": "go"}], action="generate", env_name="Swimmer-v4")

    def key(data: Dataset) -> dict:
        return SimulatedCoder(reference_source=dataset_reference_source(data)).cache_key_parts(request)

    assert key(data) != key(fewer)
    assert key(data) == key(data)
