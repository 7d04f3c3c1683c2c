"""LLM configuration: one YAML file per model under ``configs/llms/``, read into :class:`LLMConfig`.

A config names a backend (``litellm``, ``offline`` or ``scripted``), the model and its
endpoint, the sampling parameters, the reliability settings (timeout, retries,
concurrency), prices and an optional cost cap. Unknown keys are errors, so that a typo
(``temprature``) never silently falls back to a default. ``docs/llm.md`` lists every key.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cwmb import presets
from cwmb.errors import CwmbError, closest_names

BACKENDS = ("litellm", "offline", "scripted")
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
                    raise _unknown_key(f"offline.{label}", kind, FAULT_KINDS)
                if value < 0 or (label != "fault_weights" and value > 1):
                    raise CwmbError(f"offline.{label}.{kind} = {value} is out of range")
        if not 0 <= self.p_new_fault <= 1:
            raise CwmbError(f"offline.p_new_fault = {self.p_new_fault} must be a probability")


@dataclass(frozen=True)
class LLMConfig:
    """Everything needed to build an LLM client; see ``docs/llm.md`` for each key."""

    name: str = "offline"
    backend: str = "offline"
    model: str = "offline/simulated-coder"
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

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise _unknown_key("LLM backend", self.backend, BACKENDS)
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
    """Build and validate an :class:`LLMConfig` from plain data (as read from YAML)."""
    known = {f.name for f in dataclasses.fields(LLMConfig)} - {"source"}
    for key in data:
        if key not in known:
            raise _unknown_key(f"key in LLM config {source or ''}".rstrip(), key, sorted(known))
    values = dict(data)
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
    known = {f.name for f in dataclasses.fields(OfflineSkill)}
    for key in raw:
        if key not in known:
            raise _unknown_key("offline skill key", key, sorted(known))
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


def _unknown_key(kind: str, name: str, choices: Any) -> CwmbError:
    suggestions = closest_names(name, choices)
    hint = f"did you mean {', '.join(suggestions)}? " if suggestions else ""
    return CwmbError(f"unknown {kind} '{name}'", f"{hint}known: {', '.join(choices)}")
