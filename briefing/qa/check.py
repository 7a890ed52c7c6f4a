"""Check one built episode before it airs: files, sound, chapters, subtitles, and intelligibility.

`check_episode(target)` takes the episode JSON, the MP3 or their common base name and reports every
problem found: a listed file missing or of another size; an MP3 whose decoded length is not the
episode JSON's (within one MP3 frame) or whose loudness or true peak misses its preset; ID3
chapters out of order, untitled, past the end, silent, or not those of the chapters JSON; WebVTT or
SubRip that does not parse, overlaps or disagrees with the other. With the extra `briefing[qa]`,
each chapter is also transcribed by speech recognition and compared with its script text (the
subtitle cues inside the chapter): a chapter whose word error rate is over the threshold is
flagged, because a garbled voice must be caught before it airs.

The loudness is checked against the preset the episode JSON records, else the one the folder's
library names, else (an episode JSON from before the preset was recorded) the one whose target it
records; with the target the episode was mastered for (a show may set its own). The per-file checks
are shared with `briefing validate` (`qa.problems`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.errors import BriefingError, CheckError
from briefing.export.chapters import Chapter, EpisodeInfo
from briefing.export.roles import FileRole
from briefing.qa.problems import Problem, duration_problems, listed_file_problems, loudness_problems, text_of

if TYPE_CHECKING:
    from briefing.audio.master import Loudness
    from briefing.audio.presets import Preset
    from briefing.export.subtitles import SubtitleCue
    from briefing.models import Pcm
    from briefing.qa.asr import ChapterScore, Recognizer

__all__ = ["CheckError", "CheckReport", "Problem", "check_episode", "locate"]

DEFAULT_THRESHOLD = 0.35
#: The files every episode has (the WAV comes with some presets only).
REQUIRED = (FileRole.MP3, FileRole.VTT, FileRole.SRT, FileRole.CHAPTERS)


# --- the report ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What `check_episode` found. `asr_note` says why speech recognition did not run ("" if it did)."""

    mp3: Path
    problems: tuple[Problem, ...]
    scores: tuple[ChapterScore, ...] = ()
    threshold: float = DEFAULT_THRESHOLD
    asr_note: str = ""
    preset: str | None = None
    loudness: Loudness | None = None
    seconds: float | None = None

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "error")

    @property
    def flagged(self) -> tuple[ChapterScore, ...]:
        return tuple(s for s in self.scores if s.flagged)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.flagged

    @property
    def overall_wer(self) -> float | None:
        """Word error rate over every scored chapter together (errors / reference words)."""
        total = sum(s.words for s in self.scores)
        return sum(s.errors for s in self.scores) / total if total else None

    def to_dict(self) -> dict[str, Any]:
        loud = self.loudness
        return {
            "mp3": str(self.mp3),
            "ok": self.ok,
            "seconds": self.seconds,
            "preset": self.preset,
            "loudness": None
            if loud is None
            else {
                "integrated_lufs": round(loud.integrated_lufs, 2),
                "true_peak_dbtp": round(loud.true_peak_dbtp, 2),
                "lra_lu": round(loud.lra_lu, 2),
            },
            "problems": [{"level": p.level, "where": p.where, "message": p.message} for p in self.problems],
            "asr": {
                "ran": not self.asr_note,
                "note": self.asr_note,
                "threshold": self.threshold,
                "wer": None if self.overall_wer is None else round(self.overall_wer, 4),
                "chapters": [s.to_dict() for s in self.scores],
            },
        }


# --- finding the files ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EpisodeFiles:
    """The files of one episode, by their common base path (folder / base name)."""

    base: Path

    def of(self, role: FileRole) -> Path:
        return self.base.with_name(role.file_name(self.base.name))

    @property
    def mp3(self) -> Path:
        return self.of(FileRole.MP3)

    @property
    def json(self) -> Path:
        return self.of(FileRole.EPISODE_JSON)


def locate(target: Path) -> EpisodeFiles:
    """The episode named by its JSON, its MP3, another of its files, or its base name."""
    target = Path(target)
    name = target.name
    role = FileRole.of_name(name)
    files = EpisodeFiles(target.with_name(name if role is None else name.removesuffix(role.suffix)))
    if not files.mp3.is_file() and not files.json.is_file():
        raise CheckError(
            f"no episode at {target} (neither {files.mp3.name} nor {files.json.name})",
            cause="give the episode JSON, its MP3, or their base name",
        )
    return files


# --- the checks ----------------------------------------------------------------------------------


@dataclass
class _Run:
    files: EpisodeFiles
    problems: list[Problem] = field(default_factory=list)
    info: EpisodeInfo | None = None
    chapters: tuple[Chapter, ...] = ()
    cues: tuple[SubtitleCue, ...] = ()
    pcm: Pcm | None = None
    preset: Preset | None = None
    loudness: Loudness | None = None

    def error(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def warn(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message, "warning"))

    def read(self, path: Path) -> str | None:
        """The text of one of the episode's files, or None after one error line (or none, when
        the file is missing and the episode JSON lists it: `listed_file_problems` said so)."""
        try:
            return text_of(path)
        except CheckError as e:
            listed = self.info is not None and any(f.path == path.name for f in self.info.files)
            if not (listed and isinstance(e.__cause__, FileNotFoundError)):
                self.error(path.name, e.message)
            return None


def _episode_json(run: _Run) -> None:
    path = run.files.json
    if not path.is_file():
        run.error(path.name, "the episode JSON is missing: sizes, duration and preset not checked")
        return
    text = run.read(path)
    if text is None:
        return
    try:
        run.info = EpisodeInfo.from_json(text)
    except BriefingError as e:
        run.error(path.name, e.one_line())
        return
    run.problems += listed_file_problems(path.parent, run.info, path.name)
    roles = {f.role for f in run.info.files}
    for role in REQUIRED:
        if role not in roles:
            run.error(path.name, f"lists no {role} file")
    listed = run.info.file(FileRole.MP3)
    if listed is not None and listed.path != run.files.mp3.name:
        run.error(path.name, f"its MP3 is {listed.path}, not {run.files.mp3.name}")


def _tags(run: _Run) -> None:
    import importlib

    from mutagen import MutagenError

    from briefing.export.chapters import parse_chapters_json
    from briefing.export.tags import read_tags

    mp3 = run.files.mp3
    if not mp3.is_file():
        run.error(mp3.name, "the MP3 is missing")
        return
    try:
        version = importlib.import_module("mutagen.id3").ID3(mp3).version
        tags = read_tags(mp3)
    except (MutagenError, OSError, BriefingError) as e:
        run.error(mp3.name, f"ID3 tag: {str(e) or 'cannot be read (the file is cut short or damaged)'}")
        return
    if version[:2] != (2, 3):
        run.warn(mp3.name, f"ID3 v2.{version[1]}: v2.3 is read by more players")
    info = run.info
    if info is not None and (tags.title, tags.guid) != (info.title, info.guid):
        run.error(mp3.name, f"ID3 title/GUID {tags.title!r}/{tags.guid} are not the episode JSON's")
    run.chapters = tags.chapters
    if not tags.chapters:
        run.error(mp3.name, "no ID3 chapters (CHAP)")
    for i, chapter in enumerate(tags.chapters):
        where = f"{mp3.name} chapter {i + 1}"
        if not chapter.title.strip():
            run.error(where, "has no title")
        if chapter.end_ms <= chapter.start_ms:
            run.error(where, f"ends at {chapter.end_ms} ms, not after its start ({chapter.start_ms} ms)")
        if i and chapter.start_ms < tags.chapters[i - 1].end_ms:
            run.error(where, f"starts at {chapter.start_ms} ms, before the previous chapter ends")
    side = run.files.of(FileRole.CHAPTERS)
    text = run.read(side)
    if text is None:
        return
    try:
        listed = parse_chapters_json(text)
    except BriefingError as e:
        run.error(side.name, e.one_line())
        return
    if [(c.title, c.start_ms, c.end_ms) for c in listed] != [tuple(c) for c in tags.chapters]:
        run.error(side.name, "its chapters are not the MP3's ID3 chapters")


def _sound(run: _Run) -> None:
    import numpy as np

    from briefing.audio.ffmpeg import decode_mp3_for_check
    from briefing.audio.master import MP3_FRAME, measure
    from briefing.export.episode import SILENT_CHAPTER_DBFS

    mp3 = run.files.mp3
    if not mp3.is_file():
        return
    try:
        pcm = decode_mp3_for_check(mp3)
    except BriefingError as e:
        run.error(mp3.name, f"does not decode: {e.one_line()}")
        return
    if pcm.frames == 0:
        run.error(mp3.name, "decodes to no audio at all")
        return
    run.pcm, info = pcm, run.info
    if info is not None:
        if pcm.rate != info.rate:
            run.error(mp3.name, f"is {pcm.rate} Hz, the episode JSON says {info.rate} Hz")
        else:
            run.problems += duration_problems(mp3.name, pcm, info, MP3_FRAME / info.rate, mp3.name)
    run.loudness = measure(pcm)
    run.preset = _preset(run)
    if run.preset is not None:
        run.problems += loudness_problems(mp3.name, run.loudness, run.preset, mp3.name)
    length_ms = round(pcm.frames * 1000 / pcm.rate)
    floor = 10 ** (SILENT_CHAPTER_DBFS / 20)
    for i, chapter in enumerate(run.chapters):
        where = f"{mp3.name} chapter {i + 1} ({chapter.title[:40]!r})"
        if chapter.end_ms > length_ms + round(MP3_FRAME * 1000 / pcm.rate):
            run.error(where, f"ends at {chapter.end_ms} ms, after the end of the audio ({length_ms} ms)")
        part = pcm.samples[_at(chapter.start_ms, pcm.rate) : _at(chapter.end_ms, pcm.rate)]
        rms = float(np.sqrt(np.mean(np.square(part, dtype=np.float64)))) if part.size else 0.0
        if rms <= floor:
            run.error(where, f"is silent (RMS under {SILENT_CHAPTER_DBFS:.0f} dBFS): the voice failed there")


def _at(ms: int, rate: int) -> int:
    return ms * rate // 1000


def _preset(run: _Run) -> Preset | None:
    """The preset the episode was mastered with, aimed at the target its JSON records (a show may set
    its own): the preset its JSON records, else the one its library names, else (a JSON from before
    the preset was recorded) the only one with the target and rate its JSON records."""
    from briefing.audio.presets import PRESETS, get_preset

    info = run.info
    if info is None:
        run.warn(run.files.mp3.name, "no episode JSON: loudness not checked against a preset")
        return None
    target = dict(info.loudness).get("target_lufs")
    name = info.preset or _library_preset(run, info)
    if name is None:
        match = [p for p in PRESETS.values() if p.target_lufs == target and p.rate == info.rate]
        if len(match) == 1:
            return match[0]
        where, why = run.files.json.name, f"no preset targets {target} LUFS at {info.rate} Hz"
        run.warn(where, f"{why}: loudness not checked")
        return None
    try:
        preset = get_preset(name)
        return preset if target in (None, preset.target_lufs) else preset.replace(target_lufs=target)
    except BriefingError as e:
        run.warn(run.files.json.name, f"{e.one_line()}: loudness not checked")
        return None


def _library_preset(run: _Run, info: EpisodeInfo) -> str | None:
    """The preset the library of the episode's folder names for it, if it lists it."""
    from briefing.publish.records import read_library

    folder = run.files.base.parent
    try:
        record = next((r for r in read_library(folder).episodes if r.guid == info.guid), None)
    except BriefingError as e:
        run.warn(folder.name or str(folder), e.one_line())
        return None
    return None if record is None else record.preset


def _subtitles(run: _Run) -> None:
    from briefing.export.subtitles import check_cues, parse_srt, parse_vtt

    parsed = []
    for role, parse in ((FileRole.VTT, parse_vtt), (FileRole.SRT, parse_srt)):
        path = run.files.of(role)
        text = run.read(path)
        if text is None:
            continue
        try:
            cues = parse(text)
            check_cues(cues)
        except BriefingError as e:
            run.error(path.name, e.one_line())
            continue
        if not cues:
            run.error(path.name, "has no cue")
        elif run.pcm is not None and cues[-1].end_ms > round(run.pcm.seconds * 1000) + 50:
            run.error(path.name, f"its last cue ends at {cues[-1].end_ms} ms, after the audio")
        parsed.append(cues)
        if role is FileRole.VTT:
            run.cues = cues
    if len(parsed) == 2:
        vtt, srt = ([(c.start_ms, c.end_ms, c.text) for c in cues] for cues in parsed)
        if vtt != srt:
            run.error(run.files.of(FileRole.SRT).name, "its cues are not those of the WebVTT file")


def check_episode(
    target: Path,
    *,
    asr: bool | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    recognizer: Recognizer | None = None,
    cache_dir: Path | None = None,
    log: Callable[[str], None] | None = None,
) -> CheckReport:
    """Check the episode named by `target` (its JSON, MP3 or base name) and report what is wrong.

    `asr`: None runs speech recognition when the `qa` extra is installed (else says why not in
    `asr_note`); True requires it (CheckError when missing); False skips it. `recognizer` reuses
    a loaded model; `cache_dir` is where the model is assembled. Raises CheckError when there is
    no episode at `target`; every other finding is in the report.
    """
    from briefing.qa import asr as speech

    if not 0.0 < threshold:
        raise CheckError(f"word error rate threshold {threshold} is not positive", cause="use e.g. 0.35")
    run = _Run(locate(target))
    _episode_json(run)
    _tags(run)
    _sound(run)
    _subtitles(run)
    note = ""
    scores: tuple[ChapterScore, ...] = ()
    if asr is False:
        note = "skipped (--no-asr)"
    elif recognizer is None and not speech.available():
        if asr:
            raise CheckError("speech recognition was asked for but is not installed", cause=speech.QA_HINT)
        note = f"skipped: speech recognition is not installed ({speech.QA_HINT})"
    elif run.pcm is None or not run.chapters or not run.cues:
        note = "skipped: no decodable audio, chapters or subtitles to compare"
    else:
        recognizer = recognizer or speech.load_recognizer(cache_dir)
        scores = speech.score_chapters(recognizer, run.pcm, run.chapters, run.cues, threshold, log)
    return CheckReport(
        mp3=run.files.mp3,
        problems=tuple(run.problems),
        scores=scores,
        threshold=threshold,
        asr_note=note,
        preset=None if run.preset is None else run.preset.name,
        loudness=run.loudness,
        seconds=None if run.pcm is None else round(run.pcm.seconds, 3),
    )
