"""A JSON article (`title`, `lead`, `sections: [{heading, text}]`, `date`, `source`, `author`, `url`)
into an `Article`, every field checked with a message naming it."""

from __future__ import annotations

import json

from briefing.errors import IngestError
from briefing.ingest.source import Source
from briefing.ingest.text import date_from_name, paragraphs, parse_date
from briefing.ingest.textclean import clean_paragraph
from briefing.models import Article, Section


def parse_json(source: Source) -> Article:
    name = source.name
    try:
        data = json.loads(source.text.lstrip("\ufeff"))
    except json.JSONDecodeError as e:
        raise IngestError(f"{name}: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from e
    if not isinstance(data, dict):
        raise IngestError(f"{name}: JSON article must be an object with title and sections")

    def text_field(obj: dict[str, object], key: str, where: str, required: bool = False) -> str:
        value = obj.get(key)
        if value is None:
            if required:
                raise IngestError(f"{name}: {where}{key!r} is missing")
            return ""
        if not isinstance(value, str):
            raise IngestError(f"{name}: {where}{key!r} must be a string")
        return clean_paragraph(value) if key != "text" else "\n\n".join(paragraphs(value))

    sections_data = data.get("sections", [])
    if not isinstance(sections_data, list):
        raise IngestError(f"{name}: 'sections' must be a list")
    sections = []
    for i, item in enumerate(sections_data):
        if not isinstance(item, dict):
            raise IngestError(f"{name}: sections[{i}] must be an object with heading and text")
        where = f"sections[{i}]."
        sections.append(Section(text_field(item, "heading", where), text_field(item, "text", where, True)))
    date_text = text_field(data, "date", "")
    return Article(
        title=text_field(data, "title", ""),
        lead="\n\n".join(paragraphs(text_field(data, "lead", ""))),
        sections=tuple(sections),
        date=parse_date(date_text, name) if date_text else date_from_name(name),
        source=text_field(data, "source", "") or None,
        author=text_field(data, "author", "") or None,
        url=text_field(data, "url", "") or None,
        origin=name,
    )
