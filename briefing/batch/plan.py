"""A batch plan: the shows a newsroom makes in one run, read once from TOML into typed values.

    [defaults]                       # optional: what every show uses unless it says otherwise
    voice = "pico"
    cache_dir = "/srv/briefing/cache"

    [[show]]
    name = "matin-gironde"
    config = "shows/gironde.toml"    # the show config (`briefing init`)
    out = "/srv/briefing/feeds/gironde"
    each = true                      # one episode per article (default: one briefing of them all)
    sources = ["dossiers/a.txt", "https://www.example.fr/article.html", "du-jour.list"]

    [[show.feed]]
    url = "https://www.example.fr/gironde/rss.xml"
    items = 5
    include = ["Bordeaux"]
    exclude = ["publicité"]
    max_age_hours = 24

Paths are relative to the plan's folder. Every mistake is one `BatchError` line naming the plan, the
show and the field.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefing.errors import BatchError, BriefingError

SHOW_FIELDS = frozenset(
    {"name", "config", "out", "sources", "feed", "each", "voice", "preset", "title", "max_minutes"}
)
FEED_FIELDS = frozenset({"url", "items", "include", "exclude", "max_age_hours"})
DEFAULT_FIELDS = frozenset({"voice", "preset", "cache_dir", "max_minutes"})
DEFAULT_ITEMS = 5


@dataclass(frozen=True, slots=True)
class FeedSource:
    """A news feed (RSS 2.0 or Atom; an http(s) URL or a file): its newest `items` entries that
    mention one of `include` (if any) and none of `exclude`, no older than `max_age_hours`."""

    url: str
    items: int = DEFAULT_ITEMS
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_age_hours: float | None = None


@dataclass(frozen=True, slots=True)
class ShowPlan:
    """One show of the batch: its config, output folder (its feed) and sources."""

    name: str
    out: Path
    config: Path | None = None
    sources: tuple[str, ...] = ()  # files, URLs, list files
    feeds: tuple[FeedSource, ...] = ()
    each: bool = False  # one episode per article instead of one briefing
    voice: str | None = None
    preset: str | None = None
    title: str | None = None  # the briefing's title (default: the first article's)
    max_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """Every show of the batch, and the speech cache they share (None: the user cache folder)."""

    path: Path
    shows: tuple[ShowPlan, ...]
    cache_dir: Path | None = None


class _Where:
    """Builds the one-line errors: the plan file, then the show, then the field."""

    def __init__(self, path: Path, show: str | None = None) -> None:
        self.path, self.show = path, show

    def error(self, field: str, problem: str, cause: str | None = None) -> BatchError:
        where = f"{self.path}: show {self.show!r}" if self.show else f"{self.path}"
        return BatchError(f"{where}: field {field!r} {problem}", cause=cause)


def load_plan(path: Path | str) -> Plan:
    """Read and check a plan file; a wrong plan is a BatchError naming the show and field."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as e:
        raise BatchError(f"{path}: no such plan file") from e
    except (OSError, UnicodeDecodeError) as e:
        raise BatchError(f"{path}: cannot read the plan", cause=str(e)) from e
    except tomllib.TOMLDecodeError as e:
        raise BatchError(f"{path}: not valid TOML ({e})") from e
    return parse_plan(data, path)


def parse_plan(data: dict[str, Any], path: Path) -> Plan:
    """The plan in `data` (parsed TOML); relative paths are taken from `path`'s folder."""
    where = _Where(path)
    base = path.absolute().parent  # workers on other machines do not share this process's folder
    unknown = sorted(set(data) - {"defaults", "show"})
    if unknown:
        raise where.error(unknown[0], "is unknown", cause="a plan has a [defaults] table and [[show]] tables")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise where.error("defaults", "must be a table")
    _only(defaults, DEFAULT_FIELDS, where, "defaults.")
    shows_data = data.get("show")
    if not isinstance(shows_data, list) or not shows_data:
        raise where.error("show", "is missing", cause="add a [[show]] table for each show")
    shows = tuple(_show(item, i, defaults, base, path) for i, item in enumerate(shows_data, start=1))
    _check_unique(shows, path)
    cache = _text(defaults, "cache_dir", where, "defaults.")
    return Plan(path=path, shows=shows, cache_dir=_path(base, cache) if cache else None)


def _show(data: object, index: int, defaults: dict[str, Any], base: Path, path: Path) -> ShowPlan:
    if not isinstance(data, dict):
        raise _Where(path, f"#{index}").error("show", "must be a table")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _Where(path, f"#{index}").error("name", "must be a non-empty string")
    where = _Where(path, name.strip())
    _only(data, SHOW_FIELDS, where, "")
    out = _text(data, "out", where)
    if not out:
        raise where.error("out", "is missing", cause="every show needs its output folder (its feed)")
    config = _text(data, "config", where)
    sources = tuple(s if "://" in s else str(_path(base, s)) for s in _strings(data, "sources", where))
    feeds_data = data.get("feed", [])
    if not isinstance(feeds_data, list):
        raise where.error("feed", "must be a list of [[show.feed]] tables")
    feeds = tuple(_feed(f, where, base, i) for i, f in enumerate(feeds_data, start=1))
    if not sources and not feeds:
        raise where.error(
            "sources", "is empty and the show has no feed", cause="give sources or a [[show.feed]]"
        )
    each = data.get("each", False)
    if not isinstance(each, bool):
        raise where.error("each", f"must be true or false, not {each!r}")
    title = _text(data, "title", where)
    if title and each:
        raise where.error("title", "cannot go with each = true", cause="every episode would have that title")
    max_minutes = _whole(data, "max_minutes", where) or _whole(defaults, "max_minutes", where, "defaults.")
    return ShowPlan(
        name=where.show or name,
        out=_path(base, out),
        config=_path(base, config) if config else None,
        sources=sources,
        feeds=feeds,
        each=each,
        voice=_text(data, "voice", where) or _text(defaults, "voice", where, "defaults."),
        preset=_text(data, "preset", where) or _text(defaults, "preset", where, "defaults."),
        title=title,
        max_minutes=max_minutes,
    )


def _feed(data: object, where: _Where, base: Path, index: int) -> FeedSource:
    prefix = f"feed[{index}]."
    if not isinstance(data, dict):
        raise where.error(f"feed[{index}]", "must be a table")
    _only(data, FEED_FIELDS, where, prefix)
    url = _text(data, "url", where, prefix)
    if not url:
        raise where.error(prefix + "url", "is missing", cause="the feed's URL (RSS 2.0 or Atom) or file")
    items = _whole(data, "items", where, prefix)
    age = data.get("max_age_hours")
    if age is not None and (
        isinstance(age, bool) or not isinstance(age, int | float) or not math.isfinite(age) or age <= 0
    ):
        raise where.error(prefix + "max_age_hours", f"must be a number of hours above 0, not {age!r}")
    return FeedSource(
        url=url if "://" in url else str(_path(base, url)),
        items=DEFAULT_ITEMS if items is None else items,
        include=_strings(data, "include", where, prefix),
        exclude=_strings(data, "exclude", where, prefix),
        max_age_hours=None if age is None else float(age),
    )


def _only(data: dict[str, Any], allowed: frozenset[str], where: _Where, prefix: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise where.error(
            prefix + unknown[0], "is unknown", cause="known fields: " + ", ".join(sorted(allowed))
        )


def _text(data: dict[str, Any], key: str, where: _Where, prefix: str = "") -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or any(ord(c) < 32 for c in value):
        raise where.error(prefix + key, f"must be a non-empty line of text, not {value!r}")
    return value.strip()


def _strings(data: dict[str, Any], key: str, where: _Where, prefix: str = "") -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise where.error(prefix + key, f"must be a list of non-empty strings, not {value!r}")
    return tuple(v.strip() for v in value)


def _whole(data: dict[str, Any], key: str, where: _Where, prefix: str = "") -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise where.error(prefix + key, f"must be a whole number above 0, not {value!r}")
    return value


def _path(base: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _check_unique(shows: tuple[ShowPlan, ...], path: Path) -> None:
    names: set[str] = set()
    outs: dict[Path, str] = {}
    for show in shows:
        where = _Where(path, show.name)
        if show.name in names:
            raise where.error("name", "is used by two shows", cause="each show needs a name of its own")
        names.add(show.name)
        folder = Path(_absolute(show.out))
        if folder in outs:
            raise where.error(
                "out", f"is also the output folder of show {outs[folder]!r}", cause="one feed per show"
            )
        outs[folder] = show.name


def _absolute(path: Path) -> str:
    return os.path.normpath(os.path.abspath(path))


def check_plan(plan: Plan) -> None:
    """What can be checked before anything runs: each show's config loads, its voice and preset exist,
    and its output folder can be made (not under a file). A BatchError names the show and the field."""
    from briefing.audio.presets import get_preset
    from briefing.config.loader import load_show
    from briefing.pipeline import check_out_dir, chosen_voice
    from briefing.util.resources import voice_dirs

    dirs = voice_dirs()
    for show in plan.shows:
        where = _Where(plan.path, show.name)
        field = "config"
        try:
            config = load_show(show.config)
            field = "voice"
            chosen_voice(show.voice, config, dirs)
            field = "preset"
            get_preset(show.preset or config.preset)
            field = "out"
            check_out_dir(show.out)
        except BriefingError as e:
            raise BatchError(
                f"{where.path}: show {show.name!r}: field {field!r}: {e.message}", cause=e.cause
            ) from e
