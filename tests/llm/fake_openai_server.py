"""A small OpenAI-compatible ``/v1/chat/completions`` server on 127.0.0.1, for tests.

The litellm backend talks to it over real HTTP (``model="openai/<name>"``,
``api_base=server.api_base``), so tests exercise litellm's own request building, error
mapping and response parsing instead of a mock. Behaviour is scripted per request: queue
:class:`Reply`, :class:`Status`, :class:`Slow` or :class:`Malformed` items with
:meth:`FakeOpenAIServer.push`; when the queue is empty the server answers ``"answer <n>"``.
The provider errors users meet come ready-made: :func:`auth_failed` (401),
:func:`forbidden` (403), :func:`unknown_model` (404 naming the model),
:func:`rate_limited` (429) and :func:`context_too_long` (400, OpenAI's wording or
llama.cpp's). Like FastAPI servers (llama-cpp-python, vLLM), any path other than
``/v1/chat/completions`` answers 404 ``{"detail": "Not Found"}``, so an ``api_base``
without ``/v1`` fails as it does for real.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """A normal 200 answer with the given text and usage numbers."""

    text: str
    prompt_tokens: int = 11
    completion_tokens: int = 7


@dataclass(frozen=True)
class Status:
    """An error answer: HTTP ``code`` with an OpenAI-style error body (and Retry-After if given)."""

    code: int
    retry_after: float | None = None
    message: str = "scripted error"
    error_code: str | None = None  # OpenAI's machine-readable "code" field


def auth_failed() -> Status:
    """OpenAI's answer to a wrong key."""
    return Status(401, message="Incorrect API key provided: sk-wrong.", error_code="invalid_api_key")


def forbidden() -> Status:
    """A key that is valid but may not use this model or endpoint."""
    return Status(403, message="You are not allowed to sample from this model")


def unknown_model(name: str = "fake-model") -> Status:
    """OpenAI's 404 for a model it does not serve."""
    return Status(404, message=f"The model `{name}` does not exist", error_code="model_not_found")


def rate_limited(retry_after: float | None = None) -> Status:
    """A 429, with Retry-After when given."""
    return Status(429, retry_after, "Rate limit reached for requests", "rate_limit_exceeded")


def context_too_long(style: str = "openai") -> Status:
    """A prompt over the context window, worded as OpenAI (``openai``) or llama.cpp (``llama.cpp``) do."""
    if style == "llama.cpp":
        return Status(400, message="Requested tokens (9000) exceed context window of 2048")
    return Status(
        400,
        message="This model's maximum context length is 4096 tokens. However, your messages resulted "
        "in 9000 tokens. Please reduce the length of the messages.",
        error_code="context_length_exceeded",
    )


@dataclass(frozen=True)
class Slow:
    """Wait ``seconds`` before answering ``then`` (used to trip client timeouts)."""

    seconds: float
    then: Reply = field(default_factory=lambda: Reply("late answer"))


@dataclass(frozen=True)
class Malformed:
    """A 200 answer whose body is not JSON."""

    body: str = '{"id": "broken", "choices": [ {'


class FakeOpenAIServer:
    """Threaded HTTP server answering chat completions from a script; use as a context manager."""

    def __init__(self) -> None:
        self._script: deque[Reply | Status | Slow | Malformed] = deque()
        self._lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True  # a handler stuck in Slow must not block shutdown
        # A short poll interval makes shutdown (and so each test's teardown) quick.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def api_base(self) -> str:
        """The base URL to give litellm, ending in ``/v1``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def push(self, *items: Reply | Status | Slow | Malformed) -> None:
        """Queue behaviours for the next requests, in order."""
        with self._lock:
            self._script.extend(items)

    def next_behaviour(
        self, body: dict[str, Any], headers: dict[str, str]
    ) -> Reply | Status | Slow | Malformed:
        """Record a request and return what to do with it."""
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            if self._script:
                return self._script.popleft()
            return Reply(f"answer {len(self.requests)}")

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _completion_body(model: str, reply: Reply) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-fake-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": reply.text}, "finish_reason": "stop"}
        ],
        "usage": {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        },
    }


def _make_handler(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
            pass

        def _send(self, code: int, payload: bytes, extra: dict[str, str] | None = None) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            # The client may have given up already (timeout tests).
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(payload)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path != "/v1/chat/completions":
                self._send(404, b'{"detail": "Not Found"}')
                return
            behaviour = server.next_behaviour(body, dict(self.headers.items()))
            if isinstance(behaviour, Slow):
                time.sleep(behaviour.seconds)
                behaviour = behaviour.then
            if isinstance(behaviour, Malformed):
                self._send(200, behaviour.body.encode())
            elif isinstance(behaviour, Status):
                code = behaviour.error_code or behaviour.code
                error = {"error": {"message": behaviour.message, "type": "scripted", "code": code}}
                extra = {} if behaviour.retry_after is None else {"Retry-After": str(behaviour.retry_after)}
                self._send(behaviour.code, json.dumps(error).encode(), extra)
            else:
                self._send(200, json.dumps(_completion_body(body.get("model", "?"), behaviour)).encode())

    return Handler
