"""How well a transcript matches the text: word error rate on the spoken form of both, and whether a
recognizer got stuck in a loop."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

#: A transcript that repeats one phrase of 1 to LOOP_PHRASE words LOOP_TIMES times in a row loops.
LOOP_TIMES, LOOP_PHRASE = 4, 8

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
_NOT_WORD = re.compile(r"[^\w]+|_")


def words(text: str) -> tuple[str, ...]:
    """The words of `text` as scored: spoken form, lower case, no accents or punctuation.

    Apostrophes and hyphens separate words ("l'image" → l image, "vingt-cinq" → vingt cinq).
    Accents are dropped because they change nothing a listener hears between "a" and "à".
    """
    from briefing.speech.normalize import normalize

    spoken = normalize(text).casefold().translate(_LIGATURES)
    bare = "".join(c for c in unicodedata.normalize("NFKD", spoken) if not unicodedata.combining(c))
    return tuple(_NOT_WORD.sub(" ", bare).split())


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Word-level Levenshtein distance: substitutions + deletions + insertions, each costing 1."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


def wer(reference: Sequence[str], hypothesis: Sequence[str]) -> float:
    """Word error rate: edit distance over the reference length. An empty reference scores 0.0
    against an empty hypothesis and 1.0 against anything else."""
    if not reference:
        return 0.0 if not hypothesis else 1.0
    return edit_distance(reference, hypothesis) / len(reference)


def looped(hypothesis: Sequence[str]) -> bool:
    """True when the words repeat one phrase (1 to `LOOP_PHRASE` words) `LOOP_TIMES` times in a
    row, as a recognizer stuck in a loop does ("buz buz buz buz…"). Its score is then unreliable:
    a person should listen to that chapter."""
    words = list(hypothesis)
    for n in range(1, LOOP_PHRASE + 1):
        for i in range(len(words) - n * LOOP_TIMES + 1):
            phrase = words[i : i + n]
            if all(words[i + k * n : i + (k + 1) * n] == phrase for k in range(1, LOOP_TIMES)):
                return True
    return False


def text_wer(reference: str, hypothesis: str) -> float:
    """`wer` of two texts after `words()` on both."""
    return wer(words(reference), words(hypothesis))
