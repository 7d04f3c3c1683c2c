"""Accuracy metrics (default = paper's Eq. 2, original = the paper's code) and LLM feedback.

Hand-built datasets of a few transitions, with the expected scores worked out in comments,
plus real data scored with the reference models.
"""

from __future__ import annotations

import numpy as np
import pytest

from cwmb.benchmark.reference import collect_transitions, predict_in_process, reference_class
from cwmb.predictions import Predictions
from cwmb.scoring import Tolerance, render_feedback, score
from cwmb.trajectories.dataset import Dataset

THIRD = 1 / 3


def _dataset(env, obs_kind, states, next_states, rewards, terminated, truncated=None, actions=None):
    n = len(rewards)
    return Dataset(
        env=env,
        obs_kind=obs_kind,
        action_kind="discrete",
        trajectory=np.zeros(n, dtype=np.int64),
        step=np.arange(n),
        states=np.asarray(states),
        actions=np.asarray(actions if actions is not None else [[0]] * n, dtype=np.int64),
        rewards=np.asarray(rewards),
        next_states=np.asarray(next_states),
        terminated=np.asarray(terminated, dtype=bool),
        truncated=np.asarray(truncated if truncated is not None else [False] * n, dtype=bool),
    )


def _predictions(next_states, rewards, dones, valid=None):
    n = len(rewards)
    valid = np.ones(n, dtype=bool) if valid is None else np.asarray(valid, dtype=bool)
    return Predictions(
        np.asarray(next_states, dtype=np.float64),
        np.asarray(rewards, dtype=np.float64),
        np.asarray(dones, dtype=bool),
        valid,
        tuple("" if ok else "step returned None" for ok in valid),
    )


def _cartpole_case():
    """Four CartPole-like transitions (float32 states, reward 1.0):

    t0 non-terminal, all right;
    t1 non-terminal, one of four state elements off by 1e-3 (0.041 for 0.04);
    t2 terminated, state entirely wrong, reward and done right;
    t3 truncated only (time limit), the model says done=False.
    """
    s = np.array([[0.1, 0.2, 0.03, -0.4]] * 4, dtype=np.float32)
    ns = np.array([[0.11, 0.19, 0.04, -0.3]] * 4, dtype=np.float32)
    data = _dataset(
        "CartPole-v1", "box", s, ns, [1.0] * 4, [False, False, True, False], [False, False, False, True]
    )
    pred = ns.astype(np.float64)
    pred[1, 2] = 0.041
    pred[2] = [5.0, 5.0, 5.0, 5.0]
    return data, _predictions(pred, [1.0] * 4, [False, False, True, False])


def test_default_metric_hand_computed():
    data, pred = _cartpole_case()
    result = score(data, pred)
    # t0: 1; t1: 2/3 (state wrong); t2: 2/3 (state judged even at termination);
    # t3: 1 (done is compared with terminated, which is False) -> (1 + 2/3 + 2/3 + 1) / 4 = 5/6
    assert result.accuracy == pytest.approx(5 / 6)
    assert (result.state, result.reward, result.done) == (0.5, 1.0, 1.0)
    assert result.failing == (1, 2) and result.n_correct == 2 and not result.perfect


def test_original_metric_hand_computed():
    data, pred = _cartpole_case()
    result = score(data, pred, metric="original")
    # t0: 1; t1: 3 of 4 elements -> 3/4 * 1/3 + 1/3 + 1/3 = 11/12;
    # t2: terminal, state ignored -> 0.5 + 0.5 = 1; t3: done = terminated or truncated = True,
    # so terminal too, and the model's done=False is wrong -> 0.5.
    # One reward class (1.0): plain mean = (1 + 11/12 + 1 + 0.5) / 4 = 41/48
    assert result.accuracy == pytest.approx(41 / 48)
    assert result.failing == (1, 3)
    assert result.state == 0.5  # of the two non-terminal transitions, one has the whole state right
    assert result.done == 0.75


def _cliff_case():
    """Four CliffWalking transitions, reward classes -1 (x3) and -100 (x1).

    The model gets the -1 steps right but on the fall predicts reward -1 and the cliff cell
    (37) instead of the start (36); its done (False) is right.
    """
    states = [[36], [24], [25], [24]]
    next_states = [[24], [25], [36], [12]]
    data = _dataset("CliffWalking-v0", "discrete", states, next_states, [-1, -1, -100, -1], [False] * 4)
    return data, _predictions([[24], [25], [37], [12]], [-1, -1, -1, -1], [False] * 4)


def test_original_metric_balances_reward_classes():
    data, pred = _cliff_case()
    original = score(data, pred, metric="original")
    # class -1: three transitions scoring 1 -> mean 1; class -100: 0 + 0 + 1/3 -> mean 1/3.
    # Macro-average over the two classes: (1 + 1/3) / 2 = 2/3.
    assert original.accuracy == pytest.approx(2 / 3)
    default = score(data, pred)
    # Plain mean: (1 + 1 + 1/3 + 1) / 4 = 5/6.
    assert default.accuracy == pytest.approx(5 / 6)
    assert default.failing == original.failing == (2,)


def test_original_metric_gives_per_element_credit_on_tuples():
    # Blackjack hit: (12, 10, 0) -> (13, 10, 0); the model predicts (22, 10, 0), reward and
    # done right. Original: 2 of 3 elements -> 2/3 * 1/3 = 2/9, + 2/3 = 8/9. Default: 2/3.
    data = _dataset("Blackjack-v1", "tuple", [[12, 10, 0]], [[13, 10, 0]], [0.0], [False], actions=[[1]])
    pred = _predictions([[22, 10, 0]], [0.0], [False])
    assert score(data, pred, metric="original").accuracy == pytest.approx(8 / 9)
    assert score(data, pred).accuracy == pytest.approx(2 / 3)


def test_original_metric_compares_rewards_exactly_with_float32_storage():
    # Pendulum-like reward -0.1 (float64). The original buffer stored float32(-0.1), and
    # compared exactly: a model returning the float64 value loses the reward third.
    data = _dataset(
        "Pendulum-v1", "box", [[1.0, 0.0, 0.5]] * 2, [[1.0, 0.0, 0.5]] * 2, [-0.1, -0.1], [False] * 2
    )
    stored = float(np.float32(-0.1))
    pred = _predictions([[1.0, 0.0, 0.5]] * 2, [-0.1, stored], [False] * 2)
    # t0: 1/3 + 0 + 1/3 = 2/3 ; t1: 1. Rewards are one class (both store as float32(-0.1)).
    assert score(data, pred, metric="original").accuracy == pytest.approx(5 / 6)
    # Default: both within 1e-5 -> 1.0.
    assert score(data, pred).perfect


def test_perfect_does_not_depend_on_the_float_sum():
    # An 11-dimensional state: the original adds 1/3/11 eleven times, which sums with the
    # other two thirds to 0.9999999999999998, not 1.0. The record still says perfect.
    ns = np.linspace(-1, 1, 11)[None, :].repeat(2, axis=0)
    data = _dataset("Hopper-v4", "box", ns, ns, [0.5, 0.5], [False, False])
    result = score(data, _predictions(ns, [0.5, 0.5], [False, False]), metric="original")
    assert result.accuracy == 0.9999999999999998
    assert result.perfect and result.failing == ()


def test_invalid_rows_are_wrong_on_every_part():
    data, pred = _cartpole_case()
    valid = np.array([False, True, True, True])
    problems = ("step returned None", "", "", "")
    bad = Predictions(pred.next_states, pred.rewards, pred.dones, valid, problems)
    result = score(data, bad)
    # t0 now scores 0: (0 + 2/3 + 2/3 + 1) / 4 = 7/12
    assert result.accuracy == pytest.approx(7 / 12)
    assert (result.state, result.reward, result.done) == (0.25, 0.75, 0.75)
    # Original: t0 scores 0 -> (0 + 11/12 + 1 + 0.5) / 4 = 29/48
    assert score(data, bad, metric="original").accuracy == pytest.approx(29 / 48)


def test_tolerance_boundaries_and_exact_integers():
    s = np.zeros((3, 2), dtype=np.float32)
    truth = np.array([[0.0, 100.0]] * 3, dtype=np.float32)
    data = _dataset("MountainCar-v0", "box", s, truth, [-1.0] * 3, [False] * 3)
    # |err| <= 1e-5 + 1e-5 * |truth|: 0.9e-5 at 0 passes, 2e-5 at 0 fails, 9e-4 at 100 passes.
    pred = np.array([[0.9e-5, 100.0], [2e-5, 100.0], [0.0, 100.0009]])
    result = score(data, _predictions(pred, [-1.0] * 3, [False] * 3))
    assert result.failing == (1,)
    loose = score(data, _predictions(pred, [-1.0] * 3, [False] * 3), tolerance=Tolerance(atol=1e-4))
    assert loose.perfect
    # Integer observations are compared exactly: 25.0000001 is not 25.
    data = _dataset("CliffWalking-v0", "discrete", [[24]], [[25]], [-1], [False])
    assert not score(data, _predictions([[25.0000001]], [-1], [False])).perfect
    assert score(data, _predictions([[25.0]], [-1], [False])).perfect


def test_nan_never_matches():
    data, pred = _cartpole_case()
    ns = pred.next_states.copy()
    ns[0, 0] = np.nan
    result = score(data, Predictions(ns, pred.rewards, pred.dones, pred.valid, pred.problems))
    assert 0 in result.failing


def test_bad_inputs_are_refused():
    data, pred = _cartpole_case()
    short = Predictions(pred.next_states[:2], pred.rewards[:2], pred.dones[:2], pred.valid[:2], ())
    with pytest.raises(ValueError, match="do not match"):
        score(data, short)
    with pytest.raises(ValueError, match="unknown metric"):
        score(data, pred, metric="eq3")
    with pytest.raises(ValueError, match="no tolerance"):
        score(data, pred, metric="original", tolerance=Tolerance())


def _variant(name, old, new):
    """The reference model of ``name`` with one piece of its source replaced."""
    from cwmb.benchmark.reference import reference_source

    source = reference_source(name)
    assert old in source
    namespace = {}
    exec(compile(source.replace(old, new), "variant", "exec"), namespace)
    return namespace["Environment"]


def test_real_data_reference_and_broken_variants():
    data = collect_transitions("CartPole-v1", 400, seed=0)
    assert score(data, predict_in_process(reference_class("CartPole-v1"), data)).perfect
    heavy = predict_in_process(_variant("CartPole-v1", "self.gravity = 9.8", "self.gravity = 12.0"), data)
    result = score(data, heavy)
    assert result.state < 0.5 and result.reward == 1.0
    never_done = predict_in_process(
        _variant(
            "CartPole-v1",
            "return self.state.astype(np.float32), 1.0, done",
            "return self.state.astype(np.float32), 1.0, False",
        ),
        data,
    )
    result = score(data, never_done)
    assert result.done == pytest.approx(1 - data.terminated.mean())
    assert set(result.failing) == set(np.flatnonzero(data.terminated).tolist())


def test_feedback_names_the_wrong_parts():
    data, pred = _cartpole_case()
    text = render_feedback(data, pred, score(data, pred), max_transitions=1)
    assert "wrong on 2 of 4 transitions" in text
    assert "Transition 1 (trajectory 0, step 1)" in text and "Transition 2" not in text
    assert "pole angle (dim 2): expected 0.04, predicted 0.041" in text
    assert "(diff +0.001)" in text
    assert "Reward (correct): expected 1.0, predicted 1.0" in text
    assert "Done (correct): expected False, predicted False" in text
    assert render_feedback(data, pred, score(data, pred), max_transitions=5).count("Transition ") == 2


def test_feedback_decodes_discrete_states_and_reports_invalid_rows():
    data, pred = _cliff_case()
    text = render_feedback(data, pred, score(data, pred))
    assert "Input state: 25 (row 2, column 1)" in text
    assert "differs in column: expected 0, predicted 1" in text
    assert "Reward (WRONG): expected -100, predicted -1 (diff +99)" in text
    valid = np.array([False, True, True, True])
    problems = ("step returned None", "", "", "")
    bad = Predictions(pred.next_states, pred.rewards, pred.dones, valid, problems)
    text = render_feedback(data, bad, score(data, bad))
    assert "no valid prediction: step returned None" in text


def test_feedback_is_empty_for_a_perfect_model():
    data = collect_transitions("Taxi-v3", 50, seed=0)
    pred = predict_in_process(reference_class("Taxi-v3"), data)
    assert render_feedback(data, pred, score(data, pred)) == ""


def test_feedback_under_the_original_metric_uses_its_done():
    data, pred = _cartpole_case()
    text = render_feedback(data, pred, score(data, pred, metric="original"))
    block = text[text.index("Transition 3") :]
    assert "Next state (not scored at the end of an episode)" in block
    assert "Done (WRONG): expected True, predicted False" in block  # truncated counts as done


def test_tolerance_overrides_apply_by_cwmb_name_or_gym_id(monkeypatch):
    from cwmb import scoring

    monkeypatch.setitem(scoring.TOLERANCE_OVERRIDES, "Taxi-v3", Tolerance(atol=0.5))
    assert scoring.tolerance_for("Taxi-v4").atol == 0.5
    assert scoring.tolerance_for("CartPole-v1") == Tolerance()
