"""Audition: one short WAV per available voice, saying the same phrase at the same loudness, so a
producer can compare voices by ear before choosing one.

Each sample is voiced as a build would voice it (normalization, the house/voice/show lexicons,
splitting, the voice's gain and pauses), then levelled to `LEVEL_LUFS` with its true peak under
`CEILING_DBTP`, so that no voice sounds better only for being louder, and written atomically as
16-bit mono WAV at the voice's own rate.
"""

from __future__ import annotations

import datetime as dt
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefing.errors import BriefingError, SpeechError
from briefing.models import Cue, CueKind, Pcm, Script
from briefing.speech.cache import SpeechCache, as_int16
from briefing.speech.engines import VoiceSettings, get_engine
from briefing.speech.lexicon import Pairs, Pronunciations
from briefing.speech.voices import VoiceProfile, find_profile, list_voices
from briefing.speech.voicing import plan_voicing, voice_plans
from briefing.util.atomic import atomic_path

#: Loudness every sample is brought to, and its true-peak ceiling: the podcast preset's.
LEVEL_LUFS = -16.0
CEILING_DBTP = -1.0
MAX_SAMPLE_CHARS = 600


@dataclass(frozen=True, slots=True)
class Sample:
    """One voice's audition: the file written, or why there is none (`problem`)."""

    voice: str
    engine: str
    path: Path | None
    seconds: float = 0.0
    problem: str = ""


def audition(
    text: str,
    out_dir: Path,
    search_dirs: Sequence[Path],
    *,
    pronunciations: Pronunciations | None = None,
    cache: SpeechCache | None = None,
    voices: Sequence[str] = (),
) -> tuple[Sample, ...]:
    """Voice `text` with every available voice (or only `voices`) into `out_dir/<voice>.wav`.

    A voice that cannot run here is left out; one that fails while speaking gets a `Sample` with its
    one-line problem, and the others go on.
    """
    phrase = " ".join(text.split())
    if not phrase:
        raise SpeechError("the audition phrase is empty", cause="give a phrase to say: --sample '…'")
    if len(phrase) > MAX_SAMPLE_CHARS:
        raise SpeechError(
            f"the audition phrase has {len(phrase)} characters, over {MAX_SAMPLE_CHARS}",
            cause="a sentence or two is enough to judge a voice",
        )
    names = list(voices) or [v.name for v in list_voices(search_dirs) if v.available]
    profiles = [find_profile(name, search_dirs) for name in names]  # a typo is refused before any folder
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SpeechError(f"cannot write the audition into {out_dir}", cause=e.strerror or str(e)) from e
    samples = []
    heard: set[tuple[str, VoiceSettings, Pairs, float]] = set()
    for profile in profiles:
        sound = (profile.engine, profile.settings, profile.lexicon, profile.gain_db)
        if sound in heard and not voices:  # an engine's default voice that a profile already is
            continue
        heard.add(sound)
        try:
            pcm = _voice(phrase, profile, pronunciations or Pronunciations(), cache or SpeechCache(None))
            path = out_dir / f"{profile.name}.wav"
            write_wav(path, pcm)
        except BriefingError as e:
            samples.append(Sample(profile.name, profile.engine, None, problem=e.one_line()))
        except OSError as e:
            raise SpeechError(f"cannot write the audition into {out_dir}", cause=str(e)) from e
        else:
            samples.append(Sample(profile.name, profile.engine, path, pcm.seconds))
    return tuple(samples)


def _voice(phrase: str, profile: VoiceProfile, pronunciations: Pronunciations, cache: SpeechCache) -> Pcm:
    engine = get_engine(profile.engine)
    status = engine.available()
    if not status.ok:
        raise SpeechError(f"voice {profile.name} is unavailable", cause=status.reason)
    script = Script("audition", "audition", dt.date.today(), ("audition",), (Cue(CueKind.TEXT, phrase, 0),))
    plans = plan_voicing(script, engine.max_chars, pronunciations.for_voice(profile.lexicon))
    voiced, _ = voice_plans(plans, engine, profile.settings, cache, gain_db=profile.gain_db)
    return levelled(voiced[0].pcm)


def levelled(pcm: Pcm) -> Pcm:
    """`pcm` brought to `LEVEL_LUFS`, its true peak held under `CEILING_DBTP` by the master's limiter
    (what a listener hears in a podcast episode)."""
    import numpy as np

    from briefing.audio.limiter import limit
    from briefing.audio.loudness import integrated_lufs

    loudness = integrated_lufs(pcm.samples, pcm.rate)
    gain_db = LEVEL_LUFS - loudness if np.isfinite(loudness) else 0.0
    return Pcm(limit(pcm.samples, pcm.rate, CEILING_DBTP, gain_db=gain_db), pcm.rate)


def write_wav(path: Path, pcm: Pcm) -> None:
    """16-bit mono WAV, written atomically."""
    with atomic_path(path) as temp, wave.open(str(temp), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(pcm.rate)
        wav.writeframes(as_int16(pcm).astype("<i2").tobytes())
