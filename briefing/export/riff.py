"""The RIFF/WAVE container under the Broadcast WAV chunks: walking chunks strictly, copying them,
writing one chunk with its header and pad byte, and the `LIST`/`INFO` tags.

Every chunk is an id of four ASCII characters, a little-endian 32-bit size, the data, and a zero
pad byte when the size is odd (the pad is not counted in the size). A `LIST` chunk holds a form
type (`INFO`) and sub-chunks laid out the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields
from typing import Any, BinaryIO

from briefing.errors import ExportError

MAX_RIFF = 0xFFFFFFFF
COPY_BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class Chunk:
    """A RIFF chunk: id, offset of its 8-byte header in the file, declared data size."""

    id: str
    offset: int
    size: int

    @property
    def end(self) -> int:
        """Offset after the chunk, pad byte included."""
        return self.offset + 8 + self.size + (self.size & 1)


def chunk_bytes(chunk_id: bytes, data: bytes) -> bytes:
    """A whole chunk: header, `data`, and the pad byte if `data` has an odd length."""
    return chunk_id + len(data).to_bytes(4, "little") + data + b"\x00" * (len(data) & 1)


def scan(f: BinaryIO, where: str) -> tuple[int, list[Chunk], int]:
    """RIFF size, chunks and file size. A last odd-sized chunk may lack its pad byte (Python's
    `wave` module writes files that way); every other size must add up exactly."""
    f.seek(0, 2)
    file_size = f.tell()
    f.seek(0)
    head = f.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise ExportError(f"{where} is not a RIFF/WAVE file", cause="wrong header")
    riff_size = int.from_bytes(head[4:8], "little")
    if riff_size + 8 != file_size:
        raise ExportError(
            f"RIFF size of {where} says {riff_size + 8} bytes, the file has {file_size}",
            cause="truncated or badly written file",
        )
    chunks: list[Chunk] = []
    offset = 12
    while offset < file_size:
        f.seek(offset)
        header = f.read(8)
        if len(header) < 8:
            raise ExportError(f"{where}: {len(header)} stray bytes at offset {offset}")
        raw_id, size = header[:4], int.from_bytes(header[4:], "little")
        if not all(32 <= b < 127 for b in raw_id):
            raise ExportError(f"{where}: chunk id {raw_id!r} at offset {offset} is not ASCII")
        chunk = Chunk(raw_id.decode("ascii"), offset, size)
        if offset + 8 + size > file_size:
            raise ExportError(
                f"{where}: chunk {chunk.id!r} at offset {offset} claims {size} bytes, "
                f"past the end of the file",
                cause="truncated file",
            )
        chunks.append(chunk)
        offset = chunk.end
    ids = [c.id for c in chunks]
    if "fmt " not in ids or "data" not in ids or ids.index("fmt ") > ids.index("data"):
        raise ExportError(f"{where} has no 'fmt ' chunk before its 'data' chunk", cause=str(ids))
    return riff_size, chunks, file_size


def read(f: BinaryIO, chunk: Chunk) -> bytes:
    """The data of `chunk` (without header and pad)."""
    f.seek(chunk.offset + 8)
    return f.read(chunk.size)


def copy(src: BinaryIO, dst: BinaryIO, offset: int, length: int) -> None:
    """Copy `length` bytes from `offset`; a missing final pad byte is written as zero."""
    src.seek(offset)
    while length:
        block = src.read(min(COPY_BLOCK, length))
        if not block:
            if length == 1:
                block = b"\x00"
            else:
                raise ExportError("source WAV shrank while it was being copied")
        dst.write(block)
        length -= len(block)


def form(f: BinaryIO, chunk: Chunk) -> bytes:
    """The form type of a `LIST` chunk (`INFO`, `adtl`...): its first four data bytes."""
    f.seek(chunk.offset + 8)
    return f.read(min(4, chunk.size))


# --- LIST/INFO ---------------------------------------------------------------------------------

#: INFO ids in the order they are written, the `RiffInfo` field each holds, and ffmpeg's name for it.
INFO_IDS = (
    ("INAM", "title"),  # title
    ("IART", "artist"),  # artist
    ("IPRD", "album"),  # album: the show
    ("ICRD", "date"),  # date, YYYY-MM-DD
    ("ITRK", "track"),  # track: the episode number
    ("ICMT", "comment"),  # comment: the episode's description
    ("ICOP", "copyright"),  # copyright
    ("ISFT", "software"),  # encoder
)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True, slots=True)
class RiffInfo:
    """The `LIST` chunk of type `INFO`: the tags that ffmpeg, Liquidsoap, TagLib and Windows read
    from a WAV. Empty fields are not written.

    Each value is NUL-terminated and padded to an even length. Text is UTF-8: the 1991 RIFF
    specification leaves the code page to a `CSET` chunk nobody writes, and ffmpeg (so Liquidsoap)
    and TagLib read and write UTF-8; readers of the ANSI code page (Windows Explorer) show accents
    wrongly, which folding to ASCII would only trade for lost letters. The date is ASCII anyway.
    """

    title: str = ""
    artist: str = ""
    album: str = ""
    date: dt.date | None = None
    track: int | None = None
    comment: str = ""
    copyright: str = ""
    software: str = ""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str) and "\x00" in value:
                raise ExportError(f"INFO {f.name} {value[:40]!r} holds a NUL", cause="it ends the value")
        if self.track is not None and self.track < 0:
            raise ExportError(f"INFO track number {self.track} is negative")

    def items(self) -> tuple[tuple[str, str], ...]:
        """(id, text) of every field that is set, in `INFO_IDS` order."""
        found = []
        for info_id, name in INFO_IDS:
            value = getattr(self, name)
            text = "" if value is None else value.isoformat() if name == "date" else str(value)
            if text:
                found.append((info_id, text))
        return tuple(found)

    def pack(self) -> bytes:
        """The data of the `LIST` chunk: `INFO` and one sub-chunk per field set."""
        parts = [chunk_bytes(i.encode("ascii"), text.encode("utf-8") + b"\x00") for i, text in self.items()]
        return b"INFO" + b"".join(parts)

    @classmethod
    def unpack(cls, data: bytes, where: str) -> RiffInfo:
        """Read a `LIST`/`INFO` chunk's data. Unknown ids are skipped; text that is not UTF-8 is read
        as Latin-1 (older writers); a date or track that does not parse is left out."""
        if data[:4] != b"INFO":
            raise ExportError(f"LIST chunk of {where} is of type {data[:4]!r}, not INFO")
        names = dict(INFO_IDS)
        values: dict[str, Any] = {}
        offset = 4
        while offset + 8 <= len(data):
            info_id = data[offset : offset + 4].decode("ascii", "replace")
            size = int.from_bytes(data[offset + 4 : offset + 8], "little")
            if offset + 8 + size > len(data):
                raise ExportError(f"INFO {info_id!r} of {where} claims {size} bytes, past its LIST chunk")
            raw = data[offset + 8 : offset + 8 + size].split(b"\x00", 1)[0]
            offset += 8 + size + (size & 1)
            name = names.get(info_id)
            if name is None or name in values:
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")
            values[name] = _typed(name, text)
        return cls(**{k: v for k, v in values.items() if v is not None})


def _typed(name: str, text: str) -> str | int | dt.date | None:
    if name == "date":
        match = _ISO_DATE.match(text)
        try:
            return dt.date(*map(int, match.groups())) if match else None
        except ValueError:
            return None
    if name == "track":
        return int(text) if text.isascii() and text.isdigit() else None
    return text
