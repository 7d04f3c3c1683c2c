"""The method registry and method configs (``configs/methods/*.yaml``).

One registry for one plug-in kind: :func:`register_method` records a method class under
its name with its config dataclass; :func:`load_method_config` reads a YAML file (or a
preset name) whose ``method:`` key names the method and whose other keys are fields of
its config. Unknown methods and unknown keys are errors with a suggestion, so that a
typo never falls back to a default silently.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cwmb import presets
from cwmb.config_keys import check_effective_keys, check_known_keys, unknown_key_error
from cwmb.errors import CwmbError
from cwmb.methods.base import SearchConfig, SearchMethod, SessionMethod

CONFIG_DIR = presets.preset_dir("methods")  # packaged; ./configs/methods/ is searched first
DEFAULT_METHOD = "gif_mcts"
_BUILTIN_MODULES = ("gif_mcts", "worldcoder", "rex", "baselines")


@dataclass(frozen=True)
class MethodEntry:
    """A registered method: its class, its config class and a one-line summary."""

    name: str
    method_class: type[SessionMethod]
    config_class: type[SearchConfig]
    summary: str


METHODS: dict[str, MethodEntry] = {}


def register_method(
    name: str, config_class: type[SearchConfig], summary: str
) -> Callable[[type[SessionMethod]], type[SessionMethod]]:
    """Class decorator registering a method under ``name`` (which it also sets as ``cls.name``)."""

    def decorate(cls: type[SessionMethod]) -> type[SessionMethod]:
        """Record ``cls`` under ``name``."""
        if name in METHODS and METHODS[name].method_class is not cls:
            raise ValueError(f"a method named {name!r} is already registered")
        cls.name = name
        METHODS[name] = MethodEntry(name, cls, config_class, summary)
        return cls

    return decorate


def _load_builtin() -> None:
    for module in _BUILTIN_MODULES:
        importlib.import_module(f"cwmb.methods.{module}")


def method_names() -> list[str]:
    """Names of every registered method."""
    _load_builtin()
    return sorted(METHODS)


def get_method_entry(name: str) -> MethodEntry:
    """The entry of method ``name``; an unknown name is an error suggesting close ones."""
    _load_builtin()
    if name not in METHODS:
        raise unknown_key_error("search method", name, sorted(METHODS))
    return METHODS[name]


@dataclass(frozen=True)
class MethodSpec:
    """A method name with its resolved config, and the file it came from (if any)."""

    name: str
    config: SearchConfig
    source: str | None = None

    def build(self) -> SearchMethod:
        """A method instance with this config."""
        return get_method_entry(self.name).method_class(self.config)

    def with_overrides(self, **changes: Any) -> MethodSpec:
        """A copy with config fields replaced (None values are ignored, so CLI defaults pass through)."""
        kept = {k: v for k, v in changes.items() if v is not None}
        if not kept:
            return self
        try:
            config = dataclasses.replace(self.config, **kept)
        except ValueError as problem:
            raise CwmbError(f"invalid {self.name} setting: {problem}") from None
        return MethodSpec(self.name, config, self.source)

    def as_dict(self) -> dict[str, Any]:
        """The resolved config as plain data (``method`` plus every field)."""
        return {"method": self.name, **dataclasses.asdict(self.config)}


def method_spec_from_dict(data: Mapping[str, Any], source: str | None = None) -> MethodSpec:
    """Build a :class:`MethodSpec` from plain data (``method:`` plus config fields)."""
    where = f" in {source}" if source else ""
    if "method" not in data:
        raise CwmbError(f"method config{where} has no 'method' key", f"add e.g. method: {DEFAULT_METHOD}")
    entry = get_method_entry(str(data["method"]))
    fields = {f.name: f for f in dataclasses.fields(entry.config_class)}
    settings = {key: value for key, value in data.items() if key != "method"}
    check_known_keys(settings, fields, "key", f" for method {entry.name}{where}")
    values = {key: _coerce(key, value, fields[key].type, where) for key, value in settings.items()}
    check_effective_keys(
        values, entry.config_class.keys_without_effect(values), f" for method {entry.name}{where}"
    )
    try:
        config = entry.config_class(**values)
    except (TypeError, ValueError) as problem:
        raise CwmbError(f"invalid {entry.name} config{where}: {problem}") from None
    return MethodSpec(entry.name, config, source)


def _coerce(key: str, value: Any, annotation: Any, where: str) -> Any:
    """Check a YAML value against a config field's type (annotations are strings here)."""
    kind = str(annotation)
    if kind == "bool":
        if not isinstance(value, bool):
            raise CwmbError(f"{key}{where} must be true or false, not {value!r}")
        return value
    if kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise CwmbError(f"{key}{where} must be a number, not {value!r}")
        if kind == "int" and value != int(value):
            raise CwmbError(f"{key}{where} must be an integer, not {value!r}")
        return int(value) if kind == "int" else float(value)
    if kind == "str":
        return str(value)
    return value


def list_method_presets(config_dir: Path = CONFIG_DIR) -> list[str]:
    """Names of the method configs shipped in ``configs/methods/``."""
    return presets.list_presets(config_dir)


def load_method_config(spec: str | Path | None = None, config_dir: Path = CONFIG_DIR) -> MethodSpec:
    """Read a method config from a YAML path or preset name; None gives GIF-MCTS with its defaults.

    A preset name is a file of ``configs/methods/`` or, failing that, a registered method
    name (its config defaults).
    """
    if spec is None:
        spec = DEFAULT_METHOD
    path = presets.find_preset(spec, config_dir)
    if path is None:
        if str(spec) in method_names():
            return method_spec_from_dict({"method": str(spec)})
        choices = sorted(set(list_method_presets(config_dir)) | set(method_names()))
        raise presets.unknown_preset("method config", spec, choices)
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as problem:
        raise CwmbError(f"cannot parse method config {path}: {problem}") from None
    if not isinstance(data, dict):
        raise CwmbError(f"method config {path} must be a mapping of keys to values")
    return method_spec_from_dict(data, source=str(path))
