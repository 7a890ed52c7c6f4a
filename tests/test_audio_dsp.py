"""Signal processing: resampling, fades, trimming, looping, ducking, true peak, limiter."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.audio import dsp
from briefing.errors import AudioError
from briefing.models import Pcm


def sine(seconds: float, rate: int, freq: float, amp: float = 0.5, phase: float = 0.0) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)


def test_resample_keeps_pitch_and_duration() -> None:
    out = dsp.resample(Pcm(sine(1.0, 24_000, 1500.0), 24_000), 44_100)
    assert out.rate == 44_100 and out.frames == 44_100
    spectrum = np.abs(np.fft.rfft(out.samples * np.hanning(out.frames)))
    assert abs(np.fft.rfftfreq(out.frames, 1 / 44_100)[np.argmax(spectrum)] - 1500.0) < 2.0
    same = Pcm(sine(0.1, 8_000, 100.0), 8_000)
    assert dsp.resample(same, 8_000).samples is same.samples


def test_resample_rejects_bad_rate() -> None:
    with pytest.raises(AudioError):
        dsp.resample(Pcm(sine(0.1, 8_000, 100.0), 8_000), 0)


def test_fades_are_raised_cosine_and_reach_silence() -> None:
    curve = dsp.fade_curve(64)
    assert np.all(np.diff(curve) > 0) and curve[0] < 0.001 and curve[-1] > 0.999
    x = np.ones(1000, dtype=np.float32)
    dsp.apply_fades(x, 100, 200)
    assert x[0] < 0.001 and x[-1] < 0.001 and x[500] == 1.0
    tiny = np.ones(3, dtype=np.float32)
    dsp.apply_fades(tiny, 100, 100)  # longer than the signal: capped, no error
    assert tiny[0] < 1.0


def test_active_bounds_finds_the_sound() -> None:
    rate = 16_000
    x = np.zeros(rate * 2, dtype=np.float32)
    x[8000:20000] = sine(0.75, rate, 200.0)
    start, end = dsp.active_bounds(x, rate)
    assert 8000 - 800 <= start <= 8000 and 20000 <= end <= 20000 + 1600
    assert dsp.active_bounds(np.zeros(100, dtype=np.float32), rate) == (0, 0)


def test_loop_to_is_exact_length_without_jumps() -> None:
    rate = 8_000
    loop = sine(1.0, rate, 50.0, 0.5)  # 50 whole cycles: a seamless loop
    out = dsp.loop_to(loop, 3 * rate + 123, dsp.frames_of(rate, 50))
    assert out.shape[0] == 3 * rate + 123
    natural = np.abs(np.diff(loop)).max()
    assert np.abs(np.diff(out)).max() <= natural * 1.5


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=80),
    st.integers(1, 20),
)
def test_sliding_max_matches_the_definition(values: list[float], width: int) -> None:
    arr = np.array(values, dtype=np.float64)
    want = [max([0.0, *values[max(0, i - width + 1) : i + 1]]) for i in range(len(values))]
    assert dsp.sliding_max(arr, width).tolist() == want


def test_true_peak_sees_between_samples() -> None:
    rate = 48_000
    # fs/4 at 45 degrees: every sample is at 0.707 of the real peak.
    x = sine(1.0, rate, rate / 4, 1.0, np.pi / 4)
    assert 20 * np.log10(np.abs(x).max()) == pytest.approx(-3.01, abs=0.05)
    assert dsp.true_peak_db(x, rate) == pytest.approx(0.0, abs=0.1)
    assert dsp.true_peak_db(np.zeros(100, dtype=np.float32), rate) == -np.inf


def test_true_peak_envelope_covers_each_sample_and_its_neighbours() -> None:
    rate = 44_100
    x = np.zeros(rate, dtype=np.float32)
    x[1000] = 0.8
    env = dsp.true_peak_envelope(x, rate)
    assert env[999] >= 0.8 and env[1000] >= 0.8 and env[1001] >= 0.8
    assert env[5000] < 1e-3


def test_limiter_holds_the_true_peak_without_delay() -> None:
    rate = 44_100
    rng = np.random.default_rng(7)
    x = sine(3.0, rate, 220.0, 0.2)
    x[30_000:31_000] += sine(1000 / rate, rate, 3000.0, 0.7)  # sharp overs
    x += (0.01 * rng.standard_normal(x.shape[0])).astype(np.float32)
    out = dsp.limit(x, rate, -1.0, gain_db=6.0)
    assert dsp.true_peak_db(out, rate) <= -1.0 + 0.05
    gain = dsp.db_to_gain(6.0)
    far = slice(80_000, 120_000)  # well away from the overs: exactly the make-up gain
    np.testing.assert_allclose(out[far], x[far] * gain, rtol=1e-5, atol=1e-7)
    lags = np.correlate(out[20_000:40_000], x[20_000:40_000], mode="full")
    assert int(np.argmax(lags)) - (20_000 - 1) == 0


def test_limiter_gain_is_smooth() -> None:
    rate = 48_000
    x = np.full(2 * rate, 0.3, dtype=np.float32)
    x[48_000:48_200] = 1.2
    out = dsp.limit(x, rate, -1.0)
    gain = out / x
    assert gain.min() <= dsp.db_to_gain(-1.0) / 1.2  # it did limit the burst...
    assert dsp.true_peak_db(out, rate) <= -1.0 + 0.05
    assert np.abs(np.diff(gain)).max() < 0.01  # ...ramping over the lookahead, no jumps
    assert gain[:40_000].min() == 1.0 and gain[-40_000:].min() == 1.0


def test_duck_gain_lowers_music_under_voice() -> None:
    rate = 16_000
    voice = np.zeros(rate * 6, dtype=np.float32)
    voice[2 * rate : 4 * rate] = sine(2.0, rate, 180.0, 0.3)
    gain = dsp.duck_gain(voice, rate, threshold_db=-40.0, depth_db=8.0)

    def to_db(g: np.ndarray) -> np.ndarray:
        return 20 * np.log10(g)

    assert to_db(gain[:rate]).max() > -0.1  # before the voice: full level
    assert to_db(gain[int(2.5 * rate) : int(3.8 * rate)]) == pytest.approx(-8.0, abs=0.2)
    assert to_db(gain[int(5.8 * rate) :]).max() > -1.0  # released again
    assert to_db(gain[2 * rate]) < -3.0  # lookahead: already going down when the voice starts
    assert np.abs(np.diff(gain)).max() < 0.01  # smooth


def test_limiter_segments_are_seamless(monkeypatch: pytest.MonkeyPatch) -> None:
    rate = 16_000
    rng = np.random.default_rng(11)
    x = (0.3 * rng.standard_normal(8 * rate)).astype(np.float32)  # overs everywhere
    x[3 * rate : 3 * rate + 50] = 1.5
    monkeypatch.setattr(dsp, "_SEGMENT", 1 << 30)
    whole = dsp.limit(x, rate, -3.0, gain_db=3.0)
    monkeypatch.setattr(dsp, "_SEGMENT", 37)  # many segments, odd size
    pieces = dsp.limit(x, rate, -3.0, gain_db=3.0)
    np.testing.assert_allclose(pieces, whole, rtol=1e-6, atol=1e-7)
    assert dsp.true_peak_db(pieces, rate) <= -3.0 + 0.05


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
    np.testing.assert_array_equal(dsp._between_centres(gain, first, count), want)


def test_render_in_pieces_is_the_limiter_output() -> None:
    rate = 44_100
    rng = np.random.default_rng(3)
    x = (0.3 * rng.standard_normal(5 * rate)).astype(np.float32)
    whole = dsp.limit(x, rate, -2.0, gain_db=4.0)
    peaks = dsp.limiter_peaks(x, rate)
    pieces = list(dsp.render(x, 4.0, dsp.limit_segments(peaks, x.shape[0], rate, -6.0), scale=0.5))
    assert [start for start, _ in pieces] == list(range(0, x.shape[0], dsp._CHUNK))
    joined = np.concatenate([piece for _start, piece in pieces])
    np.testing.assert_array_equal(joined, whole * np.float32(0.5))
