"""Read an article from a file, stdin or an http(s) URL into an `Article`.

Explicit structure (Markdown headings, heading lines, JSON sections, HTML intertitles) is kept as is.
Flattened text comes out as one lead paragraph with no sections; `briefing.sections.find_sections` then
finds its headings. Where the text comes from is `source`; each format has its reader: `text`,
`markdown`, `jsonfile`, `html`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from briefing.errors import IngestError
from briefing.ingest.fetch import is_url
from briefing.ingest.html import parse_html
from briefing.ingest.jsonfile import parse_json
from briefing.ingest.markdown import parse_markdown
from briefing.ingest.source import (
    HTML_SUFFIXES,
    JSON_SUFFIXES,
    MARKDOWN_SUFFIXES,
    Source,
    read_source,
    read_url,
)
from briefing.ingest.text import parse_text
from briefing.ingest.textclean import clean_paragraph
from briefing.models import Article

# The longest article read: spaCy's own limit for one text, about 160,000 words (15 hours of speech).
# Longer is a file dump or a book, not a news article, and would only fail hours later.
MAX_ARTICLE_CHARS = 1_000_000


def read_article(path: str | Path, *, title: str | None = None) -> Article:
    """Read and parse an article file, stdin ("-") or http(s) URL; `title` overrides the article's own."""
    source = read_url(path) if isinstance(path, str) and is_url(path) else read_source(path)
    return parse_article(source, title=title)


def parse_article(source: Source, *, title: str | None = None) -> Article:
    fmt = source.suffix or _sniff(source.text)
    if fmt in HTML_SUFFIXES:
        article = parse_html(source.text, origin=source.name, base_url=source.url)
    elif fmt in JSON_SUFFIXES:
        article = parse_json(source)
    elif fmt in MARKDOWN_SUFFIXES:
        article = parse_markdown(source)
    else:
        article = parse_text(source)
    if not article.lead and not any(s.text for s in article.sections):
        if any(s.heading for s in article.sections):
            raise IngestError(f"{source.name}: the article has headings but no text under them")
        raise IngestError(f"{source.name}: the article has no text")
    size = len(article.title) + len(article.lead)
    size += sum(len(s.heading) + len(s.text) for s in article.sections)
    if size > MAX_ARTICLE_CHARS:
        raise IngestError(
            f"{source.name}: the article is {size:,} characters long, "
            f"over the limit of {MAX_ARTICLE_CHARS:,}",
            cause="a file dump or a book, not a news article: split it into articles",
        )
    if source.url and not article.url:
        article = replace(article, url=source.url)
    if title is not None:
        if not title.strip():
            raise IngestError("--title is empty")
        article = replace(article, title=clean_paragraph(title))
    return article


def _sniff(text: str) -> str:
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        return ".json"
    if re.match(r"(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head)\b", stripped, re.I | re.S):
        return ".html"
    if re.search(r"^#{1,6} \S", text, re.MULTILINE) or stripped.startswith("---\n"):
        return ".md"
    return ".txt"
