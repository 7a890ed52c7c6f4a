"""The true-peak limiter: a lookahead brickwall limiter over the true-peak envelope, computed in
segments and handed out a chunk at a time (`render`) for the caller to measure, encode or store.

It needs both the signal primitives (`dsp`) and the oversampled peaks (`truepeak`), so it sits above
both.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from briefing.audio.dsp import CHUNK, box_mean, db_to_gain, frames_of, gain_to_db, sliding_max
from briefing.audio.truepeak import block_max, envelope_blocks

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from briefing.audio.truepeak import Peaks

    Floats = npt.NDArray[np.float32]
    Doubles = npt.NDArray[np.float64]

_LIMITER_BLOCK = 8
_SEGMENT = 1 << 14  # limiter blocks per segment


def limiter_peaks(samples: Floats, rate: int) -> Peaks:
    """The true-peak envelope reduced to the limiter's blocks (what `limit_segments` reads), in half
    precision rounded up: the limiter never reduces less than it must, and an hour-long episode's
    blocks take 42 MB beside it instead of 83."""
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
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
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
        reduction = box_mean(box_mean(held, box), box)
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
