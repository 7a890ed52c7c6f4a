"""Signal processing on mono float32 arrays: resampling, fades, gain, ducking, true peak, limiter.

Everything is vectorised numpy (no per-sample Python loops) and works on one episode-long array
without making copies of it: long steps go chunk by chunk or region by region, and the limiter
hands out its output a chunk at a time (`render`) for the caller to measure, encode or store.
"""

from __future__ import annotations

import math
import mmap
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from briefing.errors import AudioError
from briefing.models import Pcm

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Floats = npt.NDArray[np.float32]
    Doubles = npt.NDArray[np.float64]

    from briefing.audio.truepeak import Peaks

_CHUNK = 1 << 17
_LIMITER_BLOCK = 8
_SEGMENT = 1 << 14  # limiter blocks per segment


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


def _box_mean(values: Doubles, width: int) -> Doubles:
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


def true_peak_envelope(samples: Floats, rate: int) -> Floats:
    """Per-sample true-peak envelope: max |oversampled signal| over [i-1, i+2)."""
    from briefing.audio.truepeak import true_peak_envelope as envelope

    return envelope(samples, rate)


def true_peak_db(samples: Floats, rate: int) -> float:
    """True peak in dBTP (4x oversampled), -inf for digital silence."""
    from briefing.audio.truepeak import true_peak_db as peak_db

    return peak_db(samples, rate)


def limiter_peaks(samples: Floats, rate: int) -> Peaks:
    """The true-peak envelope reduced to the limiter's blocks (what `limit_segments` reads), in half
    precision rounded up: the limiter never reduces less than it must, and an hour-long episode's
    blocks take 42 MB beside it instead of 83."""
    from briefing.audio.truepeak import envelope_blocks

    return envelope_blocks(samples, rate, _LIMITER_BLOCK, half=True)


def limit(
    samples: Floats,
    rate: int,
    ceiling_db: float,
    *,
    gain_db: float = 0.0,
    envelope: Floats | None = None,
    lookahead_ms: float = 5.0,
    release_ms: float = 150.0,
) -> Floats:
    """`samples` times `gain_db`, with a lookahead brickwall limiter keeping the true peak under
    `ceiling_db` dBTP. Returns a new array; the signal is not delayed.

    `envelope` is `true_peak_envelope(samples)` if already known. See `limit_segments`.
    """
    import numpy as np

    from briefing.audio.truepeak import block_max

    if envelope is None:
        peaks = limiter_peaks(samples, rate)
    else:
        peaks = block_max(envelope, _LIMITER_BLOCK)
    n = samples.shape[0]
    segments = limit_segments(peaks, n, rate, ceiling_db - gain_db, lookahead_ms, release_ms)
    out = np.empty(n, dtype=np.float32)
    for start, piece in render(samples, gain_db, segments):
        out[start : start + piece.shape[0]] = piece
    return out


def render(
    samples: Floats, gain_db: float, segments: Iterable[tuple[int, Floats]], scale: float = 1.0
) -> Iterator[tuple[int, Floats]]:
    """(start, piece) in order covering `samples` times `gain_db`, times each limiter segment's
    per-sample gain where there is one, then times `scale`: the limited signal a chunk at a time."""
    import numpy as np

    gain, n = np.float32(db_to_gain(gain_db)), samples.shape[0]
    extra = None if scale == 1.0 else np.float32(scale)
    pending = iter(segments)
    segment = next(pending, None)
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        piece = np.multiply(samples[start:stop], gain, dtype=np.float32)
        while segment is not None and segment[0] < stop:
            first, reduction = segment
            lo, hi = max(first, start), min(first + reduction.shape[0], stop)
            piece[lo - start : hi - start] *= reduction[lo - first : hi - first]
            if first + reduction.shape[0] > stop:
                break  # the rest of this segment falls in the next piece
            segment = next(pending, None)
        if extra is not None:
            piece *= extra
        yield start, piece


def limit_segments(
    peaks: Peaks,
    frames: int,
    rate: int,
    threshold_db: float,
    lookahead_ms: float = 5.0,
    release_ms: float = 150.0,
) -> Iterator[tuple[int, Floats]]:
    """(start sample, per-sample gain) pieces, in order, of a lookahead brickwall limiter that keeps
    `frames` samples whose block true peaks are `peaks` under `threshold_db`.

    The gain reduction is worked out on blocks of 8 samples (each block covering its neighbours,
    so the per-sample interpolation never reduces less than needed): a max-hold then two cascaded
    box filters make it ramp in over the lookahead, and it recovers by 10 dB every `release_ms`,
    linear in dB. Only the regions around overs are processed, in segments, so the work arrays
    stay small whatever the episode's length; elsewhere the gain is 1.
    """
    import numpy as np

    threshold = db_to_gain(threshold_db)
    over = np.flatnonzero(peaks > np.float32(threshold))  # not the threshold rounded to half precision
    if over.size == 0:
        return
    box = max(1, round(frames_of(rate, lookahead_ms) / 2 / _LIMITER_BLOCK))
    slope = 10.0 * _LIMITER_BLOCK / max(1.0, rate * release_ms / 1000.0)  # dB per block
    worst = gain_to_db(float(peaks.max()) / threshold)
    reach = 4 * box + math.ceil(worst / slope) + 4  # blocks from an over to full gain again
    gaps = np.flatnonzero(np.diff(over) > 2 * reach)
    firsts = np.concatenate([over[:1], over[gaps + 1]])
    lasts = np.concatenate([over[gaps], over[-1:]])
    for first, last in zip(firsts.tolist(), lasts.tolist(), strict=True):
        lo, hi = max(0, first - reach), min(peaks.shape[0], last + reach + 1)
        yield from _limit_region(peaks, lo, hi, threshold, box, slope, frames)


def _limit_region(
    peaks: Peaks, lo: int, hi: int, threshold: float, box: int, slope: float, frames: int
) -> Iterator[tuple[int, Floats]]:
    """The limiter gain over blocks [lo, hi), one segment of blocks at a time.

    Each segment is computed on a window with `margin` blocks of context on both sides (the
    hold looks ahead, the boxes look back); the release carries over from the previous window.
    """
    import numpy as np

    block, hold = _LIMITER_BLOCK, 2 * box - 1
    margin = hold + 2 * box
    carry = 0.0  # released reduction just before the window (the region starts at rest)
    for s in range(lo, hi, _SEGMENT):
        e = min(hi, s + _SEGMENT)
        w0, w1 = max(lo, s - margin), min(hi, e + margin)
        a, b = max(0, w0 - 1), min(peaks.shape[0], w1 + 1)
        need = np.maximum(20.0 * np.log10(np.maximum(peaks[a:b].astype(np.float64), 1e-12) / threshold), 0.0)
        wide = need.copy()
        wide[1:] = np.maximum(wide[1:], need[:-1])
        wide[:-1] = np.maximum(wide[:-1], need[1:])
        need = wide[w0 - a : w0 - a + (w1 - w0)]
        ramp = np.arange(need.shape[0], dtype=np.float64) * slope
        released = np.maximum(np.maximum.accumulate(need + ramp) - ramp, carry - slope - ramp)
        resume = max(lo, e - margin) - 1  # where the next window's carry is read
        carry = float(released[resume - w0]) if resume >= w0 else 0.0
        ahead = np.concatenate([released, np.zeros(hold - 1)])
        held = sliding_max(ahead, hold)[hold - 1 :]
        reduction = _box_mean(_box_mean(held, box), box)
        g0, g1 = max(w0, s - 1), min(w1, e + 1)  # one block beyond the segment to interpolate
        gain = np.power(10.0, -reduction[g0 - w0 : g1 - w0] / 20.0)
        start, stop = s * block, min(frames, e * block)
        yield start, _between_centres(gain, s - g0, e - s)[: stop - start]


def _between_centres(gain: Doubles, first: int, count: int) -> Floats:
    """Per-sample gain for `count` blocks from block `first` of `gain` (one value per block, at
    its centre), interpolated linearly and held flat beyond the ends: exactly what np.interp
    gives for those sample positions (slope * (x - xp[j]) + fp[j]), without its searching."""
    import numpy as np

    block, half = _LIMITER_BLOCK, _LIMITER_BLOCK // 2
    padded = np.concatenate([gain[:1], gain, gain[-1:]])
    mid = padded[first + 1 : first + 1 + count]
    before, after = padded[first : first + count], padded[first + 2 : first + 2 + count]
    offset = np.arange(block, dtype=np.float64) - (block - 1) / 2.0  # sample minus block centre
    out = np.empty((count, block), dtype=np.float32)
    out[:, :half] = ((mid - before) / block)[:, None] * (offset[:half] + block) + before[:, None]
    out[:, half:] = ((after - mid) / block)[:, None] * offset[half:] + mid[:, None]
    return out.ravel()
