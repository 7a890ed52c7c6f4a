from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st

from briefing.config.show import Show
from briefing.errors import CacheError, SpeechError
from briefing.models import Article, Cue, CueKind, Pcm, Script, Section
from briefing.script.build import build_script
from briefing.speech import voicing
from briefing.speech.cache import SpeechCache
from briefing.speech.engines import Availability, Capabilities, Parallel, VoiceSettings
from briefing.speech.voices import VoiceProfile
from briefing.speech.voicing import Pauses, plan_cue, plan_voicing, voice_plans, voice_script

RATE = 16_000
SERIAL = Capabilities(pitch=True, parallel=Parallel.SERIAL, sample_rate=RATE, needs_network=False)


@dataclass
class FakeEngine:
    """Says every piece as a tone whose length follows the text; counts what it is asked."""

    name: str = "fake"
    max_chars: int = 60
    capabilities: Capabilities = SERIAL
    fail: bool = False
    calls: list[str] = field(default_factory=list)

    def available(self) -> Availability:
        return Availability(True, "always")

    def version(self, settings: VoiceSettings) -> str:
        return "1"

    def default_settings(self) -> VoiceSettings:
        return VoiceSettings()

    def synthesize(self, pieces: Sequence[str], settings: VoiceSettings) -> list[Pcm]:
        if self.fail:
            raise SpeechError(f"{self.name} is down", cause="test")
        self.calls.extend(pieces)
        out = []
        for piece in pieces:
            assert len(piece) <= self.max_chars
            n = 200 * len(piece)
            t = np.arange(n) / RATE
            out.append(Pcm((0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32), RATE))
        return out


ARTICLE = Article(
    title="Essai",
    lead="Un chapeau court. Il a deux phrases.",
    sections=(
        Section(
            "Premier", "Le premier texte, assez long pour être coupé en deux morceaux par le moteur de test."
        ),
        Section("Second", "Le second texte.\n\nUn deuxième paragraphe, le 15 août 2025."),
    ),
    date=dt.date(2025, 8, 15),
)


def script() -> Script:
    return build_script(ARTICLE, Show())


def test_plan_keeps_written_sentences_and_normalizes_pieces() -> None:
    cue = Cue(CueKind.TEXT, "Le 15 août 2025, à 14h30. M. Dupont arrive.\n\nFin.", 1)
    plan = plan_cue(cue, 40)
    assert [s.text for s in plan.sentences] == ["Le 15 août 2025, à 14h30.", "M. Dupont arrive.", "Fin."]
    assert [s.ends_paragraph for s in plan.sentences] == [False, True, False]
    spoken = " ".join(p for s in plan.sentences for p in s.pieces)
    assert "quinze août" in spoken and "monsieur Dupont" in spoken and not any(c.isdigit() for c in spoken)
    assert all(len(p) <= 40 for s in plan.sentences for p in s.pieces)


def test_marks_match_the_audio_and_pauses(tmp_path: Path) -> None:
    engine = FakeEngine()
    plans = plan_voicing(script(), engine.max_chars)
    pauses = Pauses(piece=50, sentence=300, paragraph=700)
    voiced, stats = voice_plans(plans, engine, VoiceSettings(), SpeechCache(tmp_path), pauses=pauses)
    assert len(voiced) == len(script().cues)
    assert stats.synthesized == stats.pieces == len(set(engine.calls))
    for cue, plan in zip(voiced, plans, strict=True):
        assert [m.title for m in cue.sentences] == [s.text for s in plan.sentences]
        assert cue.sentences[-1].end == cue.pcm.frames
        for a, b in zip(cue.sentences, cue.sentences[1:], strict=False):
            gap = b.start - a.end
            assert gap in (RATE * 300 // 1000, RATE * 700 // 1000)
    long_text = next(v for v in voiced if v.cue.kind is CueKind.TEXT)
    assert len(plans[[v.cue for v in voiced].index(long_text.cue)].sentences[0].pieces) > 1


def test_rebuild_voices_nothing_and_an_edit_only_its_sentences(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    first = FakeEngine()
    voice_plans(plan_voicing(script(), 60), first, VoiceSettings(), cache)
    again = FakeEngine()
    _, stats = voice_plans(plan_voicing(script(), 60), again, VoiceSettings(), cache)
    assert again.calls == [] and stats.synthesized == 0
    edited_cues = tuple(
        replace(c, text="Le second texte, corrigé.\n\nUn deuxième paragraphe, le 15 août 2025.")
        if c.text.startswith("Le second texte.")
        else c
        for c in script().cues
    )
    edited = replace(script(), cues=edited_cues)
    third = FakeEngine()
    voice_plans(plan_voicing(edited, 60), third, VoiceSettings(), cache)
    assert third.calls == ["Le second texte, corrigé."]


def test_other_settings_do_not_share_the_cache(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    voice_plans(plan_voicing(script(), 60), FakeEngine(), VoiceSettings(), cache)
    other = FakeEngine()
    voice_plans(plan_voicing(script(), 60), other, VoiceSettings(rate=1.2), cache)
    assert other.calls


def test_a_voiced_piece_is_cached_under_the_key_it_had_before(tmp_path: Path) -> None:
    # The file name was taken from the code that keyed settings by `repr(settings)`: a cache made
    # then is still found.
    one = Script("t", "t", dt.date(2025, 8, 15), ("t",), (Cue(CueKind.TEXT, "Bonjour à tous.", 0),))
    settings = VoiceSettings(voice="fr+f3", rate=0.9, pitch=-12, extra=(("backend", "library"),))
    engine = FakeEngine()
    voice_plans(plan_voicing(one, 60), engine, settings, SpeechCache(tmp_path))
    assert engine.calls == ["Bonjour à tous."]
    assert [p.name for p in tmp_path.rglob("*.npz")] == [
        "5decba43c805541144d2af4569fa135a3ac9d5629333392bfe99180639248cf2.npz"
    ]


def test_a_failing_voice_falls_back_for_the_whole_episode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engines = {"down": FakeEngine(name="down", fail=True), "up": FakeEngine(name="up")}
    monkeypatch.setattr(voicing, "get_engine", lambda name: engines[name])
    main = VoiceProfile(name="main", engine="down", fallback="spare")
    spare = VoiceProfile(name="spare", engine="up")
    monkeypatch.setattr(voicing, "fallback_chain", lambda p, dirs: (main, spare))
    said: list[str] = []
    result = voice_script(script(), main, (), SpeechCache(tmp_path), log=said.append)
    assert result.profile.name == "spare"
    assert result.failed and "down is down" in result.failed[0]
    assert said and "spare" in said[0]
    assert len(engines["up"].calls) == result.stats.pieces


def test_no_fallback_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(voicing, "get_engine", lambda name: FakeEngine(fail=True))
    lone = VoiceProfile(name="lone", engine="fake")
    monkeypatch.setattr(voicing, "fallback_chain", lambda p, dirs: (lone,))
    with pytest.raises(SpeechError, match="fake is down"):
        voice_script(script(), lone, (), SpeechCache(tmp_path))


def test_a_cache_that_cannot_be_written_is_not_a_voice_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk under the cache would fail the fallback voice too: it is said once, not tried again."""
    engines = {"main": FakeEngine(name="main"), "spare": FakeEngine(name="spare")}
    monkeypatch.setattr(voicing, "get_engine", lambda name: engines[name])
    main = VoiceProfile(name="main", engine="main", fallback="spare")
    monkeypatch.setattr(voicing, "fallback_chain", lambda p, dirs: (main, VoiceProfile("spare", "spare")))

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("briefing.util.atomic._create_temp", full)
    with pytest.raises(CacheError, match="cannot write the speech cache") as caught:
        voice_script(script(), main, (), SpeechCache(tmp_path / "cache"))
    assert "No space left" in caught.value.one_line()
    assert engines["spare"].calls == []


def test_broken_engine_output_is_refused(tmp_path: Path) -> None:
    class Silent(FakeEngine):
        def synthesize(self, pieces: Sequence[str], settings: VoiceSettings) -> list[Pcm]:
            return [Pcm(np.zeros(0, dtype=np.float32), RATE) for _ in pieces]

    with pytest.raises(SpeechError, match="empty or broken audio"):
        voice_plans(plan_voicing(script(), 60), Silent(), VoiceSettings(), SpeechCache(tmp_path))


def test_a_sentence_said_in_several_cues_is_voiced_once_and_heard_in_each(tmp_path: Path) -> None:
    # The pieces are let go as the cues are made: one said again later must still be there for it.
    said = "Une phrase dite deux fois."
    cues = (
        Cue(CueKind.GREETING, f"Bonjour. {said}", 0),
        Cue(CueKind.TEXT, "Autre chose.", 1),
        Cue(CueKind.SIGNOFF, f"{said} À demain.", 1),
    )
    repeated = Script("Essai", "Le point", dt.date(2025, 8, 15), ("Introduction", "Suite"), cues)
    engine = FakeEngine()
    voiced, stats = voice_plans(plan_voicing(repeated, 60), engine, VoiceSettings(), SpeechCache(tmp_path))
    assert engine.calls.count(said) == 1 and stats.pieces == 4
    first, last = voiced[0], voiced[2]
    one = first.pcm.samples[first.sentences[1].start : first.sentences[1].end]
    other = last.pcm.samples[last.sentences[0].start : last.sentences[0].end]
    np.testing.assert_array_equal(one, other)
    assert one.size == 200 * len(said)


@given(st.lists(st.text(alphabet="abc ", min_size=1, max_size=80), max_size=40), st.integers(1, 10))
def test_batches_hold_every_piece_once_long_ones_with_as_much_short(pieces: list[str], longest: int) -> None:
    batches = voicing._batches(pieces, longest)
    assert sorted(p for b in batches for p in b) == sorted(pieces)
    by_length = sorted(pieces, key=len, reverse=True)
    for number, batch in enumerate(batches):
        longs, shorts = batch[:longest], batch[longest:]
        assert [len(p) for p in longs] == [len(p) for p in by_length[: len(longs)]]
        by_length = by_length[len(longs) :]
        if number < len(batches) - 1:  # only the last may run out of short pieces
            assert sum(map(len, shorts)) >= sum(map(len, longs))
            assert sum(map(len, shorts[:-1])) < sum(map(len, longs))
        by_length = by_length[: len(by_length) - len(shorts)]


def test_voiced_pieces_are_read_back_from_the_cache_not_held(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    plans = plan_voicing(script(), 60)
    read: list[str] = []
    get = cache.get

    class Watched(SpeechCache):
        def get(self, key: str) -> Pcm | None:
            read.append(key)
            return get(key)

    watched = Watched(tmp_path)
    voiced, stats = voice_plans(plans, FakeEngine(), VoiceSettings(), watched)
    assert len(read) == stats.pieces == stats.synthesized  # each piece read back once for its cues
    again, _ = voice_plans(plans, FakeEngine(), VoiceSettings(), cache)
    for a, b in zip(voiced, again, strict=True):
        np.testing.assert_array_equal(a.pcm.samples, b.pcm.samples)  # a rebuild sounds the same


def test_without_a_cache_the_pieces_sound_as_with_one(tmp_path: Path) -> None:
    plans = plan_voicing(script(), 60)
    cached, _ = voice_plans(plans, FakeEngine(), VoiceSettings(), SpeechCache(tmp_path))
    held, _ = voice_plans(plans, FakeEngine(), VoiceSettings(), SpeechCache(None))
    for a, b in zip(cached, held, strict=True):
        np.testing.assert_array_equal(a.pcm.samples, b.pcm.samples)


def test_a_cached_piece_lost_before_its_cue_is_voiced_again(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    plans = plan_voicing(script(), 60)
    voice_plans(plans, FakeEngine(), VoiceSettings(), cache)
    lost = plans[0].sentences[0].pieces[0]

    class Losing(SpeechCache):
        def get(self, key: str) -> Pcm | None:
            for entry in tmp_path.rglob("*.npz"):
                entry.write_bytes(b"damaged after it was counted")
            return super().get(key)

    engine = FakeEngine()
    voiced, stats = voice_plans(plans, engine, VoiceSettings(), Losing(tmp_path))
    assert lost in engine.calls and stats.synthesized == len(engine.calls) == stats.pieces
    assert voiced[0].pcm.frames > 0
