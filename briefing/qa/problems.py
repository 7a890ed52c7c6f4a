"""What a check finds (`Problem`), and the checks of an episode's files that `briefing check` (one
episode) and `briefing validate` (every episode of a feed) share: the listed files are there at their
size, the audio lasts what the episode JSON says, and measures what its preset wants; and reading one of
its text files with a plain reason when that fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.errors import BriefingError, CheckError
from briefing.export.chapters import EpisodeInfo
from briefing.export.names import safe_join

if TYPE_CHECKING:
    from briefing.audio.master import Loudness
    from briefing.audio.presets import Preset
    from briefing.models import Pcm


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong: where (feed, item, file) and what; `error` or `warning`."""

    where: str
    message: str
    level: str = "error"

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


def text_of(path: Path) -> str:
    """One of an episode's text files, read as UTF-8; a CheckError saying why it cannot be
    (`unreadable`)."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CheckError(unreadable(e)) from e


def unreadable(e: OSError | UnicodeDecodeError) -> str:
    """Why a file could not be read, in plain words ("is missing", "is a folder, not a file", …)
    rather than Python's "[Errno 2] No such file…"."""
    if isinstance(e, UnicodeDecodeError):
        return "is not UTF-8 text"
    if isinstance(e, FileNotFoundError):
        return "is missing"
    if isinstance(e, IsADirectoryError):
        return "is a folder, not a file"
    return f"cannot be read ({e.strerror or e})"


def listed_file_problems(folder: Path, info: EpisodeInfo, where: str) -> list[Problem]:
    """Every file the episode JSON lists is inside `folder`, present, and of the listed size."""
    found = []
    for f in info.files:
        try:
            path = safe_join(folder, f.path)
        except BriefingError as e:
            found.append(Problem(where, e.one_line()))
            continue
        if not path.is_file():
            found.append(Problem(where, f"{f.role} file {f.path} is missing"))
        elif path.stat().st_size != f.size:
            size = path.stat().st_size
            found.append(Problem(where, f"{f.role} file {f.path} is {size} bytes, library says {f.size}"))
    return found


def duration_problems(
    name: str, pcm: Pcm, info: EpisodeInfo, tolerance_s: float, where: str
) -> list[Problem]:
    """The decoded audio lasts what the episode JSON says, within `tolerance_s`."""
    seconds = pcm.frames / pcm.rate
    if abs(seconds - info.samples / info.rate) > tolerance_s:
        return [
            Problem(where, f"{name} lasts {seconds:.3f} s, the episode JSON says {info.duration_seconds} s")
        ]
    return []


def loudness_problems(name: str, loud: Loudness, preset: Preset, where: str) -> list[Problem]:
    """Integrated loudness within the preset's tolerance, true peak under its ceiling."""
    found = []
    if not abs(loud.integrated_lufs - preset.target_lufs) <= preset.tolerance_lu:
        found.append(
            Problem(
                where,
                f"{name} measures {loud.integrated_lufs:.1f} LUFS, preset {preset.name!r} wants "
                f"{preset.target_lufs} ± {preset.tolerance_lu} LU",
            )
        )
    if not loud.true_peak_dbtp <= preset.true_peak_dbtp:
        found.append(
            Problem(where, f"{name} true peak {loud.true_peak_dbtp:.2f} dBTP > {preset.true_peak_dbtp}")
        )
    return found
