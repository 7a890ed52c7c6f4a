"""The show's web pages: `index.html` and one page per episode of the feed, in the output folder.

    files = render_site(out_dir, show, listed, artwork)   # name -> bytes, nothing written yet
    change = write_site(out_dir, files)                    # each file atomically; change.undo()
    sweep_pages(out_dir, files)                            # pages of episodes no longer listed

The library writes them with the feed, under its lock (`library._commit`): before the library, so
a failure puts them back as they were along with the library and the feed, and a page is removed
once its episode has left the feed (removed, or past `keep`). A replaced episode keeps its page
name (made of its key and number, which never change) and so its link.

The page (`episode.html`) holds the player with the MP3 and the WebVTT captions, the chapters and
the transcript sentence by sentence, every time a link to the MP3 with a media fragment (`#t=`),
so that it works without JavaScript; `briefing.js` makes those links seek the player and
highlights the sentence being spoken. The templates are Jinja2 with autoescaping on; every text is
also stripped of the characters HTML forbids. Links between files are relative (the folder works
offline, from `briefing serve` or copied to any static host); Open Graph, canonical and feed URLs
are absolute, under the show's `base_url`. Our pages carry `<meta name="generator"
content="briefing">`: an `index.html` without it is the producer's own and is left alone.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.config.show import FEED_NAME, Show
from briefing.export.names import slugify
from briefing.export.roles import FileRole
from briefing.publish import pages_data as data
from briefing.util.atomic import atomic_write_bytes

if TYPE_CHECKING:
    import jinja2

    from briefing.publish.records import EpisodeRecord

INDEX_NAME = "index.html"
STYLE_NAME = "briefing.css"
SCRIPT_NAME = "briefing.js"
GENERATOR_TAG = b'<meta name="generator" content="briefing">'
#: How far into an HTML file the generator tag is looked for.
HEAD_BYTES = 1024
_NONCHARACTERS = "".join(chr(plane * 0x10000 + low) for plane in range(17) for low in (0xFFFE, 0xFFFF))
_NOT_HTML = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef" + _NONCHARACTERS + "]"
)


def html_text(value: object) -> object:
    """A value for a template: text without the characters HTML forbids (C0 and C1 controls but
    white space, lone surrogates, noncharacters); anything else as it is. Escaping comes after."""
    return _NOT_HTML.sub("", value) if isinstance(value, str) else value


def page_name(key: str, number: int) -> str:
    """The file name of an episode's page: its key and number, which a replacement keeps."""
    return f"{slugify(key, max_length=80)}-{number}.html"


def record_page(record: EpisodeRecord) -> str:
    return page_name(record.key, record.number)


@dataclass(frozen=True, slots=True)
class Head:
    """What `<head>` says of a page: title, description, its absolute URL, Open Graph type, image."""

    title: str
    description: str
    url: str
    kind: str
    image_url: str
    image_alt: str


@dataclass(frozen=True, slots=True)
class SiteView:
    title: str
    description: str
    author: str
    copyright: str
    language: str
    locale: str
    feed: str  # relative
    feed_url: str
    image: str
    image_url: str
    style: str  # relative, with a version query that changes with the file
    script: str


@dataclass(frozen=True, slots=True)
class EpisodeView:
    name: str
    url: str
    number: int
    title: str
    description: str
    credit: str
    date: str
    date_text: str
    published: str
    duration: str
    audio: str
    audio_type: str
    audio_url: str
    audio_size: str
    vtt: str | None
    image: str
    image_url: str
    chapters: tuple[data.ChapterView, ...] = field(default=())

    @property
    def titled(self) -> bool:
        """Whether the chapter list is worth showing: chapters with titles."""
        return any(c.title for c in self.chapters)

    @property
    def sentences(self) -> int:
        return sum(len(c.sentences) for c in self.chapters)


@functools.cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("briefing.publish", "templates"),
        autoescape=True,
        finalize=html_text,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


@functools.cache
def static_file(name: str) -> bytes:
    """A shipped file of `static/` (package data, read with importlib.resources)."""
    return resources.files("briefing.publish").joinpath("static", name).read_bytes()


def _versioned(name: str) -> str:
    return f"{name}?v={hashlib.sha256(static_file(name)).hexdigest()[:10]}"


def _site_view(show: Show, artwork: str) -> SiteView:
    return SiteView(
        title=show.title,
        description=show.feed_description,
        author=show.author or "",
        copyright=show.copyright or "",
        language=show.language,
        locale=show.language.replace("-", "_"),
        feed=FEED_NAME,
        feed_url=show.feed_url,
        image=data.href(artwork),
        image_url=show.url_for(artwork),
        style=_versioned(STYLE_NAME),
        script=_versioned(SCRIPT_NAME),
    )


def episode_view(out_dir: Path, show: Show, record: EpisodeRecord, artwork: str) -> EpisodeView:
    """What the page of `record` shows (its transcript read from the folder)."""
    info = record.info
    mp3 = info.file(FileRole.MP3)
    if mp3 is None:  # EpisodeRecord refuses this; kept for the type checker
        raise ValueError(f"episode {record.number} has no MP3")
    vtt, image = info.file(FileRole.VTT), artwork
    transcript = data.read_transcript(out_dir, info)
    total_ms = round(info.samples * 1000 / info.rate)
    name = record_page(record)
    return EpisodeView(
        name=name,
        url=show.url_for(name),
        number=record.number,
        title=info.title,
        description=info.description,
        credit=data.credit(transcript),
        date=info.date.isoformat(),
        date_text=data.french_date(info.date),
        published=record.published.isoformat(),
        duration=data.duration_text(total_ms),
        audio=data.href(mp3.path),
        audio_type=mp3.mime,
        audio_url=show.url_for(mp3.path),
        audio_size=data.size_text(mp3.size),
        vtt=data.href(vtt.path) if vtt is not None else None,
        image=data.href(image),
        image_url=show.url_for(image),
        chapters=data.chapter_views(info.chapters, transcript.sentences, data.href(mp3.path), total_ms),
    )


def render_site(out_dir: Path, show: Show, listed: Sequence[EpisodeRecord], artwork: str) -> dict[str, bytes]:
    """Every file of the site for the episodes `listed` (newest first, as the feed lists them), by
    name, in the order to write them: style and script, the episode pages, the index last (so it
    never links to a page not yet there). The index is left out when the folder has one of its own."""
    environment = _environment()
    site = _site_view(show, artwork)
    files = {STYLE_NAME: static_file(STYLE_NAME), SCRIPT_NAME: static_file(SCRIPT_NAME)}
    episodes = [episode_view(out_dir, show, record, artwork) for record in listed]
    template = environment.get_template("episode.html")
    for e in episodes:
        head = Head(
            title=f"{e.title} · {show.title}",
            description=e.description or e.title,
            url=e.url,
            kind="article",
            image_url=e.image_url,
            image_alt=f"Pochette de l'émission {show.title}",
        )
        files[e.name] = template.render(site=site, head=head, e=e).encode("utf-8")
    if _ours(out_dir / INDEX_NAME, missing=True):
        head = Head(
            title=show.title,
            description=show.feed_description,
            url=show.base_url,
            kind="website",
            image_url=site.image_url,
            image_alt=f"Pochette de l'émission {show.title}",
        )
        index = environment.get_template("index.html").render(site=site, head=head, episodes=episodes)
        files[INDEX_NAME] = index.encode("utf-8")
    return files


def generated_here(data: bytes) -> bool:
    """Whether a page that begins with `data` is one `briefing` wrote (the generator tag near its top)."""
    return GENERATOR_TAG in data[:HEAD_BYTES]


def _ours(path: Path, *, missing: bool = False) -> bool:
    """Whether `path` is one of our pages (`generated_here`); `missing` if it is not there."""
    try:
        with path.open("rb") as f:
            return generated_here(f.read(HEAD_BYTES))
    except FileNotFoundError:
        return missing
    except OSError:
        return False


@dataclass(slots=True)
class SiteChange:
    """The files a `write_site` changed, each with what it held before (None: it was not there)."""

    out_dir: Path
    before: list[tuple[str, bytes | None]] = field(default_factory=list)

    def undo(self) -> bool:
        """Put every changed file back as it was, last first; False if one could not be."""
        whole = True
        for name, old in reversed(self.before):
            path = self.out_dir / name
            try:
                if old is None:
                    path.unlink(missing_ok=True)
                else:
                    atomic_write_bytes(path, old)
            except OSError:
                whole = False
        self.before.clear()
        return whole


def write_site(out_dir: Path, files: Mapping[str, bytes]) -> SiteChange:
    """Write each file that differs from what is there, atomically, in order. If one fails (or the
    process is interrupted), those already written are put back and the error goes on (OSError)."""
    change = SiteChange(Path(out_dir))
    try:
        for name, content in files.items():
            path = change.out_dir / name
            try:
                old: bytes | None = path.read_bytes()
            except FileNotFoundError:
                old = None
            if old == content:
                continue
            atomic_write_bytes(path, content)
            change.before.append((name, old))
    except BaseException:
        change.undo()
        raise
    return change


def sweep_pages(out_dir: Path, keep: Iterable[str]) -> None:
    """Delete our pages (the generator tag near their top) in `out_dir` that are not in `keep`:
    those of episodes the feed no longer lists. Another HTML file is never touched."""
    kept = set(keep)
    for path in Path(out_dir).glob("*.html"):
        if path.name in kept or not path.is_file() or path.is_symlink():
            continue
        if path.name != INDEX_NAME and _ours(path):
            with contextlib.suppress(OSError):  # an orphan page is harmless: nothing links to it
                path.unlink()
