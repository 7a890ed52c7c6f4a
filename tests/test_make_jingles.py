"""The jingle synthesis script: deterministic, right lengths, clean levels, actually music."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from briefing.audio.ffmpeg import decode_mp3_for_check
from briefing.models import Pcm

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "make_jingles.py"
LENGTHS = {"intro": (4.0, 6.0), "outro": (4.0, 6.0), "stinger": (1.0, 1.5), "bed": (8.0, 15.0)}
D_MAJOR = {"D", "E", "F#", "G", "A", "B", "C#"}
NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    runs = []
    for name in ("first", "second"):
        out = tmp_path_factory.mktemp(name)
        subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], check=True, cwd=ROOT)
        runs.append(out)
    return runs[0], runs[1]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pitch_classes(pcm: Pcm) -> list[str]:
    """Pitch classes ranked by spectral energy between 100 Hz and 2 kHz."""
    power = np.abs(np.fft.rfft(pcm.samples.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(pcm.frames, 1 / pcm.rate)
    band = (freqs > 100) & (freqs < 2000)
    notes = np.round(12 * np.log2(freqs[band] / 440.0)).astype(int) + 69
    chroma = np.bincount(notes % 12, weights=power[band], minlength=12)
    return [NAMES[i] for i in np.argsort(chroma)[::-1]]


def test_same_bytes_every_run(made: tuple[Path, Path]) -> None:
    first, second = made
    names = sorted(p.name for p in first.iterdir())
    assert names == ["bed.flac", "intro.flac", "outro.flac", "stinger.flac"]
    assert [digest(first / n) for n in names] == [digest(second / n) for n in names]
    assert sum((first / n).stat().st_size for n in names) < 2_000_000  # small files


@pytest.mark.parametrize("name", sorted(LENGTHS))
def test_lengths_levels_and_edges(made: tuple[Path, Path], name: str) -> None:
    pcm = decode_mp3_for_check(made[0] / f"{name}.flac")
    low, high = LENGTHS[name]
    assert pcm.rate in (44_100, 48_000) and low <= pcm.seconds <= high
    x = pcm.samples
    assert 20 * np.log10(np.sqrt(np.mean(x**2))) > -30.0  # not silent
    assert np.abs(x).max() < 10 ** (-0.5 / 20)  # no clipping, headroom left
    if name == "bed":  # a loop: its end runs into its start without a jump
        typical = np.abs(np.diff(x)).mean()
        assert abs(float(x[-1]) - float(x[0])) < 10 * typical
    else:  # starts and ends in silence
        assert np.abs(x[:10]).max() < 0.01 and np.abs(x[-100:]).max() < 0.01


def test_it_is_music_in_d_major(made: tuple[Path, Path]) -> None:
    intro = decode_mp3_for_check(made[0] / "intro.flac")
    assert set(pitch_classes(intro)[:7]) == D_MAJOR
    # Chords under a melody: at any moment several notes sound together.
    window = intro.samples[intro.rate : intro.rate + 8192].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(window * np.hanning(window.shape[0])))
    freqs = np.fft.rfftfreq(window.shape[0], 1 / intro.rate)
    peaks = [
        f
        for i, f in enumerate(freqs[1:-1], start=1)
        if 100 < f < 2000
        and spectrum[i] > spectrum[i - 1]
        and spectrum[i] > spectrum[i + 1]
        and spectrum[i] > 0.1 * spectrum.max()
    ]
    notes = {round(12 * np.log2(f / 440.0)) % 12 for f in peaks}
    assert len(notes) >= 3


def test_shipped_jingles_are_what_the_script_makes(made: tuple[Path, Path]) -> None:
    shipped = ROOT / "voices" / "jingles"
    for name in LENGTHS:
        fresh = decode_mp3_for_check(made[0] / f"{name}.flac")
        kept = decode_mp3_for_check(shipped / f"{name}.flac")
        assert kept.rate == fresh.rate
        np.testing.assert_array_equal(kept.samples, fresh.samples)
