"""Publishing commands of `briefing`: init, episodes, feed, serve, validate.

`register(app)` adds them to the main typer app (`briefing.cli.app` calls it). Like the rest of the
CLI they parse options, call the library and turn a BriefingError into one line on stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from briefing.cli.common import fail
from briefing.errors import BriefingError, ConfigError

if TYPE_CHECKING:
    from briefing.config.show import Show

DEFAULT_OUT = Path("output")

OutOpt = Annotated[
    Path,
    typer.Option(
        "--out", "-o", help="Output folder holding the episodes, library.json and feed.xml.", file_okay=False
    ),
]
ShowOpt = Annotated[
    Path | None,
    typer.Option(
        "--show",
        help="Show config file (TOML); default: the one the last build used, else the defaults.",
        dir_okay=False,
    ),
]


def _show(show: Path | None, out: Path) -> Show:
    """The show config: --show, else the one recorded in the library, else the defaults."""
    from briefing.config.loader import load_show
    from briefing.publish.records import existing_output, read_library

    if show is None:
        recorded = read_library(existing_output(out)).show_config
        if recorded is not None and Path(recorded).is_file():
            show = Path(recorded)
    return load_show(show)


def init(
    path: Annotated[Path, typer.Argument(help="Where to write the show config.", dir_okay=False)] = Path(
        "show.toml"
    ),
) -> None:
    """Write a commented show config to edit (never overwrites a file)."""
    from briefing.config.loader import example_config
    from briefing.util.atomic import atomic_write_text

    try:
        atomic_write_text(path, example_config(), overwrite=False)  # whole or not at all
    except FileExistsError:
        fail(ConfigError(f"{path} already exists", cause="edit it, or choose another name"))
    except OSError as e:
        fail(ConfigError(f"cannot write {path}", cause=e.strerror or str(e)))
    typer.echo(f"Configuration écrite : {path}", err=True)


episodes_app = typer.Typer(
    help="List the episodes of the output folder (`episodes rm ID` removes one).",
    invoke_without_command=True,
    no_args_is_help=False,
)


@episodes_app.callback()
def episodes_list(ctx: typer.Context, out: OutOpt = DEFAULT_OUT) -> None:
    """List the episodes of the output folder, newest first."""
    from briefing.publish.records import existing_output, read_library

    if ctx.invoked_subcommand is not None:
        ctx.obj = out  # `episodes --out X rm 3` means folder X for rm too
        return
    try:
        library = read_library(existing_output(out))
    except BriefingError as e:
        fail(e)
    if not library.episodes:
        typer.echo(f"Aucun épisode dans {out}", err=True)
        return
    for r in library.newest_first():
        minutes, seconds = divmod(round(r.seconds), 60)
        typer.echo(f"{r.number:>4}  {r.info.date}  {minutes:>3}:{seconds:02d}  {r.guid}  {r.info.title}")


@episodes_app.command("rm")
def episodes_rm(
    ctx: typer.Context,
    ident: Annotated[str, typer.Argument(help="Episode number, GUID or key.", show_default=False)],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Output folder (default: as given to `episodes`, else output).",
            file_okay=False,
        ),
    ] = None,
    show: ShowOpt = None,
    keep_files: Annotated[
        bool, typer.Option("--keep-files", help="Remove from the library and feed but keep the files.")
    ] = False,
) -> None:
    """Remove an episode from the library and the feed (and delete its files)."""
    from briefing.publish.library import remove_episode

    out = out or (ctx.obj if isinstance(ctx.obj, Path) else DEFAULT_OUT)
    try:
        record = remove_episode(out, _show(show, out), ident, delete_files=not keep_files)
    except BriefingError as e:
        fail(e)
    typer.echo(f"Épisode {record.number} supprimé : {record.info.title}", err=True)


def feed(out: OutOpt = DEFAULT_OUT, show: ShowOpt = None) -> None:
    """Write feed.xml and the show's pages again from the library (after editing the show config)."""
    from briefing.publish.library import regenerate_feed

    try:
        path = regenerate_feed(out, _show(show, out))
    except BriefingError as e:
        fail(e)
    typer.echo(f"Flux écrit : {path} ; pages : {path.parent / 'index.html'}", err=True)


def serve(
    out: OutOpt = DEFAULT_OUT,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; 0.0.0.0 opens it to the local network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port to listen on.", min=0, max=65535)] = 8000,
) -> None:
    """Serve the output folder over HTTP (byte ranges included) until Ctrl-C."""
    from briefing.publish.serve import make_server

    try:
        server = make_server(out, host, port)
    except BriefingError as e:
        fail(e)
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    typer.echo(f"Flux servi sur http://{shown}:{bound_port}/feed.xml (Ctrl-C pour arrêter)", err=True)
    typer.echo(f"Pages de l'émission : http://{shown}:{bound_port}/", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def validate(
    target: Annotated[
        Path, typer.Argument(help="feed.xml, or the output folder that holds it.", show_default=True)
    ] = DEFAULT_OUT,
    quick: Annotated[
        bool, typer.Option("--quick", help="Skip decoding the MP3s (no duration or loudness check).")
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
) -> None:
    """Check the feed and episode files against Apple and Podcasting 2.0 rules."""
    from briefing.qa.validate import validate as check

    try:
        problems = check(target, audio=not quick)
    except BriefingError as e:
        fail(e)
    for problem in problems:
        typer.echo(str(problem))
    errors = [p for p in problems if p.level == "error" or strict]
    if errors:
        raise typer.Exit(1)
    typer.echo(f"{target}: OK" + (f" ({len(problems)} warning(s))" if problems else ""))


def register(app: typer.Typer) -> None:
    """Add the publishing commands to `app`."""
    app.command("init")(init)
    app.add_typer(episodes_app, name="episodes")
    app.command("feed")(feed)
    app.command("serve")(serve)
    app.command("validate")(validate)
