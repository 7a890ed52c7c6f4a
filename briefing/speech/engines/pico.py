"""SVOX Pico, a native French voice, offline: the engine and its lingware shipped by `py-nanotts`.

Pico (the voice of older Android phones, Apache-2.0) returns 16-bit mono PCM at 16 kHz. The clips
stay at 16 kHz here: the assembly stage resamples each cue once, with soxr, into the preset's rate
(resampling here as well would only add a second pass). Pico is fast (real-time factor about 0.005
on one core), so it runs in one process; the same piece gives the same speech, to within a few
steps of 16 bits on a few samples (its C engine keeps a little state from one call to the next).

Its raw output reaches full scale on ordinary sentences (clipped samples at ±32,767): pieces are
voiced at a volume that leaves headroom (`HEADROOM_VOLUME`, measured to keep news sentences about
2 dB under full scale), and a piece that still touches full scale is voiced again lower, so no
clipped clip reaches the cache.

Settings: `voice` is a Pico language ("fr-FR", the default); `rate` is Pico's speed factor;
`pitch` is an offset in percent of the natural pitch (-50..50, i.e. Pico's factor 0.5..1.5).
No Pico markup is put in the text: pauses are the assembly's silences, so the text that is
cached, transcribed and subtitled is the text that is said.

Three spellings are changed on the way in (`TEXT_RULES`, applied by `pico_text`). Pico misreads
hyphenated number words, the traditional spelling the normalizer writes ("dix-huit" heard as
"dix", "soixante-trois" as "soixante", "deux mille vingt-huit" as "deux mille vingt"), and reads
them well with spaces. Over 70 sentences with figures from the test corpora, Whisper base misheard
18.3 % of the words with hyphens, 16.2 % with spaces and 16.4 % with Pico's own reading of the
digits; hyphens in other words changed nothing (19.2 % against 19.6 % over 60 sentences), so they
stay (`spaced_numbers`).

And Pico does not know the ligatures: it says "cœur" as "cours", "sœur" as "sour", "œuvre" as
"ouvre", and reads "coeur", "soeur", "oeuvre" well. Over the seven sentences with "œ" in the
training articles, Whisper base heard 1 of the 6 words right with the ligature and 5 with "oe"
(`spelled_ligatures`; "æ" goes the same way, as "ae").

Nor the tréma before a final l: it reads the ë of "Israël", "Raphaël", "Gaël" as the eu of "feu",
so that Whisper base hears "Issraiu", "Rafa eu", "gaï". Written "elle", the way "Raphaëlle" is
said, they come out right: over 22 news sentences holding such names, 3 were heard right with
the ë and 12 with "elle" (Israël 0 of 4, then 4 of 4; "Michaël" and "Maëlle" still not). Other
ë ("Citroën", "aiguë") are left (`spelled_trema`).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Sequence
from importlib import metadata, util
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.errors import SpeechError
from briefing.models import Pcm
from briefing.speech.engines.base import (
    Availability,
    Capabilities,
    Parallel,
    VoiceSettings,
    check_pieces,
    empty_pcm,
    pcm16,
    speakable,
    to_pcm,
)
from briefing.speech.numbers import spells_a_number

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SAMPLE_RATE = 16_000
DEFAULT_VOICE = "fr-FR"
#: Pico's volume factor (1.0 = its own level, which clips): 0.7 is -3.1 dB, measured to leave news
#: sentences peaking about 2 dB under full scale.
HEADROOM_VOLUME = 0.7
#: A sample at or over this magnitude counts as clipped (32,700 of 32,768).
CLIPPED = 0.998
#: How much lower a clipped piece is voiced again, as many times as it takes (at most `_RETRIES`).
RETRY_FACTOR = 0.7
_RETRIES = 4
_PACKAGE = "py-nanotts"

_HYPHENATED = re.compile(r"\w+(?:-\w+)+")
_LIGATURES = {"œ": "oe", "æ": "ae"}
_LIGATURE = re.compile(r"([œæŒÆ])(?=(\w?))")
_TREMA_BEFORE_LL = re.compile(r"ë(?=ll)|Ë(?=LL)")
_TREMA_FINAL_L = re.compile(r"ël(?!\w)|ËL(?!\w)")

_lock = threading.Lock()  # the C engine keeps one global state


@functools.cache
def _tts() -> Any:
    """The NanoTTS instance of this process (imported on first use)."""
    try:
        from py_nanotts import NanoTTS
    except ImportError as e:
        raise SpeechError(
            "The Pico voice (py-nanotts) cannot be loaded",
            cause=f"{e}; reinstall it with: pip install py-nanotts",
        ) from e
    return NanoTTS()


def _lingware(voice: str) -> tuple[str, ...]:
    """The language files Pico needs for `voice` that are shipped with py-nanotts."""
    spec = util.find_spec("py_nanotts")
    if spec is None or not spec.submodule_search_locations:
        return ()
    folder = Path(next(iter(spec.submodule_search_locations))) / "lang"
    return tuple(sorted(p.name for p in folder.glob(f"{voice}_*.bin")))


def spaced_numbers(text: str) -> str:
    """`text` with the hyphens of number words made spaces ("quatre-vingt-dix-huitième" ->
    "quatre vingt dix huitième"); other hyphenated words ("Saint-Égrève", "a-t-il") are kept."""

    def space(m: re.Match[str]) -> str:
        return m[0].replace("-", " ") if spells_a_number(m[0].casefold().split("-")) else m[0]

    return _HYPHENATED.sub(space, text)


def spelled_ligatures(text: str) -> str:
    """`text` with "œ" and "æ" written as two letters: "cœur" -> "coeur", "ŒUVRE" -> "OEUVRE",
    and "Œdipe" -> "Oedipe" (a capital before small letters)."""

    def spell(m: re.Match[str]) -> str:
        letters = _LIGATURES[m[1].casefold()]
        if m[1].isupper():
            return letters.capitalize() if m[2].islower() else letters.upper()
        return letters

    return _LIGATURE.sub(spell, text)


def spelled_trema(text: str) -> str:
    """`text` with the ë of a final "ël" or of "ëll" written as Pico reads it right: "Israël" ->
    "Israelle", "Raphaëlle" -> "Raphaelle", "ISRAËL" -> "ISRAELLE"; "Citroën" is kept."""
    text = _TREMA_BEFORE_LL.sub(lambda m: "e" if m[0] == "ë" else "E", text)
    return _TREMA_FINAL_L.sub(lambda m: "elle" if m[0] == "ël" else "ELLE", text)


#: What is changed in the text Pico is given, in order. Their names are part of `version()`, so
#: speech cached before a rule was added or removed is voiced again; a rule whose output changes
#: takes a new name.
TEXT_RULES: tuple[Callable[[str], str], ...] = (spaced_numbers, spelled_ligatures, spelled_trema)


def pico_text(piece: str) -> str:
    """`piece` as it is given to Pico: every rule of `TEXT_RULES` applied in turn."""
    for rule in TEXT_RULES:
        piece = rule(piece)
    return piece


class PicoEngine:
    """Native French SVOX Pico: the most intelligible offline voice measured (docs/BENCHMARKS.md)."""

    name = "pico"
    max_chars = 600
    capabilities = Capabilities(
        pitch=True, parallel=Parallel.SERIAL, sample_rate=SAMPLE_RATE, needs_network=False
    )

    def available(self) -> Availability:
        if util.find_spec("py_nanotts") is None:
            return Availability(
                False, "the py-nanotts package is not installed; install it with: pip install py-nanotts"
            )
        files = _lingware(DEFAULT_VOICE)
        if len(files) < 2:
            return Availability(
                False, f"py-nanotts has no {DEFAULT_VOICE} lingware; reinstall it: pip install py-nanotts"
            )
        return Availability(True, f"SVOX Pico {DEFAULT_VOICE} from py-nanotts {metadata.version(_PACKAGE)}")

    def default_settings(self) -> VoiceSettings:
        return VoiceSettings(voice=DEFAULT_VOICE)

    def version(self, settings: VoiceSettings) -> str:
        voice = settings.voice or DEFAULT_VOICE
        files = ", ".join(_lingware(voice))
        rules = ", ".join(rule.__name__ for rule in TEXT_RULES)
        return f"pico {voice} ({files}; py-nanotts {metadata.version(_PACKAGE)}; {rules})"

    def synthesize(self, pieces: Sequence[str], settings: VoiceSettings) -> list[Pcm]:
        check_pieces(self.name, pieces, self.max_chars)
        voice = settings.voice or DEFAULT_VOICE
        pitch = 1.0 + settings.pitch / 100.0
        return [self._speak(pico_text(piece), voice, settings.rate, pitch) for piece in pieces]

    def release(self) -> None:
        """Nothing to let go: Pico's lingware is 1.2 MB per language."""

    def _speak(self, piece: str, voice: str, speed: float, pitch: float) -> Pcm:
        import numpy as np

        if not speakable(piece):
            return empty_pcm(SAMPLE_RATE)
        volume = HEADROOM_VOLUME
        for _ in range(_RETRIES):
            samples = self._raw(piece, voice, speed, pitch, volume)
            if samples.size == 0 or float(np.abs(samples).max()) < CLIPPED:
                break
            volume *= RETRY_FACTOR
        else:
            raise SpeechError(
                f"pico clips on {piece[:40]!r} even at volume {volume / RETRY_FACTOR:.2f}",
                cause="an unexpected py-nanotts build",
            )
        return to_pcm(samples, SAMPLE_RATE)

    def _raw(
        self, piece: str, voice: str, speed: float, pitch: float, volume: float
    ) -> npt.NDArray[np.float32]:
        try:
            with _lock:
                raw = _tts().speak(piece, voice=voice, speed=speed, pitch=pitch, volume=volume)
        except ValueError as e:
            raise SpeechError(
                f"Pico has no voice {voice!r}",
                cause='use a Pico language such as "fr-FR" in the voice profile',
            ) from e
        except (RuntimeError, OSError) as e:
            raise SpeechError(f"Pico failed on {piece[:40]!r}", cause=str(e)) from e
        return pcm16(raw)
