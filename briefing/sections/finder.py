"""Find an article's sections, also when its headings sit inline in flattened text.

Structured articles keep their sections. A flattened article (one paragraph) is tagged with spaCy's
small French model (in a process of its own: `briefing.sections.tagger`) and cut at the headings
`briefing.sections.french` finds inside it ("… dans l'expectative. Aucun accord, mais une atmosphère
cordiale Après près de trois heures …"); a heading that opens the text becomes the title when there
is none.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from briefing.errors import SectionError
from briefing.models import Article, Section
from briefing.sections.french import find_headings
from briefing.sections.tagger import SPACY_MODEL, Tagger

TITLE_MAX_WORDS = 12

_DEFAULT_TAGGER = Tagger()


def release_tagger() -> None:
    """End the French model's process (the next split starts it again, 3-4 s): a build calls it once
    the script is planned, so the voicing does not run beside spaCy."""
    _DEFAULT_TAGGER.close()


def find_sections(
    article: Article, *, tagger: Tagger | None = None, cache_dir: Path | None = None
) -> Article:
    """Return `article` with sections and a title; flattened text is split at its inline headings.

    With `cache_dir`, the split of a flattened text is kept there by content, so a rebuild of an unchanged
    article does not load the French model again."""
    if not article.sections:
        cached = _cached_split(article, cache_dir) if cache_dir is not None else None
        if cached is None:
            split = _split_flat(article, tagger or _DEFAULT_TAGGER)
            if cache_dir is not None:
                _store_split(article, split, cache_dir)
            article = split
        else:
            article = cached
    if not article.title:
        article = replace(article, title=derive_title(article))
    return article


@lru_cache(maxsize=1)
def _detector_version() -> str:
    """Changes whenever the detector's code does, so a cached split is never stale."""
    digest = hashlib.sha256(SPACY_MODEL.encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):  # finder, French rules, tagger
        digest.update(module.read_bytes())
    return digest.hexdigest()[:16]


def _split_key(article: Article) -> str:
    material = "\x1f".join((_detector_version(), article.title, article.lead))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _cached_split(article: Article, cache_dir: Path) -> Article | None:
    path = cache_dir / f"{_split_key(article)}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        sections = tuple(Section(str(s["heading"]), str(s["text"])) for s in data["sections"])
        return replace(article, title=str(data["title"]), lead=str(data["lead"]), sections=sections)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or damaged: find the sections again


def _store_split(article: Article, split: Article, cache_dir: Path) -> None:
    from briefing.util.atomic import atomic_write_text

    data = {
        "title": split.title,
        "lead": split.lead,
        "sections": [{"heading": s.heading, "text": s.text} for s in split.sections],
    }
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(cache_dir / f"{_split_key(article)}.json", json.dumps(data, ensure_ascii=False))
    except OSError:
        pass  # a cache that cannot be written only costs time


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


# ---------------------------------------------------------------- cutting a paragraph


def split_inline(paragraph: str, tagger: Tagger) -> list[tuple[bool, str]]:
    """Cut one paragraph into (is_heading, text) blocks at the headings found inside it."""
    tokens = tagger.tag(paragraph)
    blocks: list[tuple[bool, str]] = []
    pos = 0
    for h in find_headings(tokens):
        begin = tokens[h.start].start
        finish = tokens[h.end].start if h.end < len(tokens) else len(paragraph)
        if paragraph[pos:begin].strip():
            blocks.append((False, paragraph[pos:begin].strip()))
        blocks.append((True, paragraph[begin:finish].strip()))
        pos = finish
    if paragraph[pos:].strip():
        blocks.append((False, paragraph[pos:].strip()))
    return blocks


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
    "le la les l' un une des du d' à au aux et ou en pour par sur dans avec sans que qui".split()
)
