"""Find an article's sections, also when its headings sit inline in flattened text.

In flattened text ("… dans l'expectative. Aucun accord, mais une atmosphère cordiale Après près de trois
heures …") a heading shows as a short run of words opening a "sentence" that a capitalized word re-opens
mid-way. French capitalizes little inside a sentence, so a capitalized word there is a proper noun, unless
the French tagger reads it as a determiner, preposition, pronoun, conjunction, verb or adjective: then a new
sentence starts there, and the run before it is a heading. Short verbless questions between two sentences
("Vers une rencontre à Moscou ?") are headings too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from .errors import SectionError
from .models import Article, Section

SPACY_MODEL = "fr_core_news_sm"

HEADING_MAX_WORDS = 14
QUESTION_HEADING_MAX_WORDS = 10
MIN_WORDS_AFTER_HEADING = 3
TITLE_MAX_WORDS = 12

# A capitalized word with one of these parts of speech opens a sentence (it is no proper noun).
SENTENCE_OPENER_POS = frozenset({"DET", "ADP", "PRON", "SCONJ", "CCONJ", "ADV", "VERB", "AUX", "ADJ"})
# Closed-class openers: reliable even right after a capitalized word ("Performativité Les éditions").
CLOSED_CLASS_POS = frozenset({"DET", "ADP", "PRON", "SCONJ", "CCONJ"})
# Openers that also sit inside names ("La République En marche", "Charles De Gaulle", "Les Jours").
NAME_PARTICLE_POS = frozenset({"DET", "ADP", "CCONJ"})
# A question that opens with a connector ("Mais pour quel résultat ?") belongs to the text.
QUESTION_CONNECTOR_POS = frozenset({"CCONJ", "ADV", "SCONJ"})
# What a heading may end with.
HEADING_END_POS = frozenset({"NOUN", "PROPN", "ADJ", "VERB", "NUM", "X", "ADV"})
# Punctuation that ends a sentence, and what may trail it.
SENTENCE_END = frozenset({".", "!", "?", "…", "...", "?!", "!?"})
CLOSERS = frozenset({"»", '"', "”", ")", "’"})
# Punctuation that never appears inside a heading.
NOT_IN_HEADING = frozenset({".", "!", "?", ":", ";", "…", "«", "»", '"'})


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    pos: str
    start: int  # character offset in the paragraph

    @property
    def is_word(self) -> bool:
        return any(c.isalnum() for c in self.text)

    @property
    def is_capitalized(self) -> bool:
        t = self.text
        return t[:1].isupper() and (len(t) == 1 or not t.isupper())


class Tagger:
    """Part-of-speech tags from spaCy's small French model, loaded once."""

    def __init__(self) -> None:
        self._nlp: Any = None

    def tag(self, text: str) -> list[_Token]:
        if self._nlp is None:
            self._nlp = _load_spacy()
        doc = self._nlp(text)
        return [_Token(t.text, t.pos_, t.idx) for t in doc]


@lru_cache(maxsize=1)
def _load_spacy() -> Any:
    try:
        import spacy

        return spacy.load(SPACY_MODEL, exclude=["ner", "lemmatizer", "parser", "senter", "attribute_ruler"])
    except (ImportError, OSError) as e:
        raise SectionError(
            f"cannot load the French language model {SPACY_MODEL}",
            cause="install briefing with its dependencies (make demo does)",
        ) from e


_DEFAULT_TAGGER = Tagger()


def find_sections(article: Article, *, tagger: Tagger | None = None) -> Article:
    """Return `article` with sections and a title; flattened text is split at its inline headings."""
    if not article.sections:
        article = _split_flat(article, tagger or _DEFAULT_TAGGER)
    if not article.title:
        article = replace(article, title=derive_title(article))
    return article


def _split_flat(article: Article, tagger: Tagger) -> Article:
    blocks: list[tuple[bool, str]] = []
    for paragraph in article.lead.split("\n\n"):
        blocks.extend(split_inline(paragraph, tagger))
    title = article.title
    if not title and len(blocks) > 1 and blocks[0][0] and not blocks[1][0]:
        title = blocks.pop(0)[1]
    lead: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    for is_heading, text in blocks:
        if is_heading:
            sections.append((text, []))
        elif sections:
            sections[-1][1].append(text)
        else:
            lead.append(text)
    return replace(
        article,
        title=title,
        lead="\n\n".join(lead),
        sections=tuple(Section(h, "\n\n".join(body)) for h, body in sections),
    )


def split_inline(paragraph: str, tagger: Tagger) -> list[tuple[bool, str]]:
    """Cut one paragraph into (is_heading, text) blocks at the headings found inside it."""
    tokens = tagger.tag(paragraph)
    cuts: list[tuple[int, int]] = []  # (start token, end token) of each heading
    for start, end in _sentence_spans(tokens):
        heading = _heading_in(tokens, start, end)
        if heading:
            cuts.append(heading)
    blocks: list[tuple[bool, str]] = []
    pos = 0
    for h_start, h_end in cuts:
        begin = tokens[h_start].start
        finish = tokens[h_end].start if h_end < len(tokens) else len(paragraph)
        if paragraph[pos:begin].strip():
            blocks.append((False, paragraph[pos:begin].strip()))
        blocks.append((True, paragraph[begin:finish].strip()))
        pos = finish
    if paragraph[pos:].strip():
        blocks.append((False, paragraph[pos:].strip()))
    return blocks


def _sentence_spans(tokens: list[_Token]) -> list[tuple[int, int]]:
    spans, start, i = [], 0, 0
    while i < len(tokens):
        if tokens[i].text in SENTENCE_END:
            j = i + 1
            while j < len(tokens) and tokens[j].text in CLOSERS:
                j += 1
            if j < len(tokens) and _opens_sentence(tokens[j]):
                spans.append((start, j))
                start = j
            i = j
        else:
            i += 1
    if start < len(tokens):
        spans.append((start, len(tokens)))
    return spans


def _opens_sentence(token: _Token) -> bool:
    return token.text[:1].isupper() or token.text[:1].isdigit() or token.text[:1] in '«"“—–-'


def _words(tokens: list[_Token]) -> int:
    return sum(t.is_word for t in tokens)


def _heading_in(tokens: list[_Token], start: int, end: int) -> tuple[int, int] | None:
    """The heading that opens the span [start, end), if there is one."""
    span = tokens[start:end]
    if not span[0].is_capitalized and not span[0].text[:1].isdigit():
        return None
    if _is_question_heading(span) and end < len(tokens):
        return (start, end)
    for k in range(1, min(len(span), HEADING_MAX_WORDS + 1)):
        token, prev = span[k], span[k - 1]
        if token.text in NOT_IN_HEADING:
            return None
        if not token.is_capitalized or token.pos not in SENTENCE_OPENER_POS:
            continue
        if not prev.is_word or prev.pos not in HEADING_END_POS:
            continue
        if prev.is_capitalized and (
            token.pos not in CLOSED_CLASS_POS or (token.pos in NAME_PARTICLE_POS and k > 1)
        ):
            continue  # "Raphaël Garrigos", "La République En marche"
        if token.pos == "DET" and k + 1 < len(span) and span[k + 1].is_capitalized:
            continue  # "Les Jours a entrepris", "Le Monde révèle"
        if _words(span[k:]) < MIN_WORDS_AFTER_HEADING:
            continue
        return (start, start + k)
    return None


def _is_question_heading(span: list[_Token]) -> bool:
    if span[-1].text not in ("?", "?!"):
        return False
    if _words(span) > QUESTION_HEADING_MAX_WORDS or span[0].pos in QUESTION_CONNECTOR_POS:
        return False
    return not any(t.pos in ("VERB", "AUX") for t in span)


# ---------------------------------------------------------------- titles

_CLAUSE_CUT = re.compile(r"[,;:(—–]")


def derive_title(article: Article) -> str:
    """A title from the text: the first sentence's opening clause, shortened at a word boundary."""
    body = article.lead or next((s.text for s in article.sections if s.text), "")
    if not body and article.sections:
        return article.sections[0].heading
    if not body:
        raise SectionError(f"{article.origin}: no text to take a title from")
    first = re.split(r"(?<=[.!?…])\s", body.strip(), maxsplit=1)[0]
    clause = _CLAUSE_CUT.split(first, maxsplit=1)[0].strip().rstrip(".!?…")
    words = clause.split()
    if len(words) < 3:
        words = first.rstrip(".!?…").split()
    if len(words) > TITLE_MAX_WORDS:
        words = words[:TITLE_MAX_WORDS]
        while words and words[-1].lower() in _WEAK_ENDINGS:
            words.pop()
        words.append("…")
    return " ".join(words)


_WEAK_ENDINGS = frozenset(
    "le la les l' un une des de du d' à au aux et ou en pour par sur dans avec sans que qui".split()
)
