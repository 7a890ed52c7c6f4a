"""Writing an episode: the content hash in file names, mastering in place, no silent chapter."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import pytest

from briefing.audio.presets import Preset, get_preset
from briefing.errors import ExportError
from briefing.export.episode import EpisodeMeta, WrittenEpisode, content_hash, write_episode
from briefing.export.subtitles import parse_srt, parse_vtt
from briefing.models import Cue, CueKind, Mark, Pcm, Script, Timeline
from briefing.publish.staging import staging_folder


def write_staged(
    script: Script, timeline: Timeline, preset: Preset, meta: EpisodeMeta, out: Path
) -> WrittenEpisode:
    """`write_episode` in a staging folder held for this call alone, as a build does."""
    with staging_folder(out) as staging:
        return write_episode(script, timeline, preset, meta, out, staging=staging)


RATE = 44_100
META = EpisodeMeta(show="Le Briefing", artist="Rédaction", voice="test", engine="none")


def episode(seconds: float = 6.0, silent_second_half: bool = False) -> tuple[Script, Timeline]:
    rng = np.random.default_rng(1)
    n = round(seconds * RATE)
    t = np.arange(n) / RATE
    voice = sum(np.sin(2 * np.pi * 150.0 * k * t + rng.uniform(0, 6.3)) / k for k in range(1, 10))
    x = (0.05 * voice * np.sin(np.pi * 3.0 * t) ** 2).astype(np.float32)
    half = n // 2
    if silent_second_half:
        x[half:] = 0.0
    cues = (Cue(CueKind.GREETING, "Bonjour.", 0), Cue(CueKind.TEXT, "Une nouvelle.", 1))
    script = Script("Le titre", "Le point", dt.date(2025, 8, 15), ("Début", "Suite"), cues)
    marks = (Mark("Début", 0, half), Mark("Suite", half, n))
    sentences = (Mark("Bonjour.", 100, half - 100), Mark("Une nouvelle.", half + 100, n - 100))
    return script, Timeline(Pcm(x, RATE), marks, sentences)


def test_content_hash_covers_the_samples_bytes() -> None:
    script, timeline = episode()
    digest = hashlib.sha256(timeline.pcm.samples.tobytes())
    digest.update(f"{RATE}|{script.title}|{script.date}|{META.voice}".encode())
    assert content_hash(timeline, script, META) == digest.hexdigest()[:8]
    strided = Timeline(Pcm(np.repeat(timeline.pcm.samples, 2)[::2], RATE), (), ())
    assert content_hash(strided, script, META) == content_hash(timeline, script, META)


def test_the_timeline_is_mastered_in_place(tmp_path: Path) -> None:
    script, timeline = episode()
    samples = timeline.pcm.samples
    written = write_staged(script, timeline, get_preset("podcast"), META, tmp_path)
    assert written.master.timeline.pcm.samples is samples
    assert written.mp3.is_file() and written.master.attempts == 1
    assert abs(written.loudness.integrated_lufs + 16.0) <= 0.5


def test_a_silent_chapter_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    script, timeline = episode(silent_second_half=True)
    with pytest.raises(ExportError, match="Suite"):
        write_staged(script, timeline, get_preset("podcast"), META, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_the_mp3_carries_playout_cues_from_the_timeline(tmp_path: Path) -> None:
    from briefing.export.tags import read_tags

    script, timeline = episode()
    n = timeline.pcm.frames
    written = write_staged(script, timeline, get_preset("podcast"), META, tmp_path)
    cues = read_tags(written.mp3).playout
    assert cues is not None
    assert cues.cue_in_ms == 100 * 1000 // RATE and cues.cue_out_ms == -(-(n - 100) * 1000 // RATE)
    assert cues.replaygain_db == round(-18.0 - written.loudness.integrated_lufs, 2)


@pytest.mark.parametrize(("narrator", "named"), [("", "Rédaction"), ("Léa", "Léa")])
def test_the_transcripts_name_the_narrator_else_the_artist(tmp_path: Path, narrator: str, named: str) -> None:
    script, timeline = episode()
    meta = dataclasses.replace(META, narrator=narrator)
    written = write_staged(script, timeline, get_preset("podcast"), meta, tmp_path)
    vtt = written.mp3.with_suffix(".vtt").read_text(encoding="utf-8")
    srt = written.mp3.with_suffix(".srt").read_text(encoding="utf-8")
    assert [line for line in vtt.split("\n") if line.startswith("<v")] == [
        f"<v {named}>Bonjour.",
        f"<v {named}>Une nouvelle.",
    ]
    assert "<v" not in srt
    assert [(c.start_ms, c.end_ms, c.text) for c in parse_vtt(vtt)] == [
        (c.start_ms, c.end_ms, c.text) for c in parse_srt(srt)
    ]
