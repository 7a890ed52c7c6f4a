"""True peak (ITU-R BS.1770-4 Annex 2): the signal oversampled 4x, streamed through one soxr
resampler so any length costs one pass and no episode-sized copy.

`TruePeak.feed` gives, for every input sample i, the largest |value| of the oversampled signal in
[i, i+1) (and |x[i]| itself); the limiter's envelope widens that by one sample each way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from briefing.audio.dsp import chunks, gain_to_db

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Floats = npt.NDArray[np.float32]
    Halves = npt.NDArray[np.float16]
    Peaks = npt.NDArray[np.float32] | npt.NDArray[np.float16]

OVERSAMPLE = 4
_CHUNK = 1 << 16
HALF_LIMIT = 60_000.0
"""Largest peak `envelope_blocks` keeps in half precision (whose range ends at 65,504)."""


class TruePeak:
    """Per-sample true peaks of audio fed in order, in chunks of any size."""

    def __init__(self, rate: int) -> None:
        import numpy as np
        import soxr

        self._stream = soxr.ResampleStream(rate, rate * OVERSAMPLE, 1, dtype="float32", quality="HQ")
        self._waiting = np.zeros(0, dtype=np.float32)  # |x| of samples whose oversampled values lag
        self._spare = np.zeros(0, dtype=np.float32)  # oversampled |values| not yet grouped by 4
        self.top = 0.0

    def feed(self, chunk: Floats, last: bool = False) -> Floats:
        """Peaks of the samples now complete (the resampler lags a little behind the input)."""
        import numpy as np

        chunk = np.ascontiguousarray(chunk, dtype=np.float32)
        up = np.abs(self._stream.resample_chunk(chunk, last=last))
        if self._spare.shape[0]:
            up = np.concatenate([self._spare, up])
        waiting = np.concatenate([self._waiting, np.abs(chunk)])
        ready = min(up.shape[0] // OVERSAMPLE, waiting.shape[0])
        if last:
            ready = waiting.shape[0]  # anything the resampler did not cover keeps its own |x|
            up = np.concatenate([up, np.zeros(ready * OVERSAMPLE - min(up.shape[0], ready * OVERSAMPLE))])
        peak = waiting[:ready].copy()
        for phase in range(OVERSAMPLE):  # strided maxima: much faster than reshape().max(axis=1)
            np.maximum(peak, up[phase : ready * OVERSAMPLE : OVERSAMPLE], out=peak)
        self._spare = up[ready * OVERSAMPLE :].copy()
        self._waiting = waiting[ready:].copy()
        if peak.shape[0]:
            self.top = max(self.top, float(peak.max()))
        return peak

    def finish(self) -> Floats:
        import numpy as np

        return self.feed(np.zeros(0, dtype=np.float32), last=True)


def envelope_chunks(samples: Floats, rate: int, multiple: int = 1) -> Iterator[tuple[int, Floats]]:
    """(start, envelope) pieces in order: envelope[i] = true peak over samples [i-1, i+2).
    Every piece but the last has a length that is a multiple of `multiple`."""
    import numpy as np

    meter = TruePeak(rate)
    held = np.zeros(0, dtype=np.float32)  # peaks not handed out yet
    before, done = 0.0, 0  # peak of the sample before `held`; samples handed out

    def widen(peaks: Floats, after: float) -> Floats:
        env = peaks.copy()
        np.maximum(env[1:], peaks[:-1], out=env[1:])
        np.maximum(env[:-1], peaks[1:], out=env[:-1])
        env[0] = max(env[0], before)
        env[-1] = max(env[-1], after)
        return env

    def peaks() -> Iterator[tuple[Floats, bool]]:
        for _start, chunk in chunks(samples, _CHUNK):
            yield meter.feed(chunk), False
        yield meter.finish(), True

    for fresh, last in peaks():
        held = np.concatenate([held, fresh]) if held.shape[0] else fresh
        # Keep one peak back (the right neighbour of the last one handed out) until the end.
        usable = held.shape[0] if last else (held.shape[0] - 1) // multiple * multiple
        if usable <= 0:
            continue
        after = float(held[usable]) if usable < held.shape[0] else 0.0
        yield done, widen(held[:usable], after)
        before, done, held = float(held[usable - 1]), done + usable, held[usable:]


def true_peak_envelope(samples: Floats, rate: int) -> Floats:
    """Per-sample true-peak envelope: max |oversampled signal| over [i-1, i+2)."""
    import numpy as np

    env = np.zeros(samples.shape[0], dtype=np.float32)
    for start, piece in envelope_chunks(samples, rate):
        env[start : start + piece.shape[0]] = piece
    return env


def block_max(values: Floats, size: int) -> Floats:
    """Maximum of each run of `size` values (the last run may be shorter); no full-size copy."""
    import numpy as np

    whole = values.shape[0] // size * size
    top = values[0:whole:size].astype(np.float32, copy=True)
    for phase in range(1, size):  # strided maxima: much faster than reshape().max(axis=1)
        np.maximum(top, values[phase:whole:size], out=top)
    if whole < values.shape[0]:
        top = np.append(top, np.float32(values[whole:].max()))
    return top


def envelope_blocks(samples: Floats, rate: int, size: int, *, half: bool = False) -> Peaks:
    """`block_max(true_peak_envelope(samples), size)` without the per-sample envelope in memory.

    `half`: in half precision, each value rounded up (`half_up`): half the memory (an hour's limiter
    blocks take 42 MB instead of 83), never below a peak. Audio with a peak over `HALF_LIMIT` (broken
    audio, far over full scale) gets single precision all the same."""
    import numpy as np

    out: Peaks = np.zeros(-(-samples.shape[0] // size), dtype=np.float16 if half else np.float32)
    for start, piece in envelope_chunks(samples, rate, size):
        top = block_max(piece, size)
        if out.dtype == np.float16 and top.shape[0] and float(top.max()) > HALF_LIMIT:
            out = out.astype(np.float32)  # the blocks so far stay rounded up: still never below
        at = start // size
        out[at : at + top.shape[0]] = half_up(top) if out.dtype == np.float16 else top
    return out


def half_up(values: Floats) -> Halves:
    """Non-negative `values` (at most `HALF_LIMIT`) in half precision, each rounded up to the nearest
    half-precision number at or above it (0.1 % higher at most: 0.008 dB)."""
    import numpy as np

    rounded = values.astype(np.float16)
    low = rounded.astype(np.float32) < values
    rounded[low] = np.nextafter(rounded[low], np.float16(np.inf))
    return rounded


def true_peak_db(samples: Floats, rate: int) -> float:
    """True peak in dBTP (4x oversampled), -inf for digital silence."""
    meter = TruePeak(rate)
    for _start, chunk in chunks(samples, _CHUNK):
        meter.feed(chunk)
    meter.finish()
    return gain_to_db(meter.top)
