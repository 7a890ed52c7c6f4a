"""ffmpeg wrapper: finding the binary, decoding anything, MP3/FLAC/WAV encoding, failures."""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from briefing.audio import ffmpeg
from briefing.errors import AudioError
from briefing.models import Pcm


def tone(seconds: float, rate: int, freq: float = 440.0, amp: float = 0.5) -> Pcm:
    t = np.arange(round(seconds * rate)) / rate
    return Pcm((amp * np.sin(2 * np.pi * freq * t)).astype(np.float32), rate)


def dominant_hz(pcm: Pcm) -> float:
    spectrum = np.abs(np.fft.rfft(pcm.samples * np.hanning(pcm.frames)))
    return float(np.fft.rfftfreq(pcm.frames, 1 / pcm.rate)[np.argmax(spectrum)])


def test_ffmpeg_exe_prefers_path_then_imageio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ffmpeg.shutil, "which", lambda name: "/opt/bin/ffmpeg")
    assert ffmpeg.ffmpeg_exe() == "/opt/bin/ffmpeg"
    monkeypatch.setattr(ffmpeg.shutil, "which", lambda name: None)
    exe = ffmpeg.ffmpeg_exe()
    assert Path(exe).is_file() and os.access(exe, os.X_OK)


def test_ffmpeg_exe_missing_says_how_to_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ffmpeg.shutil, "which", lambda name: None)
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)
    with pytest.raises(AudioError, match="pip install imageio-ffmpeg"):
        ffmpeg.ffmpeg_exe()


def test_mp3_round_trip_keeps_length_and_has_xing_but_no_id3(tmp_path: Path) -> None:
    pcm = tone(3.3, 44_100)
    dest = tmp_path / "out.mp3"
    ffmpeg.encode_mp3(pcm, dest, 96)
    data = dest.read_bytes()
    assert data[:3] != b"ID3" and data[-128:-125] != b"TAG"
    assert data[0] == 0xFF and data[1] & 0xE0 == 0xE0  # first byte is an MPEG frame sync
    assert b"Info" in data[:200] or b"Xing" in data[:200]
    assert abs(len(data) - 96_000 / 8 * pcm.seconds) < 0.05 * len(data)  # CBR size
    back = ffmpeg.decode_mp3_for_check(dest)
    assert back.rate == 44_100
    assert abs(back.frames - pcm.frames) <= 1152
    assert abs(dominant_hz(back) - 440.0) < 2.0
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp3"]


def test_encoded_files_are_readable_by_others(tmp_path: Path) -> None:
    dest = tmp_path / "out.mp3"
    ffmpeg.encode_mp3(tone(0.5, 44_100), dest, 96)
    assert dest.stat().st_mode & stat.S_IRGRP  # not mkstemp's 0600


def test_strange_file_names_are_not_options(tmp_path: Path) -> None:
    dest = tmp_path / "-y name with spaces & ?.mp3"
    ffmpeg.encode_mp3(tone(0.5, 24_000), dest, 64)
    assert ffmpeg.decode(dest, 24_000).frames > 0


def test_decode_resamples_and_keeps_pitch(tmp_path: Path) -> None:
    src = tmp_path / "tone.wav"
    ffmpeg.encode_wav(tone(2.0, 48_000, 1000.0), src, bits=16)
    out = ffmpeg.decode(src, 22_050)
    assert out.rate == 22_050
    assert abs(out.frames - 2.0 * 22_050) <= 2
    assert abs(dominant_hz(out) - 1000.0) < 2.0


def test_decode_mixes_stereo_to_mono(tmp_path: Path) -> None:
    rate = 16_000
    left = tone(1.0, rate, 300.0).samples
    pcm16 = (np.stack([left, np.zeros_like(left)], axis=1) * 32767).astype("<i2")
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm16.tobytes())
    mono = ffmpeg.decode(path, rate)
    assert mono.samples.ndim == 1 and mono.frames == left.shape[0]
    ratio = np.sqrt(np.mean(mono.samples**2)) / np.sqrt(np.mean(left**2))
    assert 0.4 < ratio < 0.75  # the silent right channel is averaged in


def test_decode_rejects_non_audio_naming_the_file(tmp_path: Path) -> None:
    bogus = tmp_path / "article.txt"
    bogus.write_text("Ceci n'est pas un son.\n" * 50, encoding="utf-8")
    with pytest.raises(AudioError, match="article.txt"):
        ffmpeg.decode(bogus, 44_100)
    with pytest.raises(AudioError, match="missing.flac"):
        ffmpeg.decode(tmp_path / "missing.flac", 44_100)


def test_wav_is_plain_riff_pcm_24_bit(tmp_path: Path) -> None:
    rate = 48_000
    rng = np.random.default_rng(3)
    samples = (rng.uniform(-0.9, 0.9, 4801)).astype(np.float32)
    dest = tmp_path / "ep.wav"
    ffmpeg.encode_wav(Pcm(samples, rate), dest)
    data = dest.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert struct.unpack_from("<I", data, 4)[0] == len(data) - 8
    assert data[12:16] == b"fmt " and struct.unpack_from("<I", data, 16)[0] == 16
    tag, channels, got_rate, byte_rate, align, bits = struct.unpack_from("<HHIIHH", data, 20)
    assert (tag, channels, got_rate, byte_rate, align, bits) == (1, 1, rate, rate * 3, 3, 24)
    assert data[36:40] == b"data" and struct.unpack_from("<I", data, 40)[0] == 3 * 4801
    with wave.open(str(dest), "rb") as back:
        raw = np.frombuffer(back.readframes(back.getnframes()), dtype=np.uint8).reshape(-1, 3)
    wide = raw.astype(np.int32)
    ints = (wide[:, 0] | wide[:, 1] << 8 | wide[:, 2] << 16) << 8 >> 8  # sign-extend 24 bits
    assert np.max(np.abs(ints / 2**23 - samples)) <= 1 / 2**23


def test_wav_clips_instead_of_wrapping(tmp_path: Path) -> None:
    ints = ffmpeg.pcm_to_int(np.array([1.5, -1.5, 1.0, -1.0], dtype=np.float32), 16)
    assert ints.tolist() == [32767, -32768, 32767, -32768]


def test_flac_is_byte_identical_run_to_run(tmp_path: Path) -> None:
    pcm = tone(1.0, 44_100, 523.25, 0.3)
    first, second = tmp_path / "a.flac", tmp_path / "b.flac"
    ffmpeg.encode_flac(pcm, first)
    ffmpeg.encode_flac(pcm, second)
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (first, second)]
    assert digest[0] == digest[1]
    back = ffmpeg.decode_mp3_for_check(first)
    assert back.frames == pcm.frames
    assert np.max(np.abs(back.samples - pcm.samples)) < 1 / 2**15 + 1e-6


def test_ffmpeg_failure_is_audio_error_and_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\necho 'Unknown encoder libmp3lame' >&2\nexit 1\n")
    fake.chmod(0o755)
    dest = tmp_path / "episode.mp3"
    dest.write_bytes(b"previous episode")
    monkeypatch.setattr(ffmpeg, "ffmpeg_exe", lambda: str(fake))
    with pytest.raises(AudioError, match="Probable cause: Unknown encoder libmp3lame"):
        ffmpeg.encode_mp3(tone(1.0, 44_100), dest, 96)
    assert dest.read_bytes() == b"previous episode"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["episode.mp3", "ffmpeg"]


def test_encoder_that_dies_mid_stream_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\nhead -c 1000 >/dev/null\necho 'Conversion failed!' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(ffmpeg, "ffmpeg_exe", lambda: str(fake))
    with pytest.raises(AudioError, match="Conversion failed"):
        ffmpeg.encode_mp3(tone(20.0, 44_100), tmp_path / "x.mp3", 96)
    assert [p.name for p in tmp_path.iterdir()] == ["ffmpeg"]


def test_mp3_rejects_rates_it_cannot_carry(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="11000 Hz"):
        ffmpeg.encode_mp3(tone(0.2, 11_000), tmp_path / "x.mp3", 64)


def test_mp3_from_pieces_is_the_mp3_of_the_whole(tmp_path: Path) -> None:
    pcm = tone(3.0, 44_100, 523.0)
    whole, pieces = tmp_path / "whole.mp3", tmp_path / "pieces.mp3"
    ffmpeg.encode_mp3(pcm, whole, 96)
    cuts = (0, 1000, 50_001, 50_002, pcm.frames)
    parts = (pcm.samples[a:b] for a, b in zip(cuts, cuts[1:], strict=False))
    ffmpeg.encode_mp3_pieces(parts, pcm.rate, pieces, 96)
    assert whole.read_bytes() == pieces.read_bytes()


def test_check_decode_is_a_read_only_map_of_the_same_audio(tmp_path: Path) -> None:
    src = tmp_path / "t.wav"
    ffmpeg.encode_wav(tone(1.0, 48_000), src, bits=24)
    mapped = ffmpeg.decode_for_check(src)
    read = ffmpeg.decode(src, 48_000)
    assert mapped.rate == 48_000 and not mapped.samples.flags.writeable
    np.testing.assert_array_equal(mapped.samples, read.samples)
    empty = tmp_path / "empty.wav"
    ffmpeg.encode_wav(Pcm(np.zeros(0, dtype=np.float32), 48_000), empty)
    assert ffmpeg.decode_for_check(empty).frames == 0
