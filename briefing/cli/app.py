"""The `briefing` command: a thin typer shell over the library.

Each command group has its module, which parses options, calls the library, and turns every
BriefingError into one line on stderr and exit 2 (`common.fail`). This module makes the app, adds the
groups in the order `briefing --help` lists them, and is the entry point.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from briefing.cli import article, batch, build, cache, check, publish, voices

app = typer.Typer(
    name="briefing",
    help="Turn French news articles into finished, tagged podcast episodes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
article.register(app)
build.register(app)
article.register_normalize(app)
cache.register(app)
voices.register(app)
publish.register(app)
check.register(app)
batch.register(app)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"briefing {version('briefing')}")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", callback=_print_version, is_eager=True),
    ] = False,
) -> None:
    """Turn French news articles into finished, tagged podcast episodes."""


def main() -> None:
    """Entry point of the installed `briefing` command."""
    logging.basicConfig(level=logging.WARNING, format="briefing: %(message)s")
    try:
        code = app(standalone_mode=False)
    except typer.TyperException as e:  # a usage error: one line, like every other error
        if type(e).__name__ != "NoArgsIsHelpError":  # (that one has shown the help already)
            ctx = getattr(e, "ctx", None)
            command = ctx.command_path if ctx is not None else "briefing"
            typer.echo(f"briefing: error: {e.format_message()} (see '{command} --help')", err=True)
        sys.exit(e.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        code = 130
    if code == 130:
        typer.echo("briefing: interrupted", err=True)
    sys.exit(code if isinstance(code, int) else 0)
