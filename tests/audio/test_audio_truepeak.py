"""Streaming true peak, the limiter's block envelope, and reading memory-mapped audio piece by piece."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soxr
from hypothesis import given, settings, strategies as st
from procfs import HAS_PROC, rss_file_kib

from briefing.audio import dsp, ffmpeg, limiter, truepeak
from briefing.models import Pcm


def signal(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (0.2 * rng.standard_normal(n)).astype(np.float32)


def peaks_of_whole(x: np.ndarray, rate: int) -> np.ndarray:
    """The definition: |x[i]| and the 4 oversampled values in [i, i+1), from one soxr call."""
    up = np.abs(soxr.resample(x, rate, rate * 4, quality="HQ"))
    return np.maximum(np.abs(x), up.reshape(-1, 4).max(axis=1))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 40_000), min_size=1, max_size=5), st.integers(0, 2**31))
def test_fed_in_any_pieces_it_is_the_whole_signal_oversampled(sizes: list[int], seed: int) -> None:
    rate = 44_100
    x = signal(sum(sizes), seed)
    meter = truepeak.TruePeak(rate)
    got, start = [], 0
    for size in sizes:
        got.append(meter.feed(x[start : start + size]))
        start += size
    got.append(meter.finish())
    peaks = np.concatenate(got)
    assert peaks.shape == x.shape
    if x.size:
        np.testing.assert_array_equal(peaks, peaks_of_whole(x, rate))
        assert meter.top == float(peaks.max())


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 65_536 + 3, 200_001])
def test_limiter_blocks_are_the_block_maxima_of_the_envelope(n: int) -> None:
    x = signal(n, seed=n)
    env = truepeak.true_peak_envelope(x, 48_000)
    blocks = truepeak.envelope_blocks(x, 48_000, 8)
    assert blocks.shape == (-(-n // 8),)
    if n:
        np.testing.assert_array_equal(blocks, truepeak.block_max(env, 8))
        peaks = peaks_of_whole(x, 48_000)
        wide = np.maximum(peaks, np.maximum(np.r_[0.0, peaks[:-1]], np.r_[peaks[1:], 0.0]))
        np.testing.assert_array_equal(env, wide.astype(np.float32))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.0, truepeak.HALF_LIMIT, width=32), min_size=1, max_size=64))
def test_half_up_is_the_nearest_half_at_or_above(values: list[float]) -> None:
    x = np.array(values, dtype=np.float32)
    half = truepeak.half_up(x)
    assert half.dtype == np.float16
    assert (half.astype(np.float32) >= x).all()  # never below: the limiter never reduces too little
    below = np.nextafter(half, np.float16(-np.inf)).astype(np.float32)
    assert ((below < x) | (half == 0)).all()  # and the nearest such


def test_half_precision_limiter_blocks_are_rounded_up_and_take_half_the_memory() -> None:
    x = signal(200_001, seed=4)
    exact = truepeak.envelope_blocks(x, 48_000, 8)
    half = truepeak.envelope_blocks(x, 48_000, 8, half=True)
    assert half.dtype == np.float16 and half.nbytes * 2 == exact.nbytes
    assert (half.astype(np.float32) >= exact).all()
    assert (half.astype(np.float32) <= exact * 1.001).all()  # 0.1 % at most: 0.008 dB
    assert limiter.limiter_peaks(x, 48_000).dtype == np.float16


def test_audio_too_loud_for_half_precision_gets_single_precision() -> None:
    x = signal(100_000, seed=6)
    x[70_000] = 2 * truepeak.HALF_LIMIT  # broken audio, far over full scale, after the first chunk
    half = truepeak.envelope_blocks(x, 48_000, 8, half=True)
    exact = truepeak.envelope_blocks(x, 48_000, 8)
    assert half.dtype == np.float32 and np.isfinite(half).all()
    assert half.max() == exact.max() and (half >= exact).all()


@pytest.mark.skipif(not HAS_PROC, reason="Linux /proc needed")
def test_mapped_audio_read_in_chunks_does_not_stay_resident(tmp_path: Path) -> None:
    rate = 48_000
    x = np.clip(signal(rate * 120, seed=5), -0.99, 0.99)  # 2 minutes: 23 MB of float32 decoded
    wav = tmp_path / "long.wav"
    ffmpeg.encode_wav(Pcm(x, rate), wav, bits=16)
    first = ffmpeg.decode_for_check(wav)
    before = rss_file_kib()
    top = max(float(np.abs(piece).max()) for _start, piece in dsp.chunks(first.samples, 1 << 16))
    assert top == pytest.approx(float(np.abs(x).max()), abs=1e-4)
    assert rss_file_kib() - before < 4 * 1024  # let go as it went
    second = ffmpeg.decode_for_check(wav)  # the same, read without `chunks`: it stays
    before = rss_file_kib()
    plain = max(float(np.abs(second.samples[i : i + 65_536]).max()) for i in range(0, x.size, 65_536))
    assert plain == top
    assert rss_file_kib() - before > 15 * 1024


def test_unaligned_pieces_come_aligned() -> None:
    raw = np.zeros(4 * 1000 + 2, dtype=np.uint8)
    samples = np.frombuffer(raw.data, dtype=np.float32, count=1000, offset=2)
    assert not samples.flags.aligned
    assert all(piece.flags.aligned for _start, piece in dsp.chunks(samples, 300))
