"""The scripted model: replays a fixed list of completions in order. For tests of search methods."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from cwmb.llm.errors import ScriptExhausted
from cwmb.llm.protocol import Completion, LLMRequest, rough_token_count, stable_hash


class ScriptedLLM:
    """A :class:`~cwmb.llm.protocol.Backend` answering the i-th call with ``completions[i]``.

    Its cache identity includes a hash of the whole script, so two different scripts never
    share cache entries. Running out raises :class:`ScriptExhausted`, which names how many
    completions were given.
    """

    def __init__(self, completions: Sequence[str], name: str = "scripted") -> None:
        self._completions = list(completions)
        self._name = name
        self._next = 0
        self._lock = threading.Lock()
        self._script_hash = stable_hash(self._completions)
        self.requests: list[LLMRequest] = []

    @property
    def name(self) -> str:
        """The model label (``scripted`` unless given)."""
        return self._name

    @property
    def simulated(self) -> bool:
        """Always: no LLM is involved."""
        return True

    @property
    def remaining(self) -> int:
        """How many scripted completions are left."""
        return len(self._completions) - self._next

    def cache_key_parts(self, request: LLMRequest) -> dict[str, Any]:
        """The script's hash, the messages and the sample index."""
        return {
            "backend": "scripted",
            "script": self._script_hash,
            "messages": request.message_dicts(),
            "sample_index": request.sample_index,
        }

    def generate(self, request: LLMRequest) -> Completion:
        """Return the next scripted completion."""
        with self._lock:
            if self._next >= len(self._completions):
                raise ScriptExhausted(
                    f"the scripted model has no completion left: all {len(self._completions)} were used "
                    f"(this is call {self._next + 1}, action {request.action})",
                    "give the scripted model more completions, or check why the method calls it more often",
                )
            text = self._completions[self._next]
            self._next += 1
            self.requests.append(request)
        tokens_in = sum(rough_token_count(m.content) for m in request.messages)
        return Completion(text, tokens_in, rough_token_count(text), 0.0)
