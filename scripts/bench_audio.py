"""Speed and memory of the audio stages (assembly, then mastering, encoding, the decode-and-check, tags
and side files through `write_episode`) on a synthetic episode, reported as times real time and
peak RSS per stage. Targets: >= 50x for all of them together; an hour-long episode under 1 GB.

    python scripts/bench_audio.py [--minutes 5] [--preset podcast] [--jingles voices/jingles]
    python scripts/bench_audio.py --minutes 60 --runs 1      # the hour-long memory check

The synthetic voice is 24 kHz float32, as the kokoro engine gives it. By default the voiced audio
is let go once assembled (`--hold-voice` keeps it to the end, as a caller that still holds it does).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
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
from briefing.audio.presets import Preset, get_preset  # noqa: E402
from briefing.export.episode import EpisodeMeta, write_episode  # noqa: E402
from briefing.models import Cue, CueKind, Mark, Pcm, Script, VoicedCue  # noqa: E402
from briefing.publish.staging import staging_folder  # noqa: E402
from briefing.util.memory import give_back_free_memory  # noqa: E402

MIB = 1024 * 1024


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
    """A script and its voiced cues that assemble (with the house jingles) to about `minutes`."""
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
        kinds += [(CueKind.TEXT, s, (body - 7.0) / 2)] * 2  # 7 s: the section's other cues and pauses
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


def _status_mib(field: str, pid: int | str = "self") -> float | None:
    """A size line of /proc/PID/status in MiB (Linux); None elsewhere, or once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return None


def rss_mib() -> float:
    """Resident memory now (Linux); elsewhere the process's peak."""
    now = _status_mib("VmRSS")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if now is None else now


def peak_rss_mib(reset: bool = False) -> float:
    """Peak resident memory since the last reset (Linux: VmHWM, resettable); else the process peak."""
    peak = _status_mib("VmHWM")
    if peak is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if reset:
        Path("/proc/self/clear_refs").write_text("5")
    return peak


def run(script: Script, voiced: list[VoicedCue], design: SoundDesign, preset: Preset, hold: bool) -> None:
    """Assemble and write one episode; `voiced` is emptied after assembly unless `hold`."""
    meta = EpisodeMeta(show="Bench", artist="Bench", voice="synthetic", engine="none")
    voice_mib = sum(v.pcm.samples.nbytes for v in voiced) / MIB
    start_mib = rss_mib()
    peak_rss_mib(reset=True)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        timeline = assemble(script, voiced, design, preset.rate)
        t1 = time.perf_counter()
        episode_mib = timeline.pcm.samples.nbytes / MIB
        if not hold:
            voiced.clear()
            give_back_free_memory()  # else the voiced audio let go still counts
        rss_assemble = peak_rss_mib(reset=True)
        with staging_folder(Path(tmp)) as staging:
            written = write_episode(script, timeline, preset, meta, Path(tmp), staging=staging)
        del timeline
        t2 = time.perf_counter()
        rss_write = peak_rss_mib()
    report = written.master
    seconds = report.seconds
    print(f"  assemble          {t1 - t0:6.2f} s  {seconds / (t1 - t0):7.1f}x real time")
    print(f"  write_episode     {t2 - t1:6.2f} s  {seconds / (t2 - t1):7.1f}x real time")
    print(f"  all audio stages  {t2 - t0:6.2f} s  {seconds / (t2 - t0):7.1f}x real time")
    loud = report.mp3_loudness
    print(
        f"  mp3: {loud.integrated_lufs:.2f} LUFS, {loud.true_peak_dbtp:.2f} dBTP, "
        f"LRA {loud.lra_lu:.1f} LU, {report.attempts} attempt(s), {seconds / 60:.1f} min"
    )
    print(
        f"  peak RSS: assemble {rss_assemble:.0f} MiB, write_episode {rss_write:.0f} MiB; before "
        f"{start_mib:.0f} MiB with the voiced audio ({voice_mib:.0f} MiB, "
        f"{'held to the end' if hold else 'let go after assembly'}); episode {episode_mib:.0f} MiB"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="episode length")
    parser.add_argument("--preset", default="podcast", help="podcast or broadcast")
    parser.add_argument("--jingles", type=Path, default=ROOT / "voices" / "jingles")
    parser.add_argument("--runs", type=int, default=2, help="the first one pays one-time costs")
    parser.add_argument("--hold-voice", action="store_true", help="keep the voiced audio to the end")
    args = parser.parse_args(argv)
    preset = get_preset(args.preset)
    design = SoundDesign.default(args.jingles)
    print(f"{args.minutes:g}-minute synthetic episode, preset {preset.name}, target >= 50x")
    for i in range(args.runs):
        script, voiced = episode(args.minutes)
        print("first run in this process:" if i == 0 else "next run:")
        run(script, voiced, design, preset, args.hold_voice)
        del script, voiced
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
