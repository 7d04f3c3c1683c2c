"""Answer-free batches: no job ever holds the answers to its own transitions.

The control tests show what the batches prevent: the same cheating programs, given the
whole dataset in one job, score almost perfectly. Through the batches they score no
better than the identity model.
"""

from __future__ import annotations

import numpy as np
import pytest

from cwmb.predictions import Predictions
from cwmb.program_eval import score_program
from cwmb.sandbox import PredictJob, WorkerPool
from cwmb.sandbox.answer_free import ANSWER_SPACING, answer_free_batches, batch_job, gather
from cwmb.scoring import score
from cwmb.trajectories.storage import load_dataset
from tests.sandbox import CARTPOLE_MODEL, hostile

IDENTITY = """
class Environment:
    def set_state(self, state):
        self.state = state

    def step(self, action):
        return self.state, 1.0, False
"""


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(size=2) as workers:
        yield workers


@pytest.fixture(scope="module")
def cartpole():
    return load_dataset(None, "CartPole-v1")


def test_no_batch_holds_two_rows_of_one_trajectory_closer_than_the_spacing(cartpole):
    batches = answer_free_batches(cartpole.trajectory, cartpole.step)
    assert sorted(np.concatenate(batches).tolist()) == list(range(len(cartpole)))
    assert len(batches) == ANSWER_SPACING
    for rows in batches:
        for trajectory in np.unique(cartpole.trajectory[rows]):
            steps = np.sort(cartpole.step[rows][cartpole.trajectory[rows] == trajectory])
            assert (np.diff(steps) >= ANSWER_SPACING).all()


def test_no_batch_holds_the_state_that_follows_one_of_its_rows(cartpole):
    for rows in answer_free_batches(cartpole.trajectory, cartpole.step):
        held = {row.tobytes() for row in cartpole.states[rows]}
        answers = {row.tobytes() for row in cartpole.next_states[rows]}
        assert not held & answers


def test_batches_leave_out_empty_residues_and_reject_a_zero_spacing():
    batches = answer_free_batches(np.array([0, 0, 1]), np.array([0, 1, 0]), spacing=10)
    assert [rows.tolist() for rows in batches] == [[0, 2], [1]]
    with pytest.raises(ValueError):
        answer_free_batches(np.array([0]), np.array([0]), spacing=0)


def test_gathering_batches_restores_dataset_order():
    n = 7
    whole = Predictions(
        next_states=np.arange(n * 2, dtype=np.float64).reshape(n, 2),
        rewards=np.arange(n, dtype=np.float64),
        dones=np.arange(n) % 2 == 0,
        valid=np.ones(n, dtype=bool),
        problems=tuple(f"p{i}" for i in range(n)),
    )
    batches = [np.array([0, 3, 6]), np.array([1, 4]), np.array([2, 5])]
    parts = [
        Predictions(
            whole.next_states[r],
            whole.rewards[r],
            whole.dones[r],
            whole.valid[r],
            tuple(whole.problems[i] for i in r),
        )
        for r in batches
    ]
    merged = gather(parts, batches, n)
    assert np.array_equal(merged.next_states, whole.next_states)
    assert np.array_equal(merged.dones, whole.dones)
    assert merged.problems == whole.problems


def test_a_batch_keeps_the_dataset_indices_of_its_rows(cartpole):
    job = PredictJob("", "box", "discrete", cartpole.states, cartpole.actions)
    part = batch_job(batch_job(job, np.array([3, 5, 9])), np.array([1, 2]))
    assert part.row_ids.tolist() == [5, 9]
    assert np.array_equal(part.states, cartpole.states[[5, 9]])


@pytest.mark.parametrize("cheater", ["answer_from_caller_frame", "answer_from_memory"])
def test_cheaters_score_like_identity_through_batches_but_not_in_one_job(pool, cartpole, cheater):
    whole = pool.run(
        PredictJob(hostile(cheater), "box", "discrete", cartpole.states, cartpole.actions), timeout=30
    )
    assert whole.ok, whole.message
    assert score(cartpole, whole.value).accuracy > 0.95  # the control: one job holds the answers

    identity = score_program(IDENTITY, cartpole, pool, "default", 30).result.accuracy
    batched = score_program(hostile(cheater), cartpole, pool, "default", 30)
    assert batched.status == "ok", batched.message
    assert batched.result.state <= 0.05
    assert batched.result.accuracy <= identity + 0.01


def test_batched_scoring_equals_one_job_for_an_honest_model(pool, cartpole):
    whole = pool.run(
        PredictJob(CARTPOLE_MODEL, "box", "discrete", cartpole.states, cartpole.actions), timeout=30
    )
    batched = score_program(CARTPOLE_MODEL, cartpole, pool, "default", 30)
    assert batched.result == score(cartpole, whole.value)
    assert np.array_equal(batched.predictions.next_states, whole.value.next_states)


def test_an_error_names_the_transition_by_its_dataset_index(pool, cartpole):
    failing_row = 37
    target = cartpole.states[failing_row].tolist()
    source = IDENTITY.replace(
        "        return self.state, 1.0, False",
        f"        if list(self.state) == {target!r}:\n            raise ValueError('boom')\n"
        "        return self.state, 1.0, False",
    )
    outcome = score_program(source, cartpole, pool, "default", 30)
    assert outcome.status == "error"
    assert f"transition {failing_row}" in outcome.message
