"""The podcast feed: RSS 2.0 with the Apple (`itunes`) and Podcasting 2.0 (`podcast`) namespaces.

Each item lists its chapters three ways, for every kind of client: `podcast:chapters` (a JSON file),
Podlove Simple Chapters (`psc:chapters`, read by gPodder) and timestamps at the end of the
description (read by Apple Podcasts).

Built with xml.etree.ElementTree, so every text and attribute is escaped by the XML library;
characters XML 1.0 forbids (control characters, lone surrogates) are removed first. Descriptions
are HTML for podcast apps, so plain text is HTML-escaped before going in. The same
library and show always give the same bytes: no "now" in the feed (lastBuildDate is the time of
the latest change to an episode).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import html
import re
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from briefing.config.show import Show
from briefing.export.roles import FileRole
from briefing.publish.pages import record_page
from briefing.util.atomic import atomic_write_bytes

if TYPE_CHECKING:
    from briefing.export.chapters import EpisodeInfo
    from briefing.publish.records import EpisodeRecord

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ATOM_NS = "http://www.w3.org/2005/Atom"
#: Podlove Simple Chapters: the chapters gPodder (and other Podlove readers) show.
PSC_NS = "http://podlove.org/simple-chapters"
PSC_VERSION = "1.2"
NAMESPACES = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": ATOM_NS, "psc": PSC_NS}
#: Podcasting 2.0: podcast:guid is UUIDv5 of the feed URL (no scheme, no trailing slash) in this.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
#: Episode file roles listed as podcast:transcript (SRT first: gPodder's podcastparser keeps the
#: last one, and WebVTT is the better choice for a player).
TRANSCRIPTS = (FileRole.SRT, FileRole.VTT)
TRANSCRIPT_LANGUAGE = "fr"
GENERATOR = "briefing"
#: Apple Podcasts reads chapters from timestamps in the episode description: at least three, the
#: first at 00:00.
DESCRIPTION_CHAPTERS_MIN = 3

_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def clean_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry (C0 controls but tab/LF/CR, lone
    surrogates, U+FFFE, U+FFFF)."""
    return _FORBIDDEN.sub("", text)


def as_html(text: str) -> str:
    """Plain text for an RSS <description>, which apps read as HTML: `<` and `&` escaped once for
    HTML (then once more, by the XML library, for XML)."""
    return html.escape(text, quote=False)


def podcast_guid(feed_url: str) -> str:
    """The Podcasting 2.0 podcast:guid of a feed URL."""
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, _SCHEME.sub("", feed_url.strip()).rstrip("/")))


def _q(prefix: str, name: str) -> str:
    return f"{{{NAMESPACES[prefix]}}}{name}"


def _sub(parent: ET.Element, tag: str, content: str | None = None, /, **attrs: str) -> ET.Element:
    """A child element; an `ns:name` tag is expanded; its text and attributes are cleaned."""
    if ":" in tag:
        tag = _q(*tag.split(":", 1))
    element = ET.SubElement(parent, tag, {k: clean_text(v) for k, v in attrs.items()})
    if content is not None:
        element.text = clean_text(content)
    return element


def _rfc2822(when: dt.datetime, show: Show) -> str:
    """The instant in the show's time zone; an offset of seconds (local mean time, before about 1911 in
    Paris: +00:09:21) is rounded to the minute, which is all RFC 2822 can write (+0009)."""
    from zoneinfo import ZoneInfo

    local = when.astimezone(ZoneInfo(show.timezone))
    offset = local.utcoffset() or dt.timedelta(0)
    minutes = dt.timedelta(minutes=round(offset.total_seconds() / 60))
    return email.utils.format_datetime(when.astimezone(dt.timezone(minutes)) if minutes != offset else local)


def render_feed(show: Show, episodes: Sequence[EpisodeRecord], artwork: str | None) -> bytes:
    """The feed for `episodes` (newest first; the first `show.keep` are listed) as UTF-8 bytes.

    `artwork` is the path of the channel image relative to the output folder.
    """
    for prefix, uri in NAMESPACES.items():
        ET.register_namespace(prefix, uri)
    rss = ET.Element("rss", {"version": "2.0"})
    channel = _sub(rss, "channel")
    _channel(channel, show, episodes, artwork)
    for record in episodes[: show.keep]:
        _item(_sub(channel, "item"), show, record)
    ET.indent(rss, space="  ")
    data: bytes = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def _channel(channel: ET.Element, show: Show, episodes: Sequence[EpisodeRecord], artwork: str | None) -> None:
    link = show.link or show.base_url  # the show's page: index.html (publish.pages) unless its own
    author = show.author or show.title
    _sub(channel, "title", show.title)
    _sub(channel, "link", link)
    _sub(channel, "description", as_html(show.feed_description))
    _sub(channel, "language", show.language)
    if show.copyright:
        _sub(channel, "copyright", show.copyright)
    _sub(channel, "generator", GENERATOR)
    if episodes:
        _sub(channel, "lastBuildDate", _rfc2822(max(r.updated for r in episodes), show))
    _sub(channel, "atom:link", href=show.feed_url, rel="self", type="application/rss+xml")
    if artwork is not None:
        image = _sub(channel, "image")
        _sub(image, "url", show.url_for(artwork))
        _sub(image, "title", show.title)
        _sub(image, "link", link)
        _sub(channel, "itunes:image", href=show.url_for(artwork))
    _sub(channel, "itunes:author", author)
    if show.owner_email:  # an itunes:owner without its e-mail is an error for feed validators
        owner = _sub(channel, "itunes:owner")
        _sub(owner, "itunes:name", show.owner_name or author)
        _sub(owner, "itunes:email", show.owner_email)
    category = _sub(channel, "itunes:category", text=show.category)
    if show.subcategory:
        _sub(category, "itunes:category", text=show.subcategory)
    _sub(channel, "itunes:explicit", "true" if show.explicit else "false")
    _sub(channel, "itunes:type", "episodic")
    _sub(channel, "podcast:guid", podcast_guid(show.feed_url))
    if show.owner_email:  # the Podcast Index schema requires the owner's e-mail on podcast:locked
        _sub(channel, "podcast:locked", "no", owner=show.owner_email)


def _item(item: ET.Element, show: Show, record: EpisodeRecord) -> None:
    info = record.info
    mp3 = info.file(FileRole.MP3)
    if mp3 is None:  # EpisodeRecord refuses this; kept for the type checker
        raise ValueError(f"episode {record.number} has no MP3")
    _sub(item, "title", info.title)
    _sub(item, "description", item_description(info))
    _sub(item, "link", show.url_for(record_page(record)))  # its page (publish.pages)
    _sub(item, "guid", record.guid, isPermaLink="false")
    _sub(item, "pubDate", _rfc2822(record.published, show))
    _sub(item, "enclosure", url=show.url_for(mp3.path), length=str(mp3.size), type=mp3.mime)
    _sub(item, "itunes:title", info.title)
    _sub(item, "itunes:duration", str(round(record.seconds)))
    _sub(item, "itunes:episode", str(record.number))
    _sub(item, "itunes:episodeType", "full")
    _sub(item, "itunes:explicit", "true" if show.explicit else "false")
    _sub(item, "podcast:episode", str(record.number))
    for role in TRANSCRIPTS:
        found = info.file(role)
        if found is not None:
            _sub(
                item,
                "podcast:transcript",
                url=show.url_for(found.path),
                type=found.mime,
                language=TRANSCRIPT_LANGUAGE,
            )
    chapters = info.file(FileRole.CHAPTERS)
    if chapters is not None:
        _sub(item, "podcast:chapters", url=show.url_for(chapters.path), type=chapters.mime)
    if info.chapters:
        psc = _sub(item, "psc:chapters", version=PSC_VERSION)
        for chapter in info.chapters:
            _sub(psc, "psc:chapter", start=normal_play_time(chapter.start_ms), title=chapter.title)


def _clock(seconds: int, hours: bool = True) -> str:
    """HH:MM:SS, or MM:SS without `hours`."""
    minutes, seconds = divmod(seconds, 60)
    if not hours:
        return f"{minutes:02d}:{seconds:02d}"
    return f"{minutes // 60:02d}:{minutes % 60:02d}:{seconds:02d}"


def normal_play_time(ms: int) -> str:
    """HH:MM:SS.mmm, as Podlove Simple Chapters write a start time."""
    return f"{_clock(ms // 1000)}.{ms % 1000:03d}"


def item_description(info: EpisodeInfo) -> str:
    """The episode description as HTML, with a line per chapter after it (its start time, then its
    title) when there are at least DESCRIPTION_CHAPTERS_MIN: Apple Podcasts makes chapters of them.
    The first is written 00:00 (where Apple wants it), the others rounded down to the second; hours
    are written only for an episode that lasts an hour or more."""
    text = as_html(info.description or info.title)
    if len(info.chapters) < DESCRIPTION_CHAPTERS_MIN:
        return text
    hours = info.chapters[-1].end_ms >= 3_600_000
    lines = [
        f"{_clock(chapter.start_ms // 1000 if i else 0, hours)} {as_html(chapter.title)}"
        for i, chapter in enumerate(info.chapters)
    ]
    return f"<p>{text}</p>\n<p>" + "<br>\n".join(lines) + "</p>"


def channel_artwork(out_dir: Path, show: Show) -> str:
    """Put the channel image in `out_dir` and return its relative path.

    The show's artwork is copied; without one, a cover with the title is generated. The name
    carries a hash of the content (`artwork-<hash>.png`), so a new image gets a new URL.
    """
    if show.artwork is not None:
        data = show.artwork.read_bytes()
        suffix = ".jpg" if show.artwork.suffix.lower() == ".jpeg" else show.artwork.suffix.lower()
    else:
        from briefing.export.cover import make_cover

        data, suffix = make_cover(show.title), ".png"
    name = f"artwork-{hashlib.sha256(data).hexdigest()[:12]}{suffix}"
    path = Path(out_dir) / name
    if not path.is_file() or path.stat().st_size != len(data):
        atomic_write_bytes(path, data)
    return name
