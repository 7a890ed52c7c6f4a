"""What the episode pages show, read from what the output folder already holds.

The transcript is the one the build timed: the episode JSON keeps it sentence by sentence (`sentences`,
times in ms from the sentence marks, see `episode.page_extras`). An episode built before the JSON
carried it gets it from its WebVTT file instead: `plan_cues` cuts a long sentence into pieces that
follow one another without a gap, while sentences are separated by a pause, so touching cues are
joined back into their sentence. Nothing is timed again here.

Everything is turned into text for the templates (French dates, durations, clock times), so the
templates only place and escape it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from briefing.errors import BriefingError
from briefing.export.chapters import Chapter, EpisodeInfo
from briefing.export.names import safe_join
from briefing.export.roles import FileRole
from briefing.export.subtitles import SubtitleCue, parse_vtt
from briefing.speech.frtables import MONTHS

#: A transcript, episode JSON or VTT larger than this is not read for a page (it is not ours).
MAX_SIDE_FILE = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Transcript:
    """An episode's sentences (ms), and its source and author when the episode JSON names them."""

    sentences: tuple[SubtitleCue, ...] = ()
    source: str | None = None
    author: str | None = None


@dataclass(frozen=True, slots=True)
class SentenceView:
    text: str
    start: str  # seconds, three decimals
    end: str
    href: str  # the MP3 at this time (a media fragment): seeking without JavaScript


@dataclass(frozen=True, slots=True)
class ChapterView:
    title: str
    start: str
    clock: str
    href: str
    sentences: tuple[SentenceView, ...]


def read_transcript(out_dir: Path, info: EpisodeInfo) -> Transcript:
    """The sentences of the episode: from its episode JSON, else its WebVTT file; none if neither
    can be read (the page then says the transcript is missing: a damaged old file must not stop
    today's episode from being published)."""
    doc = _json_doc(out_dir, info)
    source, author = _text_or_none(doc.get("source")), _text_or_none(doc.get("author"))
    sentences = _json_sentences(doc.get("sentences"))
    if sentences is None:
        sentences = _vtt_sentences(out_dir, info)
    return Transcript(sentences, source, author)


def _read(out_dir: Path, info: EpisodeInfo, role: FileRole) -> str | None:
    found = info.file(role)
    if found is None:
        return None
    try:
        path = safe_join(out_dir, found.path)
        if path.stat().st_size > MAX_SIDE_FILE:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, BriefingError):
        return None


def _json_doc(out_dir: Path, info: EpisodeInfo) -> dict[str, Any]:
    text = _read(out_dir, info, FileRole.EPISODE_JSON)
    try:
        doc = json.loads(text) if text is not None else {}
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _text_or_none(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _json_sentences(items: object) -> tuple[SubtitleCue, ...] | None:
    """The `sentences` of an episode JSON; None when it has none or they are malformed."""
    if not isinstance(items, list):
        return None
    sentences: list[SubtitleCue] = []
    for item in items:
        if not isinstance(item, dict):
            return None
        start, end, text = item.get("start_ms"), item.get("end_ms"), item.get("text")
        if type(start) is not int or type(end) is not int or not isinstance(text, str):
            return None  # (`type`, not isinstance: a JSON true is no time)
        if not 0 <= start < end or (sentences and start < sentences[-1].start_ms):
            return None
        sentences.append(SubtitleCue(start, end, text))
    return tuple(sentences)


def _vtt_sentences(out_dir: Path, info: EpisodeInfo) -> tuple[SubtitleCue, ...]:
    text = _read(out_dir, info, FileRole.VTT)
    if text is None:
        return ()
    try:
        cues = parse_vtt(text)
    except BriefingError:
        return ()
    return join_pieces(cues)


def join_pieces(cues: Sequence[SubtitleCue]) -> tuple[SubtitleCue, ...]:
    """Cues that touch (one ends where the next starts) joined into one: the pieces of a sentence."""
    joined: list[SubtitleCue] = []
    for cue in cues:
        text = " ".join(cue.text.split())
        if joined and joined[-1].end_ms == cue.start_ms:
            last = joined[-1]
            joined[-1] = SubtitleCue(last.start_ms, cue.end_ms, f"{last.text} {text}")
        else:
            joined.append(SubtitleCue(cue.start_ms, cue.end_ms, text))
    return tuple(joined)


# --- wording ------------------------------------------------------------------------------------


def seconds(ms: int) -> str:
    """Milliseconds as seconds with three decimals, as `data-start` and a media fragment want."""
    return f"{ms // 1000}.{ms % 1000:03d}"


def clock(ms: int, hours: bool = False) -> str:
    """`01:23`, or `1:01:23` for an episode of an hour or more."""
    minutes, secs = divmod(ms // 1000, 60)
    if hours:
        return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def french_date(day: dt.date) -> str:
    """`15 août 2025` (`1er août 2025`)."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def duration_text(ms: int) -> str:
    """`3 min 41 s`, `1 h 02 min`, `45 s`."""
    total = round(ms / 1000)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def size_text(size: int) -> str:
    """`2,7 Mo`, `812 ko`: French decimal comma."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} Mo".replace(".", ",")
    return f"{max(1, round(size / 1000))} ko"


def href(path: str) -> str:
    """A relative link to a file at POSIX `path` in the output folder (pages sit at its top)."""
    return quote(path, safe="/")


def chapter_views(
    chapters: Sequence[Chapter], sentences: Sequence[SubtitleCue], audio: str, total_ms: int
) -> tuple[ChapterView, ...]:
    """Each chapter with the sentences that start in it; without chapters, one untitled chapter.

    `audio` is the relative link of the MP3: each time links to it with a media fragment (`#t=`)."""
    spans = list(chapters) or [Chapter("", 0, max(total_ms, 1))]
    hours = total_ms >= 3_600_000
    views = []
    for i, chapter in enumerate(spans):
        last = i == len(spans) - 1
        inside = tuple(
            s
            for s in sentences
            if (i == 0 or s.start_ms >= chapter.start_ms) and (last or s.start_ms < chapter.end_ms)
        )
        views.append(
            ChapterView(
                title=chapter.title,
                start=seconds(chapter.start_ms),
                clock=clock(chapter.start_ms, hours),
                href=f"{audio}#t={seconds(chapter.start_ms)}",
                sentences=tuple(_sentence_view(s, audio) for s in inside),
            )
        )
    return tuple(views)


def _sentence_view(sentence: SubtitleCue, audio: str) -> SentenceView:
    start = seconds(sentence.start_ms)
    return SentenceView(sentence.text, start, seconds(sentence.end_ms), f"{audio}#t={start}")


def credit(transcript: Transcript) -> str:
    """`Le Monde (Jean Dupont)`, `Le Monde`, `Jean Dupont`, or "" when the episode JSON names neither."""
    if transcript.source and transcript.author:
        return f"{transcript.source} ({transcript.author})"
    return transcript.source or transcript.author or ""
