"""Speed of the audio stages (assembly, mastering, encoding and the decode-and-check) on a
synthetic ~5-minute episode, reported as times real time. Target: >= 50x for all of them together.

    python scripts/bench_audio.py [--minutes 5] [--preset podcast] [--jingles voices/jingles]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.audio.assemble import SoundDesign, assemble  # noqa: E402
from briefing.audio.master import master_and_encode  # noqa: E402
from briefing.audio.presets import Preset, get_preset  # noqa: E402
from briefing.models import Cue, CueKind, Mark, Pcm, Script, VoicedCue  # noqa: E402


def speech(seconds: float, rate: int, seed: int) -> npt.NDArray[np.float32]:
    """Speech-like sound: a gliding harmonic voice with vowel-like formants, cut into syllables
    (4-6 per second) and words, with sentence pauses."""
    rng = np.random.default_rng(seed)
    n = round(seconds * rate)
    t = np.arange(n) / rate
    pitch = 120.0 * (1.0 + 0.12 * np.sin(2 * np.pi * 0.4 * t + seed) + 0.04 * np.sin(7.0 * t))
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    formant = 500.0 + 400.0 * np.sin(2 * np.pi * 2.3 * t + seed) ** 2
    voice = np.zeros(n)
    for k in range(1, 16):  # random harmonic phases: a vocal tract disperses the glottal pulse
        weight = np.exp(-(((k * pitch) - formant) ** 2) / (2 * 300.0**2)) + 0.15 / k
        voice += weight * np.sin(k * phase + rng.uniform(0, 2 * np.pi))
    envelope = np.zeros(n)
    at = 0.0
    while at < seconds - 0.3:
        length = rng.uniform(0.12, 0.25)
        i, j = round(at * rate), min(n, round((at + length) * rate))
        envelope[i:j] = np.sin(np.pi * np.linspace(0.0, 1.0, j - i)) ** 2 * rng.uniform(0.5, 1.0)
        at += length + (rng.uniform(0.25, 0.5) if rng.random() < 0.12 else rng.uniform(0.0, 0.06))
    return (0.12 * voice * envelope).astype(np.float32)


def episode(minutes: float, rate: int = 24_000) -> tuple[Script, list[VoicedCue]]:
    sections = max(1, round(minutes * 1.2))
    chapters = ["Introduction", *(f"Partie {i + 1}" for i in range(sections)), "Fin"]
    kinds: list[tuple[CueKind, int, float]] = [
        (CueKind.GREETING, 0, 8.0),
        (CueKind.SOMMAIRE, 0, 10.0),
        (CueKind.LEAD, 0, 15.0),
    ]
    body = (minutes * 60.0 - 40.0) / sections
    for s in range(1, sections + 1):
        kinds += [(CueKind.TRANSITION, s, 2.0), (CueKind.HEADING, s, 2.0)]
        kinds += [(CueKind.TEXT, s, (body - 9.0) / 2)] * 2
    kinds.append((CueKind.SIGNOFF, sections + 1, 5.0))
    cues, voiced = [], []
    for i, (kind, chapter, seconds) in enumerate(kinds):
        cue = Cue(kind, f"Phrase {i}.", chapter)
        audio = speech(seconds, rate, i)
        cues.append(cue)
        half = audio.shape[0] // 2
        marks = (Mark(f"{i}a", 0, half), Mark(f"{i}b", half, audio.shape[0]))
        voiced.append(VoicedCue(cue, Pcm(audio, rate), marks))
    script = Script("Bench", "Le point", dt.date(2025, 8, 15), tuple(chapters), tuple(cues))
    return script, voiced


def run(script: Script, voiced: list[VoicedCue], design: SoundDesign, preset: Preset) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        timeline = assemble(script, voiced, design, preset.rate)
        t1 = time.perf_counter()
        wav = Path(tmp) / "episode.wav" if preset.wav_bits else None
        report = master_and_encode(timeline, preset, Path(tmp) / "episode.mp3", wav)
        t2 = time.perf_counter()
    seconds = report.seconds
    print(f"  assemble          {t1 - t0:6.2f} s  {seconds / (t1 - t0):7.1f}x real time")
    print(f"  master+encode+chk {t2 - t1:6.2f} s  {seconds / (t2 - t1):7.1f}x real time")
    print(f"  all audio stages  {t2 - t0:6.2f} s  {seconds / (t2 - t0):7.1f}x real time")
    loud = report.mp3_loudness
    print(
        f"  mp3: {loud.integrated_lufs:.2f} LUFS, {loud.true_peak_dbtp:.2f} dBTP, "
        f"LRA {loud.lra_lu:.1f} LU, {report.attempts} attempt(s), {seconds:.1f} s"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="episode length")
    parser.add_argument("--preset", default="podcast", help="podcast or broadcast")
    parser.add_argument("--jingles", type=Path, default=ROOT / "voices" / "jingles")
    parser.add_argument("--runs", type=int, default=2, help="the first one pays one-time costs")
    args = parser.parse_args(argv)
    preset = get_preset(args.preset)
    script, voiced = episode(args.minutes)
    design = SoundDesign.default(args.jingles)
    print(f"{args.minutes:g}-minute synthetic episode, preset {preset.name}, target >= 50x")
    for i in range(args.runs):
        print("cold run (imports scipy.signal, measures the MP3 codec once):" if i == 0 else "warm run:")
        run(script, voiced, design, preset)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
