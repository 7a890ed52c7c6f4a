"""The loudness each episode of a feed was mastered for, and the rule against mixing them in one feed.

A listener plays a feed's episodes one after the other: an episode at -23 LUFS (broadcast) between
episodes at -16 LUFS (podcast) sounds 7 dB quieter, and players do not even it out. So a build
refuses to add an episode mastered for another target than the feed's, unless the show or the
command allows it, and `briefing validate` warns about a feed that mixes them.

An episode's target is the `target_lufs` its episode JSON records (the preset's own, or the show's
`sound.target_lufs`); an episode that does not record it falls back to its preset's target. Its
preset is the one the library names, else the one its episode JSON records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from briefing.audio.presets import PRESETS, get_preset
from briefing.errors import PublishError
from briefing.export.chapters import EpisodeInfo

ALLOW_HOW = "pass --allow-mixed-loudness, or set allow_mixed_loudness = true in the show config"


@dataclass(frozen=True, slots=True)
class Target:
    """The integrated loudness an episode was mastered for (0.1 LU steps) and the preset's name."""

    lufs: float
    preset: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "lufs", round(self.lufs, 1))

    def __str__(self) -> str:
        return f"{self.lufs:.1f} LUFS (preset {self.preset!r})"


def target_of(info: EpisodeInfo, preset: str) -> Target:
    """The target of an episode mastered with `preset`: the one its metadata records, else the
    preset's."""
    recorded = dict(info.loudness).get("target_lufs")
    return Target(get_preset(preset).target_lufs if recorded is None else recorded, preset)


def preset_for(info: EpisodeInfo) -> str:
    """The preset an episode was mastered with, for a library entry that does not name it: the one
    its metadata records; for an episode from before it was recorded, the one whose target its
    metadata records, else "podcast"."""
    if info.preset is not None:
        return info.preset
    recorded = dict(info.loudness).get("target_lufs")
    return next((p.name for p in PRESETS.values() if p.target_lufs == recorded), "podcast")


class Published(Protocol):
    """What the rule reads of a published episode (`publish.records.EpisodeRecord`)."""

    @property
    def number(self) -> int: ...
    @property
    def preset(self) -> str: ...
    @property
    def target(self) -> Target: ...


P = TypeVar("P", bound=Published)


def by_target(records: Iterable[P]) -> dict[float, list[P]]:
    """The episodes grouped by the loudness they were mastered for."""
    groups: dict[float, list[P]] = {}
    for record in records:
        groups.setdefault(record.target.lufs, []).append(record)
    return groups


def describe(groups: dict[float, list[P]]) -> str:
    """ "-16.0 LUFS (preset 'podcast': episodes 1, 2); -23.0 LUFS (preset 'broadcast': episode 3)"."""
    parts = []
    for lufs, records in sorted(groups.items(), reverse=True):
        presets = ", ".join(sorted({repr(r.preset) for r in records}))
        numbers = ", ".join(str(r.number) for r in sorted(records, key=lambda r: r.number))
        plural = "s" if len(records) > 1 else ""
        parts.append(f"{lufs:.1f} LUFS (preset {presets}: episode{plural} {numbers})")
    return "; ".join(parts)


def refuse_mixed_loudness(target: Target, others: Iterable[Published], title: str) -> None:
    """Raise PublishError when the episode `title` at `target` would join episodes mastered for
    another loudness."""
    groups = by_target(others)
    if groups and target.lufs not in groups:
        raise PublishError(
            f"episode {title!r} is mastered for {target}, the feed's episodes for {describe(groups)}",
            cause=f"one feed should keep one loudness: build with their preset, or {ALLOW_HOW}",
        )
