"""Playout cues: cue in/out from the timeline's marks, the ReplayGain 2.0 track gain, the tag text."""

from __future__ import annotations

import numpy as np
import pytest

from briefing.audio.cues import REPLAYGAIN_REFERENCE_LUFS, PlayoutCues, playout_cues
from briefing.errors import AudioError
from briefing.models import Mark, Pcm, Timeline

RATE = 48_000


def timeline(frames: int, sentences: tuple[Mark, ...] = (), music: tuple[Mark, ...] = ()) -> Timeline:
    chapters = (Mark("Tout", 0, frames),)
    return Timeline(Pcm(np.zeros(frames, dtype=np.float32), RATE), chapters, sentences, music)


def test_cues_span_the_first_and_last_sound_of_the_marks() -> None:
    speech = (Mark("Bonjour.", 12_000, 60_000), Mark("À demain.", 70_000, 200_000))
    music = (Mark("intro", 2_400, 30_000), Mark("outro", 190_000, 230_401))
    cues = playout_cues(timeline(RATE * 6, speech, music), -16.0)
    assert (cues.cue_in_ms, cues.cue_out_ms) == (50, 4801), "rounded outwards: no sound is cut"
    assert cues.replaygain_db == -2.0
    assert playout_cues(timeline(RATE * 6, speech), -23.0) == PlayoutCues(250, 4167, 5.0)


def test_a_timeline_without_marks_is_cued_end_to_end() -> None:
    assert playout_cues(timeline(RATE), -18.0) == PlayoutCues(0, 1000, 0.0)


def test_a_mark_past_the_audio_is_cut_at_its_end() -> None:
    cues = playout_cues(timeline(RATE, (Mark("Trop long.", 0, RATE * 2),)), -16.0)
    assert cues.cue_out_ms == 1000


def test_tags_are_what_liquidsoap_reads_and_read_back() -> None:
    cues = playout_cues(timeline(RATE * 3, (Mark("Une phrase.", 1234, 100_000),)), -20.3456)
    tags = dict(cues.tags())
    assert tags == {"liq_cue_in": "0.025", "liq_cue_out": "2.084", "replaygain_track_gain": "2.35 dB"}
    assert PlayoutCues.from_tags(tags) == cues
    assert REPLAYGAIN_REFERENCE_LUFS == -18.0
    assert PlayoutCues(0, 10, -2.3449).tags()[2] == ("replaygain_track_gain", "-2.34 dB")


def test_missing_or_malformed_tags() -> None:
    assert PlayoutCues.from_tags({"liq_cue_in": "0.000"}) is None
    with pytest.raises(AudioError, match="malformed"):
        PlayoutCues.from_tags({"liq_cue_in": "0", "liq_cue_out": "1", "replaygain_track_gain": "-2"})
    with pytest.raises(AudioError, match="not in order"):
        PlayoutCues(10, 5, 0.0)
    with pytest.raises(AudioError, match="gain"):
        PlayoutCues(0, 5, float("nan"))
