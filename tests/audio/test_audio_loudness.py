"""Streaming loudness: the blocked K-weighting filter, running energy sums, gating, one-pass measure."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
from hypothesis import given, settings, strategies as st
from pyloudnorm.iirfilter import IIRfilter
from scipy.signal import sosfilt

from briefing.audio import loudness
from briefing.models import Pcm


def noise(seconds: float, rate: int, seed: int = 0) -> np.ndarray:
    """Noise whose level wanders (a few blocks loud, a few quiet), so gates have work to do."""
    rng = np.random.default_rng(seed)
    n = round(seconds * rate)
    level = np.repeat(rng.uniform(0.005, 1.0, n // 2000 + 1), 2000)[:n]
    return (0.2 * rng.standard_normal(n) * level).astype(np.float32)


@pytest.mark.parametrize("rate", [16_000, 22_050, 44_100, 48_000])
def test_kweighting_is_pyloudnorms(rate: int) -> None:
    ours = loudness.kweighting_biquads(rate)
    theirs = (
        IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, rate, "high_shelf"),
        IIRfilter(0.0, 0.5, 38.0, rate, "high_pass"),
    )
    for (b, a), stage in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(b, stage.passband_gain * stage.b / stage.a[0], rtol=1e-12)
        np.testing.assert_allclose(a, stage.a / stage.a[0], rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 70_000), min_size=1, max_size=6), st.integers(0, 2**31))
def test_energy_sums_match_a_plain_iir_filter_whatever_the_pieces(sizes: list[int], seed: int) -> None:
    rate = 44_100
    x = noise(sum(sizes) / rate, rate, seed)[: sum(sizes)]
    n = x.shape[0]
    rng = np.random.default_rng(seed)
    at = np.unique(np.concatenate([[0, n], rng.integers(0, n + 1, 40)])).astype(np.int64)
    sos = np.array([np.concatenate([b, a]) for b, a in loudness.kweighting_biquads(rate)])
    want = np.concatenate([[0.0], np.cumsum(sosfilt(sos, x.astype(np.float64)) ** 2)])[at]
    sums = loudness.EnergySums(rate, at)
    start = 0
    for size in sizes:
        sums.feed(x[start : start + size])
        start += size
    got = sums.finish()
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-9)


def test_meter_fed_in_pieces_equals_the_whole() -> None:
    rate = 48_000
    x = noise(11.3, rate, seed=3)
    meter = loudness.LoudnessMeter(rate, x.shape[0])
    for start in range(0, x.shape[0], 12_345):
        meter.feed(x[start : start + 12_345])
    pieces = meter.result()
    whole = loudness.loudness_and_range(x, rate)
    assert pieces == pytest.approx(whole, abs=1e-6)


@pytest.mark.parametrize("seconds", [0.41, 3.0, 3.5, 9.7])
def test_measure_is_pyloudnorm_on_awkward_lengths(seconds: float) -> None:
    rate = 44_100
    x = noise(seconds, rate, seed=int(seconds * 10))
    meter = pyloudnorm.Meter(rate)
    got = loudness.measure(Pcm(x, rate))
    assert got.integrated_lufs == pytest.approx(meter.integrated_loudness(x), abs=1e-4)
    if seconds > 3.0:
        assert got.lra_lu == pytest.approx(meter.loudness_range(x.astype(np.float64)), abs=1e-3)


def test_too_short_or_silent_is_minus_infinity() -> None:
    rate = 44_100
    assert loudness.integrated_lufs(noise(0.3, rate), rate) == -np.inf  # no whole gating block
    assert loudness.integrated_lufs(np.zeros(0, dtype=np.float32), rate) == -np.inf
    quiet = loudness.measure(Pcm(np.zeros(rate * 5, dtype=np.float32), rate))
    assert quiet.integrated_lufs == -np.inf and np.isnan(quiet.lra_lu) and quiet.true_peak_dbtp == -np.inf
