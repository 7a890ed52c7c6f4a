"""The files an episode is made of: one role per file, and each role's MIME type and name ending.

This is the one table of episode files. The export writes each file as `base + role.suffix` and
lists it in the episode JSON by its role and type; the feed links the files with their type;
`briefing serve` sends them with it; `check` and `validate` find them by it. A new kind of file is a
new role here, then its writer in `export/` (see docs/ARCHITECTURE.md).

A role's value is the text the episode JSON holds (`"role": "mp3"`), unchanged since the first
episode JSON, so every episode JSON written before still reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import NamedTuple

from briefing.errors import ExportError


class FileRole(StrEnum):
    """What a file of an episode is."""

    MP3 = "mp3"
    WAV = "wav"
    VTT = "vtt"
    SRT = "srt"
    CHAPTERS = "chapters"
    EPISODE_JSON = "episode_json"

    @property
    def mime(self) -> str:
        """Its MIME type, as the episode JSON and the feed give it."""
        return FILE_TYPES[self].mime

    @property
    def suffix(self) -> str:
        """How its file name ends, after the episode's base name (`.chapters.json`)."""
        return FILE_TYPES[self].suffix

    @property
    def content_type(self) -> str:
        """Its HTTP Content-Type: the MIME type, with the character set of a text file."""
        kind = FILE_TYPES[self]
        return f"{kind.mime}; charset=utf-8" if kind.text else kind.mime

    def file_name(self, base: str) -> str:
        """Its file name for the episode whose files are named `base` + a suffix."""
        return base + self.suffix

    @classmethod
    def parse(cls, value: str) -> FileRole:
        """The role named `value`; an ExportError listing the roles when there is none."""
        try:
            return cls(value)
        except ValueError:
            raise ExportError(
                f"unknown episode file role {value!r}", cause=f"the roles are {', '.join(cls)}"
            ) from None

    @classmethod
    def of_name(cls, name: str) -> FileRole | None:
        """The role whose ending `name` has (the longest: `x.chapters.json` is chapters, not the
        episode JSON); None for a name no episode file has."""
        found = [role for role in cls if name.endswith(role.suffix) and len(name) > len(role.suffix)]
        return max(found, key=lambda role: len(role.suffix), default=None)


class FileType(NamedTuple):
    """A role's MIME type, its name ending, and whether it is UTF-8 text sent with its charset
    (JSON needs none: it is UTF-8 by definition and `application/json` takes no parameter)."""

    mime: str
    suffix: str
    text: bool = False


FILE_TYPES: Mapping[FileRole, FileType] = MappingProxyType(
    {
        FileRole.MP3: FileType("audio/mpeg", ".mp3"),
        FileRole.WAV: FileType("audio/wav", ".wav"),
        FileRole.VTT: FileType("text/vtt", ".vtt", text=True),
        FileRole.SRT: FileType("application/x-subrip", ".srt", text=True),
        # The type the Podcasting 2.0 namespace gives chapters files (podcast:chapters).
        FileRole.CHAPTERS: FileType("application/json+chapters", ".chapters.json"),
        FileRole.EPISODE_JSON: FileType("application/json", ".json"),
    }
)
