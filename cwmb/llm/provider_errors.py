"""What went wrong with a provider call, in one line with the hint that fixes it.

:func:`classify_error` sorts an exception from ``litellm.completion`` into a *kind*;
the retry loop retries only :data:`RETRYABLE` kinds (never ``auth``: a wrong key stays
wrong). :func:`final_error` turns the kind into one :class:`~cwmb.llm.errors.LLMError`:

==================  ==========================================  ==============================
kind                typical cause                               hint
==================  ==========================================  ==============================
``auth``            401/403, wrong or revoked key               check the key in <VAR>
``not_found``       404 for the path: ``api_base`` without /v1  end api_base with /v1
``unknown_model``   404 naming the model, or a model litellm    the server's or litellm's names
                    cannot route ("LLM Provider NOT provided")
``context_window``  prompt + max_tokens over the context        shorter prompt, bigger context
``rate_limit``      429 after every retry                       lower max_concurrency
``server``          5xx after every retry                       the server's logs
``timeout``         no answer within ``timeout_s``              raise timeout_s
``unreachable``     connection refused, unknown host            is the server running?
``fatal``           anything else (400 bad parameter...)        check model and parameters
==================  ==========================================  ==============================

Provider texts are cut at a word boundary (never ``missing 1 re``); the full text is
written to a file whose path the message gives (:func:`save_full_text`).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from cwmb.llm.config import LLMConfig
from cwmb.llm.errors import OFFLINE_HINT
from cwmb.oneline import cut_at_word

RETRYABLE = ("rate_limit", "server", "timeout", "unreachable")
ERROR_FILE_NAME = "llm_errors.txt"

_CONTEXT_PHRASES = (
    "context length",
    "context window",
    "maximum context",
    "context_length_exceeded",
    "too many tokens",
    "exceeds the context",
    "exceed context",
)


def classify_error(exc: BaseException, litellm: Any) -> str:
    """Sort an exception from ``litellm.completion`` into one kind of the module docstring's table."""
    if isinstance(exc, litellm.Timeout):
        return "timeout"
    if is_unreachable(exc):
        return "unreachable"
    status = getattr(exc, "status_code", None)
    text = str(exc).lower()
    if isinstance(exc, litellm.ContextWindowExceededError) or any(p in text for p in _CONTEXT_PHRASES):
        return "context_window"
    if isinstance(exc, litellm.RateLimitError) or status == 429:
        return "rate_limit"
    auth_types = (litellm.AuthenticationError, litellm.PermissionDeniedError)
    if isinstance(exc, auth_types) or status in (401, 403) or "missing credentials" in text:
        return "auth"
    if isinstance(exc, litellm.NotFoundError) or status == 404:
        return "unknown_model" if "model" in text else "not_found"
    if "llm provider not provided" in text:
        return "unknown_model"
    if isinstance(status, int) and status >= 500:
        return "server"
    return "fatal"


def is_unreachable(exc: BaseException) -> bool:
    """True when the exception chain shows no connection was made (refused, unknown host)."""
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


def provider_text(exc: BaseException) -> str:
    """The provider's own words, without litellm's repeated class-name prefixes."""
    text = str(exc).strip() or type(exc).__name__
    for _ in range(4):  # "litellm.BadRequestError: ContextWindowExceededError: OpenAIException - ..."
        head, sep, rest = text.partition(": ")
        if not sep or " " in head or not head.replace(".", "").isalnum():
            break
        text = rest
    head, sep, rest = text.partition(" - ")
    if sep and head.endswith("Exception") and " " not in head:
        text = rest
    return text.strip()


def save_full_text(folder: Path | None, model: str, text: str) -> Path | None:
    """Append the full error text to ``folder/llm_errors.txt``; the path, or None if it cannot be written."""
    if folder is None:
        return None
    path = Path(folder) / ERROR_FILE_NAME
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {stamp} {model}\n{text.rstrip()}\n")
    except OSError:  # a full disk must not hide the error itself
        return None
    return path


def key_variable(config: LLMConfig, litellm: Any) -> str:
    """The variable the API key comes from: ``api_key_env``, else litellm's ``<PROVIDER>_API_KEY``."""
    if config.api_key_env:
        return config.api_key_env
    try:
        provider = litellm.get_llm_provider(config.model)[1]
    except Exception:  # an unroutable model has no provider, hence no variable
        return "the API key variable"
    return f"{str(provider).upper()}_API_KEY"


def final_error(
    kind: str,
    exc: BaseException,
    *,
    config: LLMConfig,
    litellm: Any,
    attempts: int,
    prompt_tokens: int,
    where: str,
) -> tuple[str, str]:
    """The (message, hint) for a call that failed for good; see the module docstring's table."""
    said = cut_at_word(provider_text(exc))
    if kind in RETRYABLE:
        return _gave_up(kind, config, where, attempts, said)
    if kind == "auth":
        if config.api_base and not config.api_key_env:
            fix = "this server wants a key: set api_key_env in the LLM config to the variable holding it"
        else:
            fix = f"check the key in {key_variable(config, litellm)}"
        return f"{where} rejected the credentials for {config.model}: {said}", f"{fix}; {OFFLINE_HINT}"
    if kind == "not_found":
        return _not_found(config, where, said)
    if kind == "unknown_model":
        return _unknown_model(config, where, said)
    if kind == "context_window":
        budget = f" plus max_tokens {config.max_tokens}" if config.max_tokens else ""
        return (
            f"the prompt (about {prompt_tokens} tokens){budget} does not fit the context window "
            f"of {config.model}: {said}",
            "use a model with a longer context, lower max_tokens, or give the server a larger context "
            "(llama.cpp: --n_ctx; vLLM: --max-model-len)",
        )
    return f"the LLM call to {config.model} failed: {said}", "check model and parameters in the LLM config"


def _gave_up(kind: str, cfg: LLMConfig, where: str, attempts: int, said: str) -> tuple[str, str]:
    """Messages of the retried kinds, once every attempt failed."""
    tries = f"after {attempts} attempt{'s' if attempts > 1 else ''}"
    if kind == "unreachable":
        return f"cannot reach the LLM server at {where} ({tries})", (
            f"is the server running, and is api_base right? {OFFLINE_HINT}"
        )
    if kind == "timeout":
        return f"{cfg.model} at {where} did not answer within {cfg.timeout_s:g} s ({tries})", (
            "raise timeout_s in the LLM config, or check the server's load"
        )
    if kind == "rate_limit":
        return f"{cfg.model} at {where} kept answering 429 (rate limit) {tries}", (
            "lower max_concurrency or raise max_retries / backoff_max_s in the LLM config"
        )
    return (
        f"{where} kept failing with server errors {tries}: {said}",
        "check the server's logs, or retry later",
    )


def _not_found(cfg: LLMConfig, where: str, said: str) -> tuple[str, str]:
    base = (cfg.api_base or "").rstrip("/")
    if base and not base.endswith("/v1") and not _is_ollama(cfg):
        return f"{where} answered 404 Not Found: api_base has no /v1 at its end ({said})", (
            f"set api_base: {base}/v1 (OpenAI-compatible servers serve /v1/chat/completions)"
        )
    return f"{where} answered 404 Not Found for the chat completions path ({said})", (
        "check api_base: it must be the server's OpenAI-compatible root, usually ending in /v1"
    )


def _unknown_model(cfg: LLMConfig, where: str, said: str) -> tuple[str, str]:
    if "llm provider not provided" in said.lower():
        return f"litellm cannot tell which provider serves model '{cfg.model}'", (
            "write model as provider/name (openai/gpt-4o, anthropic/claude-3-5-sonnet-20240620, "
            "or openai/<served name> with api_base for a local server)"
        )
    if _is_ollama(cfg):
        name = cfg.model.split("/", 1)[1]
        return f"{where} does not know model '{cfg.model}': {said}", f"pull it first: ollama pull {name}"
    listing = f" (GET {cfg.api_base.rstrip('/')}/models lists them)" if cfg.api_base else ""
    return f"{where} does not know model '{cfg.model}': {said}", (
        f"check model in the LLM config against the names the server serves{listing}"
    )


def _is_ollama(cfg: LLMConfig) -> bool:
    # Ollama's native API lives at the root (api_base http://localhost:11434, no /v1).
    return cfg.model.startswith(("ollama/", "ollama_chat/"))


def environment_is_set(name: str) -> bool:
    """True when ``name`` is set to something other than blanks (an empty key counts as missing)."""
    return bool(os.environ.get(name, "").strip())
