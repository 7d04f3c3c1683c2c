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
from typing import Any

import typer
from typer.core import TyperGroup

from cwmb import __version__
from cwmb.errors import CwmbError

COMMAND_MODULES = [  # in pipeline order, which is the order of `cwmb --help`
    "cwmb.cli.envs_cmd",
    "cwmb.cli.collect_cmd",
    "cwmb.cli.dataset_cmd",
    "cwmb.cli.synthesize_cmd",
    "cwmb.cli.score_cmd",
    "cwmb.cli.evaluate_cmd",
    "cwmb.cli.references_cmd",
    "cwmb.cli.report_cmd",
    "cwmb.cli.run_cmd",
    "cwmb.cli.llm_cmd",
    "cwmb.cli.llm_as_model_cmd",
    "cwmb.cli.baseline_cmd",
    "cwmb.cli.apps_cmd",
    "cwmb.cli.sandbox_cmd",
]


class _QuickHelpGroup(TyperGroup):
    """The root group, with ``--help`` options that default to False instead of None.

    typer coerces every option whose value is not already a bool, and its coercion layer
    imports pydantic (about 0.1 s, a third of the start-up budget): with a None default the
    never-given ``--help`` of the root and of the invoked command paid that on every run.
    """

    def get_help_option(self, ctx: Any) -> Any:
        """The root's help option, defaulting to False."""
        return _default_false(super().get_help_option(ctx))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """A subcommand whose help option defaults to False (it is created once and cached)."""
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _default_false(command.get_help_option(ctx))
        return command


def _default_false(option: Any) -> Any:
    if option is not None and option.default is None:
        option.default = False
    return option


app = typer.Typer(
    cls=_QuickHelpGroup,
    name="cwmb",
    help="Code World Models Benchmark: LLM-written world models for gymnasium environments.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help text: rich-formatted help imports rich.markdown and markdown-it, which
    # alone took longer than the 0.3 s start-up budget (benchmarks/startup.py).
    rich_markup_mode=None,
    epilog="Sandbox options, before the command: --isolation standard|strict (default $CWMB_ISOLATION, "
    "else standard: use the isolation layers this machine has; strict refuses to run without all of "
    "them) and --run-as USER (who generated code runs as when cwmb runs as root; default "
    "$CWMB_RUN_AS, else nobody). `cwmb sandbox status` shows the layers.",
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


_ROOT_VALUE_OPTIONS = ("--isolation", "--run-as")


def _take_sandbox_options(args: list[str]) -> list[str]:
    """Apply and remove ``--isolation X`` / ``--run-as U`` given before the command name.

    They are read here rather than declared on the typer callback: a non-flag option there
    makes typer import pydantic on every run, which the start-up budget cannot afford.
    """
    found: dict[str, str] = {}
    rest: list[str] = []
    i = 0
    while i < len(args) and args[i].startswith("-"):
        name, _, inline = args[i].partition("=")
        if name not in _ROOT_VALUE_OPTIONS:
            rest.append(args[i])
            i += 1
            continue
        if not inline and i + 1 >= len(args):
            raise CwmbError(
                f"{name} needs a value", f"e.g. cwmb {name} {'strict' if 'iso' in name else 'nobody'} ..."
            )
        found[name] = inline or args[i + 1]
        i += 1 if inline else 2
    _sandbox_settings(found.get("--isolation", ""), found.get("--run-as", ""))
    return rest + args[i:]


def _sandbox_settings(isolation: str, run_as: str) -> None:
    """Pass --isolation and --run-as to every sandbox the command starts (through the environment)."""
    if isolation:
        if isolation not in ("standard", "strict"):
            raise CwmbError(
                f"unknown isolation {isolation!r}", "use --isolation standard or --isolation strict"
            )
        os.environ["CWMB_ISOLATION"] = isolation
    if run_as:
        import pwd

        if run_as not in ("none", "root"):
            try:
                pwd.getpwnam(run_as)
            except KeyError:
                raise CwmbError(f"no user named {run_as!r} on this machine", "try --run-as nobody") from None
        os.environ["CWMB_RUN_AS"] = run_as


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
        args = _take_sandbox_options(list(args))
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
