"""The small LLM interface every search method uses, and the records that cross it.

A method builds an :class:`LLMRequest` (chat messages plus metadata: which action of
the search asked, which sample this is, and for the offline coder which environment
and program the prompt is about) and gets an :class:`LLMResponse` back (text, tokens,
cost, latency, cache hit). Anything with a ``complete(request)`` method and a ``name``
is an :class:`LLM`; the usual one is :class:`cwmb.llm.client.LLMClient`, which puts a
:class:`Backend` (litellm, scripted, offline) behind the response cache and call log.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

ACTIONS = ("generate", "improve", "fix", "other")
ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class Message:
    """One chat message: ``role`` is system, user or assistant."""

    role: str
    content: str

    def as_dict(self) -> dict[str, str]:
        """The OpenAI-style dict litellm expects."""
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class LLMRequest:
    """One completion request: chat messages plus metadata for caching, logging and offline models.

    ``sample_index`` separates repeated draws of the same prompt: sample 0 and sample 1
    are two different cache entries, so N samples at temperature > 0 stay N answers and a
    re-run replays each. ``env_name`` and ``program`` are read only by the offline
    simulated coder (real LLMs see the messages alone); ``program`` is the candidate an
    improve or fix action is asked to change.
    """

    messages: tuple[Message, ...]
    action: str = "other"
    sample_index: int = 0
    env_name: str | None = None
    program: str | None = None

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}, not {self.action!r}")
        if self.sample_index < 0:
            raise ValueError("sample_index must be >= 0")
        for message in self.messages:
            if message.role not in ROLES:
                raise ValueError(f"message role must be one of {ROLES}, not {message.role!r}")

    @classmethod
    def chat(
        cls,
        messages: Sequence[Mapping[str, str] | Message],
        *,
        action: str = "other",
        sample_index: int = 0,
        env_name: str | None = None,
        program: str | None = None,
    ) -> LLMRequest:
        """Build a request from OpenAI-style dicts (or :class:`Message` objects)."""
        converted = tuple(
            m if isinstance(m, Message) else Message(role=m["role"], content=m["content"]) for m in messages
        )
        return cls(converted, action, sample_index, env_name, program)

    def message_dicts(self) -> list[dict[str, str]]:
        """The messages as OpenAI-style dicts."""
        return [m.as_dict() for m in self.messages]

    def prompt_hash(self) -> str:
        """A short, stable hash of the messages (for the call log; not the cache key)."""
        return stable_hash(self.message_dicts())[:16]


@dataclass(frozen=True)
class Completion:
    """What a backend returns for one request, before caching and logging add their part.

    ``cost_usd`` is None when the price is unknown (litellm has no price for the model).
    """

    text: str
    tokens_in: int
    tokens_out: int
    cost_usd: float | None = None


@dataclass(frozen=True)
class LLMResponse:
    """The answer a method gets: text, usage, cost and how it was obtained.

    ``cost_usd`` is what the completion cost when it was made (None = unknown), also on a
    cache hit; ``spent_usd`` is what this call spent now (0.0 on a cache hit).
    ``simulated`` is True for the offline coder and scripted replies, never for an LLM.
    """

    text: str
    model: str
    tokens_in: int
    tokens_out: int
    cost_usd: float | None
    spent_usd: float | None
    latency_s: float
    cache_hit: bool
    simulated: bool = False


@runtime_checkable
class LLM(Protocol):
    """What search methods depend on: ``complete`` one request, and a ``name`` for reports."""

    @property
    def name(self) -> str:
        """A short label for the model (e.g. ``gpt-4-turbo``, ``offline``)."""
        ...

    def complete(self, request: LLMRequest) -> LLMResponse:
        """Answer one request (may raise :class:`cwmb.errors.CwmbError` subclasses)."""
        ...


@runtime_checkable
class Backend(Protocol):
    """A source of completions (litellm, scripted, offline) that :class:`LLMClient` wraps.

    ``cache_key_parts`` returns everything that determines the answer to a request (model,
    endpoint, sampling parameters, messages, sample index, and for offline models their
    extra inputs); the response cache hashes it.
    """

    @property
    def name(self) -> str:
        """A short label for the model."""
        ...

    @property
    def simulated(self) -> bool:
        """True when no LLM is involved (offline and scripted backends)."""
        ...

    def cache_key_parts(self, request: LLMRequest) -> dict[str, Any]:
        """Everything that determines the answer, as JSON-serialisable data."""
        ...

    def generate(self, request: LLMRequest) -> Completion:
        """Produce one completion (no caching, no logging)."""
        ...


def stable_hash(data: Any) -> str:
    """SHA-256 hex digest of ``data`` as canonical JSON (sorted keys, no spaces)."""
    encoded = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def rough_token_count(text: str) -> int:
    """A tokenizer-free token estimate (~4 characters per token) for offline models."""
    return max(1, (len(text) + 3) // 4) if text else 0
