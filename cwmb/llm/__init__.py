"""LLM access for every search method: one protocol, litellm behind it, a response cache, a call log.

Typical use::

    from cwmb.llm import LLMRequest, make_llm

    llm = make_llm("configs/llms/gpt-4-turbo.yaml", call_log=run_dir / "llm_calls.jsonl")
    answer = llm.complete(LLMRequest.chat([{"role": "user", "content": prompt}],
                                          action="generate", sample_index=0, env_name="CartPole-v1"))

``make_llm(None)`` gives the offline simulated coder. Importing this package does not
import litellm; the first call to a litellm model does. See ``docs/llm.md``.
"""

from cwmb.llm.cache import CacheStats, ResponseCache, resolve_cache_path
from cwmb.llm.calllog import CALL_LOG_NAME, CallLog, CallRecord, read_call_log, summarize_calls
from cwmb.llm.client import Budget, LLMClient
from cwmb.llm.config import LLMConfig, OfflineSkill, Price, config_from_dict, list_presets, load_llm_config
from cwmb.llm.errors import BudgetExceeded, LLMError, ScriptExhausted
from cwmb.llm.factory import make_backend, make_llm
from cwmb.llm.offline import SimulatedCoder
from cwmb.llm.protocol import LLM, Backend, Completion, LLMRequest, LLMResponse, Message
from cwmb.llm.scripted import ScriptedLLM

__all__ = [
    "CALL_LOG_NAME",
    "LLM",
    "Backend",
    "Budget",
    "BudgetExceeded",
    "CacheStats",
    "CallLog",
    "CallRecord",
    "Completion",
    "LLMClient",
    "LLMConfig",
    "LLMError",
    "LLMRequest",
    "LLMResponse",
    "Message",
    "OfflineSkill",
    "Price",
    "ResponseCache",
    "ScriptExhausted",
    "ScriptedLLM",
    "SimulatedCoder",
    "config_from_dict",
    "list_presets",
    "load_llm_config",
    "make_backend",
    "make_llm",
    "read_call_log",
    "resolve_cache_path",
    "summarize_calls",
]
