"""Loudness as ITU-R BS.1770-4 and EBU Tech 3342 define it and pyloudnorm computes it, streamed.

The K-weighting is pyloudnorm's (two RBJ biquads: a +4 dB shelf at 1500 Hz, then a 38 Hz high pass),
run as one 4-state linear system a block of `_ROW` samples at a time: a block's output is its input
times the impulse-response matrix plus its starting state times the free-response matrix, and the
states at all block starts come from a log-depth scan across the blocks. So a chunk of audio costs a
few matrix products (no per-sample Python, no scipy: importing scipy.signal alone takes a second).
Gating blocks are summed from running sums of the squared K-weighted signal taken at their edges.
Everything is fed chunk by chunk: an hour-long episode needs no episode-sized temporary.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefing.audio import dsp

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from briefing.models import Pcm

    Ints = npt.NDArray[np.int64]
    Floats = npt.NDArray[np.float32]
    Doubles = npt.NDArray[np.float64]

_ROW = 32  # samples per block of the blocked filter
_CHUNK = 1 << 16  # 2048 blocks: the (blocks x 32) @ (32 x 4) products stay single-threaded too
# Rows per matrix product: OpenBLAS hands products above 65536 * 4 multiply-adds to worker threads,
# which on a busy machine (two builds at once) cost milliseconds per call instead of microseconds.
_GROUP = 256
_ABSOLUTE_GATE = -70.0


@dataclass(frozen=True, slots=True)
class Loudness:
    """Integrated loudness (LUFS), true peak (dBTP, 4x oversampled) and loudness range (LU)."""

    integrated_lufs: float
    true_peak_dbtp: float
    lra_lu: float


def kweighting_biquads(rate: int) -> tuple[tuple[Doubles, Doubles], ...]:
    """pyloudnorm's K-weighting stages as (b, a) pairs normalised by a[0]."""
    import numpy as np

    def rbj(gain_db: float, q: float, fc: float, shelf: bool) -> tuple[Doubles, Doubles]:
        big_a = 10.0 ** (gain_db / 40.0)
        w0 = 2.0 * np.pi * (fc / rate)
        alpha, cos = np.sin(w0) / (2.0 * q), np.cos(w0)
        if shelf:
            root = 2.0 * np.sqrt(big_a) * alpha
            b = [
                big_a * ((big_a + 1) + (big_a - 1) * cos + root),
                -2.0 * big_a * ((big_a - 1) + (big_a + 1) * cos),
                big_a * ((big_a + 1) + (big_a - 1) * cos - root),
            ]
            a = [
                (big_a + 1) - (big_a - 1) * cos + root,
                2.0 * ((big_a - 1) - (big_a + 1) * cos),
                (big_a + 1) - (big_a - 1) * cos - root,
            ]
        else:
            b = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2]
            a = [1 + alpha, -2.0 * cos, 1 - alpha]
        return np.asarray(b) / a[0], np.asarray(a) / a[0]

    return rbj(4.0, 1 / np.sqrt(2), 1500.0, True), rbj(0.0, 0.5, 38.0, False)


@dataclass(frozen=True, slots=True, eq=False)
class _Blocked:
    """The K-weighting filter as block matrices (see the module docstring)."""

    response: Floats  # (ROW, ROW): block input -> block output, transposed
    free: Floats  # (4, ROW): state at block start -> block output
    to_state: Doubles  # (ROW, 4): block input -> state at block end
    carry: Doubles  # (4, 4): state at block start -> state at block end, transposed
    scan: tuple[Doubles, ...]  # carry^(2^k) for the scan across blocks


@functools.lru_cache(maxsize=8)
def _blocked(rate: int) -> _Blocked:
    import numpy as np

    def section(b: Doubles, a: Doubles) -> tuple[Doubles, Doubles, Doubles, float]:
        # Transposed direct form II (scipy's sosfilt): y = b0 x + s0; s0' = b1 x - a1 y + s1; s1' = ...
        mat = np.array([[-a[1], 1.0], [-a[2], 0.0]])
        return mat, np.array([b[1] - a[1] * b[0], b[2] - a[2] * b[0]]), np.array([1.0, 0.0]), float(b[0])

    (a1, b1, c1, d1), (a2, b2, c2, d2) = (section(b, a) for b, a in kweighting_biquads(rate))
    a = np.zeros((4, 4))
    a[:2, :2], a[2:, :2], a[2:, 2:] = a1, np.outer(b2, c1), a2
    b = np.concatenate([b1, b2 * d1])
    c = np.concatenate([d2 * c1, c2])
    powers = [np.eye(4)]
    for _ in range(_ROW):
        powers.append(a @ powers[-1])
    impulse = np.array([d1 * d2] + [c @ powers[k] @ b for k in range(_ROW - 1)])
    lag = np.arange(_ROW)[:, None] - np.arange(_ROW)[None, :]
    response = np.where(lag >= 0, impulse[np.clip(lag, 0, None)], 0.0)
    scan = [powers[_ROW].T]
    for _ in range(20):  # enough for 2^20 blocks in one feed
        scan.append(scan[-1] @ scan[-1])
    return _Blocked(
        response=np.ascontiguousarray(response.T, dtype=np.float32),
        free=np.ascontiguousarray(np.stack([c @ powers[i] for i in range(_ROW)]).T, dtype=np.float32),
        to_state=np.stack([powers[_ROW - 1 - j] @ b for j in range(_ROW)]),
        carry=powers[_ROW].T,
        scan=tuple(scan),
    )


class EnergySums:
    """Sums of the squared K-weighted signal before each of the sorted positions `at` (samples),
    fed the audio in order, in chunks of any size."""

    def __init__(self, rate: int, at: Ints) -> None:
        import numpy as np

        self._f = _blocked(rate)
        self._at = at
        self.sums = np.zeros(at.shape[0], dtype=np.float64)
        self._state = np.zeros(4, dtype=np.float64)
        self._done = 0  # samples filtered so far (whole blocks)
        self._total = 0.0
        self._left = np.zeros(0, dtype=np.float32)  # fed samples short of a whole block

    def feed(self, chunk: Floats) -> None:
        import numpy as np

        if self._left.shape[0]:
            chunk = np.concatenate([self._left, chunk])
        whole = chunk.shape[0] // _ROW * _ROW
        for start in range(0, whole, _CHUNK):
            self._blocks(chunk[start : min(whole, start + _CHUNK)])
        self._left = np.array(chunk[whole:], dtype=np.float32)

    def finish(self) -> Doubles:
        """The sums, once all the audio has been fed (positions past the end get the total)."""
        import numpy as np

        if self._left.shape[0]:
            padded = np.zeros(_ROW, dtype=np.float32)
            padded[: self._left.shape[0]] = self._left
            self._left = padded[:0]
            self._blocks(padded)
        self.sums[np.searchsorted(self._at, self._done, side="right") :] = self._total
        return self.sums

    def _blocks(self, samples: Floats) -> None:
        import numpy as np

        f, rows = self._f, samples.shape[0] // _ROW
        x = np.ascontiguousarray(samples, dtype=np.float32).reshape(rows, _ROW)
        ends = x.astype(np.float64) @ f.to_state  # each block's own contribution to its end state
        ends[0] += self._state @ f.carry
        step = 0
        while (1 << step) < rows:  # ends[i] += carry^d ends[i-d], d = 1, 2, 4...: states at ends
            d = 1 << step
            ends[d:] += ends[:-d] @ f.scan[step]
            step += 1
        starts = np.concatenate([self._state[None, :], ends[:-1]]).astype(np.float32)
        y = _product(x, f.response)
        y += starts @ f.free
        self._state = ends[-1].copy()
        energy = np.einsum("ij,ij->i", y, y).astype(np.float64)
        before = np.concatenate([[0.0], np.cumsum(energy)])  # energy of the rows before each row
        lo = np.searchsorted(self._at, self._done, side="right")
        hi = np.searchsorted(self._at, self._done + rows * _ROW, side="right")
        if hi > lo:
            offset = self._at[lo:hi] - self._done  # 1 .. rows * ROW
            row = (offset - 1) // _ROW
            into = offset - row * _ROW  # samples of that row that lie before the position
            squares = np.square(y[row], dtype=np.float32)
            squares[np.arange(_ROW)[None, :] >= into[:, None]] = 0.0
            self.sums[lo:hi] = self._total + before[row] + squares.sum(axis=1, dtype=np.float64)
        self._total += float(before[-1])
        self._done += rows * _ROW


def _product(x: Floats, matrix: Floats) -> Floats:
    """x @ matrix, `_GROUP` rows at a time (one stacked product: each runs on this thread)."""
    import numpy as np

    rows, (inner, cols) = x.shape[0], matrix.shape
    whole = rows // _GROUP * _GROUP
    out = np.empty((rows, cols), dtype=np.float32)
    if whole:
        stacked = out[:whole].reshape(-1, _GROUP, cols)
        np.matmul(x[:whole].reshape(-1, _GROUP, inner), matrix, out=stacked)
    if whole < rows:
        np.matmul(x[whole:], matrix, out=out[whole:])
    return out


def _block_bounds(n: int, rate: int, block_s: float, overlap: float) -> tuple[Ints, Ints]:
    """Gating block starts and ends (samples), with pyloudnorm's arithmetic."""
    import numpy as np

    step = 1.0 - overlap
    count = int(np.round((n / rate - block_s) / (block_s * step))) + 1
    j = np.arange(max(count, 0), dtype=np.float64)
    lower = (block_s * (j * step) * rate).astype(np.int64)
    upper = (block_s * (j * step + 1) * rate).astype(np.int64)
    return np.minimum(lower, n), np.minimum(upper, n)


class LoudnessMeter:
    """Integrated loudness and loudness range of `frames` samples fed in order, chunk by chunk."""

    def __init__(self, rate: int, frames: int) -> None:
        import numpy as np

        self.rate, self.frames = rate, frames
        self._gating = _block_bounds(frames, rate, 0.4, 0.75)
        # Tech 3342 as pyloudnorm does it: 1.5 s of silence after the end (which adds no energy).
        lo_s, hi_s = _block_bounds(frames + int(1.5 * rate), rate, 3.0, 0.97)
        self._short = (np.minimum(lo_s, frames), np.minimum(hi_s, frames))
        self._at = np.unique(np.concatenate([*self._gating, *self._short]))
        self._sums = EnergySums(rate, self._at)

    def feed(self, chunk: Floats) -> None:
        self._sums.feed(chunk)

    def result(self) -> tuple[float, float]:
        """(integrated LUFS, loudness range LU); -inf and nan for silence or too little audio."""
        import numpy as np

        sums, at, rate = self._sums.finish(), self._at, self.rate

        def block_power(lower: Ints, upper: Ints, s: float) -> Doubles:
            energy = sums[np.searchsorted(at, upper)] - sums[np.searchsorted(at, lower)]
            return np.maximum(energy, 0.0) / (s * rate)

        with np.errstate(divide="ignore"):
            z = block_power(*self._gating, 0.4)
            level = -0.691 + 10.0 * np.log10(z)
            gated = z[level >= _ABSOLUTE_GATE]
            integrated = -math.inf
            if gated.size:
                relative = -0.691 + 10.0 * math.log10(float(gated.mean())) - 10.0
                kept = z[(level > relative) & (level > _ABSOLUTE_GATE)]
                if kept.size and kept.mean() > 0:
                    integrated = -0.691 + 10.0 * math.log10(float(kept.mean()))
            short = -0.691 + 10.0 * np.log10(block_power(*self._short, 3.0))
        short = short[short >= _ABSOLUTE_GATE]
        if not short.size:
            return integrated, math.nan
        mean_power = float(np.mean(np.power(10.0, short / 10.0)))
        short = short[short >= 10.0 * math.log10(mean_power) - 20.0]
        if not short.size:
            return integrated, math.nan
        return integrated, float(np.percentile(short, 95) - np.percentile(short, 10))


def loudness_and_range(samples: Floats, rate: int) -> tuple[float, float]:
    """(integrated LUFS, loudness range LU) of mono samples."""
    meter = LoudnessMeter(rate, samples.shape[0])
    for _start, chunk in dsp.chunks(samples, _CHUNK):
        meter.feed(chunk)
    return meter.result()


def integrated_lufs(samples: Floats, rate: int) -> float:
    """BS.1770-4 gated integrated loudness of mono samples; -inf if silent or too short (< 0.35 s)."""
    return loudness_and_range(samples, rate)[0]


def measure(pcm: Pcm) -> Loudness:
    """Integrated loudness, true peak and loudness range of `pcm`, in one pass over it."""
    from briefing.audio.truepeak import TruePeak

    meter = LoudnessMeter(pcm.rate, pcm.frames)
    peak = TruePeak(pcm.rate)
    for _start, chunk in dsp.chunks(pcm.samples, _CHUNK):
        meter.feed(chunk)
        peak.feed(chunk)
    peak.finish()
    integrated, lra = meter.result()
    return Loudness(integrated, dsp.gain_to_db(peak.top), lra)
