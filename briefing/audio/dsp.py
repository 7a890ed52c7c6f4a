"""Signal processing on mono float32 arrays: resampling, fades, gain, ducking, true peak, limiter.

Everything is vectorised numpy (no per-sample Python loops) and works on one episode-long array
without making many copies of it: long steps go chunk by chunk or region by region.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from briefing.errors import AudioError
from briefing.models import Pcm

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Floats = npt.NDArray[np.float32]
    Doubles = npt.NDArray[np.float64]

OVERSAMPLE = 4
_CHUNK = 1 << 17
_CONTEXT = 512
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


def _peak_chunks(samples: Floats, rate: int) -> Iterator[tuple[int, Floats]]:
    """(start, peak) pairs: peak[i] = max |signal| between samples start+i and start+i+1,
    from a 4x soxr-oversampled copy (ITU-R BS.1770-4 Annex 2 true peak), chunk by chunk."""
    import numpy as np
    import soxr

    n = samples.shape[0]
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        lo, hi = max(0, start - _CONTEXT), min(n, stop + _CONTEXT)
        chunk = np.ascontiguousarray(samples[lo:hi], dtype=np.float32)
        up = soxr.resample(chunk, rate, rate * OVERSAMPLE, quality="HQ")
        first = (start - lo) * OVERSAMPLE
        part = np.zeros((stop - start) * OVERSAMPLE, dtype=np.float32)
        got = up[first : first + part.shape[0]]
        np.abs(got, out=part[: got.shape[0]])
        peak = np.abs(samples[start:stop]).astype(np.float32)
        for phase in range(OVERSAMPLE):  # strided maxima: much faster than reshape().max(axis=1)
            np.maximum(peak, part[phase::OVERSAMPLE], out=peak)
        yield start, peak


def true_peak_envelope(samples: Floats, rate: int) -> Floats:
    """Per-sample true-peak envelope: max |oversampled signal| over [i-1, i+2)."""
    import numpy as np

    env = np.zeros(samples.shape[0], dtype=np.float32)
    for start, peak in _peak_chunks(samples, rate):
        env[start : start + peak.shape[0]] = peak
    n, before = env.shape[0], 0.0
    for start in range(0, n, _CHUNK):  # widen by one sample each way, a chunk at a time
        stop = min(n, start + _CHUNK)
        own = env[start:stop].copy()
        after = float(env[stop]) if stop < n else 0.0
        np.maximum(env[start:stop], np.concatenate([[before], own[:-1]]), out=env[start:stop])
        np.maximum(env[start:stop], np.concatenate([own[1:], [after]]), out=env[start:stop])
        before = float(own[-1])
    return env


def true_peak_db(samples: Floats, rate: int) -> float:
    """True peak in dBTP (4x oversampled), -inf for digital silence."""
    top = 0.0
    for _start, peak in _peak_chunks(samples, rate):
        if peak.shape[0]:
            top = max(top, float(peak.max()))
    return gain_to_db(top)


def _block_max(values: Floats, size: int) -> Floats:
    """Maximum of each run of `size` values (the last run may be shorter); no full-size copy."""
    import numpy as np

    whole = values.shape[0] // size * size
    top = values[0:whole:size].astype(np.float32, copy=True)
    for phase in range(1, size):  # strided maxima: much faster than reshape().max(axis=1)
        np.maximum(top, values[phase:whole:size], out=top)
    if whole < values.shape[0]:
        top = np.append(top, np.float32(values[whole:].max()))
    return top


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

    `envelope` is `true_peak_envelope(samples)` if already known (it is reused across gains).
    The gain reduction is worked out on blocks of 8 samples (each block covering its
    neighbours, so the per-sample interpolation never reduces less than needed): a max-hold then
    two cascaded box filters make it ramp in over the lookahead, and it recovers by 10 dB every
    `release_ms`, linear in dB. Only the regions around overs are processed, in segments, so
    the work arrays stay small whatever the episode's length.
    """
    import numpy as np

    out = np.multiply(samples, np.float32(db_to_gain(gain_db)), dtype=np.float32)
    env = true_peak_envelope(samples, rate) if envelope is None else envelope
    threshold = db_to_gain(ceiling_db - gain_db)
    peaks = _block_max(env, _LIMITER_BLOCK)
    over = np.flatnonzero(peaks > threshold)
    if over.size == 0:
        return out
    box = max(1, round(frames_of(rate, lookahead_ms) / 2 / _LIMITER_BLOCK))
    slope = 10.0 * _LIMITER_BLOCK / max(1.0, rate * release_ms / 1000.0)  # dB per block
    worst = gain_to_db(float(peaks.max()) / threshold)
    reach = 4 * box + math.ceil(worst / slope) + 4  # blocks from an over to full gain again
    gaps = np.flatnonzero(np.diff(over) > 2 * reach)
    firsts = np.concatenate([over[:1], over[gaps + 1]])
    lasts = np.concatenate([over[gaps], over[-1:]])
    for first, last in zip(firsts.tolist(), lasts.tolist(), strict=True):
        lo, hi = max(0, first - reach), min(peaks.shape[0], last + reach + 1)
        _limit_region(out, peaks, lo, hi, threshold, box, slope)
    return out


def _limit_region(
    out: Floats, peaks: Floats, lo: int, hi: int, threshold: float, box: int, slope: float
) -> None:
    """Apply the limiter gain over blocks [lo, hi) of `out`, one segment of blocks at a time.

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
        need = np.maximum(20.0 * np.log10(np.maximum(peaks[a:b], 1e-12) / threshold), 0.0)
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
        centres = np.arange(g0, g1, dtype=np.float64) * block + (block - 1) / 2.0
        start, stop = s * block, min(out.shape[0], e * block)
        positions = np.arange(start, stop, dtype=np.float64)
        out[start:stop] *= np.interp(positions, centres, gain).astype(np.float32)
