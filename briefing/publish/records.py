"""What an output folder's `library.json` holds: each published episode (`EpisodeRecord`) and the
`Library` of them, read and checked. Changing it (publishing, removing, the feed) is `library`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from briefing.errors import BriefingError, PublishError
from briefing.export.chapters import EpisodeInfo
from briefing.export.roles import FileRole
from briefing.publish.loudness import Target, preset_for, target_of

LIBRARY_NAME = "library.json"
LIBRARY_SCHEMA = 1
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class EpisodeRecord:
    """A published episode: its key (article + date), GUID, number, times, preset and files.

    `info.guid` and `info.episode` always equal `guid` and `number`. Times are timezone-aware.
    """

    key: str
    guid: str
    number: int
    published: dt.datetime
    updated: dt.datetime
    preset: str
    info: EpisodeInfo

    def __post_init__(self) -> None:
        if not self.key.strip() or not self.guid.strip():
            raise PublishError(f"episode {self.info.title!r} has an empty key or GUID")
        if self.number < 1:
            raise PublishError(f"episode {self.info.title!r} has number {self.number}")
        if self.published.tzinfo is None or self.updated.tzinfo is None:
            raise PublishError(f"episode {self.info.title!r} has a time without a time zone")
        if self.info.file(FileRole.MP3) is None:
            raise PublishError(f"episode {self.info.title!r} has no MP3 file")
        if self.info.guid != self.guid or self.info.episode != self.number:
            object.__setattr__(
                self, "info", dataclasses.replace(self.info, guid=self.guid, episode=self.number)
            )

    @property
    def seconds(self) -> float:
        return self.info.samples / self.info.rate

    @property
    def target(self) -> Target:
        """The loudness the episode was mastered for."""
        return target_of(self.info, self.preset)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "guid": self.guid,
            "number": self.number,
            "published": self.published.isoformat(),
            "updated": self.updated.isoformat(),
            "preset": self.preset,
            "info": self.info.to_dict(),
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> EpisodeRecord:
        info = EpisodeInfo.from_json(json.dumps(doc["info"]))
        return cls(
            key=str(doc["key"]),
            guid=str(doc["guid"]),
            number=int(doc["number"]),
            published=dt.datetime.fromisoformat(doc["published"]),
            updated=dt.datetime.fromisoformat(doc["updated"]),
            preset=str(doc["preset"]) if "preset" in doc else preset_for(info),
            info=info,
        )


@dataclass(frozen=True, slots=True)
class Library:
    """Every episode of an output folder, by number; the next number to give; the show config."""

    episodes: tuple[EpisodeRecord, ...] = ()
    next_number: int = 1
    show_config: str | None = None

    def newest_first(self) -> tuple[EpisodeRecord, ...]:
        return tuple(sorted(self.episodes, key=lambda r: (r.published, r.number), reverse=True))

    def to_json(self) -> str:
        doc = {
            "schema": LIBRARY_SCHEMA,
            "next_number": self.next_number,
            "show_config": self.show_config,
            "episodes": [r.to_dict() for r in sorted(self.episodes, key=lambda r: r.number)],
        }
        return json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def existing_output(out_dir: Path) -> Path:
    """`out_dir`, which must be a folder already: the commands on a library (list, rm, feed) never
    make one, so a typo in --out is said, not left behind as a new, empty show."""
    if not Path(out_dir).is_dir():
        raise PublishError(
            f"no output folder {out_dir}", cause="a typo in --out, or no episode was built there yet"
        )
    return Path(out_dir)


def read_library(out_dir: Path) -> Library:
    """The library of `out_dir` (empty when there is none yet)."""
    path = Path(out_dir) / LIBRARY_NAME

    def parse(doc: dict[str, Any]) -> Library:
        episodes = tuple(EpisodeRecord.from_dict(d) for d in doc["episodes"])
        show_config = doc.get("show_config")
        return Library(episodes, int(doc["next_number"]), None if show_config is None else str(show_config))

    library = read_document(path, LIBRARY_SCHEMA, f"the episode library {path}", parse, missing=Library())
    _check_unique(library, path)
    return library


def read_document(path: Path, schema: int, name: str, parse: Callable[[dict[str, Any]], T], missing: T) -> T:
    """`parse` of the JSON document at `path`, written with `schema`; `missing` when there is no file.
    `name` says which document it is when it cannot be read, has another schema or is damaged (what
    `parse` raises a ValueError, KeyError, TypeError, AttributeError or BriefingError for)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return missing
    except (OSError, UnicodeDecodeError) as e:
        raise PublishError(f"cannot read {name}", cause=str(e)) from e
    try:
        doc = json.loads(text)
        if doc.get("schema") != schema:
            raise PublishError(
                f"{name} has schema {doc.get('schema')!r}, not {schema}",
                cause="written by another version of briefing",
            )
        return parse(doc)
    except (ValueError, KeyError, TypeError, AttributeError, BriefingError) as e:
        message = e.one_line() if isinstance(e, BriefingError) else f"{type(e).__name__}: {e}"
        raise PublishError(f"{name} is damaged", cause=message) from e


def _check_unique(library: Library, where: Path) -> None:
    for name in ("key", "guid", "number"):
        values = [getattr(r, name) for r in library.episodes]
        if len(values) != len(set(values)):
            raise PublishError(f"episode library {where} has two episodes with the same {name}")
