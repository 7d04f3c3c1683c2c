"""Key checks shared by every YAML config (LLM configs, method configs, planner profiles).

Two rules, one wording everywhere:

* an **unknown key** is an error that names the closest known keys (``temprature`` ->
  ``temperature``), so a typo never falls back to a default silently;
* a key that is known but has **no effect** in this config (``api_base`` for the offline
  coder, ``feedback_transitions`` for zero-shot) is an error that says why, so a user who
  set it never believes it was used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cwmb.errors import CwmbError, closest_names


def unknown_key_error(what: str, key: str, known: Iterable[str], where: str = "") -> CwmbError:
    """The error for ``key`` not among ``known``: "unknown <what> 'key'<where>" with the closest names."""
    choices = list(known)
    suggestions = closest_names(str(key), choices)
    hint = f"did you mean {', '.join(suggestions)}? " if suggestions else ""
    return CwmbError(f"unknown {what} '{key}'{where}", f"{hint}known: {', '.join(choices)}")


def check_known_keys(
    data: Mapping[str, object], known: Iterable[str], what: str = "key", where: str = ""
) -> None:
    """Raise :func:`unknown_key_error` for the first key of ``data`` that is not in ``known``."""
    choices = list(known)
    for key in data:
        if key not in choices:
            raise unknown_key_error(what, str(key), choices, where)


def check_effective_keys(
    data: Mapping[str, object], without_effect: Mapping[str, str], where: str, hint: str | None = None
) -> None:
    """Raise for the first key of ``data`` listed in ``without_effect`` (key -> why it does nothing).

    ``where`` names the config in the message ("in LLM config offline.yaml"); ``hint``
    defaults to "remove it".
    """
    for key in data:
        if key in without_effect:
            raise CwmbError(
                f"key '{key}'{where} has no effect: {without_effect[key]}",
                hint or f"remove '{key}'",
            )
