"""Signal processing on mono float32 arrays: resampling, fades, gain, ducking, chunking.

Everything is vectorised numpy (no per-sample Python loops) and works on one episode-long array
without making copies of it: long steps go chunk by chunk or region by region. The true peak is in
`truepeak`, the limiter built on both in `limiter`.
"""

from __future__ import annotations

import math
import mmap
from collections.abc import Iterator
from typing import TYPE_CHECKING

from briefing.errors import AudioError
from briefing.models import Pcm

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Floats = npt.NDArray[np.float32]
    Doubles = npt.NDArray[np.float64]

CHUNK = 1 << 17


def frames_of(rate: int, ms: float) -> int:
    """Milliseconds to a whole number of samples at `rate`."""
    return max(0, round(rate * ms / 1000.0))


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def gain_to_db(gain: float) -> float:
    return 20.0 * math.log10(gain) if gain > 0 else -math.inf


def resample(pcm: Pcm, rate: int, quality: str = "VHQ") -> Pcm:
    """`pcm` at `rate` Hz (soxr, very high quality by default); the same samples if already so."""
    import numpy as np
    import soxr

    samples = np.ascontiguousarray(pcm.samples, dtype=np.float32)
    if pcm.rate == rate or samples.size == 0:
        return Pcm(samples, rate)
    if rate <= 0 or pcm.rate <= 0:
        raise AudioError(f"cannot resample {pcm.rate} Hz to {rate} Hz", cause="bad sample rate")
    out = soxr.resample(samples, pcm.rate, rate, quality=quality)
    return Pcm(np.ascontiguousarray(out, dtype=np.float32), rate)


def silence(frames: int) -> Floats:
    import numpy as np

    return np.zeros(max(0, frames), dtype=np.float32)


def fade_curve(frames: int) -> Floats:
    """A raised-cosine ramp from (nearly) 0 to (nearly) 1 over `frames` samples."""
    import numpy as np

    phase = (np.arange(frames, dtype=np.float64) + 0.5) / max(frames, 1)
    return (0.5 - 0.5 * np.cos(np.pi * phase)).astype(np.float32)


def apply_fades(samples: Floats, fade_in: int, fade_out: int) -> None:
    """Fade the start and end of `samples` in place (each fade at most half the length)."""
    half = samples.shape[0] // 2
    fade_in, fade_out = min(fade_in, half), min(fade_out, half)
    if fade_in > 0:
        samples[:fade_in] *= fade_curve(fade_in)
    if fade_out > 0:
        samples[-fade_out:] *= fade_curve(fade_out)[::-1]


def block_rms_db(samples: Floats, hop: int) -> Doubles:
    """RMS level in dBFS of consecutive `hop`-sample blocks (the last one zero-padded)."""
    import numpy as np

    blocks = -(-samples.shape[0] // hop)
    padded = np.zeros(blocks * hop, dtype=np.float32)
    padded[: samples.shape[0]] = samples
    power = np.square(padded.reshape(blocks, hop), dtype=np.float32).mean(axis=1, dtype=np.float64)
    level: Doubles = 10.0 * np.log10(power + 1e-20)
    return level


def active_bounds(samples: Floats, rate: int, floor_db: float = 50.0) -> tuple[int, int]:
    """Where sound starts and ends: first/last 10 ms block within `floor_db` of the loudest one.

    Keeps 20 ms before the first sound and 80 ms after the last (decays). (0, 0) for silence.
    """
    import numpy as np

    hop = max(1, frames_of(rate, 10))
    if samples.shape[0] == 0:
        return 0, 0
    level = block_rms_db(samples, hop)
    loud = np.flatnonzero(level > max(float(level.max()) - floor_db, -80.0))
    if loud.size == 0:
        return 0, 0
    start = max(0, int(loud[0]) * hop - frames_of(rate, 20))
    end = min(samples.shape[0], (int(loud[-1]) + 1) * hop + frames_of(rate, 80))
    return start, end


def loop_to(samples: Floats, frames: int, crossfade: int) -> Floats:
    """Repeat a loop to exactly `frames` samples, crossfading `crossfade` samples at each seam."""
    import numpy as np

    size = samples.shape[0]
    if size == 0:
        raise AudioError("cannot loop an empty bed", cause="the bed file has no audio")
    crossfade = min(crossfade, size // 2)
    period = size - crossfade
    out = np.zeros(frames + size, dtype=np.float32)
    piece = samples.astype(np.float32, copy=True)
    if crossfade:
        ramp = fade_curve(crossfade)
        piece[:crossfade] *= ramp
        piece[-crossfade:] *= ramp[::-1]
    for start in range(0, frames, period):
        out[start : start + size] += piece
    if crossfade:
        out[:crossfade] = samples[:crossfade]
    return out[:frames]


def duck_gain(
    sidechain: Floats,
    rate: int,
    threshold_db: float,
    depth_db: float,
    attack_ms: float = 40.0,
    release_ms: float = 450.0,
    lookahead_ms: float = 80.0,
) -> Floats:
    """Per-sample gain for music under `sidechain` (the voice): 1 when it is quiet, down by
    `depth_db` while its 10 ms RMS is above `threshold_db`, moving with smooth attack/release.

    The follower looks `lookahead_ms` ahead so the music is already down when a word starts.
    """
    import numpy as np

    n = sidechain.shape[0]
    hop = max(1, frames_of(rate, 10))
    active = (block_rms_db(sidechain, hop) > threshold_db).astype(np.float64)
    ahead = max(1, round(lookahead_ms / 10.0))
    active = sliding_max(np.concatenate([active, np.zeros(ahead - 1)]), ahead)[ahead - 1 :]
    rise = math.exp(-10.0 / max(attack_ms, 1e-3))
    fall = math.exp(-10.0 / max(release_ms, 1e-3))
    env = np.empty_like(active)
    level = 0.0
    for i, target in enumerate(active.tolist()):
        coef = rise if target > level else fall
        level = coef * level + (1.0 - coef) * target
        env[i] = level
    centres = (np.arange(env.shape[0], dtype=np.float64) + 0.5) * hop
    per_sample = np.interp(np.arange(n, dtype=np.float64), centres, env)
    return np.power(10.0, -depth_db * per_sample / 20.0).astype(np.float32)


def sliding_max(values: Doubles, width: int) -> Doubles:
    """max(values[i-width+1 .. i]) for every i (values before the start count as 0).

    van Herk / Gil-Werman: two running maxima per block, O(n) whatever the width.
    """
    import numpy as np

    n = values.shape[0]
    if width <= 1 or n == 0:
        return values.astype(np.float64, copy=True)
    total = -(-(n + width - 1) // width) * width
    padded = np.zeros(total, dtype=np.float64)
    padded[width - 1 : width - 1 + n] = values
    blocks = padded.reshape(-1, width)
    prefix = np.maximum.accumulate(blocks, axis=1).ravel()
    suffix = np.maximum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.maximum(suffix[:n], prefix[width - 1 : width - 1 + n])


def box_mean(values: Doubles, width: int) -> Doubles:
    """mean(values[i-width+1 .. i]) for every i; before the start the first value repeats."""
    import numpy as np

    if width <= 1 or values.shape[0] == 0:
        return values
    padded = np.concatenate([np.full(width - 1, values[0]), values])
    sums = np.concatenate([np.zeros(1), np.cumsum(padded)])
    mean: Doubles = (sums[width:] - sums[:-width]) / width
    return mean


def chunks(samples: Floats, size: int) -> Iterator[tuple[int, Floats]]:
    """(start, view) for consecutive `size`-sample pieces of `samples`. For audio memory-mapped from
    a file (a decoded MP3 being checked), each piece's pages are let go once it has been used, so
    reading an hour of audio does not keep an hour of it resident; and a piece that is not aligned
    in memory (a WAV's samples start where its header ends) comes as an aligned copy."""
    import numpy as np

    mapping, base = samples.base, 0
    while mapping is not None and not isinstance(mapping, mmap.mmap):
        mapping = mapping.obj if isinstance(mapping, memoryview) else getattr(mapping, "base", None)
    if isinstance(mapping, mmap.mmap) and len(mapping) and hasattr(mapping, "madvise"):
        with memoryview(mapping) as view:  # read-only maps only: a private map would lose its writes
            if view.readonly:
                base = int(np.frombuffer(view, dtype=np.uint8, count=1).ctypes.data)
    for start in range(0, samples.shape[0], size):
        piece = samples[start : start + size]
        yield start, piece if piece.flags.aligned else np.array(piece)
        if base and isinstance(mapping, mmap.mmap):
            first = (int(piece.ctypes.data) - base) // mmap.PAGESIZE * mmap.PAGESIZE
            end = int(piece.ctypes.data) - base + piece.nbytes
            mapping.madvise(mmap.MADV_DONTNEED, first, max(0, end - first) // mmap.PAGESIZE * mmap.PAGESIZE)
