"""The litellm backend: any provider litellm knows, or any OpenAI-compatible server by ``api_base``.

litellm is imported on first use only (it costs 2+ s and ~170 MiB), with its network
fetch of the price map turned off (``LITELLM_LOCAL_MODEL_COST_MAP=True`` unless the user
set that variable), so prices are those bundled with the pinned litellm version and an
offline machine does not stall on import.

This module owns the one retry loop: litellm's and the OpenAI client's own retries are
set to 0, and rate limits (429), server errors (5xx), timeouts and connection failures
are retried here with exponential backoff and jitter, honouring ``Retry-After``;
authentication errors never are. Every failure ends as one
:class:`~cwmb.llm.errors.LLMError` naming the model, URL or missing variable, with the
hint of :mod:`cwmb.llm.provider_errors`, never as a litellm traceback. An API key
variable that is set but empty counts as missing.

Every request carries a ``seed`` derived from its sample index (which encodes the run's
``--seed``, see :data:`cwmb.methods.session.SEED_STRIDE`) when litellm says the provider
accepts one, so two samples of one prompt are independent draws even on a server that
restarts its generator per process (llama.cpp). The seed is a function of the sample
index, which the cache key already holds, so the key is unchanged (see ``docs/llm.md``).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cwmb.llm.config import LLMConfig
from cwmb.llm.errors import OFFLINE_HINT, LLMError
from cwmb.llm.protocol import Completion, LLMRequest, rough_token_count, stable_hash
from cwmb.llm.provider_errors import (
    RETRYABLE,
    classify_error,
    environment_is_set,
    final_error,
    provider_text,
    save_full_text,
)
from cwmb.oneline import cut_at_word

PRICE_MAP_ENV_VAR = "LITELLM_LOCAL_MODEL_COST_MAP"
# Local servers ignore the key, but the OpenAI client refuses to send a request without one.
PLACEHOLDER_KEY = "sk-no-key-needed"
_ENVIRONMENT_LOCK = threading.Lock()
# Modules litellm imports lazily inside its first completion (about 1 s and 2 s on a busy
# 2-core machine, litellm 1.106): imported by prepare(), so that the first call's latency
# is the provider's and the cost shows up as start-up (benchmarks/llm_startup.py).
_WARM_UP_MODULES = ("litellm.proxy.openai_files_endpoints.common_utils",)
_OPENAI_SDK_MODULES = ("openai.resources.chat",)
_OPENAI_SDK_PROVIDERS = ("openai", "azure", "text-completion-openai")


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


def _retry_after(exc: BaseException) -> float | None:
    headers = getattr(exc, "litellm_response_headers", None) or getattr(
        getattr(exc, "response", None), "headers", None
    )
    try:
        value = headers.get("retry-after") if headers is not None else None
        return float(value) if value is not None else None
    except (TypeError, ValueError):  # an HTTP date instead of seconds: fall back to our own backoff
        return None


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
        error_dir: Path | None = None,
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._error_dir = error_dir
        self._litellm: Any = None
        self._api_key: str | None = None
        self._sends_seed = False
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
        """Model, endpoint, sampling parameters, messages and sample index (the seed derives from it)."""
        return {
            "backend": "litellm",
            "model": self.config.model,
            "api_base": self.config.api_base,
            "params": self.config.sampling(),
            "messages": request.message_dicts(),
            "sample_index": request.sample_index,
        }

    def prepare(self) -> None:
        """Import litellm and check the credentials (the client times this as start-up, not latency)."""
        if self._ready:
            return
        self._litellm = import_litellm()
        self._api_key = self._resolve_api_key()
        self._sends_seed = self._provider_accepts_seed()
        self._warm_up()
        self._ready = True

    def request_seed(self, request: LLMRequest) -> int | None:
        """The seed sent with ``request``: None where the provider takes none (see :func:`sample_seed`)."""
        self.prepare()
        return sample_seed(request.sample_index) if self._sends_seed else None

    def generate(self, request: LLMRequest) -> Completion:
        """Call the model, retrying transient failures; raise :class:`LLMError` when it gives up."""
        self.prepare()
        kwargs = self._call_kwargs(request)
        attempts = self.config.max_retries + 1
        for attempt in range(attempts):
            try:
                response = self._litellm.completion(**kwargs)
            except Exception as exc:  # litellm raises many types; all are sorted by classify_error
                kind = classify_error(exc, self._litellm)
                if kind not in RETRYABLE or attempt == attempts - 1:
                    raise self._final_error(kind, exc, attempt + 1, request) from None
                cfg = self.config
                self._sleep(
                    backoff_delay(
                        attempt, cfg.backoff_base_s, cfg.backoff_max_s, self._rng, _retry_after(exc)
                    )
                )
                continue
            try:
                return self._to_completion(response, request)
            except (AttributeError, IndexError, TypeError, ValueError) as exc:  # a 200 that is no completion
                raise LLMError(
                    f"{self.endpoint} sent an answer that is not a chat completion: {cut_at_word(str(exc))}",
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
        seed = self.request_seed(request)
        if seed is not None:
            kwargs["seed"] = seed
        if self.config.api_base:
            kwargs["api_base"] = self.config.api_base
        if self._api_key:
            kwargs["api_key"] = self._api_key
        return kwargs

    def _warm_up(self) -> None:
        """Import what litellm's first completion would import, so start-up is paid here."""
        try:
            provider = self._litellm.get_llm_provider(self.config.model)[1]
        except Exception:  # an unroutable model: the call itself will say so
            provider = None
        modules = _WARM_UP_MODULES + (_OPENAI_SDK_MODULES if provider in _OPENAI_SDK_PROVIDERS else ())
        for module in modules:
            with contextlib.suppress(ImportError):  # another litellm version may have moved it
                importlib.import_module(module)

    def _provider_accepts_seed(self) -> bool:
        try:
            model, provider, _, _ = self._litellm.get_llm_provider(self.config.model)
            params = self._litellm.get_supported_openai_params(model=model, custom_llm_provider=provider)
        except Exception:  # an unroutable model: the call itself will say so
            return False
        return "seed" in (params or [])

    def _resolve_api_key(self) -> str | None:
        cfg = self.config
        if cfg.api_key_env:
            if not environment_is_set(cfg.api_key_env):
                state = "is empty" if cfg.api_key_env in os.environ else "is not set"
                raise LLMError(
                    f"{cfg.api_key_env} {state}: the LLM config {cfg.source or cfg.name} reads "
                    f"the API key for {cfg.model} from it",
                    f"export {cfg.api_key_env}=...; {OFFLINE_HINT}",
                )
            return os.environ[cfg.api_key_env].strip()
        missing = self._missing_keys()
        if cfg.api_base:
            return PLACEHOLDER_KEY if missing else None
        if missing:
            names = " and ".join(f"{k} {'is empty' if k in os.environ else 'is not set'}" for k in missing)
            raise LLMError(
                f"{names}: model {cfg.model} needs {'it' if len(missing) == 1 else 'them'}",
                f"export {missing[0]}=... (or set api_key_env in the LLM config); {OFFLINE_HINT}",
            )
        return None

    def _missing_keys(self) -> list[str]:
        """Key variables litellm needs for the model and does not have; an empty one counts as missing."""
        # litellm counts a variable set to "" as present, and the call then fails with a
        # 500 that would be retried: hide the empty ones while it looks, then put them back.
        empty = {k: v for k, v in os.environ.items() if _looks_like_a_credential(k) and not v.strip()}
        with _ENVIRONMENT_LOCK:
            for name in empty:
                del os.environ[name]
            try:
                report = self._litellm.validate_environment(model=self.config.model)
            except Exception:  # an unknown provider: let the call itself report the problem
                report = {}
            finally:
                os.environ.update(empty)
        # *_API_BASE variables are optional (litellm has defaults), only keys are required.
        return [k for k in report.get("missing_keys", []) if not k.endswith(("_API_BASE", "_BASE_URL"))]

    def _final_error(self, kind: str, exc: BaseException, attempts: int, request: LLMRequest) -> LLMError:
        prompt_tokens = sum(rough_token_count(m.content) for m in request.messages)
        message, hint = final_error(
            kind,
            exc,
            config=self.config,
            litellm=self._litellm,
            attempts=attempts,
            prompt_tokens=prompt_tokens,
            where=self.endpoint,
        )
        full = provider_text(exc)
        if cut_at_word(full) != full:
            saved = save_full_text(self._error_dir, self.config.model, f"{message}\n{exc!s}")
            if saved is not None:
                message = f"{message} (full text in {saved})"
        return LLMError(message, hint)

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


def sample_seed(sample_index: int) -> int:
    """The provider seed of a sample: a 31-bit hash of its index (run seed and repeat number).

    Hashed rather than the index itself so that neighbouring samples do not get
    neighbouring seeds (some generators correlate those), and kept below 2**31 because
    several servers read the seed as a signed 32-bit integer.
    """
    return int(stable_hash({"cwmb_sample_seed": sample_index})[:8], 16) & 0x7FFFFFFF


def _looks_like_a_credential(name: str) -> bool:
    """Variable names litellm reads credentials from (OPENAI_API_KEY, AWS_ACCESS_KEY_ID, HF_TOKEN...)."""
    upper = name.upper()
    return any(part in upper for part in ("KEY", "TOKEN", "SECRET"))
