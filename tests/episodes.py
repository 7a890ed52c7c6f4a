"""Published episodes made for tests: a real short MP3 with tags, transcripts and chapters, put into a
library the way a build does (shared by the publish, validate and CLI tests)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

import numpy as np

from briefing.audio.ffmpeg import encode_mp3
from briefing.audio.master import codec_gain_db, integrated_lufs
from briefing.config.show import FEED_NAME, Show
from briefing.export.chapters import EpisodeFile, EpisodeInfo, chapters_from_marks, chapters_json
from briefing.export.roles import FileRole
from briefing.export.subtitles import plan_cues, to_srt, to_vtt
from briefing.export.tags import EpisodeTags, write_tags
from briefing.models import Mark, Pcm
from briefing.publish.records import LIBRARY_NAME

SHOW = Show(base_url="https://example.org/podcast/", owner_email="podcast@example.org", keep=20)
RATE = 44_100
T0 = dt.datetime(2025, 8, 15, 5, 0, tzinfo=dt.UTC)


def sine(seconds: float, lufs: float, rate: int = RATE, freq: float = 440.0) -> Pcm:
    """A sine of `seconds` levelled to `lufs` (BS.1770, as the audio stage measures it)."""
    t = np.arange(round(seconds * rate), dtype=np.float64) / rate
    samples = (0.25 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    gain = 10 ** ((lufs - integrated_lufs(samples, rate)) / 20)
    return Pcm((samples * gain).astype(np.float32), rate)


def make_episode(
    out: Path,
    title: str = "Le sommet d'Anchorage",
    *,
    slug: str = "anchorage",
    date: dt.date = dt.date(2025, 8, 15),
    seconds: float = 1.0,
    lufs: float = -16.0,
    freq: float = 440.0,
    tags: bool = True,
    guid: str | None = None,
    episode: int | None = None,
) -> EpisodeInfo:
    """A real episode folder under `out`: tagged MP3 named with its content hash, VTT, SRT,
    chapters JSON and episode JSON (`episode`: the number they carry, as a build tags it); paths in
    the returned EpisodeInfo are relative to `out`."""
    folder = out / f"{date}-{slug}"
    folder.mkdir(parents=True, exist_ok=True)
    pcm = sine(seconds, lufs - codec_gain_db(RATE, 96), freq=freq)  # aimed as mastering aims
    staging = folder / "staging.mp3"
    encode_mp3(pcm, staging, 96)
    if tags:
        write_tags(
            staging,
            EpisodeTags(
                title=title, artist="Le Briefing", album="Le Briefing", date=date, guid=guid, episode=episode
            ),
        )
    digest = hashlib.sha256(staging.read_bytes()).hexdigest()[:6]
    mp3 = staging.rename(folder / f"{date}-{slug}-{digest}.mp3")
    sentence = (Mark("Bonjour et bienvenue.", 0, pcm.frames),)
    cues = plan_cues(sentence, RATE)
    (folder / "transcript.vtt").write_text(to_vtt(cues), encoding="utf-8")
    (folder / "transcript.srt").write_text(to_srt(cues), encoding="utf-8")
    (folder / "chapters.json").write_text(
        chapters_json(chapters_from_marks(sentence, RATE)), encoding="utf-8"
    )
    roles = (
        (FileRole.MP3, mp3),
        (FileRole.VTT, folder / "transcript.vtt"),
        (FileRole.SRT, folder / "transcript.srt"),
        (FileRole.CHAPTERS, folder / "chapters.json"),
    )
    files = tuple(EpisodeFile.of(out, path, role) for role, path in roles)
    info = EpisodeInfo(
        title,
        "Le Briefing",
        date,
        "espeak",
        "espeak",
        RATE,
        pcm.frames,
        files=files,
        guid=guid,
        episode=episode,
    )
    side = folder / "episode.json"
    side.write_text(info.to_json(), encoding="utf-8")
    return dataclasses.replace(info, files=files + (EpisodeFile.of(out, side, FileRole.EPISODE_JSON),))


def snapshot(out: Path) -> tuple[bytes, bytes]:
    return (out / LIBRARY_NAME).read_bytes(), (out / FEED_NAME).read_bytes()
