"""The text description of each benchmark environment that an LLM is given in a prompt.

A description is the installed gymnasium class docstring, cleaned the way the GIF-MCTS
paper cleaned it (no Arguments, Vectorized Environment, Version History, references or
links that could point at an implementation), then corrected with the per-env notes in
:mod:`cwmb.benchmark.description_notes` (gymnasium 1.4.0 documents only the v5 MuJoCo
classes, while the benchmark runs v4), and finally followed by the contract of the
``Environment`` class the LLM must write.
"""

from __future__ import annotations

import importlib
import inspect
import re

from cwmb.benchmark.description_notes import NOTES, EnvNotes
from cwmb.benchmark.registry import EnvSpec

# Sections that describe how to construct or vectorise the env, its history, or where it
# came from: none of it says how the env behaves, and links could leak an implementation.
# "Information" documents the ``info`` dict, which a code world model never returns.
DROPPED_SECTIONS = frozenset(
    {
        "arguments",
        "vectorized environment",
        "version history",
        "references",
        "information",
        "metadata",
    }
)

# Only level-1 and level-2 headings start a section; "###" subsections (e.g. Termination
# under Episode End) belong to their parent and are kept or dropped with it.
_HEADING = re.compile(r"^#{1,2}\s+(?P<title>.+?)\s*:?\s*$")
# Some docstrings open a fence with ''' and close it with ``` (Acrobot), so accept both.
_FENCE = re.compile(r"^(```|''')")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
# "[<a href="#ref">1</a>]" points into the dropped References section: remove it whole.
_REF_MARKER = re.compile(r"\s*\[<a\s[^>]*>[^<]*</a>\]")
_HTML_ANCHOR = re.compile(r"<a\b[^>]*>(?P<text>.*?)</a>", re.DOTALL)
_MD_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\([^)\s]*\)")
_URL = re.compile(r"<?(?:https?://|www\.)[^\s)>\]]+>?")
_SUP_SUB = re.compile(r"<(?P<tag>sup|sub)>(?P<body>.*?)</(?P=tag)>")


def clean_docstring(doc: str) -> str:
    """Clean a gymnasium env docstring into a prompt description.

    Dedents, drops the sections in :data:`DROPPED_SECTIONS`, code fences and doctest
    examples, turns links into their text, removes bare URLs and images, rewrites HTML
    super/subscripts as ``^`` / ``_``, strips trailing spaces and collapses blank lines.
    """
    # IP-v5's docstring is not a raw string, so its "\times" arrived as a TAB + "imes".
    text = inspect.cleandoc(doc.replace("\times", "\\times"))
    text = _drop_sections(text)
    text = _drop_code(text)
    text = _strip_links(text)
    return _tidy(text)


def _drop_sections(text: str) -> str:
    kept: list[str] = []
    keeping = True
    in_fence = False
    for line in text.splitlines():
        # A "# comment" inside a code fence is not a heading (Acrobot has one).
        in_fence = _fence_state(line, in_fence)
        heading = None if in_fence else _HEADING.match(line)
        if heading:
            keeping = heading.group("title").strip().lower() not in DROPPED_SECTIONS
        if keeping:
            kept.append(line)
    return "\n".join(kept)


def _fence_state(line: str, in_fence: bool) -> bool:
    """Whether ``line`` opens or lies inside a code fence; a closing fence line gives False."""
    stripped = line.strip()
    if in_fence:
        return stripped not in ("```", "'''")
    return bool(_FENCE.match(stripped))


def _drop_code(text: str) -> str:
    """Remove fenced blocks (figures, citations, usage code) and ``>>>`` examples.

    Fences are dropped even in kept sections: in gymnasium they hold only figure
    directives, BibTeX entries and usage snippets, never behaviour.
    """
    kept: list[str] = []
    in_fence = in_doctest = False
    for line in text.splitlines():
        stripped = line.strip()
        was_in_fence = in_fence
        in_fence = _fence_state(line, in_fence)
        if in_fence or was_in_fence:
            continue
        # A doctest example runs from its ">>>" line to the next blank line (its output).
        in_doctest = stripped.startswith(">>>") or (in_doctest and stripped != "")
        if not in_doctest:
            kept.append(line)
    return "\n".join(kept)


def _strip_links(text: str) -> str:
    text = _IMAGE.sub("", text)
    text = _REF_MARKER.sub("", text)
    text = _HTML_ANCHOR.sub(lambda m: m.group("text"), text)
    text = _MD_LINK.sub(lambda m: m.group("text"), text)
    text = _URL.sub("", text)
    return _SUP_SUB.sub(_script, text)


def _script(match: re.Match[str]) -> str:
    mark = "^" if match.group("tag") == "sup" else "_"
    body = match.group("body")
    return f"{mark}{body}" if len(body) == 1 else f"{mark}{{{body}}}"


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_DIFFERENCES_INTRO = (
    "This benchmark runs version v4 of this environment. The text above comes from the v5 "
    "documentation and has been corrected for v4; the points where v4 differs from v5 are:"
)


def apply_notes(text: str, notes: EnvNotes, name: str = "") -> str:
    """Apply ``notes.edits`` to a cleaned description and append its v4 differences section.

    ``name`` (the env's) only labels errors. Raises ValueError when an edit's ``find`` (or
    ``until``) text is missing or ambiguous: a silently skipped correction would leave a
    wrong statement in the prompt.
    """
    for edit in notes.edits:
        start = _find_once(text, edit.find, name)
        end = start + len(edit.find)
        if edit.until:
            end = text.find(edit.until, end)
            if end < 0:
                raise ValueError(f"{name}: description edit end {edit.until!r} not found after {edit.find!r}")
        text = text[:start] + edit.replace + text[end:]
    if notes.differences:
        bullets = "\n".join(f"- {point}" for point in notes.differences)
        text = f"{text}\n\n## Differences in this version (v4)\n\n{_DIFFERENCES_INTRO}\n\n{bullets}"
    return _tidy(text)


def _find_once(text: str, needle: str, name: str) -> int:
    count = text.count(needle)
    if count != 1:
        raise ValueError(f"{name}: description edit text {needle!r} occurs {count} times, expected once")
    return text.index(needle)


def env_docstring(spec: EnvSpec) -> str:
    """The raw class docstring the description of ``spec`` is built from.

    For the v4 MuJoCo envs this is the v5 class's docstring (gymnasium 1.4.0 ships the v4
    classes without one); the class is found through gymnasium's registry entry point.
    """
    import gymnasium

    gym_id = NOTES.get(spec.name, EnvNotes()).doc_from or spec.gym_id
    module_name, _, class_name = gymnasium.spec(gym_id).entry_point.partition(":")
    env_class = getattr(importlib.import_module(module_name), class_name)
    if not env_class.__doc__:
        raise ValueError(f"{spec.name}: {gym_id} ({env_class.__qualname__}) has no docstring")
    return env_class.__doc__


def describe_env(spec: EnvSpec, with_contract: bool = True) -> str:
    """The text description of ``spec`` given to an LLM: cleaned docs, v4 notes, contract.

    Built from the installed gymnasium's docstrings (see :func:`clean_docstring` and
    :mod:`cwmb.benchmark.description_notes`). With ``with_contract`` the description of
    the ``Environment`` class to write (:func:`contract_text`) is appended.
    """
    if spec.family == "rtfm":
        from cwmb.rtfm.description import describe_rtfm

        return describe_rtfm(with_contract)
    notes = NOTES.get(spec.name, EnvNotes())
    text = apply_notes(clean_docstring(env_docstring(spec)), notes, spec.name)
    if with_contract:
        text = f"{text}\n\n{contract_text(spec)}"
    return text


# The registry writes "Box(4,) float32" for observations and "Box(±2, (7,)) float32" for actions.
_BOX = re.compile(r"Box\((?P<dim>\d+),\) (?P<dtype>\w+)")
_BOUNDED_BOX = re.compile(r"Box\(±(?P<bound>[\d.]+), \((?P<dim>\d+),\)\) (?P<dtype>\w+)")
_DISCRETE = re.compile(r"Discrete\((?P<n>\d+)\)")


def _observation_type(spec: EnvSpec) -> str:
    """The concrete Python type of an observation, from the registry's space string."""
    space = spec.observation_space
    if space.startswith("Tuple"):
        # Blackjack is the only Tuple env; its parts are named in its description.
        return (
            "a tuple of three Python ints `(player_sum, dealer_showing_card, usable_ace)`, e.g. `(14, 10, 0)`"
        )
    if discrete := _DISCRETE.fullmatch(space):
        return f"a Python int from 0 to {int(discrete['n']) - 1}"
    box = _BOX.fullmatch(space)
    if box is None:
        raise ValueError(f"{spec.name}: cannot describe observation space {space!r}")
    return f"a numpy array of shape ({box['dim']},) and dtype {box['dtype']}"


def _action_type(spec: EnvSpec) -> str:
    """The concrete Python type of an action, from the registry's space string."""
    space = spec.action_space
    if discrete := _DISCRETE.fullmatch(space):
        return f"a Python int from 0 to {int(discrete['n']) - 1}"
    box = _BOUNDED_BOX.fullmatch(space)
    if box is None:
        raise ValueError(f"{spec.name}: cannot describe action space {space!r}")
    return (
        f"a numpy array of shape ({box['dim']},) and dtype {box['dtype']}, "
        f"each element in [-{box['bound']}, {box['bound']}]"
    )


def contract_text(spec: EnvSpec) -> str:
    """The task given after the description: the ``Environment`` class the LLM must write.

    Pure function of the registry record: the observation and action types are read from
    ``spec.observation_space`` and ``spec.action_space``.
    """
    observation = _observation_type(spec)
    return f"""## Class Definition

Write a Python class named `Environment` that simulates this environment one step at a time.
It must have exactly these methods:

- `__init__(self)`: takes no arguments other than `self`. Set up every constant and internal
  variable the simulation needs.
- `set_state(self, state)`: put the environment into the state described by `state`, an
  observation exactly as the real environment returns it, that is
  {observation}.
  You may assume that the episode is not over in the state being set.
- `step(self, action)`: apply `action` to the current state and advance the environment by one
  step. `action` is {_action_type(spec)}.
  Return a tuple `(next_state, reward, done)` where
  - `next_state` is the next observation, of the same type and shape as `state`;
  - `reward` is a Python float: the reward for this transition, as described above;
  - `done` is a bool: True if this transition terminates the episode (for example by reaching a
    goal or a failure condition described above), otherwise False. Never end the episode because
    of a time limit: stopping an episode after a fixed number of steps (truncation) is handled
    outside your class.

`step` continues from the state left by the last call to `set_state` or `step`, so the class
must keep everything it needs to predict the next transition in its own attributes.

## Important Notes

- Write only the `Environment` class, with the imports and helper functions it needs; do not
  include usage examples or tests.
- You may import `numpy` and modules of the Python standard library only. Do not import
  `gymnasium`, `gym`, `mujoco` or any other package: none of them is available.
- Use exactly the class and method names given above, and define every function you call.
- Be careful about edge cases."""
