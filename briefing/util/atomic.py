"""Write files so that a reader sees either the old file or the complete new one, never half.

A temporary file is made in the destination folder (same file system, so `os.replace` is atomic),
filled, flushed and fsynced, then renamed onto the destination; the folder is fsynced afterwards
so the rename itself survives a crash. On any failure the temporary file is removed and the
destination is left as it was. Every file `briefing` writes in place goes through here:

- `atomic_write_bytes`, `atomic_write_text`: data in memory;
- `atomic_path`: a path for a tool that writes it itself (ffmpeg, mutagen, `wave`), or for a file
  checked before it may replace the destination (the mastered MP3);
- `atomic_copy`: a copy of a file (delivery to a playout system's watched folder);
- `atomic_folder`: a folder of files that appears whole or not at all (the speech model).

The temporary name is hidden (it starts with a dot) and, by default, keeps the destination's suffix
(`.feed.1a2b3c4d5e6f.tmp.xml`): tools such as ffmpeg pick the format from it, and
`publish.staging` recognizes the library's temporary files by it. Where the readers of a folder pick
files by their suffix (a playout system importing `*.mp3`, the speech cache counting `*.npz`),
`keep_suffix=False` ends the name in `.part` instead (`.episode.mp3.1a2b3c4d5e6f.part`).
`durable=False` skips the fsyncs, for files whose loss is harmless (a cache entry is then a miss).
`overwrite=False` never replaces an existing file (FileExistsError): the complete temporary file is
hard-linked to the destination, which the system refuses if it exists (`briefing init`).

These helpers serve every stage, so they raise plain `OSError` (with the path in it): each caller
turns it into its own stage's error (ScriptError, ExportError, PublishError...).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

_COPY_BLOCK = 1 << 20


def _temp_name(dest: Path, keep_suffix: bool) -> Path:
    token = secrets.token_hex(6)
    if keep_suffix:
        return dest.with_name(f".{dest.stem}.{token}.tmp{dest.suffix}")
    return dest.with_name(f".{dest.name}.{token}.part")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable, where the system can: the file is in place already, so a
    folder that cannot be synced (Windows, some network shares a playout system watches) is no error."""
    if os.name == "nt":  # Windows cannot open a folder for fsync; its rename is already durable.
        return
    with contextlib.suppress(OSError):
        _fsync(folder)


def _create_temp(dest: Path, keep_suffix: bool) -> Path:
    while True:
        temp = _temp_name(dest, keep_suffix)
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


def _place(temp: Path, dest: Path, overwrite: bool) -> None:
    """Rename `temp` onto `dest`; with `overwrite=False`, only if `dest` does not exist."""
    if overwrite:
        os.replace(temp, dest)
        return
    try:
        os.link(temp, dest)  # atomic, and refused (FileExistsError) if dest exists
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        # A file system without hard links: claim the name, then replace the empty claim whole.
        os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        os.replace(temp, dest)
        return
    temp.unlink()


@contextlib.contextmanager
def atomic_path(
    dest: Path, *, keep_suffix: bool = True, durable: bool = True, overwrite: bool = True
) -> Iterator[Path]:
    """Yield an empty temporary path beside `dest`; on success it replaces `dest` atomically.

    The body may write the temporary path in any way (open it, hand it to ffmpeg, copy onto it, or
    replace it with another file). If the body raises, the temporary file is removed, `dest` is
    untouched and the error goes on. Raises OSError if the folder is missing or unwritable, or the
    rename fails. `keep_suffix`, `durable` and `overwrite`: see the module's documentation.
    """
    dest = Path(dest)
    temp = _create_temp(dest, keep_suffix)
    try:
        yield temp
        if not temp.is_file():
            raise FileNotFoundError(
                errno.ENOENT, "temporary file vanished before it could be renamed", str(temp)
            )
        if durable:
            _fsync(temp)
        _place(temp, dest, overwrite)
    except BaseException:
        _discard(temp)
        raise
    if durable:
        _fsync_dir(dest.parent)


def atomic_write_bytes(
    path: Path, data: bytes, *, keep_suffix: bool = True, durable: bool = True, overwrite: bool = True
) -> None:
    """Write `data` to `path` atomically (temporary file, fsync, rename, fsync folder)."""
    with (
        atomic_path(Path(path), keep_suffix=keep_suffix, durable=durable, overwrite=overwrite) as temp,
        temp.open("wb") as f,
    ):
        f.write(data)


def atomic_write_text(path: Path, text: str, *, encoding: str = "utf-8", overwrite: bool = True) -> None:
    """Write `text` to `path` atomically, encoded as given, with no newline translation."""
    atomic_write_bytes(path, text.encode(encoding), overwrite=overwrite)


def atomic_copy(source: Path, dest: Path, *, keep_suffix: bool = True) -> None:
    """Copy `source` to `dest` atomically, a block at a time (an episode's audio may be large)."""
    with (
        atomic_path(Path(dest), keep_suffix=keep_suffix) as temp,
        Path(source).open("rb") as src,
        temp.open("wb") as out,
    ):
        shutil.copyfileobj(src, out, _COPY_BLOCK)


@contextlib.contextmanager
def atomic_folder(dest: Path) -> Iterator[Path]:
    """Yield a new empty hidden folder beside `dest`; on success its files are fsynced and it is
    renamed to `dest`, which must not exist or be an empty folder (else OSError, as for any failed
    rename). If the body or the rename fails, the temporary folder and its files are removed."""
    dest = Path(dest)
    while True:
        temp = _temp_name(dest, keep_suffix=False)
        try:
            temp.mkdir()
            break
        except FileExistsError:
            continue
    try:
        yield temp
        for path in temp.iterdir():
            if path.is_file():
                _fsync(path)
        os.replace(temp, dest)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    _fsync_dir(dest.parent)
