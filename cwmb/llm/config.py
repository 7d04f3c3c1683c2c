"""LLM configuration: one YAML file per model under ``configs/llms/``, read into :class:`LLMConfig`.

A config names a backend (``litellm``, ``offline`` or ``scripted``), the model and its
endpoint, the sampling parameters, the reliability settings (timeout, retries,
concurrency), prices and an optional cost cap. Unknown keys are errors, so that a typo
(``temprature``) never silently falls back to a default, and so are keys that the
config's backend would ignore (``api_base`` for the offline coder). Without ``backend:``
a config that names a provider model or an ``api_base`` is a litellm config (the
inference is recorded in :attr:`LLMConfig.backend_inferred_from`); one that names
neither is the offline coder. ``docs/llm.md`` lists every key.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cwmb import presets
from cwmb.config_keys import check_effective_keys, check_known_keys, unknown_key_error
from cwmb.errors import CwmbError

BACKENDS = ("litellm", "offline", "scripted")
OFFLINE_MODEL = "offline/simulated-coder"
# Keys only the litellm backend reads; the offline and scripted backends answer without them.
_LITELLM_ONLY = (
    "api_base",
    "api_key_env",
    "temperature",
    "top_p",
    "extra",
    "timeout_s",
    "max_retries",
    "backoff_base_s",
    "backoff_max_s",
)
# Filled in by config_from_dict, never read from YAML.
_DERIVED = ("source", "backend_inferred_from")
CONFIG_DIR = presets.preset_dir("llms")  # packaged; ./configs/llms/ is searched first

# Fault kinds the simulated coder knows, kept here so the config can be validated without
# importing the fault injector.
FAULT_KINDS = ("constant", "comparison", "drop_term", "termination", "runtime_error", "syntax_error")


@dataclass(frozen=True)
class Price:
    """User price override in US dollars per million tokens (wins over litellm's price map)."""

    input_per_mtok: float
    output_per_mtok: float

    def cost(self, tokens_in: int, tokens_out: int) -> float:
        """Dollar cost of one call with these token counts."""
        return (tokens_in * self.input_per_mtok + tokens_out * self.output_per_mtok) / 1e6


def _default_fault_weights() -> dict[str, float]:
    # Wrong constants and flipped comparisons are the most common slips in LLM-written
    # world models; crashes are rarer but must occur so that fix actions get exercised.
    return {
        "constant": 3.0,
        "comparison": 2.0,
        "drop_term": 2.0,
        "termination": 1.0,
        "runtime_error": 1.0,
        "syntax_error": 0.5,
    }


def _default_improve_remove() -> dict[str, float]:
    return {k: 0.35 for k in FAULT_KINDS}


def _default_fix_remove() -> dict[str, float]:
    # A fix prompt carries the traceback, so crashing faults are the ones it repairs.
    return {k: (0.8 if k in ("runtime_error", "syntax_error") else 0.1) for k in FAULT_KINDS}


@dataclass(frozen=True)
class OfflineSkill:
    """How good the simulated coder is: how many faults it makes and how often it repairs them.

    ``generate_faults`` is the inclusive range of faults in a freshly generated program;
    ``improve_remove`` / ``fix_remove`` give, per fault kind, the chance that an improve or
    fix action removes a fault of that kind; ``p_new_fault`` is the chance that an improve
    or fix action introduces one new fault. ``seed`` changes every decision it makes.
    """

    seed: int = 0
    generate_faults: tuple[int, int] = (1, 4)
    fault_weights: dict[str, float] = field(default_factory=_default_fault_weights)
    improve_remove: dict[str, float] = field(default_factory=_default_improve_remove)
    fix_remove: dict[str, float] = field(default_factory=_default_fix_remove)
    p_new_fault: float = 0.1

    def __post_init__(self) -> None:
        low, high = self.generate_faults
        if not 0 <= low <= high:
            raise CwmbError(
                f"offline.generate_faults must be [min, max] with 0 <= min <= max, got {low, high}"
            )
        for label, table in (
            ("fault_weights", self.fault_weights),
            ("improve_remove", self.improve_remove),
            ("fix_remove", self.fix_remove),
        ):
            for kind, value in table.items():
                if kind not in FAULT_KINDS:
                    raise unknown_key_error(f"offline.{label}", kind, FAULT_KINDS)
                if value < 0 or (label != "fault_weights" and value > 1):
                    raise CwmbError(f"offline.{label}.{kind} = {value} is out of range")
        if not 0 <= self.p_new_fault <= 1:
            raise CwmbError(f"offline.p_new_fault = {self.p_new_fault} must be a probability")


@dataclass(frozen=True)
class LLMConfig:
    """Everything needed to build an LLM client; see ``docs/llm.md`` for each key."""

    name: str = "offline"
    backend: str = "offline"
    model: str = OFFLINE_MODEL
    api_base: str | None = None
    api_key_env: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    timeout_s: float = 120.0
    max_retries: int = 4
    backoff_base_s: float = 1.0
    backoff_max_s: float = 30.0
    max_concurrency: int = 4
    price: Price | None = None
    max_cost: float | None = None
    cache: bool = True
    cache_dir: str | None = None
    offline: OfflineSkill = field(default_factory=OfflineSkill)
    script: tuple[str, ...] = ()
    source: str | None = None
    backend_inferred_from: str | None = None  # the key that made a config without backend: litellm

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise unknown_key_error("LLM backend", self.backend, BACKENDS)
        if self.backend == "litellm" and not self.model:
            raise CwmbError(f"LLM config '{self.name}' has no model", "set model: e.g. gpt-4-turbo")
        if self.max_concurrency < 1 or self.max_retries < 0 or self.timeout_s <= 0:
            raise CwmbError(
                f"LLM config '{self.name}': max_concurrency >= 1, max_retries >= 0, timeout_s > 0"
            )
        if self.max_cost is not None and self.max_cost < 0:
            raise CwmbError(f"LLM config '{self.name}': max_cost must be >= 0")

    def sampling(self) -> dict[str, Any]:
        """The sampling parameters sent with every call (unset ones left to the provider)."""
        params = {"temperature": self.temperature, "top_p": self.top_p, "max_tokens": self.max_tokens}
        return {k: v for k, v in params.items() if v is not None} | dict(self.extra)

    def with_overrides(self, **changes: Any) -> LLMConfig:
        """A copy with some fields replaced (None values are ignored, so CLI defaults pass through)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def offline_config(seed: int = 0) -> LLMConfig:
    """The built-in default: the offline simulated coder with its default skill."""
    return LLMConfig(offline=OfflineSkill(seed=seed))


def list_presets(config_dir: Path = CONFIG_DIR) -> list[str]:
    """Names of the preset configs shipped in ``configs/llms/``."""
    return presets.list_presets(config_dir)


def resolve_config_path(spec: str | Path, config_dir: Path = CONFIG_DIR) -> Path:
    """Turn a path or a preset name (``gpt-4-turbo``) into an existing YAML path."""
    return presets.resolve_preset("LLM config", spec, config_dir)


def load_llm_config(spec: str | Path | None = None, config_dir: Path = CONFIG_DIR) -> LLMConfig:
    """Read an LLM config from a YAML path or preset name; None gives the offline default."""
    if spec is None:
        return offline_config()
    import yaml

    path = resolve_config_path(spec, config_dir)
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as problem:
        raise CwmbError(f"cannot parse LLM config {path}: {problem}") from None
    if not isinstance(data, dict):
        raise CwmbError(f"LLM config {path} must be a mapping of keys to values")
    return config_from_dict(data, source=str(path))


def config_from_dict(data: dict[str, Any], source: str | None = None) -> LLMConfig:
    """Build and validate an :class:`LLMConfig` from plain data (as read from YAML).

    Raises :class:`CwmbError` for an unknown key, a key the backend would ignore, or a
    bad value; infers the backend when ``backend:`` is missing (module docstring).
    """
    known = sorted({f.name for f in dataclasses.fields(LLMConfig)} - set(_DERIVED))
    check_known_keys(data, known, "key", f" in LLM config {source}" if source else "")
    values = dict(data)
    if "backend" not in values:
        values["backend"], values["backend_inferred_from"] = infer_backend(values)
    _check_keys_have_effect(values, source)
    if "price" in values and values["price"] is not None:
        values["price"] = _read_price(values["price"])
    if "offline" in values:
        values["offline"] = _read_offline(values["offline"] or {})
    if "script" in values:
        values["script"] = tuple(str(s) for s in values["script"] or ())
    if "extra" in values:
        values["extra"] = dict(values["extra"] or {})
    for key, kind in _NUMERIC.items():
        if values.get(key) is not None:
            values[key] = _number(key, values[key], kind, source)
    values.setdefault("name", Path(source).stem if source else values.get("model", "llm"))
    if values.get("backend", "offline") == "litellm":
        values.setdefault("model", "")
    try:
        return LLMConfig(**values, source=source)
    except TypeError as problem:
        raise CwmbError(f"invalid LLM config {source}: {problem}") from None


def infer_backend(values: dict[str, Any]) -> tuple[str, str | None]:
    """The backend of a config without ``backend:``, and the key it was inferred from (None: default).

    ``api_base`` or a ``model`` other than the offline coder's means litellm: such a
    config asks for a server, and running the offline coder instead would answer a
    question nobody asked.
    """
    if values.get("api_base"):
        return "litellm", "api_base"
    model = values.get("model")
    if model and not str(model).startswith("offline/"):
        return "litellm", "model"
    return "offline", None


def _check_keys_have_effect(values: dict[str, Any], source: str | None) -> None:
    """Refuse keys that the config's backend would silently ignore."""
    backend = values.get("backend")
    where = f" in LLM config {source}" if source else " in the LLM config"
    why: dict[str, str] = {}
    if backend in ("offline", "scripted"):
        why |= {key: f"the {backend} backend sends no request, so it never reads it" for key in _LITELLM_ONLY}
    if backend != "offline":
        why["offline"] = f"only the offline backend reads it (this config's backend is {backend})"
    if backend != "scripted":
        why["script"] = f"only the scripted backend reads it (this config's backend is {backend})"
    if backend == "offline" and not str(values.get("model", OFFLINE_MODEL)).startswith("offline/"):
        why["model"] = "the offline backend always runs the simulated coder, whatever model says"
    given = {key: value for key, value in values.items() if value is not None}
    check_effective_keys(given, why, where, _no_effect_hint(backend))
    if isinstance(values.get("extra"), dict) and "seed" in values["extra"]:
        raise CwmbError(
            f"key 'extra.seed'{where} has no effect: cwmb sends its own seed with every request, "
            "derived from the run's --seed and the sample index",
            "remove it; pass --seed to `cwmb synthesize` to draw another stream of samples",
        )


def _no_effect_hint(backend: Any) -> str:
    if backend == "litellm":
        return "remove it, or set the backend that reads it"
    return "remove it, or set backend: litellm to call a real model"


_NUMERIC = {
    "temperature": float,
    "top_p": float,
    "max_tokens": int,
    "timeout_s": float,
    "max_retries": int,
    "backoff_base_s": float,
    "backoff_max_s": float,
    "max_concurrency": int,
    "max_cost": float,
}


def _number(key: str, value: Any, kind: type, source: str | None) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float) or (kind is int and value != int(value)):
        raise CwmbError(
            f"{key} in LLM config {source or ''} must be {'an integer' if kind is int else 'a number'}, "
            f"not {value!r}"
        )
    return kind(value)


def _read_price(raw: Any) -> Price:
    if not isinstance(raw, dict) or set(raw) != {"input_per_mtok", "output_per_mtok"}:
        raise CwmbError(
            "price must be a mapping with input_per_mtok and output_per_mtok",
            "e.g. price: {input_per_mtok: 10.0, output_per_mtok: 30.0}  (US$ per million tokens)",
        )
    return Price(float(raw["input_per_mtok"]), float(raw["output_per_mtok"]))


def _read_offline(raw: dict[str, Any]) -> OfflineSkill:
    check_known_keys(raw, sorted(f.name for f in dataclasses.fields(OfflineSkill)), "offline skill key")
    values = dict(raw)
    defaults = OfflineSkill()
    if "generate_faults" in values:
        low, high = values["generate_faults"]
        values["generate_faults"] = (int(low), int(high))
    # Partial tables extend the defaults, so a config can change one kind only.
    for table in ("fault_weights", "improve_remove", "fix_remove"):
        if table in values:
            values[table] = getattr(defaults, table) | {k: float(v) for k, v in values[table].items()}
    return OfflineSkill(**values)
