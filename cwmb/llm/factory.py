"""Build an :class:`~cwmb.llm.client.LLMClient` from an :class:`~cwmb.llm.config.LLMConfig`."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

from cwmb.llm.cache import ResponseCache, resolve_cache_path
from cwmb.llm.calllog import CallLog
from cwmb.llm.client import Budget, LLMClient, shared_semaphore
from cwmb.llm.config import LLMConfig, load_llm_config
from cwmb.llm.litellm_backend import LiteLLMBackend
from cwmb.llm.offline import ReferenceSource, SimulatedCoder
from cwmb.llm.protocol import Backend
from cwmb.llm.scripted import ScriptedLLM


def make_backend(
    config: LLMConfig,
    *,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    reference_source: ReferenceSource | None = None,
    error_dir: Path | None = None,
) -> Backend:
    """The backend a config names: litellm, offline simulated coder, or scripted replies.

    ``error_dir`` is where the litellm backend writes the full text of provider errors
    that its one-line messages cut short.
    """
    if config.backend == "litellm":
        return LiteLLMBackend(config, sleep=sleep, rng=rng, error_dir=error_dir)
    if config.backend == "scripted":
        return ScriptedLLM(config.script, name=config.name if config.name != "offline" else "scripted")
    return SimulatedCoder(config.offline, reference_source=reference_source)


def make_llm(
    config: LLMConfig | str | Path | None = None,
    *,
    cache: ResponseCache | bool = True,
    cache_dir: str | Path | None = None,
    call_log: CallLog | str | Path | None = None,
    budget: Budget | None = None,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    reference_source: ReferenceSource | None = None,
    offline_backend: Backend | None = None,
) -> LLMClient:
    """The LLM a run uses: config (object, YAML path or preset name; None = offline) plus cache and log.

    ``cache=True`` opens the shared cache (``cache_dir``, else ``$CWMB_CACHE_DIR``, else the
    config's ``cache_dir``, else ``~/.cache/cwmb``) unless the config says ``cache: false``;
    ``cache=False`` disables it. ``budget`` lets several clients share one cost cap; by
    default a new one is made from the config's ``max_cost``. ``sleep``/``rng`` drive
    retry backoff (tests pass a no-op sleep); ``reference_source`` feeds the offline coder;
    ``offline_backend`` replaces it for a domain with its own simulated coder (APPS). Full
    texts of provider errors go next to the call log (a run's folder), else next to the cache
    file.
    """
    if not isinstance(config, LLMConfig):
        config = load_llm_config(config)
    if isinstance(cache, ResponseCache):
        response_cache: ResponseCache | None = cache
    elif cache and config.cache:
        response_cache = ResponseCache(resolve_cache_path(cache_dir, config.cache_dir))
    else:
        response_cache = None
    log = call_log if isinstance(call_log, CallLog) or call_log is None else CallLog(call_log)
    cache_path = resolve_cache_path(cache_dir, config.cache_dir)
    if isinstance(cache, ResponseCache):
        cache_path = cache.path
    error_dir = log.path.parent if log is not None else cache_path.parent
    backend = make_backend(
        config, sleep=sleep, rng=rng, reference_source=reference_source, error_dir=error_dir
    )
    if config.backend == "offline" and offline_backend is not None:  # a domain's own simulated coder
        backend = offline_backend
    endpoint = f"{config.backend}|{config.model}|{config.api_base or ''}"
    return LLMClient(
        backend,
        cache=response_cache,
        call_log=log,
        budget=budget or Budget(config.max_cost),
        price=config.price,
        max_tokens=config.max_tokens,
        semaphore=shared_semaphore(endpoint, config.max_concurrency),
    )
