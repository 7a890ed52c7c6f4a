"""Synthesize the show's original music: intro, outro, transition stinger and a bed loop.

Deterministic (fixed seed, no clock, no randomness outside one seeded generator): the same
FLAC bytes every run with the same ffmpeg. D major, 112 BPM. Timbres: an FM electric piano
for the melody, additive pads with detuned decaying partials for the chords, a plucked sine
bass, a soft kick and shaker; a dotted-eighth echo on the melody and a convolution reverb
(synthetic decaying-noise room) for space.

    python scripts/make_jingles.py [--out voices/jingles]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

RATE = 44_100
SEED = 20250815
Signal = npt.NDArray[np.float64]
# (beat, length in beats, MIDI notes)
Chords = Sequence[tuple[float, float, tuple[int, ...]]]
# (beat, length in beats, MIDI note, velocity 0..1)
Notes = Sequence[tuple[float, float, int, float]]


def hz(note: float) -> float:
    return float(440.0 * 2.0 ** ((note - 69.0) / 12.0))


def times(seconds: float) -> Signal:
    return np.arange(round(seconds * RATE), dtype=np.float64) / RATE


def envelope(hold: float, attack: float, decay: float, sustain: float, release: float) -> Signal:
    """ADSR: rise over `attack`, fall over `decay` to `sustain`, held to `hold` s, then release."""
    t = times(hold + release)
    env = np.where(t < attack, t / max(attack, 1e-6), 1.0)
    after = np.clip(t - attack, 0.0, None)
    env = np.where(t >= attack, sustain + (1.0 - sustain) * np.exp(-after / max(decay, 1e-6)), env)
    at_off = float(env[min(len(env) - 1, round(hold * RATE))])
    tail = t >= hold
    env[tail] = at_off * np.exp(-(t[tail] - hold) / max(release / 4.0, 1e-6))
    return env


def e_piano(note: int, seconds: float, velocity: float) -> Signal:
    """FM electric piano: 1:1 modulation whose index decays, plus a quiet bell partial at 7:1."""
    f = hz(note)
    t = times(seconds + 0.6)
    index = (1.2 + 1.3 * velocity) * np.exp(-t / 0.35) + 0.15
    body = np.sin(2 * np.pi * f * t + index * np.sin(2 * np.pi * f * t))
    tine = 0.18 * velocity * np.exp(-t / 0.08) * np.sin(2 * np.pi * 7.0 * f * t)
    amp = envelope(seconds, 0.004, 0.9, 0.35, 0.6)
    return velocity * amp * (body + tine)


def pad(notes: tuple[int, ...], seconds: float, attack: float = 0.25, release: float = 0.9) -> Signal:
    """Additive pad: per note, three detuned copies of soft partials (higher ones fainter)."""
    t = times(seconds + release)
    out = np.zeros_like(t)
    for note in notes:
        for cents in (-7.0, 0.0, 6.0):
            f = hz(note + cents / 100.0)
            for k in range(1, 8):
                if k * f > 9000:
                    break
                weight = (1.0 / k) * np.exp(-0.45 * k)
                out += weight * np.sin(2 * np.pi * k * f * t + 0.7 * k + cents)
    tremolo = 1.0 + 0.06 * np.sin(2 * np.pi * 0.25 * t)
    amp = envelope(seconds, attack, 1.2, 0.8, release)
    return out * amp * tremolo / (3.0 * len(notes))


def bass(note: int, seconds: float) -> Signal:
    t = times(seconds + 0.25)
    f = hz(note)
    tone = np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t) + 0.08 * np.sin(6 * np.pi * f * t)
    return 0.8 * tone * envelope(seconds, 0.006, 0.45, 0.45, 0.25)


def kick() -> Signal:
    t = times(0.35)
    sweep = 45.0 + 75.0 * np.exp(-t / 0.03)
    phase = 2 * np.pi * np.cumsum(sweep) / RATE
    return 0.9 * np.sin(phase) * np.exp(-t / 0.11)


def shaker(rng: np.random.Generator) -> Signal:
    t = times(0.09)
    noise: Signal = rng.standard_normal((t.shape[0],))
    bright = np.diff(noise, prepend=0.0)
    hit: Signal = 0.12 * bright * (t / 0.01).clip(0, 1) * np.exp(-t / 0.025)
    return hit


def place(track: Signal, sound: Signal, at_seconds: float) -> None:
    start = round(at_seconds * RATE)
    end = min(track.shape[0], start + sound.shape[0])
    if end > start:
        track[start:end] += sound[: end - start]


def echo(dry: Signal, delay_s: float, feedback: float, taps: int) -> Signal:
    """Feedback-style delay unrolled into taps, each one a little darker (moving average)."""
    out = dry.copy()
    step = round(delay_s * RATE)
    tap = dry
    for i in range(1, taps + 1):
        tap = np.convolve(tap, np.ones(3) / 3.0, mode="same")
        shifted = np.zeros_like(dry)
        if step * i < dry.shape[0]:
            shifted[step * i :] = tap[: dry.shape[0] - step * i]
        out += feedback**i * shifted
    return out


def reverb(
    dry: Signal,
    rng: np.random.Generator,
    seconds: float = 1.6,
    wet: float = 0.22,
    circular: bool = False,
) -> Signal:
    """Convolution with a synthetic room: sparse early reflections and a decaying noise tail
    whose high frequencies die faster (a darker half decays slower). `circular` wraps the tail
    round to the start (for a loop)."""
    t = times(seconds)
    bright = rng.standard_normal(t.shape[0]) * np.exp(-t / 0.18)
    noise: Signal = rng.standard_normal((t.shape[0],))
    dark = np.convolve(noise, np.ones(12) / 12.0, mode="same")
    ir = bright + 2.0 * dark * np.exp(-t / 0.38)
    ir[: round(0.012 * RATE)] = 0.0
    for delay, gain in ((0.013, 0.5), (0.021, 0.35), (0.034, 0.3), (0.047, 0.2)):
        ir[round(delay * RATE)] += gain * 10.0
    ir /= np.sqrt(np.sum(ir**2))
    size = dry.shape[0] if circular else 1 << int(np.ceil(np.log2(dry.shape[0] + ir.shape[0])))
    wet_sig = np.fft.irfft(np.fft.rfft(dry, size) * np.fft.rfft(ir, size), size)[: dry.shape[0]]
    return (1.0 - wet) * dry + wet * wet_sig


def render(
    seconds: float,
    bpm: float,
    chords: Chords,
    melody: Notes,
    rng: np.random.Generator,
    roots: Notes = (),
    kicks: Sequence[float] = (),
    shakes: Sequence[float] = (),
    wrap: float | None = None,
) -> Signal:
    """Mix the parts, add echo and room. With `wrap` (seconds), everything sounding past that
    point is folded back onto the start and the room is circular: a seamless loop."""
    beat = 60.0 / bpm
    keys, pads, low, drums = (np.zeros(round(seconds * RATE)) for _ in range(4))
    for at, length, notes in chords:
        place(pads, pad(notes, length * beat), at * beat)
    for at, length, note, vel in melody:
        place(keys, e_piano(note, length * beat, vel), at * beat)
    for at, length, note, vel in roots:
        place(low, vel * bass(note, length * beat), at * beat)
    for at in kicks:
        place(drums, kick(), at * beat)
    for at in shakes:
        place(drums, shaker(rng), at * beat)
    keys = echo(keys, 0.75 * beat, 0.28, 3)
    mix = 0.5 * keys + 0.55 * pads + 0.4 * low + 0.35 * drums
    if wrap is None:
        return reverb(mix, rng)
    loop = mix[: round(wrap * RATE)].copy()
    spill = mix[loop.shape[0] :]
    loop[: spill.shape[0]] += spill
    return reverb(loop, rng, circular=True)


def finish(signal: Signal, seconds: float, fade_out: float) -> Signal:
    """Cut to length, fade the end (raised cosine), peak at -3 dBFS."""
    out = signal[: round(seconds * RATE)].copy()
    n_out = round(fade_out * RATE)
    out[-n_out:] *= 0.5 + 0.5 * np.cos(np.pi * np.arange(n_out) / n_out)
    n_in = round(0.002 * RATE)
    out[:n_in] *= np.arange(n_in) / n_in
    peaked: Signal = out * (10 ** (-3.0 / 20.0) / np.max(np.abs(out)))
    return peaked


D, BM, G, A = (57, 62, 66), (54, 59, 62), (55, 59, 62), (57, 61, 64)


def intro(rng: np.random.Generator) -> Signal:
    chords = ((0, 2, D), (2, 2, BM), (4, 2, G), (6, 2, A), (8, 2.5, (57, 62, 66, 69)))
    melody = (
        (0, 0.5, 69, 0.7),
        (0.5, 0.5, 74, 0.75),
        (1, 1, 78, 0.85),
        (2, 0.5, 76, 0.7),
        (2.5, 0.5, 74, 0.7),
        (3, 1, 71, 0.75),
        (4, 0.5, 74, 0.7),
        (4.5, 0.5, 79, 0.75),
        (5, 1, 83, 0.85),
        (6, 0.5, 81, 0.75),
        (6.5, 0.5, 76, 0.7),
        (7, 0.5, 73, 0.7),
        (7.5, 0.5, 76, 0.75),
        (8, 2.5, 78, 0.8),
        (8, 2.5, 74, 0.6),
    )
    roots = ((0, 2, 38, 1.0), (2, 2, 35, 1.0), (4, 2, 43, 1.0), (6, 2, 45, 1.0), (8, 2.5, 38, 1.0))
    shakes = tuple(i * 0.5 for i in range(16))
    return finish(render(6.0, 112, chords, melody, rng, roots, (0, 2, 4, 6, 8), shakes), 5.6, 0.7)


def outro(rng: np.random.Generator) -> Signal:
    chords = ((0, 2, G), (2, 2, A), (4, 2, BM), (6, 2, (55, 59, 62, 66)), (8, 3, (57, 62, 66, 69)))
    melody = (
        (0, 0.5, 83, 0.75),
        (0.5, 0.5, 81, 0.7),
        (1, 1, 79, 0.8),
        (2, 0.5, 81, 0.7),
        (2.5, 0.5, 76, 0.7),
        (3, 1, 73, 0.75),
        (4, 0.5, 74, 0.7),
        (4.5, 0.5, 78, 0.7),
        (5, 1, 83, 0.8),
        (6, 0.5, 81, 0.7),
        (6.5, 0.5, 79, 0.65),
        (7, 1, 76, 0.7),
        (8, 3, 74, 0.75),
        (8, 3, 69, 0.55),
        (8.5, 2.5, 78, 0.5),
    )
    roots = ((0, 2, 43, 1.0), (2, 2, 45, 1.0), (4, 2, 35, 1.0), (6, 2, 43, 1.0), (8, 3, 38, 1.0))
    shakes = tuple(i * 0.5 for i in range(16))
    return finish(render(6.4, 108, chords, melody, rng, roots, (0, 2, 4, 6, 8), shakes), 5.8, 1.0)


def stinger(rng: np.random.Generator) -> Signal:
    chords = ((0.5, 1.2, (57, 62, 66)),)
    melody = (
        (0, 0.25, 74, 0.6),
        (0.25, 0.25, 78, 0.65),
        (0.5, 0.25, 81, 0.7),
        (0.75, 1.3, 86, 0.6),
    )
    return finish(render(1.8, 112, chords, melody, rng, kicks=(0.75,)), 1.3, 0.4)


def bed(rng: np.random.Generator) -> Signal:
    """A 12 s loop of slow pads (D add9, Bm7, Gmaj7, Asus4) over a soft bass, rendered so that
    it repeats without a seam: note releases and reverb past the end wrap round to the start."""
    cycle, bpm = 12.0, 80.0
    bar = cycle / 4 / (60.0 / bpm)  # in beats
    voicings = ((57, 62, 64, 66), (54, 57, 59, 62), (54, 59, 62, 67), (57, 62, 64, 69))
    chords = [(i * bar, bar * 1.02, v) for i, v in enumerate(voicings)]
    roots = [(i * bar, bar, n, 0.5) for i, n in enumerate((38, 35, 43, 45))]
    loop = render(cycle + 2.0, bpm, chords, (), rng, roots, wrap=cycle)
    quiet: Signal = loop * (10 ** (-6.0 / 20.0) / np.max(np.abs(loop)))
    return quiet


def to_pcm16(signal: Signal, rng: np.random.Generator) -> npt.NDArray[np.float32]:
    """Quantise to 16-bit steps with TPDF dither (seeded), returned as float32 for the encoder."""
    dither = (rng.random(signal.shape[0]) - rng.random(signal.shape[0])) / 32768.0
    steps = np.clip(np.rint((signal + dither) * 32768.0), -32768, 32767)
    return (steps / 32768.0).astype(np.float32)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parent.parent / "voices" / "jingles"
    parser.add_argument("--out", type=Path, default=default, help="folder to write into")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from briefing.audio.ffmpeg import encode_flac
    from briefing.models import Pcm

    rng = np.random.default_rng(SEED)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, make in (("intro", intro), ("outro", outro), ("stinger", stinger), ("bed", bed)):
        samples = to_pcm16(make(rng), rng)
        dest = args.out / f"{name}.flac"
        encode_flac(Pcm(samples, RATE), dest)
        print(f"{dest}  {samples.shape[0] / RATE:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
