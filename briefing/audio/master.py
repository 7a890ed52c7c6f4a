"""Loudness measurement, mastering to a preset, and encoding checked by decoding the result.

Loudness follows ITU-R BS.1770-4 exactly as pyloudnorm computes it (its K-weighting filters, its
block boundaries and gates) but in one streaming pass over the episode: filters run chunk by
chunk, block energies come from running sums, so an hour-long episode costs no extra copies.
Loudness range follows EBU Tech 3342 (3 s blocks every 90 ms, gates -70 LUFS and -20 LU,
10th to 95th percentile), as in pyloudnorm's `loudness_range`.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.audio import dsp
from briefing.audio.ffmpeg import decode, decode_mp3_for_check, encode_mp3, encode_wav
from briefing.audio.presets import Preset
from briefing.errors import AudioError
from briefing.models import Mark, Pcm, Timeline

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Ints = npt.NDArray[np.int64]
    Floats = npt.NDArray[np.float32]
    Doubles = npt.NDArray[np.float64]

MP3_FRAME = 1152
_CHUNK = 1 << 19
_ABSOLUTE_GATE = -70.0


@dataclass(frozen=True, slots=True)
class Loudness:
    """Integrated loudness (LUFS), true peak (dBTP, 4x oversampled) and loudness range (LU)."""

    integrated_lufs: float
    true_peak_dbtp: float
    lra_lu: float


@dataclass(frozen=True, slots=True, eq=False)
class MasterReport:
    """What was encoded and how the files measured once decoded again.

    `timeline` is the mastered episode at `rate`: its marks are the ones to publish.
    """

    timeline: Timeline
    mp3: Path
    mp3_loudness: Loudness
    mp3_frames: int
    wav: Path | None
    wav_loudness: Loudness | None
    frames: int
    rate: int
    gain_db: float
    ceiling_dbtp: float
    attempts: int

    @property
    def seconds(self) -> float:
        return self.frames / self.rate


def _kweighting_sos(rate: int) -> npt.NDArray[np.float32]:
    """pyloudnorm's K-weighting (high shelf, then high pass: RBJ biquads) as float32 SOS rows."""
    import numpy as np
    from pyloudnorm.iirfilter import IIRfilter

    stages = (
        IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, rate, "high_shelf"),
        IIRfilter(0.0, 0.5, 38.0, rate, "high_pass"),
    )
    rows = [np.concatenate([s.passband_gain * s.b, s.a]) / s.a[0] for s in stages]
    return np.asarray(rows, dtype=np.float32)


def _block_bounds(n: int, rate: int, block_s: float, overlap: float) -> tuple[Ints, Ints]:
    """Gating block starts and ends (samples), with pyloudnorm's arithmetic."""
    import numpy as np

    step = 1.0 - overlap
    count = int(np.round((n / rate - block_s) / (block_s * step))) + 1
    j = np.arange(max(count, 0), dtype=np.float64)
    lower = (block_s * (j * step) * rate).astype(np.int64)
    upper = (block_s * (j * step + 1) * rate).astype(np.int64)
    return np.minimum(lower, n), np.minimum(upper, n)


def _energy_sums(samples: npt.NDArray[np.float32], rate: int, at: Ints) -> Doubles:
    """Sum of squared K-weighted samples before each index of sorted `at`, in one pass."""
    import numpy as np
    from scipy.signal import sosfilt

    sos = _kweighting_sos(rate)
    state = np.zeros((sos.shape[0], 2), dtype=np.float32)
    sums = np.zeros(at.shape[0], dtype=np.float64)
    n, total = samples.shape[0], 0.0
    for start in range(0, n, _CHUNK):
        chunk = np.ascontiguousarray(samples[start : start + _CHUNK], dtype=np.float32)
        weighted, state = sosfilt(sos, chunk, zi=state)
        running = np.cumsum(np.square(weighted, dtype=np.float64))
        lo = np.searchsorted(at, start + 1, side="left")
        hi = np.searchsorted(at, start + chunk.shape[0], side="right")
        sums[lo:hi] = total + running[at[lo:hi] - start - 1]
        total += float(running[-1])
    return sums


def _loudness_and_range(samples: npt.NDArray[np.float32], rate: int) -> tuple[float, float]:
    import numpy as np

    n = samples.shape[0]
    lo_i, hi_i = _block_bounds(n, rate, 0.4, 0.75)
    # Tech 3342 as pyloudnorm does it: 1.5 s of silence after the end (which adds no energy).
    lo_s, hi_s = (np.minimum(b, n) for b in _block_bounds(n + int(1.5 * rate), rate, 3.0, 0.97))
    at = np.unique(np.concatenate([lo_i, hi_i, lo_s, hi_s]))
    sums = _energy_sums(samples, rate, at)

    def block_power(lower: Ints, upper: Ints, s: float) -> Doubles:
        energy = sums[np.searchsorted(at, upper)] - sums[np.searchsorted(at, lower)]
        return np.maximum(energy, 0.0) / (s * rate)

    with np.errstate(divide="ignore"):
        z = block_power(lo_i, hi_i, 0.4)
        level = -0.691 + 10.0 * np.log10(z)
        gated = z[level >= _ABSOLUTE_GATE]
        integrated = -math.inf
        if gated.size:
            relative = -0.691 + 10.0 * math.log10(float(gated.mean())) - 10.0
            kept = z[(level > relative) & (level > _ABSOLUTE_GATE)]
            if kept.size and kept.mean() > 0:
                integrated = -0.691 + 10.0 * math.log10(float(kept.mean()))
        short = -0.691 + 10.0 * np.log10(block_power(lo_s, hi_s, 3.0))
    short = short[short >= _ABSOLUTE_GATE]
    if not short.size:
        return integrated, math.nan
    mean_power = float(np.mean(np.power(10.0, short / 10.0)))
    short = short[short >= 10.0 * math.log10(mean_power) - 20.0]
    if not short.size:
        return integrated, math.nan
    return integrated, float(np.percentile(short, 95) - np.percentile(short, 10))


def integrated_lufs(samples: npt.NDArray[np.float32], rate: int) -> float:
    """BS.1770-4 gated integrated loudness of mono samples; -inf if silent or shorter than 0.4 s."""
    return _loudness_and_range(samples, rate)[0]


def measure(pcm: Pcm) -> Loudness:
    """Integrated loudness, true peak and loudness range of `pcm`."""
    integrated, lra = _loudness_and_range(pcm.samples, pcm.rate)
    return Loudness(integrated, dsp.true_peak_db(pcm.samples, pcm.rate), lra)


def _at_rate(timeline: Timeline, rate: int) -> Timeline:
    """The timeline resampled to `rate`, every mark moved to the same instant."""
    old = timeline.pcm.rate
    if old == rate:
        return timeline
    pcm = dsp.resample(timeline.pcm, rate)

    def move(mark: Mark) -> Mark:
        start = min(pcm.frames, round(mark.start * rate / old))
        return Mark(mark.title, start, min(pcm.frames, round(mark.end * rate / old)))

    return Timeline(
        pcm, tuple(move(m) for m in timeline.chapters), tuple(move(m) for m in timeline.sentences)
    )


def _level(
    pcm: Pcm, target: float, tolerance: float, ceiling_db: float, envelope: Floats
) -> tuple[Floats, float]:
    """Gain to `target` LUFS through the limiter, corrected for what the limiter took."""
    import numpy as np

    if not math.isfinite(float(np.sum(pcm.samples, dtype=np.float64))):
        raise AudioError("cannot master the episode", cause="its audio holds NaN or infinity")
    loudness = integrated_lufs(pcm.samples, pcm.rate)
    if not math.isfinite(loudness):
        raise AudioError("cannot master the episode", cause="it is silent (no gated loudness)")
    # Secant search on the gain: the limiter makes loudness grow slower than the gain.
    gain, slope = target - loudness, 1.0
    previous: tuple[float, float] | None = None
    for _ in range(8):
        out = dsp.limit(pcm.samples, pcm.rate, ceiling_db, gain_db=gain, envelope=envelope)
        reached = integrated_lufs(out, pcm.rate)
        error = target - reached
        if abs(error) <= tolerance / 5:
            return out, gain
        del out  # before the next pass allocates another episode-sized array
        if previous is not None and gain != previous[0]:
            slope = min(1.0, max(0.1, (reached - previous[1]) / (gain - previous[0])))
        previous = (gain, reached)
        gain += error / slope
    raise AudioError(
        f"cannot reach {target:.1f} LUFS under {ceiling_db:.1f} dBTP",
        cause="the audio's peaks are too high for its loudness (needs compression first)",
    )


def master(timeline: Timeline, preset: Preset) -> Timeline:
    """The episode at the preset's rate and loudness, under its true-peak ceiling; same marks."""
    timeline = _at_rate(timeline, preset.rate)
    envelope = dsp.true_peak_envelope(timeline.pcm.samples, preset.rate)
    ceiling = preset.true_peak_dbtp - preset.limiter_headroom_db
    samples, _gain = _level(timeline.pcm, preset.target_lufs, preset.tolerance_lu, ceiling, envelope)
    return Timeline(Pcm(samples, preset.rate), timeline.chapters, timeline.sentences)


@functools.lru_cache(maxsize=16)
def codec_gain_db(rate: int, kbps: int, quality: int = 3) -> float:
    """Level change (dB) an MP3 encode/decode round trip makes, measured once per setting.

    LAME 3.100 output decodes about 0.45 dB (x0.95) quieter than its input, whatever the
    signal; mastering aims that much higher so the first encode already lands on target.
    """
    import numpy as np

    rng = np.random.default_rng(0)
    t = np.arange(2 * rate) / rate
    freqs = rng.uniform(150.0, 3000.0, 24)
    tones = np.sin(2 * np.pi * np.outer(t, freqs) + rng.uniform(0, 2 * np.pi, 24)).sum(axis=1)
    probe = (0.1 * tones / np.sqrt(np.mean(tones**2))).astype(np.float32)
    with tempfile.TemporaryDirectory(prefix="briefing-codec-") as tmp:
        path = Path(tmp) / "probe.mp3"
        encode_mp3(Pcm(probe, rate), path, kbps, quality)
        back = decode_mp3_for_check(path).samples
    middle = slice(rate // 2, min(back.shape[0], probe.shape[0]) - rate // 2)
    ratio = float(np.sqrt(np.mean(back[middle].astype(np.float64) ** 2)))
    return dsp.gain_to_db(ratio / float(np.sqrt(np.mean(probe[middle].astype(np.float64) ** 2))))


def _problems(loud: Loudness, preset: Preset) -> list[str]:
    found = []
    if not abs(loud.integrated_lufs - preset.target_lufs) <= preset.tolerance_lu:
        found.append(f"{loud.integrated_lufs:.2f} LUFS (target {preset.target_lufs})")
    if not loud.true_peak_dbtp <= preset.true_peak_dbtp:
        found.append(f"true peak {loud.true_peak_dbtp:.2f} dBTP (max {preset.true_peak_dbtp})")
    return found


def _check_length(decoded: Pcm, frames: int, rate: int, path: Path) -> None:
    if decoded.rate != rate or abs(decoded.frames - frames) > MP3_FRAME:
        raise AudioError(
            f"{path} decodes to {decoded.frames} samples at {decoded.rate} Hz, "
            f"expected {frames} at {rate} Hz",
            cause="the encoder's delay/padding header is missing or the file is truncated",
        )


def master_and_encode(
    timeline: Timeline,
    preset: Preset,
    mp3_path: Path,
    wav_path: Path | None = None,
    attempts: int = 3,
) -> MasterReport:
    """Master, encode the MP3 (and WAV), decode them again and check loudness and true peak.

    The PCM is aimed so that the decoded MP3 lands on the preset (see `codec_gain_db`). If the
    decoded MP3 still misses it, the aim is corrected by what was measured (lower limiter
    ceiling, adjusted loudness) and the MP3 made again, at most `attempts` times in all. Files
    are made under a hidden name beside their destination and only moved into place once both
    have passed; otherwise an AudioError is raised and any earlier file there is left as it was.
    """
    mp3_path = Path(mp3_path)
    wav_path = None if wav_path is None else Path(wav_path)
    staged = [_staging(mp3_path)] + ([] if wav_path is None else [_staging(wav_path)])
    try:
        report = _master_and_check(timeline, preset, staged[0], staged[1:], max(1, attempts))
        for temp, dest in zip(staged, (mp3_path, wav_path), strict=False):
            if dest is not None:
                os.replace(temp, dest)
    finally:
        for temp in staged:
            temp.unlink(missing_ok=True)
    return dataclasses.replace(report, mp3=mp3_path, wav=wav_path)


def _staging(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.unchecked{dest.suffix}")


def _master_and_check(
    timeline: Timeline, preset: Preset, mp3_path: Path, wav: list[Path], attempts: int
) -> MasterReport:
    import numpy as np

    rate = preset.rate
    timeline = _at_rate(timeline, rate)
    frames = timeline.pcm.frames
    codec = codec_gain_db(rate, preset.mp3_kbps, preset.mp3_quality)
    target = preset.target_lufs - codec
    ceiling = preset.true_peak_dbtp - preset.limiter_headroom_db - codec
    attempt = 0
    while True:
        attempt += 1
        envelope = dsp.true_peak_envelope(timeline.pcm.samples, rate)
        samples, gain = _level(timeline.pcm, target, preset.tolerance_lu, ceiling, envelope)
        del envelope  # episode-sized: made again in the rare case of another attempt
        encode_mp3(Pcm(samples, rate), mp3_path, preset.mp3_kbps, preset.mp3_quality)
        decoded = decode_mp3_for_check(mp3_path)
        _check_length(decoded, frames, rate, mp3_path)
        loud, decoded_frames = measure(decoded), decoded.frames
        del decoded
        trouble = _problems(loud, preset)
        if not trouble or attempt >= attempts:
            break
        if abs(loud.integrated_lufs - preset.target_lufs) > preset.tolerance_lu / 5:
            target += preset.target_lufs - loud.integrated_lufs
        over = loud.true_peak_dbtp - preset.true_peak_dbtp
        if over > 0:
            ceiling -= over + 0.2
    if trouble:
        raise AudioError(
            f"the MP3 measures {'; '.join(trouble)} after {attempt} attempt(s)",
            cause=f"the audio cannot meet the {preset.name!r} preset; no file was kept",
        )
    samples *= np.float32(dsp.db_to_gain(codec))  # as it is heard: on target, like the MP3
    heard = Pcm(samples, rate)
    wav_loud = None
    if wav:
        encode_wav(heard, wav[0], bits=preset.wav_bits or 24)
        check = decode(wav[0], rate)
        wav_loud = measure(check)
        bad = _problems(wav_loud, preset)
        if bad or check.frames != frames:
            raise AudioError(f"the WAV measures {'; '.join(bad)}", cause="it was written wrongly")
    return MasterReport(
        timeline=Timeline(heard, timeline.chapters, timeline.sentences),
        mp3=mp3_path,
        mp3_loudness=loud,
        mp3_frames=decoded_frames,
        wav=wav[0] if wav else None,
        wav_loudness=wav_loud,
        frames=frames,
        rate=rate,
        gain_db=gain,
        ceiling_dbtp=ceiling,
        attempts=attempt,
    )
