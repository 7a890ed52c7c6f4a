"""The episode library of an output folder (`library.json`) and the feed made from it.

Each build adds its episode, or replaces the episode with the same key (same article and date),
which keeps its GUID, episode number and publication time. A build reserves its episode's number
before it writes it into the files (`number_reserved`, see `numbers`), and publishing gives the
episode that number: two builds at once never tag the same number, nor one the feed does not give.
A new episode is published on its own date, in the show's time zone: at the time of the build when
that is today, else at 06:00. A GUID never changes; episode numbers are never reused, even after a
removal. Every change holds a lock on the folder (so two builds at once never lose an episode) and
commits the library and `feed.xml` together, each written atomically: the library first, then the
feed made from it; if the feed cannot be written, the previous library is put back.
Files a replaced or removed episode no longer needs are deleted only after that commit, so a crash
can leave an orphan file, never a dangling link.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from contextvars import ContextVar
from pathlib import Path, PurePosixPath

from briefing.config.show import FEED_NAME, Show
from briefing.errors import BriefingError, PublishError
from briefing.export.chapters import EpisodeInfo
from briefing.export.names import safe_join
from briefing.export.roles import FileRole
from briefing.publish import pages
from briefing.publish.feed import channel_artwork, podcast_guid, render_feed
from briefing.publish.loudness import Target, refuse_mixed_loudness, target_of
from briefing.publish.numbers import (
    Hold,
    Holds,
    Reservation,
    check_reservation,
    first_free,
    floor,
    number_for,
    read_holds,
    this_host,
    write_holds,
)
from briefing.publish.records import LIBRARY_NAME, EpisodeRecord, Library, existing_output, read_library
from briefing.util.atomic import atomic_write_bytes

LOCK_NAME = ".library.lock"
LOCK_TIMEOUT_S = 120.0
#: When an episode dated another day than its build is published (local time): a morning briefing.
MORNING = dt.time(6, 0)


def episode_guid(show: Show, key: str) -> str:
    """The GUID a new episode gets: UUIDv5 of its key in the namespace of the show's podcast:guid."""
    return str(uuid.uuid5(uuid.UUID(podcast_guid(show.feed_url)), key))


def planned_identity(out_dir: Path, show: Show, key: str) -> tuple[str, int]:
    """The (GUID, episode number) `reserve_number` would give `key` now, without holding them: a
    dry run's. An episode already in the library keeps both; for a new one, `number_reserved`."""
    library = read_library(out_dir)
    return _guid(library, show, key), number_for(library, _live(read_holds(out_dir)), key)


def _guid(library: Library, show: Show, key: str) -> str:
    return next((r.guid for r in library.episodes if r.key == key), None) or episode_guid(show, key)


def _live(holds: Holds, now: dt.datetime | None = None) -> Holds:
    return holds.live(now or dt.datetime.now(dt.UTC), this_host())


def reserve_number(out_dir: Path, show: Show, key: str, now: dt.datetime | None = None) -> Reservation:
    """Hold the number of episode `key` for this build, under the library lock: the one it has if
    published, else the one other builds of it hold, else a number no other episode has or holds.
    `publish_episode(reservation=...)` gives the episode that number; `release_number` lets it go."""
    out_dir = Path(out_dir)
    now = _now(now)
    if not key.strip():
        raise PublishError("cannot reserve a number for an empty episode key", cause="pass article + date")
    with locked(out_dir):
        library = read_library(out_dir)
        holds = _live(read_holds(out_dir), now)
        number = number_for(library, holds, key)
        token = uuid.uuid4().hex
        write_holds(out_dir, holds.add(Hold(key, number, token, this_host(), os.getpid(), now)))
    return Reservation(key, _guid(library, show, key), number, token)


def release_number(out_dir: Path, reservation: Reservation) -> None:
    """Let go of a reservation (its build failed): the number goes to the next build unless
    published. Nothing to do once `publish_episode` took it, or once it went stale."""
    out_dir = Path(out_dir)
    if not any(h.token == reservation.token for h in read_holds(out_dir).holds):
        return
    with locked(out_dir):
        write_holds(out_dir, _live(read_holds(out_dir).without_token(reservation.token)))


@contextlib.contextmanager
def number_reserved(out_dir: Path, show: Show, key: str) -> Iterator[Reservation]:
    """`reserve_number` for the block, released when it ends, whether it published or failed. A
    release that fails is no error: the block's error (or its publication) is what counts, and the
    hold goes stale when this process ends."""
    reservation = reserve_number(out_dir, show, key)
    try:
        yield reservation
    finally:
        with contextlib.suppress(BriefingError):
            release_number(out_dir, reservation)


#: When set, a lock (made for the output folder) held around every change of a library, before its
#: file lock: `briefing batch` sets a cluster-wide `distributed.Lock` named after the feed.
outer_lock: ContextVar[Callable[[Path], AbstractContextManager[object]] | None] = ContextVar(
    "outer_lock", default=None
)


@contextlib.contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold the library lock of `out_dir` (waits up to LOCK_TIMEOUT_S seconds), and `outer_lock`'s."""
    outer = outer_lock.get()
    with outer(Path(out_dir)) if outer is not None else contextlib.nullcontext(), _file_locked(out_dir):
        yield


@contextlib.contextmanager
def _file_locked(out_dir: Path) -> Iterator[None]:
    from filelock import FileLock, Timeout

    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(out_dir / LOCK_NAME), timeout=LOCK_TIMEOUT_S)
        lock.acquire()
    except Timeout as e:
        raise PublishError(
            f"the episode library in {out_dir} stayed locked for {LOCK_TIMEOUT_S:.0f} s",
            cause="another build or command is still publishing",
        ) from e
    except OSError as e:
        raise PublishError(f"cannot lock the episode library in {out_dir}", cause=str(e)) from e
    try:
        yield
    finally:
        lock.release()


def _check_files(out_dir: Path, info: EpisodeInfo) -> None:
    if info.file(FileRole.MP3) is None:
        raise PublishError(f"episode {info.title!r} has no MP3 file", cause="the build gave no 'mp3' role")
    for f in info.files:
        try:
            size = safe_join(out_dir, f.path).stat().st_size
        except BriefingError as e:
            raise PublishError(f"episode file {f.path!r} is not inside {out_dir}", cause=e.one_line()) from e
        except OSError as e:
            raise PublishError(f"episode file {f.path} is missing in {out_dir}", cause=str(e)) from e
        if size != f.size:
            raise PublishError(
                f"episode file {f.path} is {size} bytes, the episode says {f.size}",
                cause="the file changed after the build described it",
            )


def publish_episode(
    out_dir: Path,
    show: Show,
    info: EpisodeInfo,
    key: str,
    now: dt.datetime | None = None,
    *,
    preset: str | None = None,
    allow_mixed_loudness: bool | None = None,
    reservation: Reservation | None = None,
) -> EpisodeRecord:
    """Add the episode to the library of `out_dir`, or replace the one with the same `key`,
    then regenerate the feed. File paths in `info` are relative to `out_dir`.

    A replaced episode keeps its GUID, number and publication time. A new one takes `info.guid`
    (else `episode_guid(show, key)`) and the number of its `reservation` (`reserve_number`); an
    episode whose files carry another number than the feed would give it is refused. Without a
    reservation, it takes `info.episode` when that number is free, else the next free one.
    It is published at `publication_time(info.date, now, show.timezone)`.
    Files of the replaced episode that nothing references any more are deleted afterwards.
    `preset` names the loudness preset the audio was mastered with (default: the one `info`
    records, else `show.preset`);
    `briefing validate` measures the episode against it. An episode mastered for another loudness
    than the library's others is refused (PublishError) unless `allow_mixed_loudness` (default:
    the show's setting).
    """
    out_dir = Path(out_dir)
    now = _now(now)
    if not key.strip():
        raise PublishError(f"episode {info.title!r} has an empty key", cause="pass article + date")
    _check_files(out_dir, info)
    preset = preset or info.preset or show.preset
    target = target_of(info, preset)  # an unknown preset raises AudioError listing the choices
    if allow_mixed_loudness is None:
        allow_mixed_loudness = show.allow_mixed_loudness
    with locked(out_dir):
        library = read_library(out_dir)
        holds = read_holds(out_dir)
        if reservation is not None:
            check_reservation(reservation, key, info.episode, library, holds)
        old = next((r for r in library.episodes if r.key == key), None)
        others = tuple(r for r in library.episodes if r.key != key)
        if not allow_mixed_loudness:
            refuse_mixed_loudness(target, others, info.title)
        mp3 = info.file(FileRole.MP3)
        for other in others:
            used = other.info.file(FileRole.MP3)
            if mp3 is not None and used is not None and used.path == mp3.path:
                raise PublishError(
                    f"episode {info.title!r} uses the MP3 {mp3.path} of episode {other.number}",
                    cause="an enclosure URL is never reused: file names must carry a content hash",
                )
        if old is not None:
            guid, number, published = old.guid, old.number, old.published
        else:
            guid = info.guid or episode_guid(show, key)
            if any(r.guid == guid for r in others):
                raise PublishError(f"GUID {guid} of {info.title!r} belongs to another episode")
            if reservation is not None:
                number = reservation.number  # `check_reservation`: no other episode has or holds it
            else:  # numbers only grow: one given by the build is kept when no episode ever had it
                lowest, held, wanted = floor(library), _live(holds).held_by_others(key), info.episode
                free = wanted is not None and wanted >= lowest and wanted not in held
                number = wanted if free and wanted is not None else first_free(lowest, held)
            published = publication_time(info.date, now, show.timezone)
        record = EpisodeRecord(key, guid, number, published, now, preset, info)
        new = Library(
            others + (record,),
            max(library.next_number, number + 1),
            _origin(show) or library.show_config,
        )
        _commit(out_dir, show, new)
        if holds.number_of(key) is not None:  # the reservation is the library's entry now
            with contextlib.suppress(PublishError):  # published all the same; the hold goes stale
                write_holds(out_dir, _live(holds.without_key(key)))
    if old is not None:
        _delete_unreferenced(out_dir, old, new)
    return record


def refuse_mixed_loudness_in(out_dir: Path, key: str, target: Target, title: str) -> None:
    """Before voicing, the check `publish_episode` makes: the other episodes of the library of
    `out_dir` were mastered for the loudness `target`."""
    others = (r for r in read_library(out_dir).episodes if r.key != key)
    refuse_mixed_loudness(target, others, title)


def publication_time(date: dt.date, now: dt.datetime, timezone: str) -> dt.datetime:
    """When an episode dated `date` is published (UTC): `now` when it is that day in `timezone`,
    else `date` at MORNING there."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)
    if now.astimezone(zone).date() == date:
        return now.astimezone(dt.UTC)
    return dt.datetime.combine(date, MORNING, tzinfo=zone).astimezone(dt.UTC)


def remove_episode(out_dir: Path, show: Show, ident: str, *, delete_files: bool = True) -> EpisodeRecord:
    """Remove the episode `ident` (number, GUID or key) from the library and the feed."""
    out_dir = existing_output(out_dir)
    with locked(out_dir):
        library = read_library(out_dir)
        record = find_episode(library, ident, out_dir)
        new = dataclasses.replace(library, episodes=tuple(r for r in library.episodes if r is not record))
        _commit(out_dir, show, new)
    if delete_files:
        _delete_unreferenced(out_dir, record, new)
    return record


def regenerate_feed(out_dir: Path, show: Show) -> Path:
    """Write `feed.xml` again from the library (e.g. after editing the show config)."""
    out_dir = existing_output(out_dir)
    with locked(out_dir):
        library = read_library(out_dir)
        _commit(out_dir, show, dataclasses.replace(library, show_config=_origin(show) or library.show_config))
    return out_dir / FEED_NAME


def find_episode(library: Library, ident: str, where: Path) -> EpisodeRecord:
    """The episode whose number, GUID or key is `ident`."""
    for record in library.episodes:
        if ident in (str(record.number), record.guid, record.key):
            return record
    raise PublishError(
        f"no episode {ident!r} in the library of {where}",
        cause="give its number, GUID or key as listed by `briefing episodes`",
    )


def _now(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    if now.tzinfo is None:
        raise PublishError(f"publication time {now} has no time zone", cause="pass an aware datetime")
    return now


def _origin(show: Show) -> str | None:
    return None if show.origin.startswith("<") else str(Path(show.origin).resolve())


def write_feed_bytes(path: Path, data: bytes) -> None:
    """Write the feed atomically (a separate function, so tests can make it fail)."""
    atomic_write_bytes(path, data)


def _commit(out_dir: Path, show: Show, library: Library) -> None:
    """Write the show's pages, the library, then the feed made from it; all or nothing.

    The library goes first: it is what decides which files are in use (a failed or killed build
    deletes the files it placed that the library does not reference), so the feed never names an
    episode the library has not got. A build killed between the two leaves the previous feed,
    whose files are all still there; the next commit writes the feed again. The pages go before
    the library and are put back with it: pages ahead of a library that failed would link to
    files about to be swept (after a kill they are, until the next commit writes them again).
    """
    feed_path, library_path = out_dir / FEED_NAME, out_dir / LIBRARY_NAME
    try:
        artwork = channel_artwork(out_dir, show)
        feed = render_feed(show, library.newest_first(), artwork)
        site = pages.render_site(out_dir, show, library.newest_first()[: show.keep], artwork)
        old_library = library_path.read_bytes() if library_path.exists() else None
    except OSError as e:
        raise PublishError(f"cannot prepare the feed in {out_dir}", cause=str(e)) from e
    library_written = False
    change = None
    try:
        change = pages.write_site(out_dir, site)  # put back by itself if it fails
        atomic_write_bytes(library_path, library.to_json().encode("utf-8"))
        library_written = True
        write_feed_bytes(feed_path, feed)
    except BaseException as e:
        restored = not library_written or _restore(library_path, old_library)
        if restored and change is not None:
            change.undo()  # pages ahead of the library would link to files about to be swept
        if not isinstance(e, OSError):
            raise
        if not restored:
            raise PublishError(
                f"the library in {out_dir} was updated but {FEED_NAME} could not be written",
                cause=f"{e.strerror or e}; run `briefing feed` once the disk is fixed",
            ) from e
        raise PublishError(
            f"cannot update the library and feed in {out_dir}; both are left as they were",
            cause=e.strerror or str(e),
        ) from e
    pages.sweep_pages(out_dir, site)


def _restore(path: Path, data: bytes | None) -> bool:
    """Put `path` back as it was (`None`: there was none); False if that failed too."""
    try:
        if data is None:
            path.unlink(missing_ok=True)
        else:
            atomic_write_bytes(path, data)
    except OSError:
        return False
    return True


def _delete_unreferenced(out_dir: Path, gone: EpisodeRecord, library: Library) -> None:
    """Delete the files of `gone` that no episode of `library` references, and emptied folders."""
    used = {f.path for r in library.episodes for f in r.info.files}
    base = out_dir.resolve()
    for f in gone.info.files:
        if f.path in used:
            continue
        try:
            path = safe_join(out_dir, f.path)
            path.unlink(missing_ok=True)
        except (BriefingError, OSError):
            continue  # an orphan file is harmless; the feed no longer points at it
        for parent in PurePosixPath(f.path).parents:
            folder = (out_dir / parent).resolve()
            if folder == base or not folder.is_relative_to(base):
                break
            with contextlib.suppress(OSError):
                folder.rmdir()  # only succeeds when empty
