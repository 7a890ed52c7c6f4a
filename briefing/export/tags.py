"""ID3 v2.3 tags for an episode MP3: podcast frames, cover, transcript and chapters.

Why v2.3: Windows, WMP and many playout systems misread v2.4 (and its cover art). mutagen saves
v2.4 unless told `v2_version=3`, and even then it writes frames as they are: a v2.4-only frame
such as TDRC would be written into a v2.3 tag as is, which v2.3 readers ignore. So the date is
written as the v2.3 frames TYER (yyyy) + TDAT (ddmm), and `update_to_v23()` is called anyway to
convert anything else (it also recurses into CHAP/CTOC sub-frames). Text frames are UTF-16
(v2.3 has no UTF-8). CHAP, CTOC, PCST, WFED, TGID, TDES, TKWD and TCAT are kept by
`update_to_v23()` and written unchanged in v2.3 (PCST as a 4-byte integer, 1).

Chapters are saved in time order: ffmpeg and ffprobe list ID3 chapters in the order their CHAP frames
sit in the tag (not in CTOC order), and mutagen orders frames by size. See `_TimeOrderedID3`.

For playout systems running Liquidsoap, TXXX frames carry `liq_cue_in`, `liq_cue_out` and
`replaygain_track_gain` (audio.cues).

On reading, mutagen upgrades to v2.4 in memory by default: TYER+TDAT come back as one TDRC.
"""

from __future__ import annotations

import datetime as dt
import importlib
import shutil
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, cast

from mutagen import MutagenError
from mutagen.id3 import ID3

from briefing.audio.cues import PlayoutCues
from briefing.errors import BriefingError, ExportError
from briefing.export.chapters import Chapter, chapters_from_marks as chapters_from_marks
from briefing.util.atomic import atomic_path

__all__ = ["Cover", "EpisodeTags", "chapters_from_marks", "read_tags", "write_tags"]

UTF16 = 1  # mutagen.id3.Encoding.UTF16; v2.3 has no UTF-8
NO_OFFSET = 0xFFFFFFFF  # CHAP byte offsets unused: times are authoritative
EPISODE_TXXX = "PODCAST_EPISODE"
TOC_ID = "toc"
DURATION_SLACK_MS = 50  # an MP3 may report a few ms more or less than the PCM it was made from
#: Saved first, as mutagen does (then by size); CTOC, CHAP and APIC are saved last, in that order.
FIRST_FRAMES = ("TIT2", "TPE1", "TRCK", "TALB", "TYER", "TDAT", "TCON")
LATE_FRAMES = ("CTOC", "CHAP", "APIC")
MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


def _m(name: str = "mutagen.id3") -> Any:
    """mutagen's module, typed Any: mutagen ships py.typed but its frame API is unannotated."""
    return importlib.import_module(name)


@dataclass(frozen=True, slots=True)
class Cover:
    """Front cover image bytes and their MIME type (JPEG or PNG)."""

    data: bytes
    mime: str

    def __post_init__(self) -> None:
        magic = MAGIC.get(self.mime)
        if magic is None:
            raise ExportError(f"cover type {self.mime!r} is not image/jpeg or image/png")
        if not self.data.startswith(magic):
            raise ExportError(f"cover bytes are not {self.mime}", cause="wrong type or data")


@dataclass(frozen=True, slots=True)
class EpisodeTags:
    """Everything written into the MP3's ID3 tag. Empty strings mean "no frame"."""

    title: str
    artist: str
    album: str
    date: dt.date
    genre: str = "Podcast"
    language: str = "fra"
    description: str = ""
    episode: int | None = None
    track: int | None = None  # defaults to `episode`
    copyright: str = ""
    publisher: str = ""
    feed_url: str | None = None
    guid: str | None = None
    cover: Cover | None = None
    transcript: str = ""
    chapters: tuple[Chapter, ...] = ()
    keywords: tuple[str, ...] = ()
    category: str = ""
    playout: PlayoutCues | None = None

    def __post_init__(self) -> None:
        if self.track is None and self.episode is not None:
            object.__setattr__(self, "track", self.episode)
        for name in ("title", "artist", "album"):
            if not str(getattr(self, name)).strip():
                raise ExportError(f"ID3 {name} is empty", cause="every episode needs one")
        for f in fields(self):
            value = getattr(self, f.name)
            texts = value if f.name == "keywords" else (value,)
            if f.name == "chapters":
                texts = tuple(chapter.title for chapter in value)
            for text in texts:
                if isinstance(text, str) and "\x00" in text:
                    raise ExportError(f"ID3 {f.name} contains a NUL character")
        if len(self.language) != 3 or not self.language.isascii() or not self.language.isalpha():
            raise ExportError(f"ID3 language {self.language!r} is not an ISO 639-2 code")
        for name in ("episode", "track"):
            number = getattr(self, name)
            if number is not None and number < 0:
                raise ExportError(f"ID3 {name} number {number} is negative")
        if self.feed_url is not None and (not self.feed_url or not self.feed_url.isascii()):
            raise ExportError(
                f"feed URL {self.feed_url!r} is empty or not ASCII",
                cause="WFED is Latin-1: percent-encode the URL",
            )
        if self.guid is not None and not self.guid:
            raise ExportError("episode guid is empty", cause="use None for no guid")
        for keyword in self.keywords:
            if not keyword or "," in keyword:
                raise ExportError(f"keyword {keyword!r} is empty or has a comma (TKWD separator)")
        _check_chapters(self.chapters)


def _check_chapters(chapters: tuple[Chapter, ...]) -> None:
    for i, chapter in enumerate(chapters):
        if not 0 <= chapter.start_ms < chapter.end_ms <= NO_OFFSET - 1:
            raise ExportError(f"chapter {i} ({chapter.title!r}) has bad times {chapter[1:]}")
        if i and chapter.start_ms < chapters[i - 1].end_ms:
            raise ExportError(f"chapter {i} ({chapter.title!r}) overlaps the previous one")


class _TimeOrderedID3(ID3):
    """An ID3 tag that saves its CHAP frames in time order.

    mutagen's `ID3._write` sorts frames by a short list of important ones, then by size, so CHAP
    frames came out in the order of their titles' lengths. This override keeps that rule for the
    other frames and writes CTOC, then every CHAP by start time, then the pictures (mutagen puts
    them last too, as the largest). Frames are serialized by mutagen's own `save_frame`. The tag is
    always built from scratch here, so there are no unknown frames to carry over.
    """

    def _write(self, config: Any) -> bytearray:
        save_frame = _m("mutagen.id3._tags").save_frame
        frames: list[Any] = list(cast(Any, self).values())

        def of(*ids: str) -> list[Any]:
            return [f for f in frames if f.FrameID in ids]

        rest = [(f, save_frame(f, config=config)) for f in frames if f.FrameID not in LATE_FRAMES]
        rest.sort(key=lambda pair: (_rank(pair[0].FrameID), len(pair[1]), pair[0].HashKey))
        chapters = sorted(of("CHAP"), key=lambda f: (f.start_time, f.end_time))
        later = [save_frame(f, config=config) for f in (*of("CTOC"), *chapters, *of("APIC"))]
        return bytearray().join([data for _, data in rest] + later)


def _rank(frame_id: str) -> int:
    return FIRST_FRAMES.index(frame_id) if frame_id in FIRST_FRAMES else len(FIRST_FRAMES)


def _build(tags: EpisodeTags) -> Any:
    """A mutagen ID3 object holding `tags`, converted for v2.3 (chapters saved in time order)."""
    m = _m()
    id3: Any = cast(Any, _TimeOrderedID3)()
    text_frames = {
        "TIT2": tags.title,
        "TPE1": tags.artist,
        "TALB": tags.album,
        "TYER": f"{tags.date.year:04d}",
        "TDAT": f"{tags.date.day:02d}{tags.date.month:02d}",
        "TCON": tags.genre,
        "TLAN": tags.language,
        "TCOP": tags.copyright,
        "TPUB": tags.publisher,
        "TDES": tags.description,
        "TGID": tags.guid or "",
        "TKWD": ",".join(tags.keywords),
        "TCAT": tags.category,
        "TRCK": "" if tags.track is None else str(tags.track),
    }
    for frame_id, text in text_frames.items():
        if text:
            id3.add(getattr(m, frame_id)(encoding=UTF16, text=text))
    if tags.episode is not None:
        id3.add(m.TXXX(encoding=UTF16, desc=EPISODE_TXXX, text=str(tags.episode)))
    for desc, text in tags.playout.tags() if tags.playout is not None else ():
        id3.add(m.TXXX(encoding=UTF16, desc=desc, text=text))
    if tags.description:
        id3.add(m.COMM(encoding=UTF16, lang=tags.language, desc="", text=tags.description))
    if tags.transcript:
        id3.add(m.USLT(encoding=UTF16, lang=tags.language, desc="", text=tags.transcript))
    if tags.cover is not None:
        id3.add(
            m.APIC(
                encoding=UTF16,
                mime=tags.cover.mime,
                type=m.PictureType.COVER_FRONT,
                desc="",
                data=tags.cover.data,
            )
        )
    id3.add(m.PCST(value=1))
    if tags.feed_url:
        id3.add(m.WFED(url=tags.feed_url))
    if tags.chapters:
        ids = [f"chp{i}" for i in range(len(tags.chapters))]
        id3.add(
            m.CTOC(
                element_id=TOC_ID,
                flags=m.CTOCFlags.TOP_LEVEL | m.CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[m.TIT2(encoding=UTF16, text=tags.title)],
            )
        )
        for element_id, chapter in zip(ids, tags.chapters, strict=True):
            id3.add(
                m.CHAP(
                    element_id=element_id,
                    start_time=chapter.start_ms,
                    end_time=chapter.end_ms,
                    start_offset=NO_OFFSET,
                    end_offset=NO_OFFSET,
                    sub_frames=[m.TIT2(encoding=UTF16, text=chapter.title)],
                )
            )
    id3.update_to_v23()
    return id3


def _mp3_length_ms(mp3: Path) -> int:
    try:
        audio = _m("mutagen.mp3").MP3(mp3)
    except (MutagenError, OSError) as e:
        raise ExportError(f"cannot read {mp3} as MP3", cause=str(e)) from e
    return round(float(audio.info.length) * 1000)


def write_tags(mp3: Path, tags: EpisodeTags) -> None:
    """Replace the ID3 tag of `mp3` with `tags`, as ID3 v2.3, atomically.

    The tag is written on a copy beside the file, read back and compared, then the copy
    replaces the original: a failure at any step leaves the original untouched. Any ID3v1 tag
    is removed. Chapters must end within the audio.
    """
    mp3 = Path(mp3)
    length = _mp3_length_ms(mp3)
    if tags.chapters and tags.chapters[-1].end_ms > length + DURATION_SLACK_MS:
        last = tags.chapters[-1]
        raise ExportError(
            f"chapter {last.title!r} ends at {last.end_ms} ms, after the end of {mp3} ({length} ms)",
            cause="chapters computed from another timeline",
        )
    if tags.playout is not None and tags.playout.cue_out_ms > length + DURATION_SLACK_MS:
        raise ExportError(
            f"cue out at {tags.playout.cue_out_ms} ms is after the end of {mp3} ({length} ms)",
            cause="cue points computed from another timeline",
        )
    id3 = _build(tags)
    try:
        with atomic_path(mp3) as temp:
            shutil.copyfile(mp3, temp)
            id3.save(temp, v1=0, v2_version=3)
            back = read_tags(temp)
            if back != tags:
                diff = [f.name for f in fields(tags) if getattr(back, f.name) != getattr(tags, f.name)]
                raise ExportError(
                    f"ID3 tags of {mp3} did not read back as written (fields {', '.join(diff)})",
                    cause="a value mutagen cannot store in ID3 v2.3",
                )
    except (MutagenError, OSError) as e:
        raise ExportError(f"cannot write ID3 tags to {mp3}", cause=str(e)) from e


def _text(id3: Any, key: str) -> str:
    frame = id3.get(key)
    return "" if frame is None else str(frame.text[0]) if frame.text else ""


def _number(id3: Any, key: str, where: Path) -> int | None:
    text = _text(id3, key).split("/")[0].strip()
    if not text:
        return None
    if not text.isdigit():
        raise ExportError(f"{key} of {where} is {text!r}, not a number")
    return int(text)


def _date(id3: Any, where: Path) -> dt.date:
    frame = id3.get("TDRC")  # TYER + TDAT, merged by mutagen when loading v2.3
    stamp = frame.text[0] if frame is not None and frame.text else None
    if stamp is None or not (stamp.year and stamp.month and stamp.day):
        raise ExportError(f"no full date (TYER+TDAT / TDRC) in the ID3 tag of {where}")
    try:
        return dt.date(stamp.year, stamp.month, stamp.day)
    except ValueError as e:
        raise ExportError(f"bad date in the ID3 tag of {where}", cause=str(e)) from e


def _chapters(id3: Any, where: Path) -> tuple[Chapter, ...]:
    chaps = {f.element_id: f for f in id3.getall("CHAP")}
    top_level = _m().CTOCFlags.TOP_LEVEL
    tocs = [f for f in id3.getall("CTOC") if f.flags & top_level]
    if not chaps:
        return ()
    if len(tocs) != 1:
        raise ExportError(f"{where} has chapters but {len(tocs)} top-level CTOC frames")
    result = []
    for element_id in tocs[0].child_element_ids:
        chap = chaps.get(element_id)
        if chap is None:
            raise ExportError(f"CTOC of {where} lists {element_id!r}, which has no CHAP frame")
        title = chap.sub_frames.get("TIT2")
        text = str(title.text[0]) if title is not None and title.text else ""
        result.append(Chapter(text, int(chap.start_time), int(chap.end_time)))
    return tuple(result)


def _playout(id3: Any, where: Path) -> PlayoutCues | None:
    texts = {str(f.desc): str(f.text[0]) for f in id3.getall("TXXX") if f.text}
    try:
        return PlayoutCues.from_tags(texts)
    except BriefingError as e:
        raise ExportError(f"bad playout tags in {where}", cause=e.one_line()) from e


def read_tags(mp3: Path) -> EpisodeTags:
    """Read tags written by `write_tags` back (round-trip); ExportError names what is missing."""
    mp3 = Path(mp3)
    try:
        id3 = _m().ID3(mp3)
    except (MutagenError, OSError) as e:
        raise ExportError(f"cannot read the ID3 tag of {mp3}", cause=str(e)) from e
    for key in ("TIT2", "TPE1", "TALB"):
        if not _text(id3, key):
            raise ExportError(f"no {key} frame in the ID3 tag of {mp3}")
    comm = id3.getall("COMM")
    uslt = id3.getall("USLT")
    front = _m().PictureType.COVER_FRONT
    pictures = [p for p in id3.getall("APIC") if p.type == front]
    wfed = id3.get("WFED")
    return EpisodeTags(
        title=_text(id3, "TIT2"),
        artist=_text(id3, "TPE1"),
        album=_text(id3, "TALB"),
        date=_date(id3, mp3),
        genre=_text(id3, "TCON"),
        language=_text(id3, "TLAN") or "fra",
        description=str(comm[0].text[0]) if comm and comm[0].text else _text(id3, "TDES"),
        episode=_number(id3, f"TXXX:{EPISODE_TXXX}", mp3),
        track=_number(id3, "TRCK", mp3),
        copyright=_text(id3, "TCOP"),
        publisher=_text(id3, "TPUB"),
        feed_url=str(wfed.url) if wfed is not None and wfed.url else None,
        guid=_text(id3, "TGID") or None,
        cover=Cover(bytes(pictures[0].data), str(pictures[0].mime)) if pictures else None,
        transcript=str(uslt[0].text) if uslt else "",
        chapters=_chapters(id3, mp3),
        keywords=tuple(_text(id3, "TKWD").split(",")) if _text(id3, "TKWD") else (),
        category=_text(id3, "TCAT"),
        playout=_playout(id3, mp3),
    )
