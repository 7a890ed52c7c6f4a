"""`briefing build`: an episode from articles or an edited script, with a progress bar while voicing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from briefing.cli.common import (
    ArticlesArg,
    CacheDirOpt,
    DateOpt,
    ShowOpt,
    TitleOpt,
    fail,
    human_size,
    parse_date,
    warn,
)
from briefing.errors import BriefingError

if TYPE_CHECKING:
    from briefing.models import Script
    from briefing.pipeline import BuildResult


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
    cache_dir: CacheDirOpt = None,
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
    from briefing.ingest.lists import expand_sources
    from briefing.pipeline import MAX_MINUTES, BuildOptions, build_episode, plan_build
    from briefing.script.build import render_script

    options = BuildOptions(
        out_dir=out,
        voice=voice,
        preset=preset,
        show=show,
        title=title,
        date=parse_date(date),
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
                typer.echo(render_script(plan_build(group, options, log=warn)), nl=False)
            return
        # One episode each: every article is read and planned once, all before anything is voiced.
        planned: list[Script] = []
        for group in groups if each else []:
            try:
                planned.append(plan_build(group, options, log=warn))
            except BriefingError as e:
                if not keep_going:
                    raise
                warn(f"no episode for {group[0]}: {e.one_line()}")
                failures += 1
    except BriefingError as e:
        fail(e)
    for job in planned if each else groups:
        with _Progress(enabled=not as_json) as progress:
            try:
                result = build_episode(job, options, progress=progress, log=warn)
            except BriefingError as e:
                progress.close()
                if not (each and keep_going):
                    fail(e)
                warn(f"no episode for {_named(job)}: {e.one_line()}")
                failures += 1
                continue
        _summary(result, as_json)
    if failures:
        raise typer.Exit(1)


def _named(job: Script | list[str]) -> str:
    return job[0] if isinstance(job, list) else job.title


def _summary(result: BuildResult, as_json: bool) -> None:
    from briefing.pipeline import episode_key
    from briefing.publish.pages import page_name

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
    typer.echo(f"Page : {result.feed.parent / page_name(episode_key(result.script), result.number)}")
    for path in result.delivered:
        typer.echo(f"Livré : {path}")


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


def register(app: typer.Typer) -> None:
    """Add `build` to `app`."""
    app.command("build")(build)
