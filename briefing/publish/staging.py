"""The staging folder of a build, and how a failed or killed build is undone.

An episode is written in a `.staging-*` folder inside the output folder. The build holds a lock on
that folder for as long as it runs (`flock`, which the kernel drops when the process dies, even by
kill -9). Before anything changes in the output folder it writes in the folder's journal the files
whose fate its publication decides: the ones it moves in, and those of the episode it replaces.
When the build fails, or when another build finds a staging folder nobody holds any more, the
journal's files that neither the library nor `feed.xml` names are deleted, then the folder: a
failed or killed build leaves neither a half-published episode nor a folder of stale audio, and a
file the library or the feed names is never touched. (The feed may lag one commit behind the
library after a kill; a file only it still names waits, journal and all, for the next build.)
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from briefing.config.show import FEED_NAME
from briefing.errors import BriefingError, ExportError
from briefing.export.journal import JOURNAL, placed, record_placed
from briefing.export.names import safe_join
from briefing.publish.library import locked
from briefing.publish.records import read_library
from briefing.util.atomic import atomic_write_text

PREFIX = ".staging-"
#: Where folders cannot be locked (Windows), a staging folder this old is taken as abandoned.
STALE_AFTER_S = 24 * 3600.0
#: Temporary files the library commit (see `publish.library._commit`) and the numbers held (`numbers`)
#: write in the output folder.
_COMMIT_TEMP = re.compile(
    r"^\.(?:(?:library|feed|\.numbers|artwork-[0-9a-f]+)\.[0-9a-f]{12}\.tmp\.(?:json|xml|png|jpg)"
    r"|[a-z0-9-]+\.[0-9a-f]{12}\.tmp\.(?:html|css|js))$"  # and the pages (publish.pages)
)

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


def _open_locked(folder: Path, *, wait: bool) -> int | None:
    """A descriptor of `folder` holding its exclusive lock, or None if another process holds it.

    Without `fcntl`, nothing is locked: the descriptor is returned, or None for a recent folder."""
    fd = os.open(folder, os.O_RDONLY)
    if fcntl is None:
        if wait or time.time() - os.fstat(fd).st_mtime > STALE_AFTER_S:
            return fd
        os.close(fd)
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except OSError:
        os.close(fd)
        raise
    return fd


@contextlib.contextmanager
def staging_folder(out_dir: Path) -> Iterator[Path]:
    """A new staging folder in `out_dir`, held until the block ends, then removed.

    Abandoned staging folders of killed builds are cleared first, and again at the end (the feed
    is then up to date). If the block raises, the files of its journal (see `record_placed`) that
    the library and the feed do not name are deleted.
    """
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with _guard(out_dir):
            abandoned = _abandoned(out_dir)
            staging = Path(tempfile.mkdtemp(prefix=PREFIX, dir=out_dir))
            held = _open_locked(staging, wait=True)
    except OSError as e:
        raise ExportError(f"cannot write into {out_dir}", cause=e.strerror or str(e)) from e
    for folder, fd in abandoned:
        _undo(out_dir, folder, fd)
    _clear_commit_temps(out_dir)
    try:
        yield staging
    except BaseException:
        _undo(out_dir, staging, held)
        raise
    _remove(staging, held)
    sweep(out_dir)


def sweep(out_dir: Path) -> None:
    """Undo the staging folders of `out_dir` that no live build holds."""
    try:
        with _guard(out_dir):
            abandoned = _abandoned(out_dir)
    except OSError:
        return  # nothing is lost: a later build sweeps again
    for folder, fd in abandoned:
        _undo(out_dir, folder, fd)


@contextlib.contextmanager
def _guard(out_dir: Path) -> Iterator[None]:
    """The output folder's own lock: creating and locking a staging folder is one step for a build
    that sweeps at the same time (which would otherwise take a new folder for an abandoned one)."""
    fd = _open_locked(out_dir, wait=True)
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)


def record_replaced(staging: Path, out_dir: Path, key: str) -> None:
    """`record_placed` for the files of the published episode with `key`, if there is one."""

    for record in read_library(out_dir).episodes:
        if record.key == key:
            record_placed(staging, [f.path for f in record.info.files])


def _abandoned(out_dir: Path) -> list[tuple[Path, int]]:
    """The staging folders of `out_dir` no live build holds, each with a descriptor holding it now."""
    found: list[tuple[Path, int]] = []
    for folder in sorted(out_dir.glob(PREFIX + "*")):
        if not folder.is_dir() or folder.is_symlink():
            continue
        with contextlib.suppress(OSError):
            fd = _open_locked(folder, wait=False)
            if fd is not None:
                found.append((folder, fd))
    return found


def _undo(out_dir: Path, staging: Path, fd: int | None) -> None:
    """Delete the journal's files that the library and the feed do not name, then the folder.

    If the library cannot be read or locked, or the feed still names a file the library has let go,
    the folder stays, its journal listing what is left, for a later build to finish."""
    try:
        left = _delete_unused(out_dir, staging, placed(staging))
    except (BriefingError, OSError):
        left = ["?"]
    if left:
        if fd is not None:
            os.close(fd)
        return
    _remove(staging, fd)


def _remove(staging: Path, fd: int | None) -> None:
    """Remove the folder, then let go of it (in this order: no sweep can take a folder half gone)."""
    shutil.rmtree(staging, ignore_errors=True)
    if fd is not None:
        os.close(fd)


def _delete_unused(out_dir: Path, staging: Path, paths: Sequence[str]) -> list[str]:
    """Delete those of `paths` neither the library nor the feed names; return those only the feed
    still names (written back to the journal)."""
    if not paths:
        return []

    with locked(out_dir):
        library = read_library(out_dir)
        used = {f.path for r in library.episodes for f in r.info.files}
        in_feed = _feed_paths(out_dir)
        waiting = []
        for path in paths:
            if path in used:
                continue
            if in_feed is None or any(p == path or p.endswith("/" + path) for p in in_feed):
                waiting.append(path)
                continue
            with contextlib.suppress(OSError, BriefingError):
                safe_join(out_dir, path).unlink(missing_ok=True)
        if waiting:
            atomic_write_text(staging / JOURNAL, json.dumps(waiting, ensure_ascii=False))
    return waiting


def _feed_paths(out_dir: Path) -> set[str] | None:
    """The URL paths `feed.xml` points at (enclosures, transcripts, chapters); None if unreadable."""
    from urllib.parse import unquote, urlsplit
    from xml.etree import ElementTree as ET

    try:
        root = ET.parse(out_dir / FEED_NAME).getroot()
    except FileNotFoundError:
        return set()
    except (OSError, ET.ParseError):
        return None
    return {unquote(urlsplit(v).path) for e in root.iter() for k, v in e.attrib.items() if k == "url"}


def _clear_commit_temps(out_dir: Path) -> None:
    """Temporary files of a library commit that was killed: only written under the library lock."""
    if not any(_COMMIT_TEMP.match(p.name) for p in out_dir.iterdir()):
        return

    with contextlib.suppress(BriefingError), locked(out_dir):
        for path in out_dir.iterdir():
            if _COMMIT_TEMP.match(path.name):
                with contextlib.suppress(OSError):
                    path.unlink()
