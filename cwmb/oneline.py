"""One-line renderings of long texts (errors, tracebacks) for terminal lines.

A line cut mid-word (``missing 1 re``) reads as a different message; :func:`cut_at_word`
keeps whole words and marks the cut with "...", and callers say where the full text is.
"""

from __future__ import annotations

SHORT_TEXT_CHARS = 160


def cut_at_word(text: str, limit: int = SHORT_TEXT_CHARS) -> str:
    """The first line of ``text``, at most ``limit`` characters, cut after a whole word ("...")."""
    stripped = text.strip()
    first = stripped.splitlines()[0] if stripped else ""
    if len(first) <= limit and first == stripped:
        return first
    room = first[: max(1, limit - 3)]
    # Back off to the last space unless the cut already falls between two words.
    if len(first) > len(room) and first[len(room)] != " " and " " in room:
        room = room[: room.rindex(" ")]
    return room.rstrip(" ,.;:") + "..."
