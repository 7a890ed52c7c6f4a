"""Mastering to a preset, and encoding checked by decoding the result.

Loudness measurement lives in `loudness` (`measure`, `integrated_lufs` and `Loudness` are
re-exported here). The episode is never copied: the limiter's output is made a chunk at a time
(`limiter.render`), measured while the gain is searched, piped into the encoder, and written into an
array only once the decoded MP3 has passed (into the timeline's own array with `in_place`). The
decoded MP3 is a memory-mapped temp file, measured a piece at a time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.audio import dsp, limiter
from briefing.audio.ffmpeg import (
    decode,
    decode_for_check,
    decode_mp3_for_check,
    encode_mp3,
    encode_mp3_pieces,
    encode_wav,
    ffmpeg_exe,
)
from briefing.audio.loudness import Loudness, LoudnessMeter, integrated_lufs, measure
from briefing.audio.presets import Preset
from briefing.errors import AudioError
from briefing.models import Mark, Pcm, Timeline
from briefing.util.atomic import atomic_path

if TYPE_CHECKING:
    from collections.abc import Iterator

    import numpy as np
    import numpy.typing as npt

    Floats = npt.NDArray[np.float32]

    from briefing.audio.truepeak import Peaks

__all__ = [
    "MP3_FRAME",
    "Loudness",
    "MasterReport",
    "codec_gain_db",
    "decode",
    "decode_mp3_for_check",
    "integrated_lufs",
    "master",
    "master_and_encode",
    "measure",
    "measure_codec_gain_db",
]

MP3_FRAME = 1152


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
    #: RMS level (dBFS) of each of `timeline.chapters` in the decoded MP3: what a listener hears.
    chapter_dbfs: tuple[float, ...] = ()

    @property
    def seconds(self) -> float:
        return self.frames / self.rate


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
        pcm,
        tuple(move(m) for m in timeline.chapters),
        tuple(move(m) for m in timeline.sentences),
        tuple(move(m) for m in timeline.music),
    )


def _limited(
    samples: Floats, rate: int, gain_db: float, ceiling_db: float, peaks: Peaks, scale: float = 1.0
) -> Iterator[tuple[int, Floats]]:
    """The limited, gained signal (times `scale`), a chunk at a time."""
    segments = limiter.limit_segments(peaks, samples.shape[0], rate, ceiling_db - gain_db)
    return limiter.render(samples, gain_db, segments, scale)


def _level(
    samples: Floats, rate: int, target: float, tolerance: float, ceiling_db: float, peaks: Peaks
) -> float:
    """Gain to `target` LUFS through the limiter, corrected for what the limiter took."""
    import numpy as np

    if not math.isfinite(float(np.sum(samples, dtype=np.float64))):
        raise AudioError("cannot master the episode", cause="its audio holds NaN or infinity")
    loudness = integrated_lufs(samples, rate)
    if not math.isfinite(loudness):
        raise AudioError("cannot master the episode", cause="it is silent (no gated loudness)")
    # Secant search on the gain: the limiter makes loudness grow slower than the gain.
    gain, slope = target - loudness, 1.0
    previous: tuple[float, float] | None = None
    for _ in range(8):
        meter = LoudnessMeter(rate, samples.shape[0])
        for _start, piece in _limited(samples, rate, gain, ceiling_db, peaks):
            meter.feed(piece)
        reached = meter.result()[0]
        error = target - reached
        if abs(error) <= tolerance / 5:
            return gain
        if previous is not None and gain != previous[0]:
            slope = min(1.0, max(0.1, (reached - previous[1]) / (gain - previous[0])))
        previous = (gain, reached)
        gain += error / slope
    raise AudioError(
        f"cannot reach {target:.1f} LUFS under {ceiling_db:.1f} dBTP",
        cause="the audio's peaks are too high for its loudness (needs compression first)",
    )


def _store(pieces: Iterator[tuple[int, Floats]], into: Floats) -> Floats:
    for start, piece in pieces:
        into[start : start + piece.shape[0]] = piece
    return into


def master(timeline: Timeline, preset: Preset) -> Timeline:
    """The episode at the preset's rate and loudness, under its true-peak ceiling; same marks."""
    import numpy as np

    timeline = _at_rate(timeline, preset.rate)
    samples, rate = timeline.pcm.samples, preset.rate
    peaks = limiter.limiter_peaks(samples, rate)
    ceiling = preset.true_peak_dbtp - preset.limiter_headroom_db
    gain = _level(samples, rate, preset.target_lufs, preset.tolerance_lu, ceiling, peaks)
    out = _store(_limited(samples, rate, gain, ceiling, peaks), np.empty_like(samples))
    return dataclasses.replace(timeline, pcm=Pcm(out, rate))


@functools.lru_cache(maxsize=16)
def codec_gain_db(rate: int, kbps: int, quality: int = 3) -> float:
    """Level change (dB) an MP3 encode/decode round trip makes, measured once per setting.

    LAME 3.100 output decodes about 0.45 dB (x0.95) quieter than its input, whatever the
    signal; mastering aims that much higher so the first encode already lands on target.
    Settings already measured with this very ffmpeg build come from `codec_gains.MEASURED`.
    """
    from briefing.audio.codec_gains import known_gain

    known = known_gain(ffmpeg_exe(), rate, kbps, quality)
    return measure_codec_gain_db(rate, kbps, quality) if known is None else known


def measure_codec_gain_db(rate: int, kbps: int, quality: int = 3) -> float:
    """Encode a 2 s multi-tone probe, decode it and compare levels (middle second, RMS)."""
    import numpy as np

    rng = np.random.default_rng(0)
    t = np.arange(2 * rate) / rate
    freqs = rng.uniform(150.0, 3000.0, 24)
    tones = np.sin(2 * np.pi * np.outer(t, freqs) + rng.uniform(0, 2 * np.pi, 24)).sum(axis=1)
    probe = (0.1 * tones / np.sqrt(np.mean(tones**2))).astype(np.float32)
    with tempfile.TemporaryDirectory(prefix="briefing-codec-") as tmp:
        path = Path(tmp) / "probe.mp3"
        encode_mp3(Pcm(probe, rate), path, kbps, quality)
        back = np.array(decode_mp3_for_check(path).samples)
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


def _check_stream(path: Path) -> None:
    """The encoded MP3 is whole: as many bytes as its Xing/Info header says it wrote.

    A decoder pads a cut-off last frame with silence, so the decoded length alone misses a file
    that lost its last few hundred bytes; the header's byte count does not.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(256)
    except OSError as e:
        raise AudioError(f"cannot read the encoded MP3 {path}", cause=e.strerror or str(e)) from e
    if size == 0:
        raise AudioError(f"the encoded MP3 {path} is empty (0 bytes)", cause="the encoder wrote nothing")
    expected = _info_bytes(head)
    if expected is None:
        raise AudioError(
            f"the encoded MP3 {path} has no Xing/Info header with its size",
            cause="the encoder did not finish the file (or wrote something else)",
        )
    if size != expected:
        raise AudioError(
            f"the encoded MP3 {path} is {size} bytes, its Info header says {expected}",
            cause="the file is truncated or was written twice",
        )


def _info_bytes(head: bytes) -> int | None:
    """The stream size in a first frame's Xing/Info header, when it has one (flag 2: bytes)."""
    for tag in (b"Info", b"Xing"):
        at = head.find(tag, 4, 64)  # after the frame header and the side information
        if at < 0 or at + 8 > len(head):
            continue
        flags = int.from_bytes(head[at + 4 : at + 8], "big")
        pos = at + 8 + (4 if flags & 1 else 0)
        if flags & 2 and pos + 4 <= len(head):
            return int.from_bytes(head[pos : pos + 4], "big")
    return None


def _chapter_levels(decoded: Pcm, chapters: tuple[Mark, ...]) -> tuple[float, ...]:
    """RMS (dBFS) of each chapter of the decoded audio (-inf when silent or past its end)."""
    import numpy as np

    levels = []
    for mark in chapters:
        part = decoded.samples[mark.start : min(mark.end, decoded.frames)]
        # Through `dsp.chunks`: the decoded MP3 is a memory map; an hour of it must not stay resident.
        energy = sum(
            float(np.einsum("i,i->", piece, piece, dtype=np.float64))
            for _, piece in dsp.chunks(part, 1 << 20)
        )
        levels.append(dsp.gain_to_db(math.sqrt(energy / part.size)) if part.size else -math.inf)
    return tuple(levels)


def master_and_encode(
    timeline: Timeline,
    preset: Preset,
    mp3_path: Path,
    wav_path: Path | None = None,
    attempts: int = 3,
    *,
    in_place: bool = False,
) -> MasterReport:
    """Master, encode the MP3 (and WAV), decode them again and check loudness and true peak.

    The PCM is aimed so that the decoded MP3 lands on the preset (see `codec_gain_db`). If the
    decoded MP3 still misses it, the aim is corrected by what was measured (lower limiter
    ceiling, adjusted loudness) and the MP3 made again, at most `attempts` times in all. Files
    are made under a hidden name beside their destination and only moved into place once both
    have passed; otherwise an AudioError is raised and any earlier file there is left as it was.

    `in_place`: the mastered audio is written over the timeline's own samples (when they are
    already at the preset's rate and writable) instead of into a new array: no second copy of an
    hour-long episode. They are only changed once the MP3 has passed.
    """
    mp3_path = Path(mp3_path)
    wav_path = None if wav_path is None else Path(wav_path)
    paths = [p for p in (mp3_path, wav_path) if p is not None]
    try:
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.ExitStack() as stack:  # each file under its `util.atomic` temporary name
            staged = [stack.enter_context(atomic_path(p)) for p in paths]
            report = _master_and_check(timeline, preset, staged[0], staged[1:], max(1, attempts), in_place)
    except OSError as e:
        raise AudioError(
            f"cannot write {mp3_path.name} in {mp3_path.parent}", cause=e.strerror or str(e)
        ) from e
    return dataclasses.replace(report, mp3=mp3_path, wav=wav_path)


def _master_and_check(
    timeline: Timeline, preset: Preset, mp3_path: Path, wav: list[Path], attempts: int, in_place: bool
) -> MasterReport:
    import numpy as np

    rate, given = preset.rate, timeline.pcm.samples
    timeline = _at_rate(timeline, rate)
    samples, frames = timeline.pcm.samples, timeline.pcm.frames
    codec = codec_gain_db(rate, preset.mp3_kbps, preset.mp3_quality)
    target = preset.target_lufs - codec
    ceiling = preset.true_peak_dbtp - preset.limiter_headroom_db - codec
    peaks = limiter.limiter_peaks(samples, rate)  # the limiter's view of the episode, for every attempt
    attempt = 0
    while True:
        attempt += 1
        gain = _level(samples, rate, target, preset.tolerance_lu, ceiling, peaks)
        pieces = (piece for _start, piece in _limited(samples, rate, gain, ceiling, peaks))
        encode_mp3_pieces(pieces, rate, mp3_path, preset.mp3_kbps, preset.mp3_quality)
        _check_stream(mp3_path)
        decoded = decode_mp3_for_check(mp3_path)
        _check_length(decoded, frames, rate, mp3_path)
        loud, decoded_frames = measure(decoded), decoded.frames
        levels = _chapter_levels(decoded, timeline.chapters)
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
    # As it is heard: on target, like the MP3 (the codec's level change put back).
    mine = samples is not given or (in_place and samples.flags.writeable)
    heard = Pcm(
        _store(
            _limited(samples, rate, gain, ceiling, peaks, scale=dsp.db_to_gain(codec)),
            samples if mine else np.empty_like(samples),
        ),
        rate,
    )
    wav_loud = None
    if wav:
        encode_wav(heard, wav[0], bits=preset.wav_bits or 24)
        check = decode_for_check(wav[0])
        wav_loud = measure(check)
        bad = _problems(wav_loud, preset)
        if bad or check.frames != frames or check.rate != rate:
            raise AudioError(f"the WAV measures {'; '.join(bad)}", cause="it was written wrongly")
    return MasterReport(
        timeline=dataclasses.replace(timeline, pcm=heard),
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
        chapter_dbfs=levels,
    )
