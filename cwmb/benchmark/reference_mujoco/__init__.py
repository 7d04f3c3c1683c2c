"""Observation-only reference world models for the 11 MuJoCo environments, and their ceilings.

Each model rebuilds the simulator state (qpos, qvel) from the observation as well as the
observation allows and steps the real MuJoCo model from it (``_core.py`` says how; each env
module says what its observation lacks). Its accuracy on a dataset is therefore the
**ceiling** of any observation-only code world model on that env: ``docs/ceilings.md`` and
:mod:`cwmb.benchmark.reference_mujoco.ceilings`.

Like the non-MuJoCo references (:mod:`cwmb.benchmark.reference`), every model is program
text: :func:`mujoco_reference_source` assembles ``_core.py`` and the env's module into one
self-contained program (numpy, mujoco, gymnasium and the standard library), and
:func:`mujoco_reference_class` loads ``Environment`` by executing that text, never by import.
Unlike an LLM's program, a reference is trusted to use the simulator.
"""

from __future__ import annotations

import ast
import types
from importlib import resources

from cwmb.benchmark.registry import get_env

# CWMB name -> module holding its reference model.
_MODULES = {
    "Reacher-v4": "reacher",
    "Pusher-v4": "pusher",
    "InvertedPendulum-v4": "inverted_pendulum",
    "InvertedDoublePendulum-v4": "inverted_double_pendulum",
    "HalfCheetah-v4": "half_cheetah",
    "Hopper-v4": "hopper",
    "Swimmer-v4": "swimmer",
    "Walker2d-v4": "walker2d",
    "Ant-v4": "ant",
    "Humanoid-v4": "humanoid",
    "HumanoidStandup-v4": "humanoid_standup",
}
MUJOCO_REFERENCE_ENVS: tuple[str, ...] = tuple(_MODULES)
# Lines of the env modules that exist only so that they import as ordinary modules too.
_PACKAGE_IMPORT = "from cwmb."


def _module_name(env_name: str) -> str:
    name = get_env(env_name).name
    if name not in _MODULES:
        raise KeyError(f"no MuJoCo reference model for {name}; available: {', '.join(MUJOCO_REFERENCE_ENVS)}")
    return _MODULES[name]


def _read(module: str) -> str:
    return resources.files(__package__).joinpath(f"{module}.py").read_text(encoding="utf-8")


def _split_docstring(text: str) -> tuple[str, str]:
    """(the module docstring's lines, the rest) of a module's source."""
    body = ast.parse(text).body
    first = body[0]
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)):
        return "", text
    lines = text.splitlines(keepends=True)
    return "".join(lines[: first.end_lineno]), "".join(lines[first.end_lineno :])


def mujoco_reference_source(env_name: str) -> str:
    """The self-contained program text of the reference model of ``env_name`` (CWMB name or gym id).

    The env module's docstring, then the shared ``_core.py``, then the env's ``Environment``
    subclass, without the package import that only serves the installed module.
    """
    docstring, env_code = _split_docstring(_read(_module_name(env_name)))
    env_code = "".join(
        line for line in env_code.splitlines(keepends=True) if not line.startswith(_PACKAGE_IMPORT)
    )
    core_doc, core_code = _split_docstring(_read("_core"))
    core_comment = "".join(f"# {line}".rstrip() + "\n" for line in core_doc.strip('"\n').splitlines())
    return f"{docstring}\n{core_comment}{core_code.rstrip()}\n\n{env_code.lstrip()}"


def mujoco_reference_class(env_name: str) -> type:
    """The reference ``Environment`` class of ``env_name``, loaded from its program text alone."""
    module = types.ModuleType(f"cwmb_mujoco_reference_{_module_name(env_name)}")
    exec(compile(mujoco_reference_source(env_name), module.__name__, "exec"), module.__dict__)
    return module.Environment
