"""Entry point of the ``cwmb`` command.

Each command lives in its own module under ``cwmb/cli/`` and exposes
``register(app)``; :data:`COMMAND_MODULES` lists them. Command modules import heavy
libraries (gymnasium, MuJoCo, litellm) inside their functions only, so ``cwmb --help``
stays fast.

Errors: a :class:`~cwmb.errors.CwmbError` becomes ``error: ...`` / ``hint: ...`` on
stderr and exit code 2; anything else becomes a one-line ``internal error`` with exit
code 1. ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer

from cwmb import __version__
from cwmb.errors import CwmbError

COMMAND_MODULES = [  # in pipeline order, which is the order of `cwmb --help`
    "cwmb.cli.envs_cmd",
    "cwmb.cli.collect_cmd",
    "cwmb.cli.synthesize_cmd",
    "cwmb.cli.score_cmd",
    "cwmb.cli.evaluate_cmd",
    "cwmb.cli.references_cmd",
    "cwmb.cli.report_cmd",
    "cwmb.cli.run_cmd",
    "cwmb.cli.llm_cmd",
]

app = typer.Typer(
    name="cwmb",
    help="Code World Models Benchmark: LLM-written world models for gymnasium environments.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_DEBUG = {"on": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cwmb {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Code World Models Benchmark: collect, synthesize, evaluate, report."""
    _DEBUG["on"] = debug or bool(os.environ.get("CWMB_DEBUG"))


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def _fail(message: str, hint: str | None, code: int) -> None:
    typer.secho(f"error: {message}", err=True, fg="red")
    if hint:
        typer.echo(f"hint: {hint}", err=True)
    raise SystemExit(code)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; turn user errors into one clean line and a non-zero exit code."""
    args = sys.argv[1:] if argv is None else argv
    _DEBUG["on"] = "--debug" in args or bool(os.environ.get("CWMB_DEBUG"))
    try:
        # Standalone mode: typer handles --help, usage errors and exit codes itself.
        app(args=args, prog_name="cwmb")
    except CwmbError as problem:
        if _DEBUG["on"]:
            raise
        _fail(problem.message, problem.hint, 2)
    except KeyboardInterrupt:
        _fail("interrupted", "re-run the same command; finished work is kept", 130)
    except Exception as problem:  # the last line of defence: never a bare traceback
        if _DEBUG["on"]:
            raise
        _fail(
            f"internal error: {type(problem).__name__}: {problem}", "re-run with --debug for the traceback", 1
        )
