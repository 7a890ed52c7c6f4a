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
from dataclasses import dataclass, field
from pathlib import Path

from briefing.config.categories import APPLE_CATEGORIES
from briefing.errors import ConfigError

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
    # "Au programme", not "Au sommaire": the default voice's "sommaire aujourd'hui" was heard as
    # "sommet aujourd'hui" in every episode by Whisper base; "Au programme aujourd'hui" was heard
    # right in all but one of the same greetings.
    sommaire: str = "Au programme aujourd'hui, {count}. {items}"
    sommaire_one: str = "Au programme aujourd'hui : {items}"
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

        from briefing.audio.presets import PRESETS

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


def _check_delivery_name(pattern: str, where: str) -> None:
    import datetime as dt

    from briefing.errors import BriefingError
    from briefing.export.names import delivery_name

    try:
        delivery_name(pattern, show="show", date=dt.date(2025, 1, 1), title="title")
    except BriefingError as e:
        raise ConfigError(f"{where}: show.delivery_name: {e.message}", cause=e.cause) from e
