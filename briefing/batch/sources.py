"""What each show of a plan will build: its sources gathered from files, list files and news feeds
(the feeds read several at once), each page once, and what was left out on the way and why.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from briefing.batch.feeds import feed_sources
from briefing.batch.plan import Plan, ShowPlan
from briefing.batch.tasks import LEFT_OUT, EpisodeJob
from briefing.errors import BriefingError
from briefing.ingest.lists import LIST_SUFFIXES, expand_sources
from briefing.ingest.source import check_file
from briefing.pipeline import MAX_MINUTES, BuildOptions

FEED_READERS = 8


@dataclass(frozen=True, slots=True)
class ShowJobs:
    """A show's episodes to build, and what was left out while gathering its sources."""

    show: ShowPlan
    jobs: tuple[EpisodeJob, ...]
    notes: tuple[str, ...] = ()


def gather(plan: Plan, now: dt.datetime | None = None) -> tuple[ShowJobs, ...]:
    """Every show's episodes: list files opened, feeds read (several at once) and their items chosen,
    each page once. A list or feed that cannot be read is a note; the show goes on without it."""
    feeds = [(show.name, feed) for show in plan.shows for feed in show.feeds]
    with ThreadPoolExecutor(max_workers=max(1, min(FEED_READERS, len(feeds)))) as pool:
        read = list(pool.map(lambda f: _attempt(lambda: feed_sources(f[1], now)), feeds))
    by_show: dict[str, list[tuple[str, tuple[str, ...] | str]]] = {}
    for (name, feed), result in zip(feeds, read, strict=True):
        by_show.setdefault(name, []).append((feed.url, result))
    return tuple(_jobs(show, plan, by_show.get(show.name, [])) for show in plan.shows)


def _attempt(read: Callable[[], tuple[str, ...]]) -> tuple[str, ...] | str:
    try:
        return read()
    except BriefingError as e:
        return e.one_line()


def _jobs(show: ShowPlan, plan: Plan, feeds: list[tuple[str, tuple[str, ...] | str]]) -> ShowJobs:
    notes: list[str] = []
    sources: list[str] = []
    for source in show.sources:
        if source.lower().endswith(LIST_SUFFIXES):
            try:
                sources += expand_sources(source)
            except BriefingError as e:
                notes.append(LEFT_OUT + e.one_line())
        else:
            sources.append(source)
    for url, found in feeds:
        if isinstance(found, str):
            notes.append(f"feed left out: {found}")
            continue
        if not found:
            notes.append(f"feed {url}: no item to take (none left after the filters)")
        sources += found
    readable = []
    for source in dict.fromkeys(sources):
        problem = _unreadable(source)
        if problem:
            notes.append(LEFT_OUT + problem)
        else:
            readable.append(source)
    options = BuildOptions(
        out_dir=show.out,
        voice=show.voice,
        preset=show.preset,
        show=show.config,
        title=show.title,
        cache_dir=plan.cache_dir,
        jobs=1,  # one core per worker process: the cluster runs episodes side by side
        max_minutes=show.max_minutes or MAX_MINUTES,
    )
    lock = f"briefing-feed:{os.path.abspath(show.out / 'feed.xml')}"
    groups = [(s,) for s in readable] if show.each else [tuple(readable)] if readable else []
    jobs = tuple(EpisodeJob(show.name, group, options, lock) for group in groups)
    return ShowJobs(show, jobs, tuple(notes))


def _unreadable(source: str) -> str | None:
    """Why a source file cannot be an article (not there, a folder, another type), or None. A URL
    is tried when its episode is built; a file is checked now, so that `--dry-run` says so too."""
    if "://" in source:
        return None
    try:
        check_file(source)
    except BriefingError as e:
        return e.one_line()
    return None
