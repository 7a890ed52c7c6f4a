"""The show config: a TOML file parsed once into typed values.

    [show]
    title = "Le Briefing"
    base_url = "https://example.org/briefing/"
    voice = "kokoro"

    [templates]
    greeting = "Bonjour et bienvenue dans {show}. Nous sommes le {date}."

Every wrong field is a ConfigError naming the file and the field. `briefing init` writes a
commented config (`example_config()`), the same as `examples/show.toml`.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError

# --- data -------------------------------------------------------------------------------------

DEFAULT_SHOW_TITLE = "Le Briefing"
DEFAULT_BASE_URL = "http://127.0.0.1:8000/"
FEED_NAME = "feed.xml"
MAX_DESCRIPTION_BYTES = 4000

#: Apple Podcasts categories and their subcategories (Apple Podcasts Connect, 2019 list).
APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies",
        "Home & Garden", "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News", "Daily News", "Entertainment News", "News Commentary", "Politics",
        "Sports News", "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion", "Spirituality",
    ),
    "Science": (
        "Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics",
        "Natural Sciences", "Nature", "Physics", "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships",
    ),
    "Sports": (
        "Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey",
        "Rugby", "Running", "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness", "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}  # fmt: skip

_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")
_ARTWORK_SUFFIXES = (".jpg", ".jpeg", ".png")

# --- code -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Templates:
    """French wording of the narration. `{show}`, `{date}`, `{title}`, … are filled in by the script."""

    greeting: str = "Bonjour et bienvenue dans {show}. Nous sommes le {date}."
    sommaire: str = "Au sommaire aujourd'hui, {count}. {items}"
    sommaire_one: str = "Au sommaire aujourd'hui : {items}"
    sommaire_last: str = "Et enfin : {item}"
    lead: str = "À la une : {title}."
    first: str = "Premier point."
    middle: tuple[str, ...] = (
        "Point suivant.",
        "Autre sujet.",
        "On continue.",
        "Passons à la suite.",
    )
    last: str = "Enfin, dernier point."
    credit: str = "Cet épisode reprend un article {from_source}."
    credit_author: str = "Cet épisode reprend un article de {author}, publié par {source}."
    signoff: str = "C'était {show}. Merci de votre écoute, et à demain !"
    intro_chapter: str = "Ouverture"
    outro_chapter: str = "Conclusion"
    # A briefing of several articles: one chapter per article.
    briefing_title: str = "{show} du {date}"
    first_article: str = "Premier sujet."
    middle_article: tuple[str, ...] = (
        "Sujet suivant.",
        "Autre actualité.",
        "Changeons de sujet.",
        "Nous poursuivons.",
    )
    last_article: str = "Enfin, notre dernier sujet."
    credits: str = "Ce briefing reprend des articles {from_source}."


SOUND_ELEMENTS = ("intro", "outro", "stinger", "bed")
MP3_KBPS = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)


@dataclass(frozen=True, slots=True)
class Sound:
    """A show's own sound: jingle files (any format ffmpeg reads) in place of the house ones, elements
    switched off, and loudness/bit-rate values that adjust the preset."""

    files: tuple[tuple[str, Path], ...] = ()
    off: tuple[str, ...] = ()
    target_lufs: float | None = None
    mp3_kbps: int | None = None


@dataclass(frozen=True, slots=True)
class Show:
    """A show: how it sounds (voice, preset, templates) and how its feed describes it.

    Values are checked here (ConfigError naming `origin` and the field); `base_url` always ends
    with "/". `artwork` is a JPEG/PNG path; `keep` is how many episodes the feed lists.
    """

    title: str = DEFAULT_SHOW_TITLE
    voice: str | None = None
    templates: Templates = field(default_factory=Templates)
    origin: str = "<defaults>"
    description: str = ""
    author: str | None = None
    # Who speaks, as the transcript names it (WebVTT `<v Name>`); None: the author, else the title.
    narrator: str | None = None
    owner_name: str | None = None
    owner_email: str | None = None
    language: str = "fr-FR"
    category: str = "News"
    subcategory: str | None = "Daily News"
    explicit: bool = False
    artwork: Path | None = None
    base_url: str = DEFAULT_BASE_URL
    link: str | None = None
    copyright: str | None = None
    timezone: str = "Europe/Paris"
    keep: int = 50
    preset: str = "podcast"
    # Stable name of the files dropped into a playout system's watched folder (`build --deliver DIR`).
    delivery_name: str = "{show}-{date}"
    sound: Sound = field(default_factory=Sound)

    def __post_init__(self) -> None:
        if not self.base_url.endswith("/"):
            object.__setattr__(self, "base_url", self.base_url + "/")
        where = self.origin
        _check_delivery_name(self.delivery_name, where)
        _check_url(self.base_url, where, "show.base_url")
        if self.link is not None:
            _check_url(self.link, where, "show.link")
        if len(self.description.encode("utf-8")) > MAX_DESCRIPTION_BYTES:
            raise ConfigError(
                f"{where}: show.description is longer than {MAX_DESCRIPTION_BYTES} bytes",
                cause="Apple Podcasts cuts or refuses longer descriptions",
            )
        if self.owner_email is not None and not _EMAIL.fullmatch(self.owner_email):
            raise ConfigError(f"{where}: show.owner_email {self.owner_email!r} is not an e-mail address")
        if not _LANGUAGE.fullmatch(self.language):
            raise ConfigError(
                f"{where}: show.language {self.language!r} is not a language code", cause="use e.g. fr-FR"
            )
        subs = APPLE_CATEGORIES.get(self.category)
        if subs is None:
            raise ConfigError(
                f"{where}: show.category {self.category!r} is not an Apple Podcasts category",
                cause=f"choose from {', '.join(APPLE_CATEGORIES)}",
            )
        if self.subcategory is not None and self.subcategory not in subs:
            raise ConfigError(
                f"{where}: show.subcategory {self.subcategory!r} is not in {self.category!r}",
                cause=f"choose from {', '.join(subs)}" if subs else "this category has none",
            )
        if self.artwork is not None and self.artwork.suffix.lower() not in _ARTWORK_SUFFIXES:
            raise ConfigError(
                f"{where}: show.artwork {self.artwork} is not a .jpg or .png file",
                cause="podcast apps accept JPEG or PNG art only",
            )
        if isinstance(self.keep, bool) or not isinstance(self.keep, int) or self.keep < 1:
            raise ConfigError(f"{where}: show.keep must be a whole number of episodes, at least 1")
        self._check_timezone_and_preset()

    def _check_timezone_and_preset(self) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        from .audio.presets import PRESETS

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ConfigError(
                f"{self.origin}: show.timezone {self.timezone!r} is not a known time zone",
                cause="use an IANA name such as Europe/Paris",
            ) from e
        if self.preset not in PRESETS:
            raise ConfigError(
                f"{self.origin}: show.preset {self.preset!r} is unknown",
                cause=f"choose from {', '.join(sorted(PRESETS))}",
            )

    @property
    def feed_url(self) -> str:
        """The public URL of the feed: `base_url` + feed.xml."""
        return self.base_url + FEED_NAME

    def url_for(self, path: str) -> str:
        """The public URL of a file at POSIX `path` relative to the output folder (quoted)."""
        from urllib.parse import quote

        return self.base_url + quote(path, safe="/")


def _check_url(url: str, where: str, name: str) -> None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError as e:
        raise ConfigError(f"{where}: {name} {url!r} is not a URL", cause=str(e)) from e
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: {name} {url!r} is not an http(s) URL", cause="e.g. https://example.org/")
    if not url.isascii() or any(c.isspace() for c in url) or parts.query or parts.fragment:
        raise ConfigError(
            f"{where}: {name} {url!r} has spaces, non-ASCII letters, a query or a fragment",
            cause="percent-encode the URL and drop ?… and #…",
        )


_SHOW_STRINGS: tuple[str, ...] = ("title", "description", "author", "narrator", "owner_name", "owner_email")
_SHOW_STRINGS += ("language", "category", "subcategory", "base_url", "link", "copyright", "timezone")
_SHOW_STRINGS += ("voice", "delivery_name")
_SHOW_FIELDS = {*_SHOW_STRINGS, "explicit", "artwork", "keep", "preset"}


def _check_delivery_name(pattern: str, where: str) -> None:
    import datetime as dt

    from .deliver import delivery_name
    from .errors import BriefingError

    try:
        delivery_name(pattern, show="show", date=dt.date(2025, 1, 1), title="title")
    except BriefingError as e:
        raise ConfigError(f"{where}: show.delivery_name: {e.message}", cause=e.cause) from e


def load_show(path: Path | str | None) -> Show:
    """Read a show config; None gives the defaults."""
    if path is None:
        return Show()
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(f"{file}: no such show config") from e
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{file}: cannot read the show config ({e})") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{file}: not valid TOML ({e})") from e
    _only(data, {"show", "templates", "sound"}, file, "")
    show_data = _table(data, "show", file)
    _only(show_data, _SHOW_FIELDS, file, "show.")
    values: dict[str, Any] = {}
    for name in _SHOW_STRINGS:
        if name in show_data:
            values[name] = _string(show_data, name, file, "show.", None)
    if "category" in values and "subcategory" not in values:
        values["subcategory"] = None  # the default subcategory belongs to the default category
    if "explicit" in show_data:
        if not isinstance(show_data["explicit"], bool):
            raise ConfigError(f"{file}: show.explicit must be true or false")
        values["explicit"] = show_data["explicit"]
    if "keep" in show_data:
        keep = show_data["keep"]
        if isinstance(keep, bool) or not isinstance(keep, int):
            raise ConfigError(f"{file}: show.keep must be a whole number of episodes")
        values["keep"] = keep
    if "preset" in show_data:
        values["preset"] = _string(show_data, "preset", file, "show.", None)
    if "artwork" in show_data:
        artwork = file.parent / _string(show_data, "artwork", file, "show.", None)
        if not artwork.is_file():
            raise ConfigError(f"{file}: show.artwork {artwork} does not exist")
        values["artwork"] = artwork
    templates = _templates(_table(data, "templates", file), file)
    sound = _sound(_table(data, "sound", file), file)
    return Show(templates=templates, sound=sound, origin=str(file), **values)


def _sound(data: dict[str, Any], file: Path) -> Sound:
    _only(data, {*SOUND_ELEMENTS, "target_lufs", "mp3_kbps"}, file, "sound.")
    files: list[tuple[str, Path]] = []
    off: list[str] = []
    for name in SOUND_ELEMENTS:
        if name not in data:
            continue
        value = data[name]
        if not isinstance(value, str):
            raise ConfigError(f'{file}: sound.{name} must be a file path, or "" for none')
        if not value.strip():
            off.append(name)
            continue
        path = file.parent / value
        if not path.is_file():
            raise ConfigError(f"{file}: sound.{name} {path} does not exist")
        files.append((name, path))
    target = data.get("target_lufs")
    if target is not None and (isinstance(target, bool) or not isinstance(target, int | float)):
        raise ConfigError(f"{file}: sound.target_lufs must be a number of LUFS, e.g. -18.0")
    kbps = data.get("mp3_kbps")
    if kbps is not None and (isinstance(kbps, bool) or kbps not in MP3_KBPS):
        raise ConfigError(f"{file}: sound.mp3_kbps must be an MP3 bit rate: {', '.join(map(str, MP3_KBPS))}")
    return Sound(tuple(files), tuple(off), None if target is None else float(target), kbps)


def _templates(data: dict[str, Any], file: Path) -> Templates:
    default = Templates()
    names = {f.name for f in fields(Templates)}
    _only(data, names, file, "templates.")
    values: dict[str, Any] = {}
    for name in names:
        if name not in data:
            continue
        value = data[name]
        if isinstance(getattr(default, name), tuple):
            if (
                not isinstance(value, list)
                or not value
                or not all(isinstance(v, str) and v.strip() for v in value)
            ):
                raise ConfigError(f"{file}: templates.{name} must be a non-empty list of strings")
            for item in value:
                _check_controls(item, file, f"templates.{name}")
            values[name] = tuple(value)
        else:
            values[name] = _string(data, name, file, "templates.", getattr(default, name))
    templates = Templates(**values)
    _check_placeholders(templates, file)
    return templates


_ALLOWED = {"show", "date", "title", "count", "items", "item", "source", "from_source", "author"}


def _check_placeholders(templates: Templates, file: Path) -> None:
    import string

    for f in fields(Templates):
        value = getattr(templates, f.name)
        for text in value if isinstance(value, tuple) else (value,):
            try:
                used = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            except ValueError as e:
                raise ConfigError(f"{file}: templates.{f.name} has a broken {{…}} ({e})") from e
            unknown = used - _ALLOWED
            if unknown:
                raise ConfigError(
                    f"{file}: templates.{f.name} uses unknown placeholder {{{sorted(unknown)[0]}}}",
                    cause=f"use one of {', '.join(sorted(_ALLOWED))}",
                )


def _table(data: dict[str, Any], key: str, file: Path) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{file}: [{key}] must be a table")
    return value


def _only(data: dict[str, Any], allowed: set[str], file: Path, prefix: str) -> None:
    for key in data:
        if key not in allowed:
            raise ConfigError(
                f"{file}: unknown field {prefix}{key}", cause=f"expected one of {sorted(allowed)}"
            )


def _string(data: dict[str, Any], key: str, file: Path, prefix: str, default: Any) -> Any:
    if key not in data:
        return default
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{file}: {prefix}{key} must be a non-empty string")
    _check_controls(value, file, f"{prefix}{key}")
    return value


def _check_controls(value: str, file: Path, name: str) -> None:
    """Control characters (but tab and line breaks) would reach tags, subtitles and the voice."""
    bad = next((ch for ch in value if ch not in "\t\n\r" and unicodedata.category(ch) == "Cc"), None)
    if bad is not None:
        raise ConfigError(
            f"{file}: {name} holds the control character U+{ord(bad):04X}",
            cause="an invisible character pasted in: remove it",
        )


EXAMPLE_CONFIG = """\
# Show config for `briefing` (TOML). Every field is optional; the default is shown.
# Paths are relative to this file. Check the feed with `briefing validate` after a build.

[show]
title = "Le Briefing"
# What the show is about (the feed's description, at most 4000 bytes).
description = "L'essentiel de l'actualité, lu à voix haute chaque matin."
# Who makes it (itunes:author; default: the title).
author = "La rédaction"
# Who speaks, as the transcripts name it (WebVTT <v Name>; default: the author, else the title).
# narrator = "La rédaction"
# Owner contact: Apple and podcast directories use it to verify ownership (not shown to listeners).
owner_name = "La rédaction"
owner_email = "podcast@example.org"
language = "fr-FR"
# An Apple Podcasts category and, optionally, one of its subcategories.
category = "News"
subcategory = "Daily News"
explicit = false
# Square JPEG or PNG, 1400-3000 px. Without it, a cover with the title is generated.
# artwork = "cover.jpg"
# Public URL of the output folder: the feed and the episode files are published under it.
# The default suits `briefing serve` on this machine only.
base_url = "http://127.0.0.1:8000/"
# The show's web page (default: base_url).
# link = "https://example.org/"
copyright = "© La rédaction"
# Time zone of the publication dates in the feed.
timezone = "Europe/Paris"
# How many episodes the feed lists (newest first); older ones stay in the library.
keep = 50
# Voice: a voice profile or engine name ("espeak", "kokoro", "gtts", "kokoro-kumo", ...).
# voice = "kokoro"
# Loudness preset: "podcast" (-16 LUFS) or "broadcast" (-23 LUFS, EBU R128).
preset = "podcast"

# Wording of the narration; {show}, {date}, {title}, {count}, {items}, {item}, {source}, {author}.
[templates]
# greeting = "Bonjour et bienvenue dans {show}. Nous sommes le {date}."
# signoff = "C'était {show}. Merci de votre écoute, et à demain !"

# The show's own sound, in place of the house jingles (any format ffmpeg reads; "" switches one off),
# and values that adjust the preset.
[sound]
# intro = "generique.mp3"
# outro = "fin.mp3"
# stinger = "virgule.wav"
# bed = ""
# target_lufs = -18.0
# mp3_kbps = 128
"""


def example_config() -> str:
    """The commented show config `briefing init` writes (also `examples/show.toml`)."""
    return EXAMPLE_CONFIG
