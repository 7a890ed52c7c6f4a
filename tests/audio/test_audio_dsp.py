"""Signal processing: resampling, fades, trimming, looping, ducking, chunking."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from signals import sine

from briefing.audio import dsp, truepeak
from briefing.errors import AudioError
from briefing.models import Pcm


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
    assert truepeak.true_peak_db(x, rate) == pytest.approx(0.0, abs=0.1)
    assert truepeak.true_peak_db(np.zeros(100, dtype=np.float32), rate) == -np.inf


def test_true_peak_envelope_covers_each_sample_and_its_neighbours() -> None:
    rate = 44_100
    x = np.zeros(rate, dtype=np.float32)
    x[1000] = 0.8
    env = truepeak.true_peak_envelope(x, rate)
    assert env[999] >= 0.8 and env[1000] >= 0.8 and env[1001] >= 0.8
    assert env[5000] < 1e-3


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
