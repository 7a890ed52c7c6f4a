"""The true-peak limiter: ceiling kept, seamless segments, chunked rendering."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from signals import sine

from briefing.audio import dsp, limiter, truepeak


def test_limiter_holds_the_true_peak_without_delay() -> None:
    rate = 44_100
    rng = np.random.default_rng(7)
    x = sine(3.0, rate, 220.0, 0.2)
    x[30_000:31_000] += sine(1000 / rate, rate, 3000.0, 0.7)  # sharp overs
    x += (0.01 * rng.standard_normal(x.shape[0])).astype(np.float32)
    out = limiter.limit(x, rate, -1.0, gain_db=6.0)
    assert truepeak.true_peak_db(out, rate) <= -1.0 + 0.05
    gain = dsp.db_to_gain(6.0)
    far = slice(80_000, 120_000)  # well away from the overs: exactly the make-up gain
    np.testing.assert_allclose(out[far], x[far] * gain, rtol=1e-5, atol=1e-7)
    lags = np.correlate(out[20_000:40_000], x[20_000:40_000], mode="full")
    assert int(np.argmax(lags)) - (20_000 - 1) == 0


def test_limiter_gain_is_smooth() -> None:
    rate = 48_000
    x = np.full(2 * rate, 0.3, dtype=np.float32)
    x[48_000:48_200] = 1.2
    out = limiter.limit(x, rate, -1.0)
    gain = out / x
    assert gain.min() <= dsp.db_to_gain(-1.0) / 1.2  # it did limit the burst...
    assert truepeak.true_peak_db(out, rate) <= -1.0 + 0.05
    assert np.abs(np.diff(gain)).max() < 0.01  # ...ramping over the lookahead, no jumps
    assert gain[:40_000].min() == 1.0 and gain[-40_000:].min() == 1.0


def test_limiter_segments_are_seamless(monkeypatch: pytest.MonkeyPatch) -> None:
    rate = 16_000
    rng = np.random.default_rng(11)
    x = (0.3 * rng.standard_normal(8 * rate)).astype(np.float32)  # overs everywhere
    x[3 * rate : 3 * rate + 50] = 1.5
    monkeypatch.setattr(limiter, "_SEGMENT", 1 << 30)
    whole = limiter.limit(x, rate, -3.0, gain_db=3.0)
    monkeypatch.setattr(limiter, "_SEGMENT", 37)  # many segments, odd size
    pieces = limiter.limit(x, rate, -3.0, gain_db=3.0)
    np.testing.assert_allclose(pieces, whole, rtol=1e-6, atol=1e-7)
    assert truepeak.true_peak_db(pieces, rate) <= -3.0 + 0.05


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.01, 1.0), min_size=1, max_size=40),
    st.integers(0, 39),
    st.integers(1, 40),
)
def test_limiter_interpolation_is_numpy_interp(gains: list[float], first: int, count: int) -> None:
    gain = np.array(gains, dtype=np.float64)
    first = min(first, len(gains) - 1)
    count = min(count, len(gains) - first)
    block = 8
    centres = np.arange(len(gains), dtype=np.float64) * block + (block - 1) / 2.0
    positions = np.arange(first * block, (first + count) * block, dtype=np.float64)
    want = np.interp(positions, centres, gain).astype(np.float32)
    np.testing.assert_array_equal(limiter._between_centres(gain, first, count), want)


def test_render_in_pieces_is_the_limiter_output() -> None:
    rate = 44_100
    rng = np.random.default_rng(3)
    x = (0.3 * rng.standard_normal(5 * rate)).astype(np.float32)
    whole = limiter.limit(x, rate, -2.0, gain_db=4.0)
    peaks = limiter.limiter_peaks(x, rate)
    pieces = list(limiter.render(x, 4.0, limiter.limit_segments(peaks, x.shape[0], rate, -6.0), scale=0.5))
    assert [start for start, _ in pieces] == list(range(0, x.shape[0], dsp.CHUNK))
    joined = np.concatenate([piece for _start, piece in pieces])
    np.testing.assert_array_equal(joined, whole * np.float32(0.5))
