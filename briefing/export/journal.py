"""The journal of a staging folder: the files whose fate a build's publication decides.

An episode is written in a staging folder inside the output folder (`publish.staging`). Before anything
changes in the output folder, the build writes there which files it moves in and which belong to the
episode it replaces; if it fails or is killed, those that nothing names any more are deleted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from briefing.errors import ExportError
from briefing.util.atomic import atomic_write_text

JOURNAL = ".placed.json"


def record_placed(staging: Path, paths: Sequence[str]) -> None:
    """Write down, before anything changes, files whose fate this build's publication decides: the
    ones it moves into the output folder and those of the episode it replaces (paths relative to
    the output folder). If the build fails or is killed, those no longer named are deleted."""
    try:
        names = sorted({*placed(staging), *paths})
        atomic_write_text(staging / JOURNAL, json.dumps(names, ensure_ascii=False))
    except OSError as e:
        raise ExportError(f"cannot write the journal of {staging}", cause=e.strerror or str(e)) from e


def staged_names(staging: Path) -> list[str]:
    """The files of `staging` to move into the output folder (not its journal)."""
    return sorted(p.name for p in staging.iterdir() if p.name != JOURNAL)


def placed(staging: Path) -> list[str]:
    try:
        names = json.loads((staging / JOURNAL).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or cut short by a kill: nothing was moved yet
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []
