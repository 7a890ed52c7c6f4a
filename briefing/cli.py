"""The `briefing` command: a thin typer shell over the library.

It parses options, calls the library, and turns every BriefingError into one line on stderr and exit 2.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from .errors import BriefingError

if TYPE_CHECKING:
    from .models import Script
    from .pipeline import BuildResult

app = typer.Typer(
    name="briefing",
    help="Turn French news articles into finished, tagged podcast episodes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ArticleArg = Annotated[
    str,
    typer.Argument(
        help="Article file (.txt, .md, .json, .html), an https:// URL, or - for stdin.", show_default=False
    ),
]
ArticlesArg = Annotated[
    list[str],
    typer.Argument(
        help="Article files (.txt, .md, .json, .html), URLs, list files (.list), or - for stdin; "
        "several make one briefing (or one episode each with --each).",
        show_default=False,
    ),
]
TitleOpt = Annotated[str | None, typer.Option("--title", help="Episode title (default: the article's own).")]
DateOpt = Annotated[
    str | None,
    typer.Option("--date", help="Episode date YYYY-MM-DD (default: the article's, else today)."),
]
ShowOpt = Annotated[Path | None, typer.Option("--show", help="Show config file (TOML).", dir_okay=False)]


def human_size(size: int) -> str:
    """A file size as a French reader writes it: 2,83 Mo, 14 ko, 512 o."""
    if size >= 1_000_000:
        return f"{size / 1e6:.2f} Mo".replace(".", ",")
    if size >= 1000:
        return f"{size / 1e3:.0f} ko"
    return f"{size} o"


def fail(error: BriefingError) -> NoReturn:
    typer.echo(f"briefing: error: {error.one_line()}", err=True)
    raise typer.Exit(error.exit_code)


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(BriefingError(f"--date {value!r} is not a date in the form YYYY-MM-DD"))


@app.command()
def sections(
    article: ArticleArg,
    title: TitleOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON: title, lead and sections.")] = False,
) -> None:
    """Show the sections found in an article."""
    from .ingest import read_article
    from .sections import find_sections

    try:
        found = find_sections(read_article(article, title=title))
    except BriefingError as e:
        fail(e)
    if as_json:
        data: dict[str, object] = {
            "title": found.title,
            "lead": found.lead,
            "sections": [{"heading": s.heading, "text": s.text} for s in found.sections],
        }
        extra = {
            "date": found.date.isoformat() if found.date else None,
            "author": found.author,
            "source": found.source,
            "url": found.url,
        }
        data.update({k: v for k, v in extra.items() if v})
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(f"Titre : {found.title}")
    typer.echo(f"Chapeau : {_preview(found.lead)}")
    for i, section in enumerate(found.sections, start=1):
        typer.echo(f"{i}. {section.heading}  ({len(section.text.split())} mots)")


def _preview(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@app.command()
def script(
    articles: ArticlesArg,
    out: Annotated[
        Path | None,
        typer.Option(
            "-o", "--out", help="Write the script to this file (default: print it).", dir_okay=False
        ),
    ] = None,
    title: TitleOpt = None,
    date: DateOpt = None,
    show: ShowOpt = None,
    old_output: Annotated[
        Path | None, typer.Option("--output", hidden=True, help="Old spelling of --out.", dir_okay=False)
    ] = None,
) -> None:
    """Write the narrated script of an article, to read and edit before voicing."""
    from .pipeline import plan_script
    from .script import render_script, write_script

    output = out or old_output
    try:
        result = plan_script(articles, show=show, title=title, date=_date(date))
        if output is None:
            typer.echo(render_script(result), nl=False)
        else:
            write_script(result, output)
            typer.echo(f"Script écrit : {output}", err=True)
    except BriefingError as e:
        fail(e)


@app.command()
def build(
    articles: ArticlesArg,
    out: Annotated[
        Path, typer.Option("-o", "--out", help="Output folder for the episode files.", file_okay=False)
    ] = Path("output"),
    voice: Annotated[
        str | None,
        typer.Option(
            "--voice",
            help="Voice profile or engine name (pico, kokoro, espeak, gtts; default: the show's, else "
            "pico); see 'briefing voices'.",
        ),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option(
            "--preset",
            help="Loudness and encoding preset: podcast or broadcast (default: the show's, else podcast).",
        ),
    ] = None,
    show: ShowOpt = None,
    title: TitleOpt = None,
    date: DateOpt = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir", help="Speech cache folder (default: the user cache folder).", file_okay=False
        ),
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Voice every sentence again.")] = False,
    each: Annotated[
        bool, typer.Option("--each", help="One episode per article instead of one briefing.")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            help="Synthesis processes (default: every core is used, by one process per core, or by the "
            "engine's own threads where that is faster, as for kokoro).",
            min=1,
        ),
    ] = None,
    keep_going: Annotated[
        bool, typer.Option("--keep-going", help="Leave a bad article out instead of stopping the build.")
    ] = False,
    deliver: Annotated[
        Path | None,
        typer.Option(
            "--deliver",
            help="Also drop the audio into this watched folder of a playout system.",
            file_okay=False,
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            help="Stable name of delivered files: {show}, {date}, {title}, {weekday} (default: the show's, "
            "{show}-{date}); a fixed name like briefing-latest works too.",
        ),
    ] = None,
    allow_mixed_loudness: Annotated[
        bool,
        typer.Option(
            "--allow-mixed-loudness",
            help="Add the episode to a feed whose episodes were mastered for another loudness (e.g. a "
            "broadcast episode among podcast ones); refused by default.",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the episode metadata JSON instead of the summary.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan (the script) without voicing anything.")
    ] = False,
    max_minutes: Annotated[
        int | None,
        typer.Option(
            "--max-minutes",
            help="Refuse, before voicing, a script that would take longer to read (default: 240).",
            min=1,
        ),
    ] = None,
) -> None:
    """Build an episode from an article (or from an edited script .md file)."""
    from .pipeline import MAX_MINUTES, BuildOptions, build_episode, expand_sources, plan_build
    from .script import render_script

    options = BuildOptions(
        out_dir=out,
        voice=voice,
        preset=preset,
        show=show,
        title=title,
        date=_date(date),
        cache_dir=cache_dir,
        use_cache=not no_cache,
        jobs=jobs,
        keep_going=keep_going,
        deliver=deliver,
        delivery_name=name,
        max_minutes=max_minutes or MAX_MINUTES,
        allow_mixed_loudness=allow_mixed_loudness,
    )
    failures = 0
    try:
        sources = expand_sources(articles)
        groups = [[s] for s in sources] if each else [sources]
        if dry_run:
            for group in groups:
                typer.echo(render_script(plan_build(group, options, log=_warn)), nl=False)
            return
        # One episode each: every article is read and planned once, all before anything is voiced.
        planned: list[Script] = []
        for group in groups if each else []:
            try:
                planned.append(plan_build(group, options, log=_warn))
            except BriefingError as e:
                if not keep_going:
                    raise
                _warn(f"no episode for {group[0]}: {e.one_line()}")
                failures += 1
    except BriefingError as e:
        fail(e)
    for job in planned if each else groups:
        with _Progress(enabled=not as_json) as progress:
            try:
                result = build_episode(job, options, progress=progress, log=_warn)
            except BriefingError as e:
                progress.close()
                if not (each and keep_going):
                    fail(e)
                _warn(f"no episode for {_named(job)}: {e.one_line()}")
                failures += 1
                continue
        _summary(result, as_json)
    if failures:
        raise typer.Exit(1)


def _named(job: Script | list[str]) -> str:
    return job[0] if isinstance(job, list) else job.title


def _summary(result: BuildResult, as_json: bool) -> None:
    written = result.episode
    if as_json:
        typer.echo(written.info.to_json(), nl=False)
        return
    loud = written.loudness
    typer.echo(f"Épisode : {result.script.title} ({result.script.date.isoformat()})")
    typer.echo(
        f"Voix : {result.voice} ({result.engine}), {result.synthesized}/{result.pieces} phrases synthétisées"
    )
    minutes, seconds = divmod(round(written.info.duration_seconds), 60)
    typer.echo(
        f"Durée : {minutes} min {seconds:02d} s ; sonie {loud.integrated_lufs:.1f} LUFS, "
        f"crête {loud.true_peak_dbtp:.1f} dBTP"
    )
    for file in written.info.files:
        typer.echo(f"  {written.folder / file.path}  ({human_size(file.size)})")
    typer.echo(f"Flux : {result.feed} (épisode n° {result.number})")
    for path in result.delivered:
        typer.echo(f"Livré : {path}")


def _warn(message: str) -> None:
    typer.echo(f"briefing: warning: {message}", err=True)


class _Progress:
    """A progress bar on stderr while voicing (nothing when printing JSON or not on a terminal)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._bar: typer.progressbar | None = None  # type: ignore[valid-type]
        self._done = 0

    def __enter__(self) -> _Progress:
        return self

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total == 0:
            return
        if self._bar is None:
            self._bar = typer.progressbar(length=total, label="Voix", file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def __exit__(self, *exc: object) -> None:
        self.close()


@app.command("normalize")
def normalize_cmd(
    text: Annotated[
        str, typer.Argument(help="French text to read aloud, or - for stdin.", show_default=False)
    ],
    show: Annotated[
        Path | None,
        typer.Option(help="Show config (TOML) whose pronunciation lexicon and voice to use.", dir_okay=False),
    ] = None,
    voice: Annotated[
        str | None,
        typer.Option(
            help="Voice profile whose lexicon to use (default: the show's, else the default voice)."
        ),
    ] = None,
) -> None:
    """Print the spoken form of French text, as the voice will read it (pronunciation lists included)."""
    from .pipeline import spoken_form
    from .show import load_show

    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        fail(BriefingError("nothing to normalize: the text is empty"))
    try:
        typer.echo(spoken_form(text, load_show(show), voice))
    except BriefingError as e:
        fail(e)


cache_app = typer.Typer(help="Manage the cache of synthesized sentences.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")

CacheDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir", help="Speech cache folder (default: the user cache folder).", file_okay=False
    ),
]


@cache_app.command("clear")
def cache_clear(cache_dir: CacheDirOpt = None) -> None:
    """Delete every cached sentence."""
    from .speech.cache import SpeechCache, default_cache_dir

    folder = cache_dir or default_cache_dir()
    try:
        removed = SpeechCache(folder).clear()
    except BriefingError as e:
        fail(e)
    typer.echo(f"{removed} phrase(s) supprimée(s) du cache {folder}")


@cache_app.command("info")
def cache_info(cache_dir: CacheDirOpt = None) -> None:
    """Show where the cache is and how big it is."""
    from .speech.cache import SpeechCache, default_cache_dir

    folder = cache_dir or default_cache_dir()
    try:
        entries, size = SpeechCache(folder).size()
    except BriefingError as e:
        fail(e)
    typer.echo(f"{folder}: {entries} phrase(s), {human_size(size)}")


def _register_more() -> None:
    from .cli_check import register as register_check
    from .cli_publish import register as register_publish
    from .cli_voices import register as register_voices

    register_voices(app)
    register_publish(app)
    register_check(app)


_register_more()


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
