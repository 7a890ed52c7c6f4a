"""Markdown into an `Article`: front matter (title, date, source, author, url), `#` headings, and
inline markup (links, emphasis, code, bullets) reduced to its text."""

from __future__ import annotations

import re
from dataclasses import replace

from briefing.errors import IngestError
from briefing.ingest.source import Source
from briefing.ingest.text import date_from_name, from_blocks, parse_date
from briefing.ingest.textclean import clean_paragraph, drop_trailing_boilerplate
from briefing.models import Article

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_INLINE = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?![\w*])"), r"\1"),  # italics
    (re.compile(r"`([^`]*)`"), r"\1"),  # code
    (re.compile(r"^\s*(?:[-*+]|>)\s+", re.MULTILINE), ""),  # list bullets, quotes
)


def _md_inline(text: str) -> str:
    for pattern, repl in _MD_INLINE:
        text = pattern.sub(repl, text)
    return text


def _front_matter(text: str, name: str) -> tuple[dict[str, str], str]:
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    if end < 0:
        raise IngestError(f"{name}: front matter opened with --- is never closed")
    meta = {}
    for line in text[4:end].splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, text[end + 4 :].lstrip("-\n")


def parse_markdown(source: Source) -> Article:
    text = source.text.lstrip("\ufeff").replace("\r\n", "\n")
    meta, text = _front_matter(text, source.name)
    title = meta.get("title", "")
    blocks: list[tuple[bool, str]] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            cleaned = clean_paragraph(_md_inline("\n".join(para)))
            if cleaned:
                blocks.append((False, cleaned))
            para.clear()

    for line in text.split("\n"):
        m = _MD_HEADING.match(line)
        if m:
            flush()
            heading = clean_paragraph(_md_inline(m[2]))
            if len(m[1]) == 1 and not title and not blocks:
                title = heading
            elif heading:
                blocks.append((True, heading))
        elif not line.strip():
            flush()
        else:
            para.append(line)
    flush()
    date = parse_date(meta["date"], source.name) if "date" in meta else date_from_name(source.name)
    article = from_blocks(
        title,
        blocks,
        date,
        source.name,
        source=meta.get("source"),
        author=meta.get("author"),
        url=meta.get("url"),
    )
    if not article.sections and "\n\n" not in article.lead:
        return replace(article, lead=drop_trailing_boilerplate(article.lead))
    return article
