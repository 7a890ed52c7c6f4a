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

# Headings or lone paragraphs of a web page that open a list of links to other articles: the link
# titles after them are dropped (and the rest of the page, when they sit at its end).
PAGE_LINK_MARKERS: tuple[str, ...] = (
    "À lire aussi",
    "A lire aussi",
    "Lire aussi",
    "À lire également",
    "A lire également",
    "Lire également",
    "À voir aussi",
    "A voir aussi",
    "Voir aussi",
    "À découvrir",
    "A découvrir",
    "À découvrir aussi",
    "À écouter aussi",
    "A écouter aussi",
    "Lire la suite",
)
# Headings or lone paragraphs that open a block which is not the article (comments, newsletter box,
# most-read list): the block is dropped up to the next heading (and the rest of the page at its end).
PAGE_BLOCK_MARKERS: tuple[str, ...] = (
    *BOILERPLATE_MARKERS,
    *PAGE_LINK_MARKERS,
    "Sur le même thème",
    "Dans la même rubrique",
    "Les plus consultés",
    "Les plus lus",
    "Les plus partagés",
    "Les plus commentés",
    "Les plus populaires",
    "Nos dernières vidéos",
    "Dernières vidéos",
    "Vous aimerez aussi",
    "Vous aimerez peut-être aussi",
    "Ailleurs sur le web",
    "Contenus sponsorisés",
    "Contenu sponsorisé",
    "Recommandé pour vous",
    "Nos newsletters",
    "Mots-clés",
    "Mots clés",
    "Tags",
    "Thèmes associés",
    "Sujets associés",
    "Pour aller plus loin",
    "Dernières actualités",
    "Les dernières actualités",
    "L'actu en continu",
    "L’actu en continu",
    "En continu",
    "Contribuer",
    "La rédaction vous conseille",
    "Les articles de la rubrique",
    "À la une",
    "Dans l'actualité",
    "Dans l’actualité",
)

# Page furniture found between an article's paragraphs: a short paragraph (at most
# `FURNITURE_MAX_WORDS` words) matching one of these is dropped wherever it sits.
_SHARE = (
    r"(?:partager|partagez|envoyer|imprimer|copier le lien|facebook|twitter|x|linkedin|whatsapp|e-?mail"
    r"|messenger|flipboard|pinterest|bluesky|threads)"
)
PAGE_FURNITURE_PATTERNS: tuple[str, ...] = (
    # links to other articles: "Lire aussi : …", "LIRE AUSSI - …", "Lire aussi | …", "À voir : …"
    r"^\W{0,3}(?:à |a )?(?:lire|voir|écouter|regarder|découvrir|relire) (?:aussi|également)\b",
    r"^\W{0,3}(?:à |a )?(?:lire|voir|écouter|regarder|découvrir|relire)(?: [\w'’]+){0,3}\s*[:|>»]",
    r"^vidéo\s*[:.–-]",
    r"^(?:écouter|lire) cet article\b",
    # bylines, credits and dates
    r"^(?-i:Par|De notre (?:envoyée?|correspondante?) (?:spéciale? )?à) [^.!?…]{2,120}$",
    r"^article rédigé par\b",
    r"^[^.!?]{0,40}\(?avec (?:afp|reuters|ap|belga|ats)\)?$",
    r"^(?:publié|mis à jour|modifié|actualisé|mise à jour)(?: le)? .{0,100}\d",
    r"^(?:le )?\d{1,2}[/.]\d{1,2}[/.]\d{2,4}(?: à \d{1,2}h\d{2})?$",
    r"^temps de lecture\b",
    r"^(?:lecture\s*:?\s*)?\d+\s*min(?:utes?)?(?: de lecture)?\.?$",
    r"^(?:crédits? )?(?:photos?|illustrations?|vidéos?|images?)\s*:\s*\S.{0,60}$",
    r"^(?:\(photo\b[^)]*\)|©.*)$",
    r"^(?:l['’])?article (?:original|source)\b.{0,80}$",
    # paywalls
    r"\bil vous reste \d+(?:[.,]\d+)?\s*% (?:de cet article )?à (?:lire|découvrir)",
    r"\bla suite est réservée aux (?:abonnés|abonnées)\b",
    r"\b(?:article|contenu)(?: est)? réservé aux abonnés\b",
    r"^déjà abonné",
    r"^vous avez envie de lire la suite",
    r"^débloquez\b",
    r"^sans engagement\b",
    r"^(?:s['’]abonner|je m['’]abonne)\b",
    r"^(?:lecture|écoute) (?:du monde )?en cours sur un autre appareil",
    r"^vous pouvez lire le monde sur un seul appareil",
    # sharing, newsletters, consent, ads
    rf"^{_SHARE}(?:\s+(?:sur\s+|par\s+)?{_SHARE})*\s*$",
    r"^(?:partager|partagez)\b[^.!?]{0,60}$",
    r"\b(?:inscrivez|abonnez)[- ]vous (?:gratuitement )?à (?:notre|nos|la) (?:newsletters?|lettres?)\b",
    r"^recevez (?:chaque|tous les|gratuitement|toute)\b",
    r"^newsletter\b",
    r"^je m['’]inscris$",
    r"^(?:cet article vous a plu|vous avez aimé cet article)",
    r"^(?:nous utilisons|ce site utilise) des cookies\b",
    r"^(?:passer la )?publicité$",
    r"^ce contenu (?:est bloqué|n['’]est pas disponible)\b",
    r"^(?:en cliquant|cliquez) .*\b(?:cookies|consentement|accepter)\b",
    r"^sources?\s*:\s*\S.{0,60}$",
)
# Embedded social posts (any length): a tweet's "pic.twitter.com" or signature, an Instagram caption.
EMBED_PATTERNS: tuple[str, ...] = (
    r"\bpic\.twitter\.com/",
    r"\b(?:twitter|x)\.com/\w+/status/",
    r"— [^—]{1,60} \(@\w{1,30}\) \w+ \d{1,2},? \d{4}",
    r"^voir cette publication sur (?:instagram|facebook|x|twitter)",
    r"^une publication partagée par\b",
)
# Headings that open a non-article block even with more words after them ("Newsletter Brest").
PAGE_MARKER_PREFIXES: tuple[str, ...] = (
    "Newsletter",
    "Nos newsletters",
    "Sur le même sujet",
    "Les plus lus",
    "Les plus consultés",
    "Dans la même rubrique",
    "Vous aimerez aussi",
)
FURNITURE_MAX_WORDS = 30

# Template syntax of a page built in the browser ({{ title }}, ${user.name}, [[ item ]]).
TEMPLATE_SYNTAX = r"\{\{.*?\}\}|\$\{[\w.]+\}|\[\[\s*[\w.]+\s*\]\]"

_BOILERPLATE_RE = tuple(re.compile(p, re.IGNORECASE) for p in BOILERPLATE_PATTERNS)
_FURNITURE_RE = tuple(re.compile(p, re.IGNORECASE) for p in PAGE_FURNITURE_PATTERNS)
_EMBED_RE = tuple(re.compile(p, re.IGNORECASE) for p in EMBED_PATTERNS)
_MARKER_PREFIXES = tuple(m.casefold() + " " for m in PAGE_MARKER_PREFIXES)
_PAGE_MARKERS = frozenset(m.casefold() for m in PAGE_BLOCK_MARKERS)
_LINK_MARKERS = frozenset(m.casefold() for m in PAGE_LINK_MARKERS)
_LINK_PREFIXES = tuple(m + " " for m in _LINK_MARKERS)
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


def is_page_furniture(paragraph: str) -> bool:
    """A web page's furniture between paragraphs: "Lire aussi : …", a byline, a date, a paywall notice."""
    paragraph = paragraph.strip()
    if any(p.search(paragraph) for p in _EMBED_RE):
        return True
    if not paragraph or len(paragraph.split()) > FURNITURE_MAX_WORDS:
        return False
    return any(p.search(paragraph) for p in _FURNITURE_RE)


def _marker_key(text: str) -> str:
    return re.sub(r"[\s:|>»▶►→•.…-]+$", "", re.sub(r"\s*\(\d+\)$", "", text.strip())).strip().casefold()


def marker_kind(text: str, *, heading: bool = False) -> str:
    """What a page marker opens: "links" ("Lire aussi :"), "block" ("Commentaires (3)") or "" (no marker).

    A heading also counts when it only starts with a marker ("Newsletter Brest", "Lire aussi nos
    analyses"); a paragraph must be the marker alone ("Lire aussi | Un titre" is furniture instead).
    """
    key = _marker_key(text)
    if key in _LINK_MARKERS or heading and key.startswith(_LINK_PREFIXES):
        return "links"
    if key in _PAGE_MARKERS or heading and key.startswith(_MARKER_PREFIXES):
        return "block"
    return ""


# A heading line: short, no sentence punctuation at its end.
HEADING_MAX_WORDS = 14
HEADING_MAX_CHARS = 120


def is_heading_line(line: str) -> bool:
    """A short line with no sentence punctuation at its end reads as a heading."""
    words = line.split()
    if not words or len(words) > HEADING_MAX_WORDS or len(line) > HEADING_MAX_CHARS:
        return False
    if line.rstrip()[-1] in '.,;:…»"”' or not line[0].isupper() and not line[0].isdigit():
        return False
    return any(c.isalpha() for c in line)
