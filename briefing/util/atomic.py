"""Write files so that a reader sees either the old file or the complete new one, never half.

A temporary file is made in the destination folder (same file system, so `os.replace` is atomic),
filled, flushed and fsynced, then renamed onto the destination; the folder is fsynced afterwards
so the rename itself survives a crash. On any failure the temporary file is removed and the
destination is left as it was.

These helpers serve every stage, so they raise plain `OSError` (with the path in it): each caller
turns it into its own stage's error (ScriptError, ExportError, PublishError...).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path


def _temp_name(dest: Path) -> Path:
    # Keep the suffix: tools such as ffmpeg pick the output format from the extension.
    return dest.with_name(f".{dest.stem}.{secrets.token_hex(6)}.tmp{dest.suffix}")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a folder for fsync; its rename is already durable.
        return
    _fsync(folder)


def _create_temp(dest: Path) -> Path:
    while True:
        temp = _temp_name(dest)
        try:
            # O_EXCL: never reuse someone else's file; mode 0o666 lets the umask decide.
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return temp


def _discard(temp: Path) -> None:
    with contextlib.suppress(OSError):
        temp.unlink()


@contextlib.contextmanager
def atomic_path(dest: Path) -> Iterator[Path]:
    """Yield an empty temporary path beside `dest`; on success it replaces `dest` atomically.

    The body may write the temporary path in any way (open it, hand it to ffmpeg, copy onto it).
    If the body raises, the temporary file is removed, `dest` is untouched and the error goes on.
    Raises OSError if the folder is missing or unwritable, or the rename fails.
    """
    dest = Path(dest)
    temp = _create_temp(dest)
    try:
        yield temp
        if not temp.is_file():
            raise FileNotFoundError(
                errno.ENOENT, "temporary file vanished before it could be renamed", str(temp)
            )
        _fsync(temp)
        os.replace(temp, dest)
    except BaseException:
        _discard(temp)
        raise
    _fsync_dir(dest.parent)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (temporary file, fsync, rename, fsync folder)."""
    with atomic_path(Path(path)) as temp, temp.open("wb") as f:
        f.write(data)


def atomic_write_text(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write `text` to `path` atomically, encoded as given, with no newline translation."""
    atomic_write_bytes(path, text.encode(encoding))
