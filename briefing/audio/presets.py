"""Delivery presets: loudness target, true-peak ceiling, sample rate and encodings per use."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from briefing.errors import AudioError

#: CBR bitrates (kbps) an MP3 layer III stream can have, by sample rate family.
MPEG1_RATES = (32_000, 44_100, 48_000)
MPEG1_KBPS = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
MPEG2_RATES = (16_000, 22_050, 24_000)
MPEG2_KBPS = (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)


@dataclass(frozen=True, slots=True)
class Preset:
    """How a finished episode must measure and be encoded (mono only).

    `limiter_headroom_db`: the first limiter ceiling sits this far under `true_peak_dbtp`, to leave
    room for the overshoot MP3 encoding adds; mastering lowers it further if the decoded MP3 still
    goes over.
    """

    name: str
    target_lufs: float
    rate: int
    mp3_kbps: int
    tolerance_lu: float = 0.5
    true_peak_dbtp: float = -1.0
    wav_bits: int | None = None
    channels: int = 1
    limiter_headroom_db: float = 0.5
    mp3_quality: int = 3

    def __post_init__(self) -> None:
        where = f"preset {self.name!r}"
        if not -40.0 <= self.target_lufs <= -5.0:
            raise AudioError(f"{where}: target {self.target_lufs} LUFS", cause="use -40..-5 LUFS")
        if not 0.0 < self.tolerance_lu <= 3.0:
            raise AudioError(f"{where}: tolerance {self.tolerance_lu} LU", cause="use 0..3 LU")
        if not -12.0 <= self.true_peak_dbtp <= 0.0:
            raise AudioError(f"{where}: true peak {self.true_peak_dbtp} dBTP", cause="use -12..0")
        if not 0.0 <= self.limiter_headroom_db <= 6.0:
            raise AudioError(f"{where}: headroom {self.limiter_headroom_db} dB", cause="use 0..6")
        if self.channels != 1:
            raise AudioError(f"{where}: {self.channels} channels", cause="only mono is supported")
        if self.rate in MPEG1_RATES:
            allowed = MPEG1_KBPS
        elif self.rate in MPEG2_RATES:
            allowed = MPEG2_KBPS
        else:
            rates = MPEG2_RATES + MPEG1_RATES
            raise AudioError(f"{where}: {self.rate} Hz", cause=f"MP3 takes one of {rates}")
        if self.mp3_kbps not in allowed:
            raise AudioError(f"{where}: {self.mp3_kbps} kbps at {self.rate} Hz", cause=f"{allowed}")
        if self.wav_bits not in (None, 16, 24):
            raise AudioError(f"{where}: {self.wav_bits}-bit WAV", cause="use 16 or 24 bits")
        if not 0 <= self.mp3_quality <= 9:
            raise AudioError(f"{where}: MP3 quality {self.mp3_quality}", cause="LAME takes 0..9")

    def replace(self, **changes: object) -> Preset:
        """A copy with some values changed (checked again), e.g. `p.replace(target_lufs=-18.0)`."""
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise AudioError(
                f"preset {self.name!r} has no setting {', '.join(unknown)}",
                cause=f"choose from {', '.join(sorted(names))}",
            )
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


PRESETS: Mapping[str, Preset] = MappingProxyType(
    {
        # Apple Podcasts / AES TD1004: -16 LUFS integrated, true peak <= -1 dBTP, mono 96 kbps CBR.
        # LAME at 96 kbps lifts true peaks 0.4-0.6 dB over the limiter's ceiling on espeak speech
        # (0.25-0.45 on kokoro): 0.8 dB of headroom lets the first encode pass (-1.2 dBTP)
        # instead of a second full encode after a -0.96 dBTP miss.
        "podcast": Preset(
            name="podcast", target_lufs=-16.0, rate=44_100, mp3_kbps=96, limiter_headroom_db=0.8
        ),
        # EBU R128: -23 LUFS +-0.5 LU, <= -1 dBTP; 48 kHz 256 kbps CBR MP3 plus a 24-bit WAV.
        "broadcast": Preset(name="broadcast", target_lufs=-23.0, rate=48_000, mp3_kbps=256, wav_bits=24),
    }
)


def get_preset(name: str) -> Preset:
    """The named preset; an unknown name raises an AudioError listing the choices."""
    try:
        return PRESETS[name]
    except KeyError:
        raise AudioError(
            f"unknown audio preset {name!r}", cause=f"choose from {', '.join(sorted(PRESETS))}"
        ) from None
