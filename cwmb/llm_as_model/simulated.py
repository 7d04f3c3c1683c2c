"""An offline stand-in for an LLM asked to be the world model: labelled simulated, instant.

It reads the query from the prompt, steps the env's reference world model (trusted code
shipped with cwmb) and answers in the expected format with every number rounded to three
significant digits, as a text-bound predictor would. It exercises the whole harness
(prompting, cache, call log, parsing, scoring, timing) without a key; its accuracy says
nothing about any LLM.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

from cwmb.benchmark.registry import EnvSpec
from cwmb.errors import CwmbError
from cwmb.llm.protocol import Completion, LLMRequest, rough_token_count
from cwmb.llm_as_model.prompting import NEXT, parsed_query

NAME = "offline/simulated-predictor"


def reference_program(spec: EnvSpec) -> str:
    """The source of the env's reference world model (exact for 7 envs, observation-only for MuJoCo)."""
    from cwmb.benchmark.reference import REFERENCE_ENVS, reference_source

    if spec.name in REFERENCE_ENVS:
        return reference_source(spec.name)
    from cwmb.benchmark.reference_mujoco import MUJOCO_REFERENCE_ENVS, mujoco_reference_source

    if spec.name in MUJOCO_REFERENCE_ENVS:
        return mujoco_reference_source(spec.name)
    raise CwmbError(
        f"no reference model for {spec.name}", "the offline predictor needs one; use an LLM config"
    )


class SimulatedPredictor:
    """A :class:`~cwmb.llm.protocol.Backend` answering direct-prediction prompts from the reference model."""

    simulated = True

    def __init__(self, spec: EnvSpec, obs_kind: str) -> None:
        module = types.ModuleType(f"cwmb_predictor_{spec.name.replace('-', '_')}")
        exec(compile(reference_program(spec), module.__name__, "exec"), module.__dict__)
        self._env = module.Environment()
        self._spec = spec
        self._obs_kind = obs_kind

    @property
    def name(self) -> str:
        """The label every output shows."""
        return NAME

    def cache_key_parts(self, request: LLMRequest) -> dict[str, Any]:
        """The messages and the env decide the answer."""
        return {
            "model": NAME,
            "env": self._spec.name,
            "messages": [[m.role, m.content] for m in request.messages],
            "sample_index": request.sample_index,
        }

    def generate(self, request: LLMRequest) -> Completion:
        """Answer the prompt's query with the reference model's prediction, rounded."""
        query = parsed_query(request.messages[-1].content)
        if query is None:
            return Completion("I cannot find the transition to predict.", 10, 8, 0.0)
        observation, action = query["observation"], query["action"]
        if self._obs_kind == "box":
            state: Any = np.asarray(observation, dtype=np.float32)
        else:
            state = tuple(observation) if self._obs_kind == "tuple" else int(observation)
        self._env.set_state(state)
        step_action = int(action) if self._spec.is_discrete else np.asarray(action, dtype=np.float32)
        next_state, reward, done = self._env.step(step_action)
        values = np.atleast_1d(np.asarray(next_state, dtype=np.float64))
        numbers = ", ".join(f"{v:.3g}" for v in values)
        text = f"{NEXT}\n[{numbers}]\nReward: {float(reward):.3g}\nDone: {bool(done)}"
        prompt = sum(len(m.content) for m in request.messages)
        return Completion(text, rough_token_count("x" * prompt), rough_token_count(text), 0.0)
