"""One evaluator factory for `cwmb synthesize` and grid cells: each dataset gets its domain's evaluator."""

from __future__ import annotations

from pathlib import Path

from cwmb.evaluators import sandbox_evaluator_factory
from cwmb.methods.sandbox_evaluator import SandboxEvaluator
from cwmb.rtfm.evaluator import RtfmSandboxEvaluator
from cwmb.sandbox import WorkerPool
from cwmb.trajectories import load_dataset

TRAJECTORIES = Path(__file__).resolve().parents[1] / "trajectories"


class Settings:
    """The three method settings an evaluator takes."""

    metric = "default"
    feedback_transitions = 2
    eval_timeout_s = 5.0


def test_rtfm_data_gets_the_rtfm_evaluator_and_other_data_the_world_model_one():
    with WorkerPool(size=1) as pool:
        make = sandbox_evaluator_factory(pool)
        rtfm = make(load_dataset(TRAJECTORIES, "RTFM-SimpleStationary-v0"), Settings())
        cartpole = make(load_dataset(TRAJECTORIES, "CartPole-v1"), Settings())
    assert isinstance(rtfm, RtfmSandboxEvaluator)
    assert isinstance(cartpole, SandboxEvaluator) and not isinstance(cartpole, RtfmSandboxEvaluator)
