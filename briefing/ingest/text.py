"""Plain text into an `Article`: paragraphs, heading lines, a date from the file name.

Flattened text (one paragraph) comes out as one lead with no sections: `briefing.sections` finds its
headings later. The helpers here are shared by the Markdown and JSON readers.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from briefing.errors import IngestError
from briefing.ingest.source import Source
from briefing.ingest.textclean import clean_paragraph, drop_trailing_boilerplate, is_heading_line
from briefing.models import Article, Section

_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def date_from_name(name: str) -> dt.date | None:
    m = _DATE_IN_NAME.search(Path(name).name)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def parse_date(value: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError as e:
        raise IngestError(f"{where}: date {value!r} is not YYYY-MM-DD") from e


def paragraphs(text: str) -> list[str]:
    blocks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return [p for p in (clean_paragraph(b) for b in blocks) if p]


def parse_text(source: Source) -> Article:
    blocks = paragraphs(source.text)
    date = date_from_name(source.name)
    if not blocks:
        raise IngestError(f"{source.name}: the article is empty")
    if len(blocks) == 1:  # flattened: sections are found later
        body = drop_trailing_boilerplate(blocks[0])
        return Article(title="", lead=body, date=date, origin=source.name)
    blocks = _drop_boilerplate_blocks(blocks)
    title = ""
    if len(blocks) > 1 and is_heading_line(blocks[0]) and not is_heading_line(blocks[1]):
        title, blocks = blocks[0], blocks[1:]
    return from_blocks(title, [(is_heading_line(b), b) for b in blocks], date, source.name)


def _drop_boilerplate_blocks(blocks: list[str]) -> list[str]:
    """The blocks without the page's trailing boilerplate, their paragraph breaks kept."""
    text = " ".join(blocks)
    kept = drop_trailing_boilerplate(text)
    if kept == text:
        return blocks
    # `kept` is the text's first sentences (the last one perhaps cut short): as many non-space
    # characters of the blocks are kept.
    budget = len("".join(kept.split()))
    out: list[str] = []
    for block in blocks:
        size = len("".join(block.split()))
        if size > budget:
            cut = _after_non_space(block, budget)
            if block[:cut].strip():
                out.append(block[:cut].strip())
            break
        out.append(block)
        budget -= size
    return out


def _after_non_space(text: str, count: int) -> int:
    """The index just after the first `count` non-space characters of `text`."""
    seen = 0
    for i, ch in enumerate(text):
        if seen == count:
            return i
        seen += not ch.isspace()
    return len(text)


def from_blocks(
    title: str,
    blocks: list[tuple[bool, str]],
    date: dt.date | None,
    origin: str,
    **meta: str | None,
) -> Article:
    """Group (is_heading, text) blocks into a lead and sections."""
    lead: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    for heading, text in blocks:
        if heading:
            sections.append((text, []))
        elif sections:
            sections[-1][1].append(text)
        else:
            lead.append(text)
    return Article(
        title=title,
        lead="\n\n".join(lead),
        sections=tuple(Section(h, "\n\n".join(body)) for h, body in sections),
        date=date,
        origin=origin,
        source=meta.get("source"),
        author=meta.get("author"),
        url=meta.get("url"),
    )
