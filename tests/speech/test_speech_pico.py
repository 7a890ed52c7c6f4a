"""Pico beyond the engine contract: headroom against its clipping, settings, failures, resampling,
and the number spelling it is given."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from briefing.audio.dsp import resample
from briefing.errors import SpeechError
from briefing.speech.engines import pico
from briefing.speech.engines.base import VoiceSettings
from briefing.speech.engines.pico import CLIPPED, HEADROOM_VOLUME, RETRY_FACTOR, PicoEngine

#: A sentence whose raw Pico output reaches full scale (measured: 5 samples at 32,767).
CLIPS = (
    "Le FMI et la SNCF, l'OTAN, le PIB et l'UE. Le président américain Donald Trump a reçu Vladimir Poutine."
)


class FakeTts:
    """Stands for py-nanotts: full scale above `clip_over` volume, a tone at `level` otherwise."""

    def __init__(self, clip_over: float, level: float = 0.5) -> None:
        self.clip_over = clip_over
        self.level = level
        self.calls: list[dict[str, Any]] = []
        self.texts: list[str] = []

    def speak(self, text: str, **options: Any) -> bytes:
        self.calls.append(options)
        self.texts.append(text)
        t = np.arange(16_000) / 16_000
        peak = 1.0 if options["volume"] > self.clip_over else self.level
        tone = np.clip(peak * 1.2 * np.sin(2 * np.pi * 200 * t), -1, 32767 / 32768)
        return (tone * 32768).astype("<i2").tobytes()


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeTts:
    tts = FakeTts(clip_over=0.6)
    monkeypatch.setattr(pico, "_tts", lambda: tts)
    return tts


def test_raw_pico_clips_and_the_engine_leaves_headroom() -> None:
    from py_nanotts import NanoTTS

    raw = np.frombuffer(NanoTTS().speak(CLIPS, voice="fr-FR"), dtype="<i2")
    assert int(np.abs(raw.astype(np.int32)).max()) >= 32_700  # what the engine must not pass on
    (pcm,) = PicoEngine().synthesize([CLIPS], PicoEngine().default_settings())
    peak = float(np.abs(pcm.samples).max())
    assert 0.5 < peak < CLIPPED


def test_a_piece_that_still_clips_is_voiced_again_lower(fake: FakeTts) -> None:
    (pcm,) = PicoEngine().synthesize(["Bonjour."], VoiceSettings(voice="fr-FR"))
    volumes = [call["volume"] for call in fake.calls]
    assert volumes == pytest.approx([HEADROOM_VOLUME, HEADROOM_VOLUME * RETRY_FACTOR])
    assert float(np.abs(pcm.samples).max()) < CLIPPED


def test_a_piece_that_always_clips_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pico, "_tts", lambda: FakeTts(clip_over=0.0))
    with pytest.raises(SpeechError, match="pico clips"):
        PicoEngine().synthesize(["Bonjour."], VoiceSettings())


def test_rate_and_pitch_reach_pico(fake: FakeTts) -> None:
    PicoEngine().synthesize(["Bonjour."], VoiceSettings(voice="fr-FR", rate=1.2, pitch=-10))
    assert fake.calls[0]["speed"] == 1.2 and fake.calls[0]["pitch"] == pytest.approx(0.9)
    assert fake.calls[0]["voice"] == "fr-FR"


def test_rate_changes_the_length_of_real_speech() -> None:
    engine = PicoEngine()
    (normal,) = engine.synthesize(["Le président a reçu son homologue."], VoiceSettings())
    (slow,) = engine.synthesize(["Le président a reçu son homologue."], VoiceSettings(rate=0.8))
    assert slow.seconds > normal.seconds * 1.15


def test_the_same_piece_gives_the_same_speech() -> None:
    engine = PicoEngine()
    first, _, second = engine.synthesize(
        ["Bonjour à tous.", "Autre chose.", "Bonjour à tous."], VoiceSettings()
    )
    assert first.frames == second.frames
    # Pico keeps a little state from one call to the next: a few samples differ by a few steps.
    assert float(np.abs(first.samples - second.samples).max()) < 1e-3


def test_an_unknown_language_is_one_clear_error() -> None:
    with pytest.raises(SpeechError, match="Pico has no voice 'xx-XX'") as info:
        PicoEngine().synthesize(["Bonjour."], VoiceSettings(voice="xx-XX"))
    assert "fr-FR" in (info.value.cause or "")


def test_unavailable_without_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pico.util, "find_spec", lambda name: None)
    status = PicoEngine().available()
    assert not status.ok and "pip install py-nanotts" in status.reason


def test_version_names_the_lingware_and_the_text_rules() -> None:
    version = PicoEngine().version(VoiceSettings())
    assert "fr-FR_ta.bin" in version and "fr-FR_nk0_sg.bin" in version and "py-nanotts" in version
    for rule in pico.TEXT_RULES:  # speech cached before the rules changed is voiced again
        assert rule.__name__ in version


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("depuis dix-huit mois", "depuis dix huit mois"),
        ("deux mille vingt-sept", "deux mille vingt sept"),
        ("quatre-vingt-dix-neuf", "quatre vingt dix neuf"),
        ("vingt-et-un, soixante-et-onze", "vingt et un, soixante et onze"),
        ("le trente-deuxième, les vingt-cinquièmes", "le trente deuxième, les vingt cinquièmes"),
        ("Dix-Huit", "Dix Huit"),
    ],
)
def test_number_words_lose_their_hyphens(text: str, said: str) -> None:
    assert pico.spaced_numbers(text) == said


@pytest.mark.parametrize(
    "text",
    ["Saint-Égrève", "a-t-il dit", "les deux-roues", "un mille-feuille", "peut-être", "dit-elle deux"],
)
def test_other_hyphenated_words_are_kept(text: str) -> None:
    assert pico.spaced_numbers(text) == text


def test_pico_is_given_spaced_numbers(fake: FakeTts) -> None:
    PicoEngine().synthesize(["En deux mille vingt-huit, au plus tôt."], VoiceSettings())
    assert set(fake.texts) == {"En deux mille vingt huit, au plus tôt."}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("au cœur de son œuvre", "au coeur de son oeuvre"),
        ("SŒUR et VŒUX", "SOEUR et VOEUX"),
        ("Œdipe, Œ", "Oedipe, OE"),
        ("et cætera, curriculum vitæ", "et caetera, curriculum vitae"),
        ("sans ligature", "sans ligature"),
    ],
)
def test_ligatures_are_written_as_two_letters(text: str, said: str) -> None:
    assert pico.spelled_ligatures(text) == said


def test_pico_is_given_no_ligature(fake: FakeTts) -> None:
    PicoEngine().synthesize(["Sa sœur, au cœur de la manœuvre."], VoiceSettings())
    assert set(fake.texts) == {"Sa soeur, au coeur de la manoeuvre."}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("l'armée d'Israël.", "l'armée d'Israelle."),
        ("ISRAËL", "ISRAELLE"),
        ("Raphaël et Raphaëlle, Maëlle, Gaëlle-Marie", "Raphaelle et Raphaelle, Maelle, Gaelle-Marie"),
        ("Citroën, aiguë, Saint-Saëns, canoë", "Citroën, aiguë, Saint-Saëns, canoë"),
        ("israélien, Noëlie", "israélien, Noëlie"),
    ],
)
def test_a_trema_before_a_final_l_is_written_as_pico_reads_it(text: str, said: str) -> None:
    assert pico.spelled_trema(text) == said


def test_pico_is_given_every_text_rule_in_turn(fake: FakeTts) -> None:
    PicoEngine().synthesize(["Israël, en deux mille vingt-huit, au cœur."], VoiceSettings())
    assert set(fake.texts) == {"Israelle, en deux mille vingt huit, au coeur."}


def test_a_new_text_rule_changes_the_version_so_cached_speech_is_voiced_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = PicoEngine().version(VoiceSettings())
    monkeypatch.setattr(pico, "TEXT_RULES", (*pico.TEXT_RULES, str.upper))
    assert PicoEngine().version(VoiceSettings()) != before


def test_clips_at_16_khz_are_resampled_once_into_the_episode_rate() -> None:
    engine = PicoEngine()
    (pcm,) = engine.synthesize(["Le président a reçu son homologue à Anchorage."], VoiceSettings())
    assert pcm.rate == 16_000
    up = resample(pcm, 44_100)
    assert up.rate == 44_100 and abs(up.frames - round(pcm.frames * 44_100 / 16_000)) <= 1
    spectrum = np.abs(np.fft.rfft(up.samples.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(up.frames, 1 / 44_100)
    assert spectrum[freqs > 8_200].sum() < 1e-4 * spectrum.sum()  # nothing made up above Pico's band
    assert float(np.abs(up.samples).max()) < 1.0
