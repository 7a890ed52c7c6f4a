"""The episode numbers builds under way hold in an output folder (`.numbers.json`).

A build writes its episode's number into the files (ID3 TRCK and TXXX frames, episode and chapters
JSON) before it publishes, so it takes the number first, under the library lock
(`library.reserve_number`): the number is then its own, and publishing makes it the library entry's.
Each build holds its number with a `Hold` keyed by the episode key: builds of the same episode share
the number, builds of different episodes never do. A build that fails lets go of its hold; the hold
of a build that died (its process no longer runs on this host) or that is older than STALE_AFTER_S
is dropped by the next change, so no number stays held by a build that will never publish.
Changing the file is `library`'s job, under its lock; this module reads, picks and writes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefing.errors import PublishError
from briefing.publish.records import Library, read_document
from briefing.util.atomic import atomic_write_text

NUMBERS_NAME = ".numbers.json"
NUMBERS_SCHEMA = 1
#: A hold this old is dropped even if its process may still run (on another host, where it cannot be
#: asked): a build holds its number only from tagging to publishing, minutes at most.
STALE_AFTER_S = 6 * 3600.0


@dataclass(frozen=True, slots=True)
class Hold:
    """One build's hold on the number of the episode `key`: which process, on which host, since when."""

    key: str
    number: int
    token: str  # the build's own: two builds of one episode are two holds
    host: str
    pid: int
    since: dt.datetime

    def __post_init__(self) -> None:
        if not self.key.strip() or not self.token:
            raise PublishError(f"a hold on episode number {self.number} has an empty key or token")
        if self.number < 1:
            raise PublishError(f"the hold on episode {self.key!r} is for number {self.number}")
        if self.since.tzinfo is None:
            raise PublishError(f"the hold on episode {self.key!r} has a time without a time zone")

    def is_stale(self, now: dt.datetime, host: str) -> bool:
        """Held too long, or by a process of this host that no longer runs."""
        if (now - self.since).total_seconds() > STALE_AFTER_S:
            return True
        return self.host == host and not process_runs(self.pid)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "number": self.number,
            "token": self.token,
            "host": self.host,
            "pid": self.pid,
            "since": self.since.isoformat(),
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Hold:
        return cls(
            key=str(doc["key"]),
            number=int(doc["number"]),
            token=str(doc["token"]),
            host=str(doc["host"]),
            pid=int(doc["pid"]),
            since=dt.datetime.fromisoformat(doc["since"]),
        )


@dataclass(frozen=True, slots=True)
class Holds:
    """Every hold of an output folder; all the holds of one key are on one number."""

    holds: tuple[Hold, ...] = ()

    def __post_init__(self) -> None:
        by_key: dict[str, int] = {}
        for hold in self.holds:
            if by_key.setdefault(hold.key, hold.number) != hold.number:
                raise PublishError(f"episode {hold.key!r} holds two numbers")
        if len(set(by_key.values())) != len(by_key):
            raise PublishError("two episodes hold the same number")

    def number_of(self, key: str) -> int | None:
        """The number the episode `key` holds, if any."""
        return next((h.number for h in self.holds if h.key == key), None)

    def held_by_others(self, key: str) -> set[int]:
        return {h.number for h in self.holds if h.key != key}

    def add(self, hold: Hold) -> Holds:
        return Holds((*self.holds, hold))

    def without_token(self, token: str) -> Holds:
        return Holds(tuple(h for h in self.holds if h.token != token))

    def without_key(self, key: str) -> Holds:
        return Holds(tuple(h for h in self.holds if h.key != key))

    def live(self, now: dt.datetime, host: str) -> Holds:
        """The holds that are not stale."""
        return Holds(tuple(h for h in self.holds if not h.is_stale(now, host)))

    def to_json(self) -> str:
        doc = {"schema": NUMBERS_SCHEMA, "holds": [h.to_dict() for h in self.holds]}
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True, slots=True)
class Reservation:
    """The GUID and number a build writes into the files of episode `key`, held for it from before
    tagging until it publishes (`library.reserve_number`); `token` names its hold."""

    key: str
    guid: str
    number: int
    token: str


def floor(library: Library) -> int:
    """The lowest number a new episode may take: numbers only grow, even after a removal."""
    return max([library.next_number, *(r.number + 1 for r in library.episodes)])


def first_free(lowest: int, taken: set[int]) -> int:
    """The lowest number from `lowest` up that is not `taken`."""
    number = lowest
    while number in taken:
        number += 1
    return number


def number_for(library: Library, holds: Holds, key: str) -> int:
    """The number of episode `key`: its own once published, else the one its builds hold, else the
    lowest one that no episode had and no other build holds (so a released number is given again)."""
    for record in library.episodes:
        if record.key == key:
            return record.number
    held = holds.number_of(key)
    return held if held is not None else first_free(floor(library), holds.held_by_others(key))


def check_reservation(
    reservation: Reservation, key: str, written: int | None, library: Library, holds: Holds
) -> None:
    """Refuse to publish episode `key` under another number than the one its files carry
    (`written`, from its reservation): the files would then disagree with the feed."""
    where = f"episode {key!r}"
    if reservation.key != key:
        raise PublishError(
            f"{where} comes with the number reserved for {reservation.key!r}",
            cause="a reservation serves the episode key it was made for",
        )
    if written is not None and written != reservation.number:
        raise PublishError(
            f"the files of {where} say number {written}, its reservation {reservation.number}",
            cause="the files were tagged without the reservation",
        )
    old = next((r for r in library.episodes if r.key == key), None)
    if old is not None:
        if old.number != reservation.number:
            raise PublishError(
                f"{where} is number {old.number} in the feed, its files say {reservation.number}",
                cause="the episode was removed and published again while it was built; build it again",
            )
        return
    others = {r.number for r in library.episodes} | holds.held_by_others(key)
    if reservation.number in others:
        raise PublishError(
            f"number {reservation.number}, reserved for {where}, went to another episode",
            cause=f"its build held it over {STALE_AFTER_S / 3600:.0f} h, or its host had another's name; "
            "build it again",
        )


def this_host() -> str:
    return socket.gethostname()


def process_runs(pid: int) -> bool:
    """Whether process `pid` runs on this host (True where that cannot be asked: Windows)."""
    if os.name == "nt":  # os.kill(pid, 0) would send it Ctrl-C there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it runs, as another user
        return True
    return True


def read_holds(out_dir: Path) -> Holds:
    """The holds of `out_dir` (none when there is no file)."""
    path = Path(out_dir) / NUMBERS_NAME

    def parse(doc: dict[str, Any]) -> Holds:
        return Holds(tuple(Hold.from_dict(d) for d in doc["holds"]))

    name = f"the list of episode numbers held in {path}"
    return read_document(path, NUMBERS_SCHEMA, name, parse, missing=Holds())


def write_holds(out_dir: Path, holds: Holds) -> None:
    """Write the holds atomically; with none left, remove the file (the folder is as before any build)."""
    path = Path(out_dir) / NUMBERS_NAME
    try:
        if holds.holds:
            atomic_write_text(path, holds.to_json())
        else:
            path.unlink(missing_ok=True)
    except OSError as e:
        raise PublishError(f"cannot write the episode numbers held in {path}", cause=str(e)) from e
