"""Deliver episode files to a radio playout system's watched folder, under a stable name.

A playout system (Rivendell, RadioDJ, mAirList, …) imports whatever appears in its folder. Each file is copied
there under a hidden temporary name that no importer matches (`.name.mp3.<random>.part`), flushed to disk,
then renamed onto the stable name: the system sees either yesterday's complete file or today's, never half a
file. The name comes from a pattern such as `{show}-{date}` or a fixed `briefing-latest`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from briefing.errors import ExportError
from briefing.export.names import safe_join
from briefing.util.atomic import atomic_copy


def check_delivery(folder: Path, name: str, suffix: str = ".mp3") -> Path:
    """Where `name` + `suffix` goes in the watched `folder`; an error if the folder is missing or the
    name would lead out of it. A build calls it before voicing, so it cannot fail there after."""
    if not folder.is_dir():
        raise ExportError(f"delivery folder {folder} does not exist", cause="create it or fix --deliver")
    return safe_join(folder, name + suffix)


def deliver(files: Sequence[Path], folder: Path, name: str) -> tuple[Path, ...]:
    """Copy each file to `folder/name<suffix>`, atomically; an existing file is replaced only by a complete
    new one. Returns the delivered paths."""
    delivered: list[Path] = []
    for source in files:
        dest = check_delivery(folder, name, "".join(source.suffixes[-1:]))
        _copy_atomically(source, dest)
        delivered.append(dest)
    return tuple(delivered)


def _copy_atomically(source: Path, dest: Path) -> None:
    try:
        # `.name.mp3.<random>.part`: hidden, and not a `.mp3`, so no importer takes it half copied.
        atomic_copy(source, dest, keep_suffix=False)
    except OSError as e:
        raise ExportError(f"cannot deliver {source.name} to {dest.parent}", cause=e.strerror or str(e)) from e
