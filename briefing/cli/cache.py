"""`briefing cache`: where the speech cache is, how big, and clearing it."""

from __future__ import annotations

import typer

from briefing.cli.common import CacheDirOpt, fail, human_size
from briefing.errors import BriefingError

cache_app = typer.Typer(help="Manage the cache of synthesized sentences.", no_args_is_help=True)


@cache_app.command("clear")
def cache_clear(cache_dir: CacheDirOpt = None) -> None:
    """Delete every cached sentence."""
    from briefing.speech.cache import SpeechCache, default_cache_dir

    folder = cache_dir or default_cache_dir()
    try:
        removed = SpeechCache(folder).clear()
    except BriefingError as e:
        fail(e)
    typer.echo(f"{removed} phrase(s) supprimée(s) du cache {folder}")


@cache_app.command("info")
def cache_info(cache_dir: CacheDirOpt = None) -> None:
    """Show where the cache is and how big it is."""
    from briefing.speech.cache import SpeechCache, default_cache_dir

    folder = cache_dir or default_cache_dir()
    try:
        entries, size = SpeechCache(folder).size()
    except BriefingError as e:
        fail(e)
    typer.echo(f"{folder}: {entries} phrase(s), {human_size(size)}")


def register(app: typer.Typer) -> None:
    """Add the `cache` group to `app`."""
    app.add_typer(cache_app, name="cache")
