"""MP3 round-trip level changes already measured, so a build does not have to encode a probe first.

Each value is what `master.measure_codec_gain_db(rate, kbps, quality)` returned with that ffmpeg
build; LAME is deterministic, so measuring again gives the same number. An ffmpeg build is named
by its file name and size (imageio-ffmpeg ships one fixed binary per version). Any build or
setting not listed here is measured when first needed. A test re-measures the listed values for
the binary it finds.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

#: (binary file name, size in bytes) -> {(rate, kbps, LAME quality): gain in dB}
MEASURED: Mapping[tuple[str, int], Mapping[tuple[int, int, int], float]] = MappingProxyType(
    {
        ("ffmpeg-linux-x86_64-v9.0.2", 172_692_552): MappingProxyType(
            {
                (44_100, 96, 3): -0.4454919210606087,  # podcast preset
                (48_000, 256, 3): -0.00013541140916287003,  # broadcast preset
            }
        ),
    }
)


def encoder_identity(exe: str) -> tuple[str, int] | None:
    """How `MEASURED` names the ffmpeg binary `exe`; None if it cannot be read."""
    try:
        path = Path(exe).resolve()
        return path.name, os.stat(path).st_size
    except OSError:
        return None


def known_gain(exe: str, rate: int, kbps: int, quality: int) -> float | None:
    """The stored measurement for this binary and setting, or None."""
    identity = encoder_identity(exe)
    table = MEASURED.get(identity) if identity is not None else None
    return None if table is None else table.get((rate, kbps, quality))
