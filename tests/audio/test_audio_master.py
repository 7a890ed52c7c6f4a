"""Loudness measurement, presets, mastering and the encode-decode-check loop."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from procfs import HAS_PROC, rss_file_kib

from briefing.audio import dsp, master, truepeak
from briefing.audio.presets import PRESETS, Preset, get_preset
from briefing.errors import AudioError
from briefing.models import Mark, Pcm, Timeline


def speechlike(seconds: float, rate: int, seed: int = 0, level: float = 0.1) -> np.ndarray:
    """Harmonic voice (random phases, gliding pitch) cut into syllables and pauses."""
    rng = np.random.default_rng(seed)
    n = round(seconds * rate)
    t = np.arange(n) / rate
    phase = 2 * np.pi * np.cumsum(130.0 * (1 + 0.1 * np.sin(2 * np.pi * 0.5 * t))) / rate
    voice = sum(np.sin(k * phase + rng.uniform(0, 6.3)) / k for k in range(1, 12))
    env = np.zeros(n)
    at = 0.0
    while at < seconds - 0.3:
        size = rng.uniform(0.12, 0.25)
        i, j = round(at * rate), round((at + size) * rate)
        env[i:j] = np.sin(np.linspace(0, np.pi, j - i)) ** 2 * rng.uniform(0.4, 1.0)
        at += size + (0.4 if rng.random() < 0.1 else rng.uniform(0, 0.05))
    return (level * voice * env).astype(np.float32)


def timeline(seconds: float, rate: int, level: float = 0.1) -> Timeline:
    x = speechlike(seconds, rate, level=level)
    half = x.shape[0] // 2
    chapters = (Mark("Intro", 0, half), Mark("Suite", half, x.shape[0]))
    sentences = (Mark("Une phrase.", rate // 10, half - rate // 10), Mark("Deux.", half, half + 7))
    return Timeline(Pcm(x, rate), chapters, sentences)


@pytest.mark.parametrize("rate", [44_100, 48_000])
def test_measure_agrees_with_pyloudnorm(rate: int) -> None:
    x = speechlike(20.0, rate, seed=rate)
    x[: 5 * rate] *= 0.2  # a quieter start, so the range is not trivial
    meter = pyloudnorm.Meter(rate)
    got = master.measure(Pcm(x, rate))
    assert got.integrated_lufs == pytest.approx(meter.integrated_loudness(x), abs=0.01)
    assert got.lra_lu == pytest.approx(meter.loudness_range(x.astype(np.float64)), abs=0.05)
    assert got.true_peak_dbtp == pytest.approx(truepeak.true_peak_db(x, rate))
    assert got.true_peak_dbtp >= 20 * np.log10(np.abs(x).max())


def test_measure_of_silence_is_minus_infinity() -> None:
    got = master.measure(Pcm(np.zeros(48_000, dtype=np.float32), 48_000))
    assert got.integrated_lufs == -np.inf and np.isnan(got.lra_lu)


def test_presets_are_the_delivery_specs() -> None:
    podcast, broadcast = get_preset("podcast"), get_preset("broadcast")
    assert (podcast.target_lufs, podcast.rate, podcast.mp3_kbps) == (-16.0, 44_100, 96)
    assert (broadcast.target_lufs, broadcast.rate, broadcast.mp3_kbps) == (-23.0, 48_000, 256)
    assert broadcast.wav_bits == 24 and podcast.wav_bits is None
    assert all(p.true_peak_dbtp == -1.0 and p.tolerance_lu == 0.5 for p in PRESETS.values())


def test_unknown_preset_lists_the_choices() -> None:
    with pytest.raises(AudioError, match="broadcast, podcast"):
        get_preset("radio")


def test_preset_overrides_are_checked() -> None:
    quieter = get_preset("podcast").replace(target_lufs=-18.0)
    assert isinstance(quieter, Preset) and quieter.target_lufs == -18.0
    assert get_preset("podcast").target_lufs == -16.0
    with pytest.raises(AudioError, match="100 kbps"):
        get_preset("podcast").replace(mp3_kbps=100)
    with pytest.raises(AudioError, match="no setting colour"):
        get_preset("podcast").replace(colour="blue")
    with pytest.raises(AudioError, match="mono"):
        get_preset("broadcast").replace(channels=2)


def test_master_hits_target_at_preset_rate_with_marks_moved() -> None:
    source = timeline(20.0, 24_000, level=0.02)
    preset = get_preset("podcast")
    done = master.master(source, preset)
    assert done.pcm.rate == 44_100
    assert abs(done.pcm.frames - source.pcm.frames * 44_100 / 24_000) <= 1
    loud = master.measure(done.pcm)
    assert loud.integrated_lufs == pytest.approx(-16.0, abs=preset.tolerance_lu / 5)
    assert loud.true_peak_dbtp <= preset.true_peak_dbtp
    assert done.chapters[0].start == 0 and done.chapters[-1].end == done.pcm.frames
    assert done.chapters[0].end == done.chapters[1].start
    want = round(source.sentences[0].end * 44_100 / 24_000)
    assert done.sentences[0].end == want and done.sentences[0].title == "Une phrase."


def test_master_and_encode_podcast_mp3_checks_out(tmp_path: Path) -> None:
    preset = get_preset("podcast")
    dest = tmp_path / "episode.mp3"
    report = master.master_and_encode(timeline(30.0, 44_100, level=0.3), preset, dest)
    decoded = master.decode_mp3_for_check(dest)
    assert decoded.rate == 44_100 and report.rate == 44_100
    assert abs(decoded.frames - report.timeline.pcm.frames) <= 1152
    loud = master.measure(decoded)
    assert abs(loud.integrated_lufs - preset.target_lufs) <= preset.tolerance_lu
    assert loud.true_peak_dbtp <= preset.true_peak_dbtp
    assert report.mp3_loudness.integrated_lufs == pytest.approx(loud.integrated_lufs, abs=1e-6)
    assert report.frames == report.timeline.pcm.frames and report.wav is None
    heard = master.measure(report.timeline.pcm)  # the report's PCM is what listeners hear
    assert heard.integrated_lufs == pytest.approx(loud.integrated_lufs, abs=0.2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["episode.mp3"]


def test_master_and_encode_broadcast_writes_checked_wav(tmp_path: Path) -> None:
    preset = get_preset("broadcast")
    mp3, wav = tmp_path / "ep.mp3", tmp_path / "ep.wav"
    report = master.master_and_encode(timeline(12.0, 44_100), preset, mp3, wav)
    assert report.rate == 48_000 and report.wav == wav and report.wav_loudness is not None
    back = master.decode(wav, 48_000)
    assert back.frames == report.frames
    loud = master.measure(back)
    assert abs(loud.integrated_lufs + 23.0) <= 0.5 and loud.true_peak_dbtp <= -1.0
    assert wav.read_bytes()[34:36] == (24).to_bytes(2, "little")
    mp3_loud = master.measure(master.decode_mp3_for_check(mp3))
    assert abs(mp3_loud.integrated_lufs + 23.0) <= 0.5 and mp3_loud.true_peak_dbtp <= -1.0
    assert abs(mp3.stat().st_size - 256_000 / 8 * report.seconds) < 0.05 * mp3.stat().st_size


def test_overshooting_mp3_is_remade_with_a_lower_ceiling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, calls = master.measure, []

    def first_one_peaks(pcm: Pcm) -> master.Loudness:
        got = real(pcm)
        calls.append(got)
        if len(calls) == 1:
            return master.Loudness(got.integrated_lufs, -0.4, got.lra_lu)
        return got

    monkeypatch.setattr(master, "measure", first_one_peaks)
    preset = get_preset("podcast")
    report = master.master_and_encode(timeline(8.0, 44_100), preset, tmp_path / "e.mp3")
    assert report.attempts == 2 and len(calls) == 2
    first_ceiling = preset.true_peak_dbtp - preset.limiter_headroom_db
    first_ceiling -= master.codec_gain_db(44_100, 96, preset.mp3_quality)
    assert report.ceiling_dbtp == pytest.approx(first_ceiling - 0.6 - 0.2)
    assert report.mp3_loudness.true_peak_dbtp <= -1.0


def test_never_ships_an_out_of_tolerance_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = master.measure

    def always_hot(pcm: Pcm) -> master.Loudness:  # whatever the gain: a stuck meter
        got = real(pcm)
        return master.Loudness(-12.0, got.true_peak_dbtp, got.lra_lu)

    monkeypatch.setattr(master, "measure", always_hot)
    dest = tmp_path / "e.mp3"
    dest.write_bytes(b"yesterday's good episode")
    with pytest.raises(AudioError, match="-12.00 LUFS .* after 3 attempt"):
        master.master_and_encode(timeline(6.0, 44_100), get_preset("podcast"), dest)
    assert [p.name for p in tmp_path.iterdir()] == ["e.mp3"]
    assert dest.read_bytes() == b"yesterday's good episode"


def test_a_bad_wav_keeps_both_files_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = master.encode_wav

    def quiet_wav(pcm: Pcm, dest: Path, bits: int = 24) -> None:
        real(Pcm(pcm.samples * np.float32(0.5), pcm.rate), dest, bits)

    monkeypatch.setattr(master, "encode_wav", quiet_wav)
    mp3, wav = tmp_path / "e.mp3", tmp_path / "e.wav"
    with pytest.raises(AudioError, match="WAV measures -29"):
        master.master_and_encode(timeline(6.0, 44_100), get_preset("broadcast"), mp3, wav)
    assert list(tmp_path.iterdir()) == []


def test_silence_cannot_be_mastered(tmp_path: Path) -> None:
    silent = Timeline(Pcm(np.zeros(44_100 * 2, dtype=np.float32), 44_100), (), ())
    with pytest.raises(AudioError, match="silent"):
        master.master(silent, get_preset("podcast"))
    broken = Timeline(Pcm(np.full(44_100, np.nan, dtype=np.float32), 44_100), (), ())
    with pytest.raises(AudioError, match="NaN"):
        master.master_and_encode(broken, get_preset("podcast"), tmp_path / "x.mp3")


def test_codec_gain_is_measured_and_small() -> None:
    gain = master.codec_gain_db(44_100, 96)
    assert -1.5 < gain < 0.5
    assert master.codec_gain_db(44_100, 96) == gain  # measured once, then remembered


def test_a_codec_that_shifts_loudness_is_corrected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = master.measure

    def two_lu_hot(pcm: Pcm) -> master.Loudness:
        got = real(pcm)
        return master.Loudness(got.integrated_lufs + 2.0, got.true_peak_dbtp, got.lra_lu)

    monkeypatch.setattr(master, "measure", two_lu_hot)
    report = master.master_and_encode(timeline(6.0, 44_100), get_preset("podcast"), tmp_path / "e.mp3")
    assert report.attempts == 2
    assert report.mp3_loudness.integrated_lufs == pytest.approx(-16.0, abs=0.1)
    assert real(master.decode_mp3_for_check(tmp_path / "e.mp3")).integrated_lufs == pytest.approx(
        -18.0, abs=0.1
    )


def test_in_place_masters_the_timelines_own_samples(tmp_path: Path) -> None:
    preset = get_preset("podcast")
    copy = master.master_and_encode(timeline(10.0, 44_100), preset, tmp_path / "a.mp3")
    source = timeline(10.0, 44_100)
    kept = source.pcm.samples.copy()
    assert not np.array_equal(copy.timeline.pcm.samples, kept)  # mastering changes the audio
    report = master.master_and_encode(source, preset, tmp_path / "b.mp3", in_place=True)
    assert report.timeline.pcm.samples is source.pcm.samples  # no second copy
    np.testing.assert_array_equal(report.timeline.pcm.samples, copy.timeline.pcm.samples)
    assert (tmp_path / "a.mp3").read_bytes() == (tmp_path / "b.mp3").read_bytes()
    other = timeline(10.0, 44_100)
    master.master_and_encode(other, preset, tmp_path / "c.mp3")
    np.testing.assert_array_equal(other.pcm.samples, kept)  # not asked: left alone


def test_in_place_leaves_the_samples_alone_when_the_mp3_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = master.measure
    monkeypatch.setattr(master, "measure", lambda pcm: master.Loudness(-12.0, real(pcm).true_peak_dbtp, 5.0))
    source = timeline(6.0, 44_100)
    kept = source.pcm.samples.copy()
    with pytest.raises(AudioError, match="after 3 attempt"):
        master.master_and_encode(source, get_preset("podcast"), tmp_path / "e.mp3", in_place=True)
    np.testing.assert_array_equal(source.pcm.samples, kept)


def test_stored_codec_gains_are_what_measuring_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing.audio import codec_gains
    from briefing.audio.ffmpeg import ffmpeg_exe

    identity = codec_gains.encoder_identity(ffmpeg_exe())
    known = codec_gains.MEASURED.get(identity) if identity else None
    for (rate, kbps, quality), gain in (known or {}).items():
        assert master.measure_codec_gain_db(rate, kbps, quality) == pytest.approx(gain, abs=1e-9)
    monkeypatch.setattr(codec_gains, "MEASURED", {})  # an ffmpeg build nobody measured
    master.codec_gain_db.cache_clear()
    try:
        assert master.codec_gain_db(44_100, 64) == master.measure_codec_gain_db(44_100, 64)
    finally:
        master.codec_gain_db.cache_clear()


@pytest.mark.skipif(not HAS_PROC, reason="Linux /proc needed")
def test_chapter_levels_let_the_decoded_audio_go_as_they_read(tmp_path: Path) -> None:
    from briefing.audio import ffmpeg

    rate = 48_000
    x = (0.25 * np.sin(np.arange(rate * 180) * 2 * np.pi * 440 / rate)).astype(np.float32)  # 35 MB decoded
    wav = tmp_path / "long.wav"
    ffmpeg.encode_wav(Pcm(x, rate), wav, bits=16)
    decoded = ffmpeg.decode_for_check(wav)
    chapters = (Mark("one", 0, rate * 60), Mark("two", rate * 60, x.size))
    before = rss_file_kib()
    levels = master._chapter_levels(decoded, chapters)
    assert levels == pytest.approx((dsp.gain_to_db(0.25 / np.sqrt(2)),) * 2, abs=0.01)
    assert rss_file_kib() - before < 10 * 1024  # an hour-long episode would otherwise stay resident
