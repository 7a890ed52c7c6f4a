"""How French says an acronym written in capitals: as a word ("Otan", "GIEC") or letter by letter
("S N C F", "F C P E"). The common ones are in the tables of `frtables`; the others follow `spelled`.
Spelled acronyms are written as capitals separated by spaces, which every engine spells.
"""

from __future__ import annotations

import re

from briefing.speech import frtables as T

#: Two consonants a French word can begin with: an acronym beginning with any other pair cannot be
#: read as a word ("FCPE", "FSU", "ZFE" are spelled; "SNES", "GIEC", "CROUS" are words).
_ONSETS = frozenset(
    "bl br cl cr dr fl fr gl gr pl pr tr vr ch ph th gn ps sc sk sl sm sn sp st qu".upper().split()
)
_VOWELS = frozenset("AEIOUY")


def spelled(acronym: str) -> bool:
    """Whether French speakers spell `acronym` (capitals, not in the tables) letter by letter.

    Short ones only (up to six letters; longer words in capitals are headlines): spelled when no vowel
    lets it be read ("SNCF"), when it has two letters ("UE", "IA"), when it begins with two consonants
    no French word begins with ("FCPE", "FSU"), or when it has three letters and ends in two
    consonants ("OFB", "IRM", "UBB"). Otherwise it is read as a word ("GIEC", "SNES", "ZAD").
    The tables in `frtables` override this for the common ones it gets wrong ("CHU", "SOS").
    """
    if len(acronym) > 6:
        return False
    consonant = [c not in _VOWELS for c in acronym]
    return (
        all(consonant)
        or len(acronym) == 2
        or (consonant[0] and consonant[1] and acronym[:2] not in _ONSETS)
        or (len(acronym) == 3 and consonant[1] and consonant[2])
    )


def say_acronyms(text: str) -> str:
    """The normalizer's pass for acronyms in capitals: the tables' words in the press's title case
    ("l'Otan"), spelled ones as spaced capitals ("S N C F"), others left for the engine."""

    def say(m: re.Match[str]) -> str:
        word = m[1]
        if word in T.WORD_ACRONYMS:
            return T.WORD_ACRONYMS[word]
        if word in T.SPELLED_ACRONYMS or spelled(word):
            return " ".join(word)
        return m[0]

    return re.sub(r"(?<![\w])([A-Z]{2,})s?(?![\w])", say, text)
