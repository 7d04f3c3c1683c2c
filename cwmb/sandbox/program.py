"""Loading a generated program and describing its failures in words an LLM can act on.

Runs inside the sandbox's job process. Error messages follow the original GIF-MCTS
"fix" feedback: the program line that raised, its source text, and the exception.
"""

from __future__ import annotations

import builtins
import linecache
import sys
import traceback
import types
from typing import Any

CANDIDATE_FILENAME = "world_model.py"
CANDIDATE_MODULE = "world_model"
CLASS_NAME = "Environment"
_MAX_TEXT = 300


class ProgramError(Exception):
    """The program cannot be used at all (syntax error, no ``Environment`` class, ...).

    ``message`` is the cleaned, user-facing text.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def shorten(text: str, limit: int = _MAX_TEXT) -> str:
    """One printable string of at most ``limit`` characters."""
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else "?" for ch in text[: limit * 2])
    return text if len(text) <= limit else text[: limit - 3] + "..."


def source_line(source: str, lineno: int | None) -> str:
    """The stripped text of line ``lineno`` (1-based) of ``source``, or ''."""
    lines = source.splitlines()
    if lineno is None or not 1 <= lineno <= len(lines):
        return ""
    return lines[lineno - 1].strip()


def compile_program(source: str) -> types.CodeType:
    """Compile ``source`` under the candidate's file name; ProgramError on a syntax error."""
    try:
        return compile(source, CANDIDATE_FILENAME, "exec", dont_inherit=True)
    except SyntaxError as exc:
        kind = type(exc).__name__
        text = (exc.text or source_line(source, exc.lineno)).strip()
        where = f" on line {exc.lineno}" if exc.lineno else ""
        shown = f"\nThe line of code that caused the error is: `{shorten(text, 200)}`" if text else ""
        raise ProgramError(f"{kind}{where}: {shorten(str(exc.msg))}{shown}") from None
    except (ValueError, TypeError) as exc:  # e.g. NUL bytes in the source
        raise ProgramError(f"the program cannot be compiled: {shorten(str(exc))}") from None


def execute_program(source: str) -> types.ModuleType:
    """Run the program's top level as module ``world_model`` and return the module.

    The module is registered in ``sys.modules`` (dataclasses and friends look classes up
    there) and its source in ``linecache`` (so tracebacks the program prints itself show
    its lines). Exceptions from the program's top level propagate.
    """
    code = compile_program(source)
    module = types.ModuleType(CANDIDATE_MODULE)
    module.__file__ = CANDIDATE_FILENAME
    module.__dict__["__builtins__"] = builtins
    sys.modules[CANDIDATE_MODULE] = module
    linecache.cache[CANDIDATE_FILENAME] = (len(source), None, source.splitlines(True), CANDIDATE_FILENAME)
    exec(code, module.__dict__)
    return module


def find_environment_class(module: types.ModuleType) -> type:
    """The program's ``Environment`` class; ProgramError naming what was found instead."""
    found = module.__dict__.get(CLASS_NAME)
    if isinstance(found, type):
        return found
    if found is not None:
        raise ProgramError(
            f"`{CLASS_NAME}` is a {type(found).__name__}, not a class: "
            f"define `class {CLASS_NAME}` with __init__, set_state and step"
        )
    classes = [
        n for n, v in module.__dict__.items() if isinstance(v, type) and v.__module__ == module.__name__
    ]
    hint = f" (it defines {', '.join(f'`{n}`' for n in classes[:5])})" if classes else ""
    raise ProgramError(
        f"the program defines no class named `{CLASS_NAME}`{hint}: "
        f"define `class {CLASS_NAME}` with __init__, set_state and step"
    )


def _exception_text(exc: BaseException) -> str:
    """``Type: message`` with a hint for exits, which are never a world model's job."""
    name = (
        "MemoryError" if isinstance(exc, MemoryError) else type(exc).__name__
    )  # not numpy's _ArrayMemoryError
    text = str(exc)
    if isinstance(exc, SystemExit):
        return f"SystemExit({text}): the program called sys.exit() or exit(); a world model must not exit"
    if isinstance(exc, KeyboardInterrupt):
        return "KeyboardInterrupt: the program raised KeyboardInterrupt"
    return f"{name}: {shorten(text)}" if text else name


def describe_exception(exc: BaseException, source: str, phase: str) -> str:
    """Describe an exception raised by the program while the harness was ``phase``.

    Names the last line of the program in the traceback, its source text and the
    exception; when no line of the program is involved, says which call failed.
    """
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == CANDIDATE_FILENAME]
    text = _exception_text(exc)
    if not frames:
        return f"Error when {phase}: {text}"
    last = frames[-1]
    where = f" (in `{last.name}`)" if last.name != "<module>" else ""
    line = source_line(source, last.lineno)
    shown = f"\nThe line of code that caused the error is: `{shorten(line, 200)}`" if line else ""
    return f"Error on line {last.lineno}{where} when {phase}: {text}{shown}"


def load_environment_class(source: str, phase: Any) -> type:
    """Execute the program and return its ``Environment`` class (ProgramError if absent).

    ``phase`` is the task's record of what it is doing (its ``now`` names the step for
    error messages); the job kinds of every domain load programs through here.
    """
    phase.now = "loading the program"
    return find_environment_class(execute_program(source))
