"""Getting the program out of an LLM's answer: fenced or not, one block or several, prose around it.

Rules, in order (each one is a decision; ``docs/methods.md`` explains them):

1. If the answer has a ``## Correct code`` heading (the improve/fix answer format), only
   the text after the last such heading is searched, and the text before it is the
   critique. If nothing is found there, the whole answer is searched.
2. Fenced blocks (```` ``` ```` or ``~~~``, any length, an unclosed last fence running to the
   end) tagged ``python``/``py``/``python3`` or untagged are candidates; blocks tagged as
   another language (``bash``, ``text``, ``json``...) are not.
3. Among candidates, the *last* block that defines ``class Environment`` wins (models often
   show a draft and then the final version); earlier blocks made only of imports,
   functions, classes and constants are put in front of it, since models sometimes split
   helpers into their own block. Without such a block, the longest candidate wins.
4. Without fences, the code starts at the first line that looks like Python (``import``,
   ``from``, ``class``, ``def``, a decorator or an assignment, plus the ``#`` comment lines
   directly above it) and ends at the longest run that parses, so trailing prose is cut.
5. Trailing spaces are stripped, and a uniformly indented block is dedented when that
   makes it parse.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass

_ANSWER_HEADING = re.compile(
    r"^\s*#{1,4}\s*correct(?:ed)?\s+(?:code|program)\b.*$", re.IGNORECASE | re.MULTILINE
)
_EXPLANATION_HEADING = re.compile(r"^\s*#{1,4}\s*error\s+explanation\b.*$", re.IGNORECASE | re.MULTILINE)
_FENCE_OPEN = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})\s*(?P<tag>[\w+.-]*)[^`]*$")
_PYTHON_TAGS = frozenset({"", "python", "py", "python3", "py3", "python2", "ipython"})
_ENVIRONMENT = re.compile(r"^\s*class\s+Environment\b", re.MULTILINE)
_CODE_START = re.compile(
    r"^(?:import\s|from\s+[\w.]+\s+import\s|class\s|def\s|async\s+def\s|@|[A-Za-z_]\w*\s*[:=])"
)
_COMMENT = re.compile(r"^#(?!#)")
_MAX_PARSE_ATTEMPTS = 200
_DEFINITION_NODES = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)


@dataclass(frozen=True)
class Extraction:
    """The program found in an answer.

    ``code`` is empty when the answer holds no code; ``critique`` is the prose before the
    code (the error explanation of improve/fix answers); ``blocks`` counts the fenced
    blocks seen; ``how`` is ``fenced``, ``unfenced`` or ``none``.
    """

    code: str
    critique: str
    blocks: int
    how: str


@dataclass(frozen=True)
class _Block:
    tag: str
    text: str


def extract_program(answer: str) -> Extraction:
    """Extract the program from an LLM answer (rules in the module docstring)."""
    headings = list(_ANSWER_HEADING.finditer(answer))
    heading = headings[-1] if headings else None
    if heading is not None:
        critique = _critique(answer[: heading.start()])
        found = _extract(answer[heading.end() :])
        if found.code:
            return Extraction(found.code, critique, found.blocks, found.how)
    found = _extract(answer)
    if heading is None and found.code:
        critique = _critique(answer.split("```", 1)[0])
        return Extraction(found.code, critique, found.blocks, found.how)
    return found


def _critique(text: str) -> str:
    """The prose of an answer before its code, from the error-explanation heading when present."""
    start = _EXPLANATION_HEADING.search(text)
    return (text[start.end() :] if start else text).strip()


def _extract(text: str) -> Extraction:
    blocks = fenced_blocks(text)
    candidates = [b.text for b in blocks if b.tag.lower() in _PYTHON_TAGS and b.text.strip()]
    if candidates:
        return Extraction(_normalize(_choose(candidates)), "", len(blocks), "fenced")
    if blocks:  # only blocks in other languages: no program
        return Extraction("", "", len(blocks), "none")
    code = _unfenced(text)
    return Extraction(_normalize(code), "", 0, "unfenced" if code else "none")


def fenced_blocks(text: str) -> list[_Block]:
    """Every fenced block of ``text``, in order; an unclosed last fence runs to the end."""
    blocks: list[_Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE_OPEN.match(lines[i])
        if opening is None:
            i += 1
            continue
        fence = opening["fence"]
        body: list[str] = []
        i += 1
        while i < len(lines) and not _closes(lines[i], fence):
            body.append(lines[i])
            i += 1
        blocks.append(_Block(opening["tag"], "\n".join(body)))
        i += 1  # skip the closing fence
    return blocks


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence[0] * 3) and set(stripped) == {fence[0]} and len(stripped) >= len(fence)


def _choose(candidates: list[str]) -> str:
    """Rule 3: the last block defining ``Environment``, with earlier definition-only blocks before it."""
    defining = [i for i, text in enumerate(candidates) if _ENVIRONMENT.search(text)]
    if not defining:
        return max(candidates, key=len)
    chosen = defining[-1]
    helpers = [text for text in candidates[:chosen] if _definitions_only(text)]
    return "\n\n".join([*helpers, candidates[chosen]])


def _definitions_only(text: str) -> bool:
    """True for a block of imports, functions, classes and constants (no Environment, no calls)."""
    if _ENVIRONMENT.search(text):
        return False
    try:
        tree = ast.parse(textwrap.dedent(text))
    except SyntaxError:
        return False
    return bool(tree.body) and all(isinstance(node, _DEFINITION_NODES) for node in tree.body)


def _unfenced(text: str) -> str:
    """Rule 4: the code of an answer without fences, or "" when nothing looks like Python."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _CODE_START.match(line)), None)
    if start is None:
        return ""
    while start > 0 and _COMMENT.match(lines[start - 1]):
        start -= 1
    attempts = 0
    for end in range(len(lines), start, -1):
        if not lines[end - 1].strip():
            continue
        attempts += 1
        if attempts > _MAX_PARSE_ATTEMPTS:
            break
        if _parses("\n".join(lines[start:end])):
            return "\n".join(lines[start:end])
    # Nothing parses: keep everything, so the evaluator reports the syntax error to a fix action.
    return "\n".join(lines[start:])


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


def _normalize(code: str) -> str:
    """Rule 5: strip trailing spaces and blank edges; dedent when that makes the code parse."""
    lines = [line.rstrip() for line in code.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        return ""
    text = "\n".join(lines)
    if not _parses(text):
        dedented = textwrap.dedent(text)
        if dedented != text and _parses(dedented):
            text = dedented
    return text + "\n"


def code_lines(program: str) -> list[int]:
    """Indices of the lines that hold code (not blank, not comment-only)."""
    return [
        i for i, line in enumerate(program.splitlines()) if line.strip() and not line.lstrip().startswith("#")
    ]


def keep_code_lines(program: str, count: int) -> tuple[str, bool]:
    """The program up to and including its ``count``-th code line, and whether that is all of it.

    Blank and comment-only lines ride along free: GIF-MCTS's L counts code lines.
    """
    lines = program.splitlines()
    indices = code_lines(program)
    if count >= len(indices):
        return program, True
    end = indices[count - 1] + 1 if count > 0 else 0
    return "\n".join(lines[:end]) + ("\n" if end else ""), False


def continue_program(prefix: str, code: str) -> str:
    """The full program a generate answer ``code`` makes from the node's ``prefix``.

    - no prefix, or the answer's code lines start with the prefix's: the answer is the
      whole program (the model repeated the prefix, maybe with other comments);
    - the answer defines ``Environment`` and the prefix does too: the model rewrote the
      prefix; its program replaces it (what the original implementation did always);
    - otherwise the answer continues the prefix and is appended to it.
    """
    prefix_code = [line.rstrip() for line in _code_text(prefix)]
    answer_code = [line.rstrip() for line in _code_text(code)]
    if not prefix_code or answer_code[: len(prefix_code)] == prefix_code:
        return code
    if _ENVIRONMENT.search(code) and _ENVIRONMENT.search(prefix):
        return code
    joined = prefix.rstrip("\n") + "\n" + code
    return joined if joined.endswith("\n") else joined + "\n"


def _code_text(program: str) -> list[str]:
    lines = program.splitlines()
    return [lines[i] for i in code_lines(program)]
