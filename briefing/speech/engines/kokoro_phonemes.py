"""Kokoro's phonemes: French text to Kokoro's phoneme symbols, and phoneme strings cut to what one
inference takes.

Phonemes come from phonemizer's eSpeak backend ("fr-fr", with stress) on the espeakng-loader library,
mapped to Kokoro's symbols the way Kokoro's own G2P (misaki) does.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Sequence
from typing import Any

from briefing.errors import SpeechError
from briefing.speech.split import even_parts

MAX_TOKENS = 510
"""Longest phoneme sequence one inference takes (the model adds 2 padding tokens, 512 in all)."""

# eSpeak ties -> Kokoro symbols, as in misaki's EspeakG2P (Kokoro's own G2P for non-English text).
_E2M = tuple(
    (pair[:-2], pair[-1])
    for pair in "a^ɪ>I a^ʊ>W d^z>ʣ d^ʒ>ʤ e^ɪ>A o^ʊ>O ə^ʊ>Q s^s>S t^s>ʦ t^ʃ>ʧ ɔ^ɪ>Y".split()
)
_CLAUSE_END = re.compile(r"(?<=[.!?…;:,—)”])\s+")
_phonemizer_lock = threading.Lock()


@functools.cache
def _backend() -> Any:
    """phonemizer's eSpeak backend for French on espeakng-loader's library (one per process)."""
    import logging

    import espeakng_loader
    from phonemizer.backend import EspeakBackend
    from phonemizer.backend.espeak.wrapper import EspeakWrapper

    EspeakWrapper.set_library(espeakng_loader.get_library_path())
    EspeakWrapper.set_data_path(espeakng_loader.get_data_path())
    logger = logging.getLogger("briefing.speech.kokoro.phonemizer")
    logger.setLevel(logging.ERROR)  # language-switch warnings on every English name otherwise
    return EspeakBackend(
        "fr-fr",
        preserve_punctuation=True,
        with_stress=True,
        tie="^",
        language_switch="remove-flags",
        logger=logger,
    )


def phonemize(texts: Sequence[str]) -> list[str]:
    """Kokoro phoneme strings for French `texts`, one per text."""
    # As misaki does: French quotes become curly ones, parentheses go through eSpeak as « ».
    quotes = str.maketrans({"«": "“", "»": "”", "(": "«", ")": "»"})
    prepared = [" ".join(t.split()).translate(quotes) for t in texts]
    with _phonemizer_lock:
        raw = _backend().phonemize(prepared, strip=True)
    if len(raw) != len(texts):
        raise SpeechError(
            f"eSpeak returned {len(raw)} phoneme strings for {len(texts)} pieces",
            cause="phonemizer dropped or merged pieces (a phonemizer-fork upgrade?)",
        )
    out = []
    for ps in raw:
        ps = ps.strip()
        for old, new in _E2M:
            ps = ps.replace(old, new)
        ps = ps.replace("^", "").replace("-", "").replace("«", "(").replace("»", ")")
        out.append(ps)
    return out


def split_phonemes(phonemes: str, limit: int = MAX_TOKENS) -> list[str]:
    """Cut a phoneme string into as few parts of at most `limit` characters as it takes, as even in
    length as the cuts allow (no short tail said on its own): at clause ends if possible, else
    between words; nothing is dropped but the spaces at the cuts."""
    if len(phonemes) <= limit:
        return [phonemes]
    units: list[str] = []
    for clause in _CLAUSE_END.split(phonemes):
        if len(clause) <= limit:
            units.append(clause)
            continue
        for word in clause.split(" "):
            units.extend(word[i : i + limit] for i in range(0, len(word), limit))
    return even_parts([unit for unit in units if unit], limit)
