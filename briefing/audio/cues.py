"""Where an episode's sound starts and ends, and its gain to the ReplayGain reference, for playout.

Liquidsoap (the engine under AzuraCast and many small stations) honours the `liq_cue_in`,
`liq_cue_out` and `replaygain_track_gain` tags, so a station can skip its own analysis of the file.
The cue points come from the timeline's marks (sentences and jingles, in samples), not from a
guess on the decoded file; the gain from the integrated loudness measured on the published audio.
The MP3's ID3 tag carries them (export.tags); a Broadcast WAV writer can use the same values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from briefing.errors import AudioError
from briefing.models import Timeline

__all__ = ["REPLAYGAIN_REFERENCE_LUFS", "PlayoutCues", "playout_cues"]

#: ReplayGain 2.0 plays every track as loud as -18 LUFS (EBU R128 measurement).
REPLAYGAIN_REFERENCE_LUFS = -18.0
CUE_IN, CUE_OUT, TRACK_GAIN = "liq_cue_in", "liq_cue_out", "replaygain_track_gain"


@dataclass(frozen=True, slots=True)
class PlayoutCues:
    """Cue in/out in whole milliseconds from the start; the track gain in dB (two decimals)."""

    cue_in_ms: int
    cue_out_ms: int
    replaygain_db: float

    def __post_init__(self) -> None:
        if not 0 <= self.cue_in_ms <= self.cue_out_ms:
            raise AudioError(f"cue in {self.cue_in_ms} ms / cue out {self.cue_out_ms} ms are not in order")
        if not math.isfinite(self.replaygain_db):
            raise AudioError(f"ReplayGain track gain is {self.replaygain_db}")
        object.__setattr__(self, "replaygain_db", float(f"{self.replaygain_db:.2f}"))

    def tags(self) -> tuple[tuple[str, str], ...]:
        """The tags as Liquidsoap reads them: seconds with 3 decimals, and "-2.35 dB"."""
        return (
            (CUE_IN, f"{self.cue_in_ms / 1000:.3f}"),
            (CUE_OUT, f"{self.cue_out_ms / 1000:.3f}"),
            (TRACK_GAIN, f"{self.replaygain_db:.2f} dB"),
        )

    @classmethod
    def from_tags(cls, tags: Mapping[str, str]) -> PlayoutCues | None:
        """Read `tags()` back; None when one of the three is missing. A malformed one: AudioError."""
        if not all(key in tags for key in (CUE_IN, CUE_OUT, TRACK_GAIN)):
            return None
        try:
            gain = tags[TRACK_GAIN].strip()
            if not gain.endswith("dB"):
                raise ValueError(f"{TRACK_GAIN} {gain!r} has no dB unit")
            return cls(
                round(float(tags[CUE_IN]) * 1000),
                round(float(tags[CUE_OUT]) * 1000),
                float(gain.removesuffix("dB")),
            )
        except ValueError as e:
            raise AudioError("malformed playout tags", cause=str(e)) from e


def playout_cues(timeline: Timeline, integrated_lufs: float) -> PlayoutCues:
    """Cue in where the first sentence or jingle starts, cue out where the last one ends (rounded
    outwards to the millisecond, so no sound is cut), and the gain that brings `integrated_lufs`
    to the ReplayGain 2.0 reference. A timeline without marks is cued from end to end."""
    rate, frames = timeline.pcm.rate, timeline.pcm.frames
    marks = (*timeline.sentences, *timeline.music)
    start = min((m.start for m in marks), default=0)
    end = min(max((m.end for m in marks), default=frames), frames)
    if rate <= 0 or start > end:
        raise AudioError(f"cannot cue a timeline of {frames} samples at {rate} Hz from {start} to {end}")
    return PlayoutCues(
        cue_in_ms=start * 1000 // rate,
        cue_out_ms=-(-end * 1000 // rate),
        replaygain_db=REPLAYGAIN_REFERENCE_LUFS - integrated_lufs,
    )
