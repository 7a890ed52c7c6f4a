"""Put an episode together: jingles, voiced cues, pauses, stingers and the music bed, in samples.

Two passes over the script: the first plans where every piece goes (integer sample positions,
from lengths known before any audio is resampled) and so gives the chapter and sentence marks;
the second resamples each voiced cue straight into one preallocated float32 array. Music is
levelled against the measured loudness of the voice, so the mastering gain moves both together.
Music files are decoded side by side (one ffmpeg each) and kept decoded for the process's next
episode, keyed by file, size, modification time and rate.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import MutableSequence, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from briefing.audio import dsp
from briefing.audio.ffmpeg import decode
from briefing.errors import AudioError
from briefing.models import CueKind, Mark, Pcm, Script, Timeline, VoicedCue

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Floats = npt.NDArray[np.float32]

#: Cue kinds whose end closes a paragraph (the longer pause follows them).
PARAGRAPH_KINDS = frozenset({CueKind.GREETING, CueKind.SOMMAIRE, CueKind.LEAD, CueKind.TEXT, CueKind.SIGNOFF})
#: Endings after which a cue only needs a comma's breath before the next one.
COMMA_ENDINGS = (",", ";", ":", "\u2014", "\u2013", "\u2026")
#: File names `SoundDesign.default` looks for in a jingles folder.
JINGLE_FILES = (("intro", "intro.flac"), ("outro", "outro.flac"), ("stinger", "stinger.flac"))
BED_FILE = "bed.flac"
_PAUSES = (
    *("comma_ms", "sentence_ms", "heading_ms", "paragraph_ms", "section_ms", "intro_gap_ms"),
    *("stinger_gap_ms", "outro_gap_ms", "tail_ms", "bed_lead_ms", "bed_tail_ms"),
)


@dataclass(frozen=True, slots=True)
class SoundDesign:
    """The music and the pacing around the voice. Levels are in dB relative to the voice."""

    intro: Path | None = None
    outro: Path | None = None
    stinger: Path | None = None
    bed: Path | None = None
    comma_ms: int = 250
    sentence_ms: int = 450
    heading_ms: int = 650  # after a heading: a breath that sets it apart from the text it announces
    paragraph_ms: int = 800
    section_ms: int = 1200
    intro_gap_ms: int = 150
    stinger_gap_ms: int = 200
    outro_gap_ms: int = 700
    tail_ms: int = 400
    music_db: float = -3.0
    bed_db: float = -21.0
    bed_rise_db: float = 7.0
    bed_lead_ms: int = 1500
    bed_tail_ms: int = 1500
    fade_ms: float = 8.0
    trim_silence: bool = True

    def __post_init__(self) -> None:
        for name in _PAUSES:
            value = getattr(self, name)
            if not 0 <= value <= 10_000:
                raise AudioError(f"sound design {name}={value}", cause="use 0..10000 ms")
        if not 0.5 <= self.fade_ms <= 100.0:
            raise AudioError(f"sound design fade_ms={self.fade_ms}", cause="use 0.5..100 ms")
        if not (-40.0 <= self.bed_db <= 0.0 and 0.0 <= self.bed_rise_db <= 20.0):
            raise AudioError("sound design bed levels", cause="bed_db -40..0, bed_rise_db 0..20")

    @classmethod
    def default(cls, jingles_dir: Path) -> SoundDesign:
        """The house sound: intro, outro, stinger and bed from `jingles_dir` (all must exist)."""
        folder = Path(jingles_dir)
        paths = {key: folder / name for key, name in JINGLE_FILES}
        paths["bed"] = folder / BED_FILE
        missing = sorted(p.name for p in paths.values() if not p.is_file())
        if missing:
            raise AudioError(
                f"jingles missing in {folder}: {', '.join(missing)}",
                cause="generate them with `python scripts/make_jingles.py --out <folder>`",
            )
        return cls(paths["intro"], paths["outro"], paths["stinger"], paths["bed"])

    def replace(self, **changes: object) -> SoundDesign:
        """A copy with some values changed (checked again), e.g. `d.replace(bed=None)`."""
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise AudioError(f"sound design has no setting {', '.join(unknown)}", cause="a typo?")
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class _Voice:
    """Where one voiced cue goes: its trimmed source span and its place in the episode."""

    index: int
    source_start: int
    source_end: int
    start: int
    length: int


@dataclass(frozen=True, slots=True, eq=False)
class _Music:
    samples: Floats
    start: int


def _pause_after(kind: CueKind, text: str, chapter_changes: bool, design: SoundDesign) -> int:
    """Pause (ms) after a cue, sized by what ends there."""
    if chapter_changes:
        return design.section_ms
    if kind in PARAGRAPH_KINDS:
        return design.paragraph_ms
    if kind is CueKind.HEADING:
        return design.heading_ms
    if text.rstrip().endswith(COMMA_ENDINGS):
        return design.comma_ms
    return design.sentence_ms


def _check(script: Script, voiced: Sequence[VoicedCue], rate: int) -> None:
    if not 8_000 <= rate <= 192_000:
        raise AudioError(f"cannot assemble at {rate} Hz", cause="use 8000..192000 Hz")
    if not voiced or len(voiced) != len(script.cues):
        raise AudioError(
            f"{len(voiced)} voiced cues for a script of {len(script.cues)}",
            cause="every script cue must be voiced, in order",
        )
    chapter = 0
    for i, (cue, vc) in enumerate(zip(script.cues, voiced, strict=True)):
        if vc.cue != cue:
            raise AudioError(f"voiced cue {i} is not script cue {i}", cause="cues out of order")
        if vc.pcm.samples.ndim != 1 or vc.pcm.rate <= 0:
            raise AudioError(f"voiced cue {i} audio is not mono PCM", cause="speech engine bug")
        if cue.chapter < chapter:
            raise AudioError(f"cue {i} goes back to chapter {cue.chapter}", cause="script order")
        chapter = cue.chapter


_DECODED: dict[tuple[str, int, int, int], Floats] = {}  # music decoded by this process
_DECODED_MAX = 16
_DECODED_LOCK = threading.Lock()


def _decoded(path: Path, rate: int) -> Floats:
    """`path` decoded at `rate` (read-only), from this process's cache when the file is unchanged."""
    try:
        info = path.stat()
    except OSError:
        return decode(path, rate).samples  # it raises the AudioError that says what is wrong
    key = (str(path.resolve()), info.st_size, info.st_mtime_ns, rate)
    with _DECODED_LOCK:
        known = _DECODED.get(key)
    if known is not None:
        return known
    samples = decode(path, rate).samples.copy()
    samples.flags.writeable = False
    with _DECODED_LOCK:
        if len(_DECODED) >= _DECODED_MAX:
            _DECODED.clear()
        _DECODED[key] = samples
    return samples


def _music(paths: Sequence[Path | None], rate: int) -> list[Floats | None]:
    """Each music file decoded at `rate`, the ones not yet known decoded at the same time."""
    from concurrent.futures import ThreadPoolExecutor

    wanted = [p for p in paths if p is not None]
    with ThreadPoolExecutor(max_workers=max(1, len(wanted))) as pool:
        found = dict(zip(wanted, pool.map(lambda p: _decoded(p, rate), wanted), strict=True))
    return [None if p is None else found[p] for p in paths]


def load_music(design: SoundDesign, rate: int) -> None:
    """Decode the design's music files now, and keep them for `assemble`: a build calls it before
    voicing, so a jingle that is not audio stops it before minutes of synthesis are spent."""
    _music((design.intro, design.outro, design.stinger, design.bed), rate)


def _faded(samples: Floats | None, rate: int, fade: int) -> Floats | None:
    if samples is None:
        return None
    samples = samples.copy()
    dsp.apply_fades(samples, dsp.frames_of(rate, 2), fade)
    return samples


def _scaled(samples: int, rate: int, source_rate: int) -> int:
    return round(samples * rate / source_rate)


def assemble(
    script: Script,
    voiced: Sequence[VoicedCue],
    design: SoundDesign,
    rate: int,
    *,
    release: bool = False,
) -> Timeline:
    """The whole episode at `rate`: intro, greeting over the ducked bed, sommaire, lead, each
    section (stinger from the second one on, transition, heading, text), sign-off, outro.

    Chapters follow `script.chapters` contiguously (the first from 0, the last to the end);
    sentence marks are the engines' marks moved to where their cue landed.

    `release`: `voiced` is a mutable list the caller gives up; each cue's samples are let go as soon as
    they are placed (the item becomes a copy without samples), so an hour of voice is not held
    beside the hour-long episode.
    """
    import numpy as np

    _check(script, voiced, rate)
    fade = dsp.frames_of(rate, design.fade_ms)
    greets = any(cue.kind is CueKind.GREETING for cue in script.cues)
    paths = (design.intro, design.outro, design.stinger, design.bed if greets else None)
    intro, outro, stinger, bed = _music(paths, rate)
    intro, outro, stinger = (_faded(m, rate, fade) for m in (intro, outro, stinger))

    def ms(value: float) -> int:
        return dsp.frames_of(rate, value)

    voices: list[_Voice] = []
    music: list[_Music] = []
    chapter_starts: dict[int, int] = {0: 0}
    cursor = 0
    placed: list[Mark] = []  # where each jingle sits, for the timeline (radio cart timers)
    if intro is not None:
        music.append(_Music(intro, 0))
        placed.append(Mark("intro", 0, intro.shape[0]))
        cursor = intro.shape[0] + ms(design.intro_gap_ms)
    transitions = 0
    for i, vc in enumerate(voiced):
        cue = vc.cue
        if i:
            prev = voiced[i - 1].cue
            changes = cue.chapter != prev.chapter
            pause = ms(_pause_after(prev.kind, prev.text, changes, design))
            if cue.kind is CueKind.TRANSITION and transitions and stinger is not None:
                cursor += ms(design.sentence_ms)
                chapter_starts.setdefault(cue.chapter, cursor)
                music.append(_Music(stinger, cursor))
                placed.append(Mark("stinger", cursor, cursor + stinger.shape[0]))
                pause = stinger.shape[0] + ms(design.stinger_gap_ms)
            cursor += pause
        transitions += cue.kind is CueKind.TRANSITION
        chapter_starts.setdefault(cue.chapter, cursor)
        lo, hi = (0, vc.pcm.frames)
        if design.trim_silence:
            lo, hi = dsp.active_bounds(vc.pcm.samples, vc.pcm.rate)
        length = _scaled(hi - lo, rate, vc.pcm.rate)
        voices.append(_Voice(i, lo, hi, cursor, length))
        cursor += length
    if outro is not None:
        cursor += ms(design.outro_gap_ms)
        music.append(_Music(outro, cursor))
        placed.append(Mark("outro", cursor, cursor + outro.shape[0]))
        cursor += outro.shape[0]
    total = cursor + ms(design.tail_ms)

    episode = np.zeros(total, dtype=np.float32)
    for place in voices:
        vc = voiced[place.index]
        piece = Pcm(vc.pcm.samples[place.source_start : place.source_end], vc.pcm.rate)
        clip = dsp.resample(piece, rate).samples[: place.length].copy()
        dsp.apply_fades(clip, fade, fade)
        episode[place.start : place.start + clip.shape[0]] += clip
        if release:
            cast(MutableSequence[VoicedCue], voiced)[place.index] = _without_samples(vc)
        del vc, piece, clip

    voice_lufs = _voice_loudness(episode, rate)
    _mix_bed(episode, rate, design, bed, voices, voiced, voice_lufs)
    from briefing.audio.loudness import integrated_lufs

    for item in music:
        level = integrated_lufs(item.samples, rate)
        gain = voice_lufs + design.music_db - level if np.isfinite(level) else 0.0
        end = min(total, item.start + item.samples.shape[0])
        episode[item.start : end] += item.samples[: end - item.start] * np.float32(dsp.db_to_gain(gain))

    return Timeline(
        Pcm(episode, rate),
        _chapter_marks(script, chapter_starts, total),
        tuple(_sentence_marks(voices, voiced, rate)),
        tuple(placed),
    )


def _without_samples(vc: VoicedCue) -> VoicedCue:
    """`vc` as placing it left what is still read: its cue, marks and rate."""
    import numpy as np

    return VoicedCue(vc.cue, Pcm(np.zeros(0, dtype=np.float32), vc.pcm.rate), vc.sentences)


def _voice_loudness(episode: Floats, rate: int) -> float:
    """Integrated loudness of the voice alone (before any music is added); -23 if silent."""
    import math

    from briefing.audio.loudness import integrated_lufs

    level = integrated_lufs(episode, rate)
    return level if math.isfinite(level) else -23.0


def _mix_bed(
    episode: Floats,
    rate: int,
    design: SoundDesign,
    loop: Floats | None,
    voices: Sequence[_Voice],
    voiced: Sequence[VoicedCue],
    voice_lufs: float,
) -> None:
    """Add the bed under the greeting, ducked by the voice (the episode holds only voice yet)."""
    import numpy as np

    from briefing.audio.loudness import integrated_lufs

    greeting = [p for p in voices if voiced[p.index].cue.kind is CueKind.GREETING]
    if loop is None or not greeting:
        return
    lead, tail = dsp.frames_of(rate, design.bed_lead_ms), dsp.frames_of(rate, design.bed_tail_ms)
    start = max(0, greeting[0].start - lead)
    end = min(episode.shape[0], greeting[-1].start + greeting[-1].length + tail)
    bed = dsp.loop_to(loop, end - start, dsp.frames_of(rate, 50))
    dsp.apply_fades(bed, max(greeting[0].start - start, dsp.frames_of(rate, 50)), tail)
    level = integrated_lufs(loop, rate)
    quiet = voice_lufs + design.bed_db + design.bed_rise_db
    bed *= np.float32(dsp.db_to_gain(quiet - level if np.isfinite(level) else 0.0))
    side = episode[start:end]
    bed *= dsp.duck_gain(side, rate, threshold_db=voice_lufs - 18.0, depth_db=design.bed_rise_db)
    episode[start:end] += bed


def _chapter_marks(script: Script, starts: dict[int, int], total: int) -> tuple[Mark, ...]:
    """Contiguous chapter marks; a chapter without cues gets no time (it starts at the next)."""
    bounds = [0] * (len(script.chapters) + 1)
    bounds[-1] = total
    for index in range(len(script.chapters) - 1, 0, -1):
        bounds[index] = starts.get(index, bounds[index + 1])
    return tuple(Mark(title, bounds[i], bounds[i + 1]) for i, title in enumerate(script.chapters))


def _sentence_marks(voices: Sequence[_Voice], voiced: Sequence[VoicedCue], rate: int) -> list[Mark]:
    marks = []
    for place in voices:
        vc = voiced[place.index]
        for mark in vc.sentences:
            ends = []
            for at in (mark.start, mark.end):
                inside = min(max(at - place.source_start, 0), place.source_end - place.source_start)
                ends.append(place.start + min(place.length, _scaled(inside, rate, vc.pcm.rate)))
            marks.append(Mark(mark.title, ends[0], ends[1]))
    return marks
