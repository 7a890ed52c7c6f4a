"""Check a feed and its episode files the way Apple Podcasts and Podcasting 2.0 apps will.

The feed: required channel and item tags, allowed values (explicit true/false, Apple category,
episode type), unique GUIDs and enclosure URLs, the podcast:guid rule. The files the feed points
at, when they are under the feed's folder URL and so found in its folder: they exist, their size
is the enclosure length, the MP3 decodes to the duration of the episode JSON (within 0.1 s) and
measures within its loudness preset, its ID3 tag reads back, transcripts and chapters parse; the
feed's episodes were all mastered for one loudness; the show's pages are there and whole (`qa.pages`).
Errors are what feed validators and directories reject (the W3C feed validator: an itunes:owner
without its e-mail; the Podcast Index schema: podcast:locked without its owner; Apple: no artwork, a
wrong category) and make `briefing validate` fail; warnings are what Apple only asks for (an
itunes:owner, an itunes:author) and other things worth knowing, printed without failing.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree as ET

from briefing.config.categories import APPLE_CATEGORIES
from briefing.config.show import EMAIL, FEED_NAME, MAX_DESCRIPTION_BYTES
from briefing.errors import BriefingError, PublishError
from briefing.export.chapters import EpisodeInfo, parse_chapters_json
from briefing.export.names import safe_join
from briefing.export.roles import FileRole
from briefing.publish.feed import NAMESPACES, podcast_guid
from briefing.publish.loudness import by_target, describe
from briefing.publish.records import EpisodeRecord, Library, read_library
from briefing.qa.pages import index_problems, item_page_problems
from briefing.qa.problems import Problem, duration_problems, listed_file_problems, loudness_problems, text_of

DURATION_TOLERANCE_S = 0.1
EPISODE_TYPES = ("full", "trailer", "bonus")
#: podcast:transcript types of the Podcasting 2.0 namespace (any feed's, not only those we write).
TRANSCRIPT_TYPES = frozenset(
    (FileRole.VTT.mime, FileRole.SRT.mime, "application/srt", "application/json", "text/html", "text/plain")
)
_LOOPBACK = ("localhost", "127.0.0.1", "::1")
_DURATION = re.compile(r"\d+|(\d+:)?\d{1,2}:\d{2}")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_NPT = re.compile(r"\d+:[0-5]\d:[0-5]\d(\.\d{1,3})?")


class _Checker:
    def __init__(self, feed: Path, audio: bool) -> None:
        self.feed, self.root, self.audio = feed, feed.parent, audio
        self.problems: list[Problem] = []
        self.listed: list[EpisodeRecord] = []  # the library's episodes the feed lists
        self.base = ""
        self.library = Library()

    def error(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def warn(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message, "warning"))

    def text(self, parent: ET.Element, tag: str, where: str, required: bool = True) -> str:
        found = parent.find(tag, NAMESPACES)
        value = (found.text or "").strip() if found is not None else ""
        if not value and required:
            self.error(where, f"<{tag}> is missing or empty")
        return value

    def local(self, url: str, where: str) -> Path | None:
        """The file in the feed's folder that `url` names (None, with a warning, if not there)."""
        if not self.base or not url.startswith(self.base):
            self.warn(where, f"{url} is not under the feed's folder URL {self.base or '?'}: not checked")
            return None
        try:
            return safe_join(self.root, unquote(url[len(self.base) :]))
        except BriefingError as e:
            self.error(where, f"{url} does not name a file inside {self.root} ({e.one_line()})")
            return None

    def run(self) -> None:
        try:
            rss = ET.parse(self.feed).getroot()
        except (ET.ParseError, OSError) as e:
            self.error(str(self.feed), f"cannot read the feed as XML ({e})")
            return
        channel = rss.find("channel")
        if rss.tag != "rss" or rss.get("version") != "2.0" or channel is None:
            self.error(str(self.feed), 'not an RSS 2.0 feed (<rss version="2.0"><channel>)')
            return
        try:
            self.library = read_library(self.root)
        except BriefingError as e:
            self.error(str(self.root), e.one_line())
        if not self.library.episodes:
            self.warn(str(self.root), "no episode library here: episode JSON and presets not checked")
        self.channel(channel)
        guids: set[str] = set()
        urls: set[str] = set()
        items = channel.findall("item")
        if not items:
            self.warn("channel", "the feed has no episode")
        for i, item in enumerate(items, start=1):
            self.item(item, f"item {i}", guids, urls)
        self.loudness_mix()
        for record in self.library.episodes:
            self.files(record)

    def loudness_mix(self) -> None:
        """One feed, one loudness: listeners hear a jump between episodes mastered for two."""
        try:
            groups = by_target(self.listed)
        except BriefingError as e:
            self.error("channel", e.one_line())
            return
        if len(groups) > 1:
            self.warn("channel", f"the feed mixes loudness targets: {describe(groups)}")

    def channel(self, channel: ET.Element) -> None:
        where = "channel"
        for tag in ("title", "link", "language"):
            self.text(channel, tag, where)
        description = self.text(channel, "description", where)
        if len(description.encode("utf-8")) > MAX_DESCRIPTION_BYTES:
            self.error(where, f"<description> is over {MAX_DESCRIPTION_BYTES} bytes")
        if not self.text(channel, "itunes:author", where, required=False):
            self.warn(where, "<itunes:author> is missing (Apple recommends it)")
        self.owner(channel, where)
        self.explicit(channel, where, required=True)
        self.category(channel)
        self_link = next(
            (a.get("href", "") for a in channel.findall("atom:link", NAMESPACES) if a.get("rel") == "self"),
            "",
        )
        if not self_link:
            self.warn(where, 'no <atom:link rel="self">: the feed\'s own URL is unknown, files not checked')
        else:
            self.base = self_link.rsplit("/", 1)[0] + "/"
            if (urlsplit(self_link).hostname or "") in _LOOPBACK:
                self.warn(where, f"the feed URL {self_link} is on this machine: set base_url to publish")
        guid = self.text(channel, "podcast:guid", where)
        if guid and self_link and guid != podcast_guid(self_link):
            self.error(
                where, f"<podcast:guid> {guid} is not UUIDv5 of the feed URL ({podcast_guid(self_link)})"
            )
        self.problems += index_problems(self.root, self.base, channel.findtext("link") or "")
        self.locked(channel, where)
        image = channel.find("itunes:image", NAMESPACES)
        href = image.get("href", "") if image is not None else ""
        if not href:
            self.error(where, "<itunes:image href> is missing")
        elif not href.lower().endswith((".jpg", ".jpeg", ".png")):
            self.error(where, f"<itunes:image> {href} does not end in .jpg or .png")
        elif (path := self.local(href, where)) is not None:
            from briefing.export.cover import load_cover

            try:
                load_cover(path)
            except BriefingError as e:
                self.error(where, f"artwork: {e.one_line()}")

    def owner(self, channel: ET.Element, where: str) -> None:
        """itunes:owner: Apple asks for one; a feed validator rejects one without its e-mail."""
        owner = channel.find("itunes:owner", NAMESPACES)
        if owner is None:
            self.warn(where, "no <itunes:owner> (Apple asks for one, with an e-mail: set show.owner_email)")
            return
        email = self.text(owner, "itunes:email", where, required=False)
        if not email:
            self.error(where, "<itunes:owner> has no <itunes:email> (the W3C feed validator rejects it)")
        elif not EMAIL.fullmatch(email):
            self.error(where, f"<itunes:owner> e-mail {email!r} is not an e-mail address")
        if not self.text(owner, "itunes:name", where, required=False):
            self.warn(where, "<itunes:owner> has no <itunes:name> (Apple asks for one)")

    def locked(self, channel: ET.Element, where: str) -> None:
        """podcast:locked is optional; the Podcast Index schema requires its owner e-mail."""
        locked = channel.find("podcast:locked", NAMESPACES)
        if locked is None:
            return
        if (locked.text or "").strip() not in ("yes", "no"):
            self.error(where, "<podcast:locked> must be yes or no")
        owner = locked.get("owner", "")
        if not owner:
            self.error(where, "<podcast:locked> has no owner (the Podcast Index schema requires it)")
        elif not EMAIL.fullmatch(owner):
            self.error(where, f"<podcast:locked> owner {owner!r} is not an e-mail address")

    def category(self, channel: ET.Element) -> None:
        category = channel.find("itunes:category", NAMESPACES)
        name = category.get("text", "") if category is not None else ""
        if category is None or name not in APPLE_CATEGORIES:
            self.error("channel", f"<itunes:category text> {name!r} is not an Apple Podcasts category")
            return
        for sub in category.findall("itunes:category", NAMESPACES):
            if sub.get("text") not in APPLE_CATEGORIES[name]:
                self.error("channel", f"<itunes:category> {sub.get('text')!r} is not a subcategory of {name}")

    def explicit(self, parent: ET.Element, where: str, required: bool) -> None:
        value = self.text(parent, "itunes:explicit", where, required)
        if value and value not in ("true", "false"):
            self.error(where, f"<itunes:explicit> is {value!r}: Apple wants true or false")

    def item(self, item: ET.Element, where: str, guids: set[str], urls: set[str]) -> None:
        title = self.text(item, "title", where)
        where = f"{where} ({title[:40]!r})" if title else where
        guid = self.text(item, "guid", where)
        if guid in guids:
            self.error(where, f"GUID {guid} is used twice")
        guids.add(guid)
        pub = self.text(item, "pubDate", where)
        try:
            if pub and email.utils.parsedate_to_datetime(pub).tzinfo is None:
                self.error(where, f"<pubDate> {pub!r} has no time zone")
        except (TypeError, ValueError):
            self.error(where, f"<pubDate> {pub!r} is not an RFC 2822 date")
        duration = self.text(item, "itunes:duration", where)
        if duration and not _DURATION.fullmatch(duration):
            self.error(where, f"<itunes:duration> {duration!r} is not seconds or [hh:]mm:ss")
        number = self.text(item, "itunes:episode", where)
        if number and (not number.isdigit() or int(number) < 1):
            self.error(where, f"<itunes:episode> {number!r} is not a positive number")
        podcast_episode = self.text(item, "podcast:episode", where, required=False)
        if podcast_episode and not _DECIMAL.fullmatch(podcast_episode):
            self.error(where, f"<podcast:episode> {podcast_episode!r} is not a number (Podcast Index schema)")
        if self.text(item, "itunes:episodeType", where) not in (*EPISODE_TYPES, ""):
            self.error(where, f"<itunes:episodeType> must be one of {', '.join(EPISODE_TYPES)}")
        self.explicit(item, where, required=False)
        record = next((r for r in self.library.episodes if r.guid == guid), None)
        if self.library.episodes and record is None:
            self.error(where, f"GUID {guid} is not in the episode library")
        if record is not None:
            self.listed.append(record)
        info = self.episode_json(record, where)
        if info is not None and duration.isdigit() and abs(int(duration) - info.samples / info.rate) > 0.5:
            self.error(
                where, f"<itunes:duration> {duration} s, the episode JSON says {info.duration_seconds} s"
            )
        self.enclosure(item, where, urls, info, record)
        self.problems += item_page_problems(self.root, self.base, item, where)
        for element in item.findall("podcast:transcript", NAMESPACES):
            self.side_file(element, where, "transcript", TRANSCRIPT_TYPES)
        for element in item.findall("podcast:chapters", NAMESPACES):
            self.side_file(element, where, "chapters", frozenset((FileRole.CHAPTERS.mime,)))
        self.simple_chapters(item, where)

    def simple_chapters(self, item: ET.Element, where: str) -> None:
        """Podlove Simple Chapters: each has a start (HH:MM:SS.mmm, ascending) and a title."""
        starts = []
        for chapter in item.findall("psc:chapters/psc:chapter", NAMESPACES):
            start, title = chapter.get("start", ""), chapter.get("title", "")
            if not _NPT.fullmatch(start) or not title.strip():
                self.error(where, f"<psc:chapter start={start!r} title={title!r}> needs a time and a title")
                continue
            hours, minutes, seconds = start.split(":")
            starts.append((int(hours) * 60 + int(minutes)) * 60 + float(seconds))
        if starts != sorted(starts):
            self.error(where, "<psc:chapter> start times are not in order")

    def episode_json(self, record: EpisodeRecord | None, where: str) -> EpisodeInfo | None:
        if record is None:
            return None
        side = record.info.file(FileRole.EPISODE_JSON)
        if side is None:
            return record.info
        path = self.local_file(side.path, where)
        if path is None:
            return record.info
        try:
            return EpisodeInfo.from_json(text_of(path))
        except BriefingError as e:
            self.error(where, f"episode JSON {side.path}: {e.one_line()}")
            return record.info

    def local_file(self, rel: str, where: str) -> Path | None:
        try:
            return safe_join(self.root, rel)
        except BriefingError as e:
            self.error(where, e.one_line())
            return None

    def enclosure(
        self,
        item: ET.Element,
        where: str,
        urls: set[str],
        info: EpisodeInfo | None,
        record: EpisodeRecord | None,
    ) -> None:
        enclosure = item.find("enclosure")
        if enclosure is None:
            self.error(where, "<enclosure> is missing")
            return
        url, length, mime = (enclosure.get(a, "") for a in ("url", "length", "type"))
        if url in urls:
            self.error(where, f"enclosure URL {url} is used by two episodes")
        urls.add(url)
        if mime != FileRole.MP3.mime:
            self.error(where, f"enclosure type {mime!r} is not {FileRole.MP3.mime}")
        if not length.isdigit() or int(length) == 0:
            self.error(where, f"enclosure length {length!r} is not a size in bytes")
            return
        path = self.local(url, where) if url else None
        if path is None:
            return
        if not path.is_file():
            self.error(where, f"enclosure {url} has no file {path}")
            return
        size = path.stat().st_size
        if size != int(length):
            self.error(where, f"enclosure length {length} but {path.name} is {size} bytes")
        self.id3(path, where, item)
        if self.audio:
            self.sound(path, where, info, record)

    def id3(self, path: Path, where: str, item: ET.Element) -> None:
        import importlib

        from mutagen import MutagenError

        from briefing.export.tags import read_tags

        try:
            version = importlib.import_module("mutagen.id3").ID3(path).version
            tags = read_tags(path)
        except (MutagenError, OSError, BriefingError) as e:
            self.error(where, f"ID3 tag of {path.name}: {e}")
            return
        if version[:2] != (2, 3):
            self.warn(where, f"{path.name} has ID3 v2.{version[1]}: v2.3 is read by more players")
        if tags.guid and tags.guid != (item.findtext("guid") or "").strip():
            self.error(where, f"ID3 GUID {tags.guid} of {path.name} is not the feed's")

    def sound(self, path: Path, where: str, info: EpisodeInfo | None, record: EpisodeRecord | None) -> None:
        """The MP3 decodes to its duration and measures the loudness it was mastered for."""
        from briefing.audio.ffmpeg import decode_mp3_for_check
        from briefing.audio.master import measure
        from briefing.audio.presets import get_preset

        try:
            pcm = decode_mp3_for_check(path)
        except BriefingError as e:
            self.error(where, f"{path.name} does not decode: {e.one_line()}")
            return
        if info is not None:
            self.problems += duration_problems(path.name, pcm, info, DURATION_TOLERANCE_S, where)
        if record is None:
            return
        try:
            preset = get_preset(record.preset).replace(target_lufs=record.target.lufs)
        except BriefingError as e:
            self.error(where, e.one_line())
            return
        self.problems += loudness_problems(path.name, measure(pcm), preset, where)

    def side_file(self, element: ET.Element, where: str, kind: str, types: frozenset[str]) -> None:
        url, mime = element.get("url", ""), element.get("type", "")
        if mime not in types:
            self.error(where, f"{kind} type {mime!r} is not one of {', '.join(sorted(types))}")
        if not url:
            self.error(where, f"{kind} has no url")
            return
        path = self.local(url, where)
        if path is None:
            return
        parse = _parser(mime)
        try:
            text = text_of(path)
            if parse is not None:
                parse(text)
        except BriefingError as e:
            self.error(where, f"{kind} {path.name}: {e.one_line()}")

    def files(self, record: EpisodeRecord) -> None:
        where = f"episode {record.number} ({record.info.title[:40]!r})"
        self.problems += listed_file_problems(self.root, record.info, where)


def _parser(mime: str) -> Callable[[str], object] | None:
    from briefing.export.subtitles import parse_srt, parse_vtt

    parsers: dict[FileRole, Callable[[str], object]] = {
        FileRole.VTT: parse_vtt,
        FileRole.SRT: parse_srt,
        FileRole.CHAPTERS: parse_chapters_json,
    }
    return next((parse for role, parse in parsers.items() if role.mime == mime), None)


def validate(target: Path, *, audio: bool = True) -> tuple[Problem, ...]:
    """Every problem found in the feed `target` (a feed file, or an output folder holding
    feed.xml) and in the episode files it names. `audio=False` skips decoding the MP3s.
    A missing feed raises PublishError."""
    target = Path(target)
    feed = target / FEED_NAME if target.is_dir() else target
    if not feed.is_file():
        raise PublishError(f"no feed at {feed}", cause="build an episode first, or give the path of feed.xml")
    checker = _Checker(feed, audio)
    checker.run()
    return tuple(checker.problems)
