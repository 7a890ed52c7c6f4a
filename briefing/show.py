"""The show config: a TOML file parsed once into typed values.

    [show]
    title = "Le Briefing"
    base_url = "https://example.org/briefing/"
    voice = "kokoro"

    [templates]
    greeting = "Bonjour et bienvenue dans {show}. Nous sommes le {date}."

Every wrong field is a ConfigError naming the file and the field. `briefing init` writes a
commented config (`example_config()`, kept in `briefing/data/show.toml`), the same as
`examples/show.toml`.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .categories import APPLE_CATEGORIES
from .errors import ConfigError

# --- data -------------------------------------------------------------------------------------

DEFAULT_SHOW_TITLE = "Le Briefing"
DEFAULT_BASE_URL = "http://127.0.0.1:8000/"
FEED_NAME = "feed.xml"
MAX_DESCRIPTION_BYTES = 4000
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*")
EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")
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
    # Whether the feed may mix episodes mastered for different loudness targets.
    allow_mixed_loudness: bool = False
    # Stable name of the files dropped into a playout system's watched folder (`build --deliver DIR`).
    delivery_name: str = "{show}-{date}"
    sound: Sound = field(default_factory=Sound)
    # The producer's pronunciations (`[show] lexicon` file, then the `[lexicon]` table), read over
    # each voice's own; `house_lexicon = false` leaves out the shipped list of French news names.
    lexicon: tuple[tuple[str, str], ...] = ()
    house_lexicon: bool = True

    def __post_init__(self) -> None:
        if not self.base_url.endswith("/"):
            object.__setattr__(self, "base_url", self.base_url + "/")
        where = self.origin
        _check_delivery_name(self.delivery_name, where)
        _check_url(self.base_url, where, "show.base_url")
        if self.link is not None:
            _check_url(self.link, where, "show.link")
        if len(self.feed_description.encode("utf-8", "surrogatepass")) > MAX_DESCRIPTION_BYTES:
            said = "show.description" if self.description else "the description said from the title"
            raise ConfigError(
                f"{where}: {said} is longer than {MAX_DESCRIPTION_BYTES} bytes",
                cause="Apple Podcasts cuts or refuses longer descriptions",
            )
        if self.owner_email is not None and not EMAIL.fullmatch(self.owner_email):
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
    def feed_description(self) -> str:
        """The feed's description: `description`, else one said from the title and the author (an
        app shows it on the show's page, where the title alone would say nothing)."""
        if self.description:
            return self.description
        by = f", proposée par {self.author}" if self.author else ""
        return f"{self.title} : l'actualité lue par une voix de synthèse{by}."

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


_SHOW_STRINGS: tuple[str, ...] = ("title", "description", "author", "narrator", "owner_name")
_SHOW_STRINGS += ("owner_email",)
_SHOW_STRINGS += ("language", "category", "subcategory", "base_url", "link", "copyright", "timezone")
_SHOW_STRINGS += ("voice", "delivery_name")
_SHOW_BOOLS = ("explicit", "allow_mixed_loudness", "house_lexicon")
_SHOW_FIELDS = {*_SHOW_STRINGS, *_SHOW_BOOLS, "artwork", "keep", "preset", "lexicon"}


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
    _only(data, {"show", "templates", "sound", "lexicon"}, file, "")
    show_data = _table(data, "show", file)
    _only(show_data, _SHOW_FIELDS, file, "show.")
    values: dict[str, Any] = {}
    for name in _SHOW_STRINGS:
        if name in show_data:
            values[name] = _string(show_data, name, file, "show.", None)
    if "category" in values and "subcategory" not in values:
        values["subcategory"] = None  # the default subcategory belongs to the default category
    for name in _SHOW_BOOLS:
        if name in show_data:
            if not isinstance(show_data[name], bool):
                raise ConfigError(f"{file}: show.{name} must be true or false")
            values[name] = show_data[name]
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
    values["lexicon"] = _lexicon(show_data, _table(data, "lexicon", file), file)
    templates = _templates(_table(data, "templates", file), file)
    sound = _sound(_table(data, "sound", file), file)
    return Show(templates=templates, sound=sound, origin=str(file), **values)


def _lexicon(show_data: dict[str, Any], table: dict[str, Any], file: Path) -> tuple[tuple[str, str], ...]:
    """The show's pronunciations: its lexicon file (TSV or TOML, relative to the config), then its
    `[lexicon]` table, which wins for a word both have."""
    from .speech.lexicon import layered, lexicon_from_table, load_lexicon

    listed: tuple[tuple[str, str], ...] = ()
    if "lexicon" in show_data:
        path = file.parent / _string(show_data, "lexicon", file, "show.", None)
        if not path.is_file():
            raise ConfigError(f"{file}: show.lexicon {path} does not exist")
        listed = load_lexicon(path)
    for word, says in table.items():
        if isinstance(says, str):
            _check_controls(word + says, file, f"lexicon.{word}")
    return layered(listed, lexicon_from_table(table, f"{file}: [lexicon]"))


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


def example_config() -> str:
    """The commented show config `briefing init` writes (`briefing/data/show.toml`, the same as
    `examples/show.toml`)."""
    from importlib.resources import files

    return files("briefing").joinpath("data", "show.toml").read_text(encoding="utf-8")
