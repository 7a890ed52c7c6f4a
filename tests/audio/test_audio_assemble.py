"""Assembly: order, pauses in exact samples, chapters and sentence marks, fades, bed ducking."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from paths import ROOT

from briefing.audio import dsp
from briefing.audio.assemble import SoundDesign, assemble
from briefing.audio.ffmpeg import encode_flac
from briefing.audio.master import integrated_lufs
from briefing.errors import AudioError
from briefing.models import Cue, CueKind, Mark, Pcm, Script, VoicedCue

RATE = 44_100
JINGLES = ROOT / "voices" / "jingles"
CUES = (
    (CueKind.GREETING, "Bonjour et bienvenue.", 0),
    (CueKind.SOMMAIRE, "Au sommaire : l'économie, la culture.", 0),
    (CueKind.LEAD, "Le gouvernement présente son budget.", 0),
    (CueKind.TRANSITION, "Passons à l'économie :", 1),
    (CueKind.HEADING, "Économie", 1),
    (CueKind.TEXT, "Premier paragraphe. Deux phrases.", 1),
    (CueKind.TEXT, "Second paragraphe.", 1),
    (CueKind.TRANSITION, "Place à la culture.", 2),
    (CueKind.HEADING, "Culture", 2),
    (CueKind.TEXT, "Un festival s'ouvre.", 2),
    (CueKind.SIGNOFF, "À demain.", 3),
)
CHAPTERS = ("Introduction", "Économie", "Culture", "Conclusion")


def harmonic(seconds: float, rate: int, f0: float, amp: float, syllables: bool) -> np.ndarray:
    """A voice stand-in: harmonics of f0; with syllable envelopes, or hard-edged (worst case)."""
    t = np.arange(round(seconds * rate)) / rate
    x = sum(np.sin(2 * np.pi * k * f0 * t + k) / k for k in range(1, 8))
    if syllables:
        x = x * np.sin(np.pi * 4.5 * t) ** 2
    return (amp * x / 2.6).astype(np.float32)


def voiced(
    seconds: float = 1.2, syllables: bool = True, rates: tuple[int, ...] = (24_000, 22_050)
) -> tuple[Script, list[VoicedCue]]:
    cues = tuple(Cue(kind, text, chapter) for kind, text, chapter in CUES)
    script = Script("Titre", "Le point", dt.date(2025, 8, 15), CHAPTERS, cues)
    out = []
    for i, cue in enumerate(cues):
        rate = rates[i % len(rates)]
        audio = harmonic(seconds, rate, 200.0 + 10 * i, 0.3, syllables)
        half = audio.shape[0] // 2
        marks = (Mark(f"{i}a", 0, half), Mark(f"{i}b", half, audio.shape[0]))
        out.append(VoicedCue(cue, Pcm(audio, rate), marks))
    return script, out


def write_tone(path: Path, seconds: float, freq: float, amp: float = 0.4) -> Path:
    t = np.arange(round(seconds * RATE)) / RATE
    x = (amp * np.cos(2 * np.pi * freq * t)).astype(np.float32)  # starts at full amplitude
    encode_flac(Pcm(x, RATE), path)
    return path


@pytest.fixture
def music(tmp_path: Path) -> SoundDesign:
    return SoundDesign(
        intro=write_tone(tmp_path / "intro.flac", 2.0, 440.0),
        outro=write_tone(tmp_path / "outro.flac", 2.0, 330.0),
        stinger=write_tone(tmp_path / "stinger.flac", 0.8, 880.0),
        bed=write_tone(tmp_path / "bed.flac", 3.0, 110.0, 0.2),
    )


def ms(value: float) -> int:
    return dsp.frames_of(RATE, value)


def cue_of(mark: Mark) -> int:
    return int(mark.title[:-1])


def test_chapters_are_contiguous_and_hold_their_sentences(music: SoundDesign) -> None:
    script, cues = voiced()
    timeline = assemble(script, cues, music, RATE)
    chapters = timeline.chapters
    assert [c.title for c in chapters] == list(CHAPTERS)
    assert chapters[0].start == 0 and chapters[-1].end == timeline.pcm.frames
    pairs = zip(chapters[:-1], chapters[1:], strict=True)
    assert all(a.end == b.start and a.start < a.end for a, b in pairs)
    assert [m.title for m in timeline.sentences] == [f"{i}{h}" for i in range(11) for h in "ab"]
    for mark in timeline.sentences:
        chapter = chapters[cues[cue_of(mark)].cue.chapter]
        assert chapter.start <= mark.start <= mark.end <= chapter.end
    starts = [m.start for m in timeline.sentences]
    assert starts == sorted(starts)
    assert timeline.sentences[0].start > 2 * RATE  # after the 2 s intro jingle


def test_pauses_and_marks_are_exact_sample_counts() -> None:
    design = SoundDesign(trim_silence=False)
    script, cues = voiced()
    timeline = assemble(script, cues, design, RATE)
    ends = {cue_of(m): m.end for m in timeline.sentences if m.title.endswith("b")}
    starts = {cue_of(m): m.start for m in timeline.sentences if m.title.endswith("a")}
    for i, vc in enumerate(cues):  # each cue keeps its length, resampled
        assert ends[i] - starts[i] == round(vc.pcm.frames * RATE / vc.pcm.rate)

    def gap(i: int) -> int:
        return starts[i + 1] - ends[i]

    assert gap(0) == ms(design.paragraph_ms)  # greeting -> sommaire
    assert gap(2) == ms(design.section_ms)  # lead -> first section
    assert gap(3) == ms(design.comma_ms)  # "Passons à l'économie :" -> heading
    assert gap(4) == ms(design.heading_ms)  # heading -> text
    assert gap(5) == ms(design.paragraph_ms)  # text -> text
    assert gap(6) == ms(design.section_ms)  # no stinger in this design
    assert timeline.chapters[1].start == starts[3] and timeline.chapters[3].start == starts[10]
    assert timeline.pcm.frames == ends[10] + ms(design.tail_ms)


def test_stinger_opens_the_second_section_only(music: SoundDesign) -> None:
    design = dataclasses.replace(music, trim_silence=False)
    script, cues = voiced()
    timeline = assemble(script, cues, design, RATE)
    starts = {cue_of(m): m.start for m in timeline.sentences if m.title.endswith("a")}
    ends = {cue_of(m): m.end for m in timeline.sentences if m.title.endswith("b")}
    stinger = round(0.8 * RATE)
    assert starts[3] - ends[2] == ms(design.section_ms)  # first section: no stinger
    assert starts[7] - ends[6] == ms(design.sentence_ms) + stinger + ms(design.stinger_gap_ms)
    chapter2 = timeline.chapters[2]
    assert chapter2.start == ends[6] + ms(design.sentence_ms)  # the chapter opens on the stinger
    sting = timeline.pcm.samples[chapter2.start : chapter2.start + stinger]
    spectrum = np.abs(np.fft.rfft(sting))
    assert abs(np.fft.rfftfreq(stinger, 1 / RATE)[np.argmax(spectrum)] - 880.0) < 3.0


def test_no_clicks_at_any_join(music: SoundDesign) -> None:
    # Every cue starts and stops at full amplitude, at the episode rate (no resampler to soften
    # the edges), and so do the music files.
    script, cues = voiced(syllables=False, rates=(RATE,))
    assert min(abs(float(vc.pcm.samples[0])) for vc in cues) > 0.05
    timeline = assemble(script, cues, music, RATE)
    x = timeline.pcm.samples
    edge = dsp.frames_of(RATE, 10)
    smooth = max(float(np.abs(np.diff(vc.pcm.samples[edge:-edge])).max()) for vc in cues)
    smooth += 2 * np.pi * 880.0 / RATE * 0.4  # the stinger's own slope (the loudest music)
    jumps = np.abs(np.diff(x))
    assert jumps.max() <= 1.1 * smooth
    assert abs(x[0]) < 1e-3 and abs(x[-1]) < 1e-3


def test_bed_is_ducked_under_the_greeting(tmp_path: Path) -> None:
    bed = write_tone(tmp_path / "bed.flac", 3.0, 110.0, 0.2)
    design = SoundDesign(bed=bed)
    script, cues = voiced()
    rate = 24_000
    voice = harmonic(2.0, rate, 240.0, 0.3, syllables=False)
    greeting = np.concatenate([voice, np.zeros(2 * rate, np.float32), voice])
    cues[0] = VoicedCue(cues[0].cue, Pcm(greeting, rate), (Mark("0a", 0, greeting.shape[0]),))
    timeline = assemble(script, cues, design, RATE)
    x = timeline.pcm.samples
    begin = timeline.sentences[0].start

    def bed_level(at_seconds: float) -> float:
        """Amplitude of the 110 Hz bed in a 0.5 s window (lock-in; the voice is at 240 Hz+)."""
        i = begin + round(at_seconds * RATE)
        seg = x[i : i + RATE // 2].astype(np.float64)
        t = np.arange(seg.shape[0]) / RATE
        window = np.hanning(seg.shape[0])
        probe = np.exp(-2j * np.pi * 110.0 * t) * window
        return float(2 * abs(np.sum(seg * probe)) / window.sum())

    under_voice = bed_level(0.75)
    in_the_pause = bed_level(3.25)
    ducked_db = 20 * np.log10(under_voice / in_the_pause)
    assert ducked_db == pytest.approx(-design.bed_rise_db, abs=1.5)
    voice_lufs = integrated_lufs(x[begin : begin + 2 * RATE], RATE)
    bed_db = 20 * np.log10(under_voice / 0.2)  # bed file level is 0.2
    assert voice_lufs - 40 < bed_db < voice_lufs  # well under the voice
    after = timeline.sentences[4].start  # the lead: the bed is gone
    assert bed_level((after - begin) / RATE) < under_voice / 100


def test_music_is_levelled_against_the_voice(music: SoundDesign) -> None:
    script, cues = voiced(seconds=3.0)
    timeline = assemble(script, cues, music, RATE)
    x = timeline.pcm.samples
    intro = integrated_lufs(x[: 2 * RATE], RATE)
    lead = [m for m in timeline.sentences if m.title.startswith("2")]
    voice = integrated_lufs(x[lead[0].start : lead[-1].end], RATE)
    assert intro - voice == pytest.approx(music.music_db, abs=1.5)


def test_default_design_uses_the_shipped_jingles() -> None:
    design = SoundDesign.default(JINGLES)
    script, cues = voiced()
    timeline = assemble(script, cues, design, 48_000)
    assert timeline.pcm.rate == 48_000
    assert timeline.sentences[0].start > 4 * 48_000  # after the intro jingle
    assert np.abs(timeline.pcm.samples[:48_000]).max() > 0.01
    tail = timeline.pcm.samples[timeline.sentences[-1].end :]
    assert tail.shape[0] > 4 * 48_000 and np.abs(tail).max() > 0.01  # the outro


def test_missing_jingles_say_how_to_make_them(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="make_jingles.py"):
        SoundDesign.default(tmp_path)


def test_bad_design_values_are_refused() -> None:
    with pytest.raises(AudioError, match="section_ms"):
        SoundDesign(section_ms=-5)
    with pytest.raises(AudioError, match="bed"):
        SoundDesign(bed_db=6.0)
    assert SoundDesign().replace(section_ms=1500).section_ms == 1500
    with pytest.raises(AudioError, match="no setting pause_ms"):
        SoundDesign().replace(pause_ms=3)


def test_voiced_cues_must_match_the_script() -> None:
    script, cues = voiced()
    with pytest.raises(AudioError, match="10 voiced cues for a script of 11"):
        assemble(script, cues[:-1], SoundDesign(), RATE)
    swapped = [cues[1], cues[0], *cues[2:]]
    with pytest.raises(AudioError, match="not script cue 0"):
        assemble(script, swapped, SoundDesign(), RATE)
    back = [*script.cues[:-1], Cue(CueKind.SIGNOFF, "Fin.", 0)]
    script_back = dataclasses.replace(script, cues=tuple(back))
    cues_back = [*cues[:-1], VoicedCue(back[-1], cues[-1].pcm, cues[-1].sentences)]
    with pytest.raises(AudioError, match="goes back to chapter 0"):
        assemble(script_back, cues_back, SoundDesign(), RATE)
    with pytest.raises(AudioError, match="Hz"):
        assemble(script, cues, SoundDesign(), 1000)


def test_music_is_decoded_once_per_process_until_the_file_changes(
    music: SoundDesign, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.audio import assemble as module

    real, calls = module.decode, []

    def counting(path: Path, rate: int) -> Pcm:
        calls.append(Path(path).name)
        return real(path, rate)

    monkeypatch.setattr(module, "decode", counting)
    monkeypatch.setattr(module, "_DECODED", {})
    script, cues = voiced()
    first = assemble(script, cues, music, RATE)
    assert sorted(calls) == ["bed.flac", "intro.flac", "outro.flac", "stinger.flac"]
    again = assemble(script, cues, music, RATE)
    assert len(calls) == 4  # all four from memory
    np.testing.assert_array_equal(first.pcm.samples, again.pcm.samples)
    assert music.intro is not None
    write_tone(music.intro, 2.5, 523.0)  # a new intro: size and time change
    changed = assemble(script, cues, music, RATE)
    assert calls[4:] == ["intro.flac"]
    assert changed.pcm.frames == first.pcm.frames + round(0.5 * RATE)


def test_release_lets_each_cue_go_and_changes_nothing(music: SoundDesign) -> None:
    script, cues = voiced()
    kept = assemble(script, cues, music, RATE)
    given = list(cues)
    released = assemble(script, given, music, RATE, release=True)
    np.testing.assert_array_equal(released.pcm.samples, kept.pcm.samples)
    assert (released.chapters, released.sentences, released.music) == (
        kept.chapters,
        kept.sentences,
        kept.music,
    )
    assert all(vc.pcm.frames == 0 for vc in given)  # nothing of the voice is held any more
    assert [vc.cue for vc in given] == [vc.cue for vc in cues]
    assert all(vc.pcm.frames > 0 for vc in cues)  # only the list given up was changed
