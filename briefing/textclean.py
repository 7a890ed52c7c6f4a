"""Text clean-up: small `str -> str` passes over tables kept apart from the code.

Used on every article body before sections are looked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Spaces that French typography keeps on purpose (before : ; ! ? and inside « »).
NBSP = "\u00a0"
NNBSP = "\u202f"

# End-of-page boilerplate: a sentence matching one of these, near the end of an article, ends the article.
BOILERPLATE_PATTERNS: tuple[str, ...] = (
    r"\babonnez[- ]vous\b",
    r"\bnotre cha[iî]ne (youtube|telegram|whatsapp)\b",
    r"\bsuivez[- ]nous\b",
    r"\bsuivez .{1,40} sur (facebook|twitter|x|instagram|linkedin|google news)\b",
    r"\b(inscrivez[- ]vous|abonnez[- ]vous|s['’]inscrire) à (notre|la) newsletter\b",
    r"\brecevoir la newsletter\b",
    r"\btoutes les newsletters\b",
    r"\bpartager (cet article|sur|facebook|twitter)\b",
    r"\bcopier le lien\b",
    r"\boffrir cet article\b",
    r"\bréutiliser ce contenu\b",
    r"\btous droits réservés\b",
    r"^©",
    r"\btélécharge[zr]? (notre |l['’])appli",
    r"\b(app store|google play|google news)\b",
    r"\bécran d['’]accueil\b",
    r"\bvous avez aimé cet article\b",
    r"\bsignaler (un|ce) (contenu|commentaire|abus)\b",
    r"\b(connectez[- ]vous|créez un compte|se connecter)\b",
    r"\bvous devez être connecté\b",
    r"\bsouhaitez réagir\b",
    r"\bréagissez\b",
    r"\bvoir les \d+ commentaires\b",
    r"\b\d+ commentaires?\b$",
    r"^l['’]actualité en direct\b",
    r"^toute l['’]actu\b",
)

# Words that open a comment, sharing or promotion block at the end of a page.
BOILERPLATE_MARKERS: tuple[str, ...] = (
    "Commentaires",
    "Commentaire",
    "Réagir",
    "Réactions",
    "Partager",
    "Publicité",
    "Newsletter",
    "Sur le même sujet",
    "À lire aussi",
    "A lire aussi",
    "Lire aussi",
    "Lire la suite",
)

_BOILERPLATE_RE = tuple(re.compile(p, re.IGNORECASE) for p in BOILERPLATE_PATTERNS)
_MARKER_RE = re.compile(r"(?:^|(?<=\s))(?:" + "|".join(map(re.escape, BOILERPLATE_MARKERS)) + r")\b")


def collapse_whitespace(text: str) -> str:
    """Fold runs of ordinary white space to one space; keep French no-break spaces."""
    return re.sub(r"[ \t\r\n\f\v\u2028\u2029]+", " ", text).strip()


def fix_space_before_punctuation(text: str) -> str:
    """`chaîne YouTube .` -> `chaîne YouTube.`; `( texte )` -> `(texte)`. Leaves « », ; : ! ? alone."""
    text = re.sub(r"(?<=\S) +(?=[.,…)\]](?:\s|$))", "", text)
    text = re.sub(r"(?<=\S) +(?=[.,…)\]]$)", "", text)
    return re.sub(r"([(\[]) +", r"\1", text)


def strip_controls(text: str) -> str:
    """Drop control and bidi-override characters a page may carry; keep tabs and newlines."""
    return re.sub(
        r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]",
        "",
        text,
    )


CLEAN_PASSES: tuple[Callable[[str], str], ...] = (
    strip_controls,
    collapse_whitespace,
    fix_space_before_punctuation,
)


def clean_paragraph(text: str) -> str:
    for step in CLEAN_PASSES:
        text = step(text)
    return text


def is_boilerplate(sentence: str) -> bool:
    """A page's own furniture: a marker opening the sentence, or a known call to action in it."""
    sentence = sentence.strip()
    if any(sentence == m or sentence.startswith(m + " ") for m in BOILERPLATE_MARKERS):
        return True
    return any(p.search(sentence) for p in _BOILERPLATE_RE)


_SENTENCE_END = re.compile(r"[.!?…]+(?:[ \u00a0\u202f]?[»\"”)])*(?=\s)")


def rough_sentences(text: str) -> list[str]:
    """Split at . ! ? … (with closing quotes kept); good enough to look at a page's last lines."""
    pieces, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        pieces.append(text[start : m.end()].strip())
        start = m.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def drop_trailing_boilerplate(text: str) -> str:
    """Cut end-of-page boilerplate: comment prompts, subscription calls, promotional teasers.

    Works sentence by sentence from the end. A sentence that opens with a marker word ("Commentaires")
    or matches a boilerplate pattern is dropped with everything after it; a short question or
    exclamation directly before dropped boilerplate is a teaser and goes too.
    """
    pieces = rough_sentences(text)
    keep = len(pieces)
    # Look at most at the last few sentences: boilerplate sits at the very end.
    first = max(0, len(pieces) - 8)
    for i in range(len(pieces) - 1, first - 1, -1):
        piece = pieces[i]
        marker = _MARKER_RE.search(piece)
        if is_boilerplate(piece):
            keep = i
        elif marker and i >= keep - 1:
            head = piece[: marker.start()].strip()
            if head:
                pieces[i] = head
                keep = i + 1
                break
            keep = i
        elif keep == i + 1 < len(pieces) and len(piece.split()) <= 10 and piece.endswith(("?", "!")):
            keep = i
        else:
            break
    if keep == len(pieces):
        return text
    return " ".join(pieces[:keep]).strip()
