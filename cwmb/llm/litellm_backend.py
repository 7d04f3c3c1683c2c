"""The litellm backend: any provider litellm knows, or any OpenAI-compatible server by ``api_base``.

litellm is imported on first use only (it costs 2+ s and ~170 MiB), with its network
fetch of the price map turned off (``LITELLM_LOCAL_MODEL_COST_MAP=True`` unless the user
set that variable), so prices are those bundled with the pinned litellm version and an
offline machine does not stall on import.

This module owns the one retry loop: litellm's and the OpenAI client's own retries are
set to 0, and rate limits (429), server errors (5xx), timeouts and connection failures
are retried here with exponential backoff and jitter, honouring ``Retry-After``. Every
failure ends as one :class:`~cwmb.llm.errors.LLMError` naming the model, URL or missing
variable, never as a litellm traceback.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from typing import Any

from cwmb.llm.config import LLMConfig
from cwmb.llm.errors import OFFLINE_HINT, LLMError
from cwmb.llm.protocol import Completion, LLMRequest, rough_token_count

PRICE_MAP_ENV_VAR = "LITELLM_LOCAL_MODEL_COST_MAP"
# Local servers ignore the key, but the OpenAI client refuses to send a request without one.
PLACEHOLDER_KEY = "sk-no-key-needed"
RETRYABLE = ("rate_limit", "server", "timeout", "unreachable")


def import_litellm() -> Any:
    """Import litellm without its network price-map fetch and without its chatty debug hints."""
    os.environ.setdefault(PRICE_MAP_ENV_VAR, "True")
    import litellm

    litellm.suppress_debug_info = True  # no "Give Feedback / Get Help" banner on every error
    return litellm


def backoff_delay(
    attempt: int, base_s: float, max_s: float, rng: random.Random, retry_after: float | None
) -> float:
    """Seconds to wait before retry ``attempt`` (0-based): capped exponential with jitter.

    Jitter draws from [50 %, 100 %] of the exponential step so that parallel workers that
    failed together do not retry together; a server's ``Retry-After`` is a lower bound.
    """
    delay = min(max_s, base_s * (2**attempt)) * rng.uniform(0.5, 1.0)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, max_s)


def classify_error(exc: BaseException, litellm: Any) -> str:
    """Sort an exception from ``litellm.completion`` into one of a few kinds that decide retrying."""
    if isinstance(exc, litellm.Timeout):
        return "timeout"
    if _is_unreachable(exc):
        return "unreachable"
    status = getattr(exc, "status_code", None)
    if isinstance(exc, litellm.RateLimitError) or status == 429:
        return "rate_limit"
    if isinstance(exc, litellm.AuthenticationError | litellm.PermissionDeniedError) or status in (401, 403):
        return "auth"
    if isinstance(status, int) and status >= 500:
        return "server"
    return "fatal"


def _is_unreachable(exc: BaseException) -> bool:
    # litellm wraps a refused connection in InternalServerError (status 500); the real
    # cause sits further down the exception chain (openai APIConnectionError, httpx ConnectError).
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionError) or type(current).__name__ in (
            "ConnectError",
            "APIConnectionError",
        ):
            return type(current).__name__ != "APITimeoutError"
        text = str(current)
        if "Connection refused" in text or "Connection error" in text or "Name or service not known" in text:
            return True
        current = current.__cause__ or current.__context__
    return False


def _retry_after(exc: BaseException) -> float | None:
    headers = getattr(exc, "litellm_response_headers", None) or getattr(
        getattr(exc, "response", None), "headers", None
    )
    try:
        value = headers.get("retry-after") if headers is not None else None
        return float(value) if value is not None else None
    except (TypeError, ValueError):  # an HTTP date instead of seconds: fall back to our own backoff
        return None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


class LiteLLMBackend:
    """A :class:`~cwmb.llm.protocol.Backend` calling ``litellm.completion`` with retries.

    ``sleep`` and ``rng`` are injectable so that tests of the retry loop do not wait.
    """

    def __init__(
        self,
        config: LLMConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._litellm: Any = None
        self._api_key: str | None = None
        self._ready = False  # litellm imported and credentials checked

    @property
    def name(self) -> str:
        """The litellm model string."""
        return self.config.model

    @property
    def simulated(self) -> bool:
        """Never: this is a real model."""
        return False

    @property
    def endpoint(self) -> str:
        """The URL or provider the calls go to, for error messages."""
        return self.config.api_base or f"the provider API of {self.config.model}"

    def cache_key_parts(self, request: LLMRequest) -> dict[str, Any]:
        """Model, endpoint, sampling parameters, messages and sample index."""
        return {
            "backend": "litellm",
            "model": self.config.model,
            "api_base": self.config.api_base,
            "params": self.config.sampling(),
            "messages": request.message_dicts(),
            "sample_index": request.sample_index,
        }

    def generate(self, request: LLMRequest) -> Completion:
        """Call the model, retrying transient failures; raise :class:`LLMError` when it gives up."""
        if not self._ready:
            self._litellm = import_litellm()
            self._api_key = self._resolve_api_key()
            self._ready = True
        kwargs = self._call_kwargs(request)
        attempts = self.config.max_retries + 1
        for attempt in range(attempts):
            try:
                response = self._litellm.completion(**kwargs)
            except Exception as exc:  # litellm raises many types; all are sorted by classify_error
                kind = classify_error(exc, self._litellm)
                if kind not in RETRYABLE or attempt == attempts - 1:
                    raise self._final_error(kind, exc, attempt + 1) from None
                cfg = self.config
                self._sleep(
                    backoff_delay(
                        attempt, cfg.backoff_base_s, cfg.backoff_max_s, self._rng, _retry_after(exc)
                    )
                )
                continue
            try:
                return self._to_completion(response, request)
            except (
                AttributeError,
                IndexError,
                TypeError,
                ValueError,
            ) as exc:  # a 200 that is not a completion
                raise LLMError(
                    f"{self.endpoint} sent an answer that is not a chat completion: {_short(exc)}",
                    "check that api_base points to an OpenAI-compatible /v1 endpoint",
                ) from None
        raise AssertionError("unreachable: the loop returns or raises")

    def _call_kwargs(self, request: LLMRequest) -> dict[str, Any]:
        kwargs: dict[str, Any] = dict(self.config.sampling())
        # Ours come last so that `extra` cannot re-enable litellm's own retry loop.
        kwargs.update(
            model=self.config.model,
            messages=request.message_dicts(),
            timeout=self.config.timeout_s,
            num_retries=0,
            max_retries=0,
        )
        if self.config.api_base:
            kwargs["api_base"] = self.config.api_base
        if self._api_key:
            kwargs["api_key"] = self._api_key
        return kwargs

    def _resolve_api_key(self) -> str | None:
        cfg = self.config
        if cfg.api_key_env:
            value = os.environ.get(cfg.api_key_env)
            if not value:
                raise LLMError(
                    f"{cfg.api_key_env} is not set: the LLM config {cfg.source or cfg.name} reads "
                    f"the API key for {cfg.model} from it",
                    f"export {cfg.api_key_env}=...; {OFFLINE_HINT}",
                )
            return value
        missing = self._missing_keys()
        if cfg.api_base:
            return PLACEHOLDER_KEY if missing else None
        if missing:
            names = " and ".join(missing)
            raise LLMError(
                f"{names} {'is' if len(missing) == 1 else 'are'} not set: model {cfg.model} needs "
                f"{'it' if len(missing) == 1 else 'them'}",
                f"export {missing[0]}=... (or set api_key_env in the LLM config); {OFFLINE_HINT}",
            )
        return None

    def _missing_keys(self) -> list[str]:
        try:
            report = self._litellm.validate_environment(model=self.config.model)
        except Exception:  # an unknown provider: let the call itself report the problem
            return []
        # *_API_BASE variables are optional (litellm has defaults), only keys are required.
        return [k for k in report.get("missing_keys", []) if not k.endswith(("_API_BASE", "_BASE_URL"))]

    def _final_error(self, kind: str, exc: BaseException, attempts: int) -> LLMError:
        cfg, where = self.config, self.endpoint
        tries = f"after {attempts} attempt{'s' if attempts > 1 else ''}"
        if kind == "unreachable":
            return LLMError(
                f"cannot reach the LLM server at {where} ({tries})",
                f"is the server running, and is api_base right? {OFFLINE_HINT}",
            )
        if kind == "timeout":
            return LLMError(
                f"{cfg.model} at {where} did not answer within {cfg.timeout_s:g} s ({tries})",
                "raise timeout_s in the LLM config, or check the server's load",
            )
        if kind == "rate_limit":
            return LLMError(
                f"{cfg.model} at {where} kept answering 429 (rate limit) {tries}",
                "lower max_concurrency or raise max_retries in the LLM config",
            )
        if kind == "server":
            return LLMError(
                f"{where} kept failing with server errors {tries}: {_short(exc)}",
                "check the server's logs, or retry later",
            )
        if kind == "auth":
            key = cfg.api_key_env or "the API key variable"
            return LLMError(
                f"{where} rejected the credentials for {cfg.model}: {_short(exc)}",
                f"check {key}; {OFFLINE_HINT}",
            )
        return LLMError(
            f"the LLM call to {cfg.model} failed: {_short(exc)}",
            "check model and parameters in the LLM config",
        )

    def _to_completion(self, response: Any, request: LLMRequest) -> Completion:
        choice = response.choices[0]
        text = choice.message.content or ""
        usage = getattr(response, "usage", None)
        tokens_in = getattr(usage, "prompt_tokens", None)
        tokens_out = getattr(usage, "completion_tokens", None)
        if tokens_in is None or tokens_out is None:  # a server that reports no usage
            tokens_in = sum(rough_token_count(m.content) for m in request.messages)
            tokens_out = rough_token_count(text)
        return Completion(text, int(tokens_in), int(tokens_out), self._cost(response))

    def _cost(self, response: Any) -> float | None:
        try:
            cost = self._litellm.completion_cost(completion_response=response)
        except Exception:  # models missing from the price map raise; the cost is then unknown
            return None
        return float(cost) if cost is not None else None
