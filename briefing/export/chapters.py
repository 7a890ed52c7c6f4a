"""Chapter times from sample marks, Podcasting 2.0 chapters JSON, and the episode metadata JSON.

Times are computed once, here, from integer sample counts, so the ID3 chapters, the chapters
JSON and the episode JSON all agree to the millisecond.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from briefing.errors import ExportError
from briefing.export.roles import FileRole
from briefing.models import Mark
from briefing.util.atomic import atomic_write_text

CHAPTERS_VERSION = "1.2.0"
#: The episode JSON's schema. `preset` came later: optional, so it stays 1 (older files lack it).
EPISODE_SCHEMA = 1


class Chapter(NamedTuple):
    """A chapter in whole milliseconds: [start_ms, end_ms)."""

    title: str
    start_ms: int
    end_ms: int


def samples_to_ms(samples: int, rate: int) -> int:
    """Milliseconds for a sample count, rounded half up with integer arithmetic (exact)."""
    if rate <= 0:
        raise ExportError(f"sample rate {rate} is not positive", cause="a bad Timeline")
    return (samples * 1000 + rate // 2) // rate


def chapters_from_marks(marks: Sequence[Mark], rate: int, *, total: int | None = None) -> tuple[Chapter, ...]:
    """Chapters in ms from chapter marks in samples, contiguous: each ends where the next starts.

    A gap between two marks (a jingle, a pause) belongs to the earlier chapter. The last chapter
    ends at its own end, or at `total` samples when given (the length of the audio). Marks that
    overlap, go backwards, pass `total`, or round to an empty chapter raise ExportError.
    """
    chapters: list[Chapter] = []
    for i, mark in enumerate(marks):
        if i + 1 < len(marks):
            nxt = marks[i + 1]
            if nxt.start < mark.end:
                raise ExportError(
                    f"chapter {mark.title!r} (samples {mark.start}-{mark.end}) overlaps "
                    f"chapter {nxt.title!r} starting at {nxt.start}",
                    cause="chapter marks out of order",
                )
            end = nxt.start
        else:
            end = mark.end
            if total is not None:
                if mark.end > total:
                    raise ExportError(
                        f"chapter {mark.title!r} ends at sample {mark.end}, past the end of the "
                        f"audio ({total})",
                        cause="chapter marks do not match the timeline",
                    )
                end = total
        start_ms, end_ms = samples_to_ms(mark.start, rate), samples_to_ms(end, rate)
        if end_ms <= start_ms:
            raise ExportError(
                f"chapter {mark.title!r} at sample {mark.start} lasts less than a millisecond",
                cause="an empty chapter in the timeline",
            )
        chapters.append(Chapter(mark.title, start_ms, end_ms))
    return tuple(chapters)


def _seconds(ms: int) -> float:
    return round(ms / 1000, 3)


def chapters_json(
    chapters: Sequence[Chapter],
    *,
    title: str | None = None,
    podcast_name: str | None = None,
    file_name: str | None = None,
) -> str:
    """The Podcasting 2.0 JSON chapters document (version 1.2.0), times in seconds (3 decimals)."""
    doc: dict[str, Any] = {"version": CHAPTERS_VERSION}
    for key, value in (("title", title), ("podcastName", podcast_name), ("fileName", file_name)):
        if value:
            doc[key] = value
    doc["chapters"] = [
        {"startTime": _seconds(c.start_ms), "endTime": _seconds(c.end_ms), "title": c.title} for c in chapters
    ]
    return json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def parse_chapters_json(text: str) -> tuple[Chapter, ...]:
    """Read a JSON chapters document back (strict: version, ascending numeric times, titles)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ExportError(f"chapters JSON is not JSON (line {e.lineno})", cause=e.msg) from e
    if not isinstance(doc, dict) or not isinstance(doc.get("version"), str):
        raise ExportError("chapters JSON has no version string", cause="not a chapters file")
    items = doc.get("chapters")
    if not isinstance(items, list):
        raise ExportError("chapters JSON has no chapters array", cause="not a chapters file")
    result: list[Chapter] = []
    for i, item in enumerate(items):
        where = f"chapters JSON item {i}"
        if not isinstance(item, dict):
            raise ExportError(f"{where} is not an object", cause="malformed chapters file")
        start, end = _number(item.get("startTime")), _number(item.get("endTime", -1.0))
        title = item.get("title", "")
        if start is None or end is None:
            raise ExportError(f"{where} has a non-numeric time", cause="malformed chapters file")
        if not isinstance(title, str):
            raise ExportError(f"{where} has a non-text title", cause="malformed chapters file")
        start_ms = round(start * 1000)
        end_ms = round(end * 1000) if end >= 0 else start_ms
        if result and start_ms < result[-1].start_ms:
            raise ExportError(f"{where} starts before the previous one", cause="not ascending")
        if end_ms < start_ms:
            raise ExportError(f"{where} ends before it starts", cause="malformed chapters file")
        result.append(Chapter(title, start_ms, end_ms))
    return tuple(result)


def _number(value: object) -> float | None:
    """A finite JSON number as float, else None (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def write_chapters_json(path: Path, chapters: Sequence[Chapter], **meta: str | None) -> None:
    """Write `chapters_json(chapters, **meta)` to `path` atomically."""
    try:
        atomic_write_text(path, chapters_json(chapters, **meta))
    except OSError as e:
        raise ExportError(f"cannot write chapters {path}", cause=e.strerror or str(e)) from e


# --- episode metadata --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EpisodeFile:
    """One file of an episode: its role, POSIX path relative to the episode folder, and size. Its
    type is its role's (`export.roles`); a role given as text is read as the role it names."""

    role: FileRole
    path: str
    size: int

    def __post_init__(self) -> None:
        if not isinstance(self.role, FileRole):
            object.__setattr__(self, "role", FileRole.parse(self.role))
        rel = PurePosixPath(self.path)
        if not self.path or rel.is_absolute() or ".." in rel.parts or "\\" in self.path:
            raise ExportError(
                f"episode file path {self.path!r} is not a plain relative path",
                cause="paths in the episode JSON must stay inside the episode folder",
            )
        if self.size < 0:
            raise ExportError(f"episode file {self.path!r} has a negative size {self.size}")

    @property
    def mime(self) -> str:
        return self.role.mime

    @classmethod
    def of(cls, folder: Path, path: Path, role: FileRole) -> EpisodeFile:
        """Describe an existing file under `folder` (size read from disk)."""
        try:
            rel = Path(path).resolve().relative_to(Path(folder).resolve())
            size = Path(path).stat().st_size
        except (ValueError, OSError) as e:
            raise ExportError(f"cannot describe {path} relative to {folder}", cause=str(e)) from e
        return cls(role, rel.as_posix(), size)


@dataclass(frozen=True, slots=True)
class EpisodeInfo:
    """What the publish stage and the `validate` command need to know about a finished episode.

    `preset` names the audio preset it was mastered with (None in episode JSON written before it was
    recorded); `loudness` holds the `target_lufs` it was mastered for (the preset's, or the show's own).
    """

    title: str
    show: str
    date: dt.date
    voice: str
    engine: str
    rate: int
    samples: int
    loudness: tuple[tuple[str, float], ...] = ()
    files: tuple[EpisodeFile, ...] = ()
    guid: str | None = None
    episode: int | None = None
    description: str = ""
    chapters: tuple[Chapter, ...] = ()
    preset: str | None = None

    def __post_init__(self) -> None:
        end = 0
        for chapter in self.chapters:
            if not end <= chapter.start_ms < chapter.end_ms:
                raise ExportError(f"episode {self.title!r}: chapter {chapter.title!r} is out of order")
            end = chapter.end_ms
        if self.rate <= 0 or self.samples < 0:
            raise ExportError(
                f"episode {self.title!r}: rate {self.rate} / {self.samples} samples are invalid"
            )
        for key, value in self.loudness:
            if not math.isfinite(value):
                raise ExportError(f"episode {self.title!r}: loudness {key} is {value}")
        roles = [f.role for f in self.files]
        if len(roles) != len(set(roles)):
            raise ExportError(f"episode {self.title!r}: two files share a role in {roles}")

    @property
    def duration_seconds(self) -> float:
        return round(self.samples / self.rate, 3)

    def file(self, role: FileRole) -> EpisodeFile | None:
        return next((f for f in self.files if f.role == role), None)

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "schema": EPISODE_SCHEMA,
            "title": self.title,
            "show": self.show,
            "date": self.date.isoformat(),
            "voice": self.voice,
            "engine": self.engine,
            "guid": self.guid,
            "episode": self.episode,
            "description": self.description,
            "duration": {"seconds": self.duration_seconds, "samples": self.samples,
                         "rate": self.rate},
            "chapters": [{"title": c.title, "start_ms": c.start_ms, "end_ms": c.end_ms}
                         for c in self.chapters],
            "preset": self.preset,
            "loudness": dict(self.loudness),
            "files": [
                {"role": f.role.value, "path": f.path, "size": f.size, "type": f.mime}
                for f in self.files
            ],
        }  # fmt: skip
        if self.preset is None:  # an episode from before presets were recorded reads back the same
            del doc["preset"]
        return doc

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> EpisodeInfo:
        """Read an episode JSON written by `to_json` (raises ExportError naming what is wrong)."""
        try:
            doc = json.loads(text)
            if doc.get("schema") != EPISODE_SCHEMA:
                raise ExportError(
                    f"episode JSON schema {doc.get('schema')!r} is not {EPISODE_SCHEMA}",
                    cause="written by another version of briefing",
                )
            duration: Mapping[str, Any] = doc["duration"]
            return cls(
                title=str(doc["title"]),
                show=str(doc["show"]),
                date=dt.date.fromisoformat(doc["date"]),
                voice=str(doc["voice"]),
                engine=str(doc["engine"]),
                rate=int(duration["rate"]),
                samples=int(duration["samples"]),
                loudness=tuple((str(k), float(v)) for k, v in doc["loudness"].items()),
                files=tuple(
                    EpisodeFile(FileRole.parse(str(f["role"])), str(f["path"]), int(f["size"]))
                    for f in doc["files"]
                ),
                guid=doc.get("guid"),
                episode=doc.get("episode"),
                description=str(doc.get("description", "")),
                chapters=tuple(
                    Chapter(str(c["title"]), int(c["start_ms"]), int(c["end_ms"]))
                    for c in doc.get("chapters", ())
                ),
                preset=None if doc.get("preset") is None else str(doc["preset"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise ExportError("episode JSON is malformed", cause=f"{type(e).__name__}: {e}") from e


def episode_json(info: EpisodeInfo) -> str:
    """The episode metadata JSON text (same as `info.to_json()`)."""
    return info.to_json()


def write_episode_json(path: Path, info: EpisodeInfo, extra: Mapping[str, Any] | None = None) -> None:
    """Write the episode metadata JSON to `path` atomically, with the keys of `extra` after its own:
    what only the file carries, not the library (the transcript by sentence, the source)."""
    text = info.to_json()
    if extra:
        text = json.dumps(info.to_dict() | dict(extra), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    try:
        atomic_write_text(path, text)
    except OSError as e:
        raise ExportError(f"cannot write episode JSON {path}", cause=e.strerror or str(e)) from e
