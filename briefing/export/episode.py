"""Write a finished episode: master and encode the timeline, tag the MP3, write the side files, check
everything, and only then move the files into the output folder.

All files are made in a staging folder inside the output folder and renamed into place at the end, so a
failed build leaves the previous episode (and everything else in the folder) untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.audio.cues import playout_cues
from briefing.audio.master import Loudness, MasterReport, master_and_encode
from briefing.audio.presets import Preset
from briefing.errors import ExportError
from briefing.export.chapters import (
    EpisodeFile,
    EpisodeInfo,
    chapters_from_marks,
    write_chapters_json,
    write_episode_json,
)
from briefing.export.journal import record_placed, staged_names
from briefing.export.names import episode_basename
from briefing.export.roles import FileRole
from briefing.export.subtitles import SubtitleCue, plan_cues, sentence_cues, to_srt, to_vtt
from briefing.export.tags import Cover, EpisodeTags, write_tags
from briefing.models import Script, Timeline
from briefing.util.atomic import atomic_write_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from briefing.export.bwf import Cart
    from briefing.export.riff import RiffInfo

# A chapter quieter than this (RMS, dBFS) is silent: the voice failed there.
SILENT_CHAPTER_DBFS = -50.0


@dataclass(frozen=True, slots=True)
class EpisodeMeta:
    """What the tags and the episode JSON say besides the audio."""

    show: str
    artist: str
    voice: str
    engine: str
    description: str = ""
    cover: Cover | None = None
    episode: int | None = None
    guid: str | None = None
    feed_url: str | None = None
    copyright: str = ""
    narrator: str = ""  # who speaks, named in the WebVTT transcript; "" for the artist


@dataclass(frozen=True, slots=True, eq=False)
class WrittenEpisode:
    info: EpisodeInfo
    folder: Path
    mp3: Path
    master: MasterReport

    @property
    def loudness(self) -> Loudness:
        return self.master.mp3_loudness


def content_hash(timeline: Timeline, script: Script, meta: EpisodeMeta) -> str:
    """Eight hex digits that change whenever the audio or its words change: file names carry it, so an
    enclosure URL is never reused for different audio."""
    import numpy as np

    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(timeline.pcm.samples).data)  # the same bytes, not a copy
    digest.update(f"{timeline.pcm.rate}|{script.title}|{script.date}|{meta.voice}".encode())
    return digest.hexdigest()[:8]


def transcript_of(script: Script) -> str:
    return "\n\n".join(cue.text for cue in script.cues)


def write_episode(
    script: Script,
    timeline: Timeline,
    preset: Preset,
    meta: EpisodeMeta,
    out_dir: Path,
    *,
    staging: Path,
) -> WrittenEpisode:
    """Encode, tag and write every file of the episode into `out_dir` (atomically, all or nothing).

    The timeline is consumed: once its MP3 has passed the check, its samples are mastered in place
    (an hour-long episode is 600 MB; it is not copied). `written.master.timeline` is the result.
    `staging` is a folder from `publish.staging.staging_folder(out_dir)` that the caller holds until
    the episode is published (so a failed publication removes the files again).
    """
    try:
        base = episode_basename(meta.show, script.date, script.title, content_hash(timeline, script, meta))
        written = _write_all(script, timeline, preset, meta, staging, base)
        _check_chapters_sound(written.master)
        moved = _move_into_place(staging, out_dir, written.info)
    except OSError as e:  # the disk failed under a stage that did not say so itself
        raise ExportError(f"cannot write the episode into {out_dir}", cause=e.strerror or str(e)) from e
    return WrittenEpisode(moved, out_dir, out_dir / FileRole.MP3.file_name(base), written.master)


@dataclass(frozen=True, slots=True, eq=False)
class _Staged:
    info: EpisodeInfo
    master: MasterReport


def _write_all(
    script: Script, timeline: Timeline, preset: Preset, meta: EpisodeMeta, folder: Path, base: str
) -> _Staged:
    mp3 = folder / FileRole.MP3.file_name(base)
    wav = folder / FileRole.WAV.file_name(base) if preset.wav_bits else None
    report = master_and_encode(timeline, preset, mp3, wav, in_place=True)
    checked = _audio_digest(mp3)
    mastered = report.timeline
    rate = report.rate
    chapters = chapters_from_marks(mastered.chapters, rate, total=report.frames)
    write_tags(
        mp3,
        EpisodeTags(
            title=script.title,
            artist=meta.artist,
            album=meta.show,
            date=script.date,
            description=meta.description,
            episode=meta.episode,
            guid=meta.guid,
            feed_url=meta.feed_url,
            copyright=meta.copyright,
            cover=meta.cover,
            transcript=transcript_of(script),
            chapters=chapters,
            playout=playout_cues(mastered, report.mp3_loudness.integrated_lufs),
        ),
    )
    _check_audio_kept(mp3, checked)
    files = [(FileRole.MP3, mp3)]
    if wav is not None:
        _add_bext(wav, script, meta, report)
        files.append((FileRole.WAV, wav))
    vtt, srt = folder / FileRole.VTT.file_name(base), folder / FileRole.SRT.file_name(base)
    speaker = meta.narrator or meta.artist
    cues = plan_cues(mastered.sentences, rate, speaker=speaker)
    _write_text(vtt, to_vtt(cues, speaker=speaker))
    _write_text(srt, to_srt(cues))
    chapters_path = folder / FileRole.CHAPTERS.file_name(base)
    write_chapters_json(
        chapters_path, chapters, title=script.title, podcast_name=meta.show, file_name=mp3.name
    )
    files += [(FileRole.VTT, vtt), (FileRole.SRT, srt), (FileRole.CHAPTERS, chapters_path)]
    loud = report.mp3_loudness
    info = EpisodeInfo(
        title=script.title,
        show=meta.show,
        date=script.date,
        voice=meta.voice,
        engine=meta.engine,
        rate=rate,
        samples=report.frames,
        loudness=(
            ("integrated_lufs", round(loud.integrated_lufs, 2)),
            ("true_peak_dbtp", round(loud.true_peak_dbtp, 2)),
            ("lra_lu", round(loud.lra_lu, 2)),
            ("target_lufs", preset.target_lufs),
        ),
        files=tuple(EpisodeFile.of(folder, path, role) for role, path in files),
        guid=meta.guid,
        episode=meta.episode,
        description=meta.description,
        chapters=chapters,
        preset=preset.name,
    )
    json_path = folder / FileRole.EPISODE_JSON.file_name(base)
    # It lists every other file (itself, only in memory), and keeps what the episode page shows.
    write_episode_json(json_path, info, page_extras(script, sentence_cues(mastered.sentences, rate)))
    info = replace(info, files=(*info.files, EpisodeFile.of(folder, json_path, FileRole.EPISODE_JSON)))
    return _Staged(info, report)


def page_extras(script: Script, sentences: Sequence[SubtitleCue]) -> dict[str, object]:
    """What the episode JSON adds for the episode page (`publish.pages`): the article's source and
    author, and the transcript sentence by sentence, times in ms from the sentence marks."""
    return {
        "source": script.source,
        "author": script.author,
        "sentences": [{"start_ms": c.start_ms, "end_ms": c.end_ms, "text": c.text} for c in sentences],
    }


def _write_text(path: Path, text: str) -> None:
    try:
        atomic_write_text(path, text)
    except OSError as e:
        raise ExportError(f"cannot write {path}", cause=e.strerror or str(e)) from e


def _add_bext(wav: Path, script: Script, meta: EpisodeMeta, report: MasterReport) -> None:
    """The chunks a playout system reads: `bext` (EBU Tech 3285 v2, with the R128 loudness values), an
    AES46 `cart` chunk with the air window (the episode's day) and the timers from the timeline, and
    the LIST/INFO tags."""
    from briefing.export.bwf import Bext, add_broadcast_chunks
    from briefing.export.names import fit_ascii

    loud = report.wav_loudness or report.mp3_loudness
    now = dt.datetime.now().replace(microsecond=0)
    bext = Bext(
        origination=now,
        description=fit_ascii(f"{meta.show} - {script.title}", 256),
        originator=fit_ascii("briefing", 32),
        originator_reference=fit_ascii(f"{script.date.isoformat()}-{report.frames}", 32),
        time_reference=0,
        loudness_value=loud.integrated_lufs,
        loudness_range=loud.lra_lu,
        max_true_peak=loud.true_peak_dbtp,
        coding_history=f"A=PCM,F={report.rate},W=24,M=mono,T=briefing",
    )
    add_broadcast_chunks(wav, bext, cart_of(script, meta, report), info_of(script, meta))


def info_of(script: Script, meta: EpisodeMeta) -> RiffInfo:
    """The WAV's LIST/INFO tags: what the MP3's ID3 tag says, in full text (Liquidsoap and ffmpeg read
    nothing else from a WAV; cart and bext hold folded, shortened ASCII)."""
    from briefing.export.riff import RiffInfo

    return RiffInfo(
        title=script.title,
        artist=meta.artist,
        album=meta.show,
        date=script.date,
        track=meta.episode,
        comment=meta.description,
        copyright=meta.copyright,
        software=f"briefing {_version()}",
    )


def cart_timers(timeline: Timeline) -> tuple[tuple[str, int], ...]:
    """AES46 timers in samples: audio start and end, intro end (where a presenter may talk over the
    intro jingle), segue start (where the outro jingle begins)."""
    import numpy as np

    samples = timeline.pcm.samples
    sound = np.flatnonzero(np.abs(samples) > 10 ** (-60 / 20))
    start, end = (int(sound[0]), int(sound[-1]) + 1) if sound.size else (0, timeline.pcm.frames)
    timers = [("AUDs", start), ("AUDe", end)]
    intro, outro = timeline.music_mark("intro"), timeline.music_mark("outro")
    if intro is not None:
        timers.append(("INTe", intro.end))
    if outro is not None:
        timers.append(("SEGs", outro.start))
    return tuple(timers)


def cart_of(script: Script, meta: EpisodeMeta, report: MasterReport) -> Cart:
    from briefing.export.bwf import Cart
    from briefing.export.names import fit_ascii

    day = script.date
    return Cart(
        title=fit_ascii(script.title, 64),
        artist=fit_ascii(meta.artist, 64),
        cut_id=fit_ascii(day.strftime("%Y%m%d"), 64),
        category=fit_ascii("NEWS", 64),
        start=dt.datetime.combine(day, dt.time(0, 0, 0)),
        end=dt.datetime.combine(day, dt.time(23, 59, 59)),
        producer_app_version=fit_ascii(_version(), 64),
        timers=cart_timers(report.timeline),
    )


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("briefing")
    except metadata.PackageNotFoundError:
        return "dev"


def _check_chapters_sound(report: MasterReport) -> None:
    """Never publish a silent chapter: it means a voice (or the encoder) failed quietly. The levels
    are those of the decoded MP3, the file that is published."""
    chapters = report.timeline.chapters
    if len(report.chapter_dbfs) != len(chapters):
        raise ExportError(
            f"the MP3 was measured for {len(report.chapter_dbfs)} chapters, the episode has {len(chapters)}",
            cause="a bug in mastering; nothing was published",
        )
    for mark, level in zip(chapters, report.chapter_dbfs, strict=True):
        if not level > SILENT_CHAPTER_DBFS:
            raise ExportError(
                f"chapter {mark.title!r} is silent in the MP3 ({level:.0f} dBFS)",
                cause="the voice produced no sound there; nothing was published",
            )


def _audio_digest(mp3: Path) -> str:
    """SHA-256 of the MP3's audio frames: of everything after its ID3v2 tag, if it has one."""
    digest = hashlib.sha256()
    try:
        with mp3.open("rb") as f:
            head = f.read(10)
            skip = 0
            if len(head) == 10 and head[:3] == b"ID3":  # a syncsafe size, 7 bits a byte
                size = sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(head[6:10]))
                skip = 10 + size + (10 if head[5] & 0x10 else 0)  # 0x10: a footer follows
            f.seek(skip)
            while block := f.read(1 << 20):
                digest.update(block)
    except OSError as e:
        raise ExportError(f"cannot read {mp3} back", cause=e.strerror or str(e)) from e
    return digest.hexdigest()


def _check_audio_kept(mp3: Path, checked: str) -> None:
    """The tagged MP3 still holds, byte for byte, the audio that was decoded and measured."""
    if _audio_digest(mp3) != checked:
        raise ExportError(
            f"the tagged MP3 {mp3.name} no longer holds the audio that was checked",
            cause="it was cut or changed while the tags were written (disk full?); nothing was published",
        )


def _move_into_place(staging: Path, out_dir: Path, info: EpisodeInfo) -> EpisodeInfo:
    """Rename every staged file into `out_dir`; the episode JSON goes last, so a reader that sees it sees
    every file it names."""
    names = staged_names(staging)
    json_names = [n for n in names if FileRole.of_name(n) is FileRole.EPISODE_JSON]
    record_placed(staging, names)  # so a build killed from here on can be undone
    moved: list[Path] = []
    try:
        for name in [n for n in names if n not in json_names] + json_names:
            dest = out_dir / name
            existed = dest.exists()  # the same content hash: an identical file from an earlier build
            os.replace(staging / name, dest)
            if not existed:
                moved.append(dest)
    except OSError as e:
        for path in moved:
            with contextlib.suppress(OSError):
                path.unlink()
        raise ExportError(f"cannot move the episode into {out_dir}", cause=e.strerror or str(e)) from e
    return info
