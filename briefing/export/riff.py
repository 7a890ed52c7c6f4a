"""The RIFF/WAVE container under the Broadcast WAV chunks: walking chunks strictly, copying them,
and writing one chunk with its header and pad byte.

Every chunk is an id of four ASCII characters, a little-endian 32-bit size, the data, and a zero
pad byte when the size is odd (the pad is not counted in the size).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

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
