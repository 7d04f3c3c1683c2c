"""Prompt templates for program search, as text files, and the small renderer that fills them.

Each action of a search method has one template: ``generate.txt`` (write a program, or
continue one from its first lines), ``improve.txt`` (a running program plus failing
transitions) and ``fix.txt`` (a crashing program plus its error). A template is split
into chat messages by marker lines ``--- system ---`` / ``--- user ---`` /
``--- assistant ---``; a file without markers (a fragment such as ``code_so_far.txt``)
is plain text. Placeholders are ``{{name}}``; values are inserted in one pass, so a
value containing braces (Python code always does) is never rescanned. A missing value,
or a value the template has no placeholder for, is an error: a silently empty section
would send the LLM a broken prompt.

Domains with prompts of their own (APPS) keep them in a *prompt set*, a subdirectory
``cwmb/prompts/<set>/`` with the same file names; a :class:`~cwmb.methods.session.Task`
names its set (``prompts``, default ``cwmb``: the top-level files).

Typical use::

    from cwmb.prompts import improve_messages

    messages = improve_messages(description, program, feedback)  # OpenAI-style dicts
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

ROLES = ("system", "user", "assistant")
_MARKER = re.compile(r"^--- (?P<role>\w+) ---\s*$")
_PLACEHOLDER = re.compile(r"\{\{(?P<name>\w+)\}\}")
_LINE_NUMBER = re.compile(r"\bline (?P<line>\d+)\b")
_QUOTED_LINE = "The line of code that caused the error is"


@dataclass(frozen=True)
class Template:
    """A parsed template: ``(role, text)`` parts in order (role None for a plain fragment)."""

    name: str
    parts: tuple[tuple[str | None, str], ...]

    @property
    def placeholders(self) -> frozenset[str]:
        """Names of every ``{{name}}`` in the template."""
        return frozenset(m["name"] for _, text in self.parts for m in _PLACEHOLDER.finditer(text))

    def _fill(self, text: str, values: dict[str, str]) -> str:
        return _PLACEHOLDER.sub(lambda m: values[m["name"]], text)

    def _check(self, values: dict[str, str]) -> None:
        missing = self.placeholders - set(values)
        extra = set(values) - self.placeholders
        if missing or extra:
            raise ValueError(
                f"template {self.name}: missing values {sorted(missing)}, unused values {sorted(extra)}"
            )

    def messages(self, **values: str) -> list[dict[str, str]]:
        """The filled chat messages, as OpenAI-style dicts."""
        self._check(values)
        if any(role is None for role, _ in self.parts):
            raise ValueError(f"template {self.name} is a fragment, not a chat prompt")
        return [{"role": str(role), "content": self._fill(text, values)} for role, text in self.parts]

    def text(self, **values: str) -> str:
        """The filled text of a fragment (a template without role markers)."""
        self._check(values)
        if len(self.parts) != 1 or self.parts[0][0] is not None:
            raise ValueError(f"template {self.name} has role sections; use messages()")
        return self._fill(self.parts[0][1], values)


def parse_template(name: str, raw: str) -> Template:
    """Split template text into role parts (see the module docstring for the format)."""
    parts: list[tuple[str | None, list[str]]] = []
    for line in raw.splitlines():
        marker = _MARKER.match(line)
        if marker:
            role = marker["role"]
            if role not in ROLES:
                raise ValueError(f"template {name}: unknown role {role!r} (known: {', '.join(ROLES)})")
            parts.append((role, []))
        elif parts:
            parts[-1][1].append(line)
        else:
            parts.append((None, [line]))
    if not parts:
        raise ValueError(f"template {name} is empty")
    if len(parts) > 1 and parts[0][0] is None:
        if "\n".join(parts[0][1]).strip():
            raise ValueError(f"template {name}: text before the first role marker")
        parts = parts[1:]
    return Template(name, tuple((role, "\n".join(lines).strip()) for role, lines in parts))


DEFAULT_SET = "cwmb"


@cache
def load_template(name: str, prompt_set: str = DEFAULT_SET) -> Template:
    """The shipped template ``name`` of ``prompt_set``.

    The default set's templates are ``cwmb/prompts/<name>.txt``; another set's are
    ``cwmb/prompts/<set>/<name>.txt`` (a domain's own prompts, e.g. ``apps``). A set may
    leave out a fragment it does not change; the default set's is used then.
    """
    root = resources.files(__package__)
    if prompt_set != DEFAULT_SET:
        if not prompt_set.isidentifier() or not root.joinpath(prompt_set).is_dir():
            raise ValueError(f"unknown prompt set {prompt_set!r}")
        own = root.joinpath(prompt_set).joinpath(f"{name}.txt")
        if own.is_file():
            return parse_template(f"{prompt_set}/{name}", own.read_text(encoding="utf-8"))
    raw = root.joinpath(f"{name}.txt").read_text(encoding="utf-8")
    return parse_template(name, raw)


def error_with_line(error: str, program: str) -> str:
    """The error message, plus the program line it names when the message does not quote it.

    Sandbox messages already end with the offending line; messages from elsewhere (a
    timeout, an in-process test evaluator) may only say "line N".
    """
    if _QUOTED_LINE in error:
        return error
    match = _LINE_NUMBER.search(error)
    lines = program.splitlines()
    if match is None or not 1 <= int(match["line"]) <= len(lines):
        return error
    return f"{error}\n{_QUOTED_LINE}: `{lines[int(match['line']) - 1].strip()}`"


def generate_messages(description: str, prefix: str = "", prompts: str = DEFAULT_SET) -> list[dict[str, str]]:
    """Prompt for a generate action: write the program, or continue it from ``prefix``."""
    if prefix.strip():
        so_far = load_template("code_so_far", prompts).text(code=prefix.rstrip("\n"))
    else:
        so_far = load_template("fresh_start", prompts).text()
    return load_template("generate", prompts).messages(description=description, code_so_far=so_far)


def improve_messages(
    description: str, program: str, feedback: str, prompts: str = DEFAULT_SET
) -> list[dict[str, str]]:
    """Prompt for an improve action: the whole program and its failing transition(s) or test."""
    shown = feedback.strip() or load_template("no_feedback", prompts).text()
    return load_template("improve", prompts).messages(
        description=description, code=program.rstrip("\n"), feedback=shown
    )


def fix_messages(
    description: str, program: str, error: str, prompts: str = DEFAULT_SET
) -> list[dict[str, str]]:
    """Prompt for a fix action: the whole program, the cleaned error and the line that raised."""
    return load_template("fix", prompts).messages(
        description=description, code=program.rstrip("\n"), error=error_with_line(error, program).strip()
    )


__all__ = [
    "DEFAULT_SET",
    "Template",
    "error_with_line",
    "fix_messages",
    "generate_messages",
    "improve_messages",
    "load_template",
    "parse_template",
]
