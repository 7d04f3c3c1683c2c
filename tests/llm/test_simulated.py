"""The corrupt-and-repair loop both simulated coders share: pinned answers, so a refactor cannot move them.

The pins are sha256 digests of a generate -> fix -> improve -> ... chain of answers. A
change that moves them changes what the coders write: bump the coder's ``CODER_VERSION``
(part of the response-cache key) together with the pin, never the pin alone.
"""

from __future__ import annotations

import hashlib
import re

from cwmb.apps.describe import problem_task_name
from cwmb.apps.offline import AppsSimulatedCoder
from cwmb.llm import LLMRequest, OfflineSkill, SimulatedCoder
from cwmb.llm.simulated import MODEL_NAME, SimulatedCoderBase
from tests.apps.conftest import problem
from tests.llm.conftest import EXAMPLE_PROGRAM

CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
SKILL = OfflineSkill(p_new_fault=0.5)  # new faults often, so the chain takes every branch


def answer_chain(coder, task: str, samples: int = 3, steps: int = 6) -> str:
    """sha256 of the answers of ``samples`` chains, each a generate followed by fixes and improves."""
    texts = []
    for sample in range(samples):
        program = None
        for step in range(steps):
            action = "generate" if step == 0 else ("fix" if step % 2 else "improve")
            request = LLMRequest.chat(
                [{"role": "user", "content": action}],
                action=action,
                sample_index=sample,
                env_name=task,
                program=program,
            )
            text = coder.generate(request).text
            texts.append(text)
            found = CODE_BLOCK.search(text)
            program = found.group(1) if found else program
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()


def test_the_world_model_coder_answers_as_pinned():
    coder = SimulatedCoder(SKILL, reference_source=lambda env: EXAMPLE_PROGRAM)
    assert answer_chain(coder, "Toy-v0") == "a718b2d87a42370662340c00e92827477478b95da27a1cf846ee80c7427a9022"


def test_the_apps_coder_answers_as_pinned():
    target = problem("3000")
    coder = AppsSimulatedCoder({problem_task_name(target): target}, SKILL)
    assert (
        answer_chain(coder, problem_task_name(target))
        == "8c51475e0fe51f922406bbca09430fe3c5b040e7ec46a9ec0f74b937f3ba6cc9"
    )


def test_both_coders_are_labelled_simulated_by_the_shared_base():
    target = problem("3000")
    coders = [SimulatedCoder(SKILL), AppsSimulatedCoder({problem_task_name(target): target}, SKILL)]
    for coder in coders:
        assert isinstance(coder, SimulatedCoderBase)
        assert coder.simulated and coder.name == MODEL_NAME
