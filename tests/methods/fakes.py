"""Fakes for search-method tests: programs whose evaluation is written in them, and scripted answers.

A fake program carries its own verdict in a ``# fake: {...}`` comment; the
:class:`FakeEvaluator` reads it and never executes anything.
"""

from __future__ import annotations

import json

from cwmb.llm import LLMClient, ScriptedLLM
from cwmb.methods import Evaluation, Task
from cwmb.methods.evaluation import failed

TASK = Task("CartPole-v1", "A cart carries a pole. (test description)")


def fake_program(
    name: str,
    accuracy: float = 0.5,
    *,
    perfect: bool | None = None,
    error: str | None = None,
    feedback: str | None = None,
) -> str:
    """A program text with its verdict; six code lines, so a generate node keeps only a prefix."""
    verdict = {
        "accuracy": accuracy,
        "perfect": accuracy == 1.0 if perfect is None else perfect,
        "error": error,
        "feedback": f"transition of {name} is wrong" if feedback is None else feedback,
    }
    return (
        f"# fake: {json.dumps(verdict)}\n"
        "import math\n"
        "class Environment:\n"
        f"    name = {name!r}\n"
        "    def set_state(self, state):\n"
        "        self.state = state\n"
        "    def step(self, action):\n"
        "        return self.state, 0.0, False\n"
    )


def answer(program: str) -> str:
    """An LLM-like answer holding ``program`` in a fenced block."""
    return f"Here is the program.\n\n```python\n{program}```\n"


def repair_answer(program: str) -> str:
    """An improve/fix-format answer holding ``program``."""
    return f"## Error explanation\nIt was wrong.\n\n## Correct code\n```python\n{program}```\n"


def scripted(*answers: str) -> LLMClient:
    """An LLM client answering the i-th call with ``answers[i]`` (no cache)."""
    return LLMClient(ScriptedLLM(list(answers)))


class FakeEvaluator:
    """Reads the verdict from a fake program's ``# fake:`` line; records what it was asked."""

    def __init__(self) -> None:
        self.sources: list[str] = []

    def evaluate(self, source: str) -> Evaluation:
        """The verdict written in ``source``."""
        self.sources.append(source)
        for line in source.splitlines():
            if line.startswith("# fake: "):
                verdict = json.loads(line[len("# fake: ") :])
                if verdict["error"]:
                    return failed("error", verdict["error"])
                return Evaluation(verdict["accuracy"], verdict["perfect"], feedback=verdict["feedback"])
        return failed("error", "not a fake program")
