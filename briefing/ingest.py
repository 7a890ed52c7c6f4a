"""Read an article from a file, stdin or an http(s) URL into an `Article`.

Explicit structure (Markdown headings, heading lines, JSON sections, HTML intertitles) is kept as is.
Flattened text comes out as one lead paragraph with no sections; `briefing.sections.find_sections` then
finds its headings. HTML pages (files, HTML on stdin, URLs) go through `briefing.html`, URLs are
downloaded by `briefing.fetch`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import IngestError
from .models import Article, Section
from .textclean import clean_paragraph, drop_trailing_boilerplate

TEXT_SUFFIXES = (".txt", ".text")
MARKDOWN_SUFFIXES = (".md", ".markdown")
JSON_SUFFIXES = (".json",)
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
KNOWN_SUFFIXES = TEXT_SUFFIXES + MARKDOWN_SUFFIXES + JSON_SUFFIXES + HTML_SUFFIXES
MAX_BYTES = 20 * 1024 * 1024
# The longest article read: spaCy's own limit for one text, about 160,000 words (15 hours of speech).
# Longer is a file dump or a book, not a news article, and would only fail hours later.
MAX_ARTICLE_CHARS = 1_000_000

# A heading line: short, no sentence punctuation at its end.
HEADING_MAX_WORDS = 14
HEADING_MAX_CHARS = 120
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


@dataclass(frozen=True, slots=True)
class Source:
    """Raw text as read, with where it came from."""

    text: str
    name: str
    suffix: str
    url: str | None = None  # where a downloaded page ended up, after redirects


# ---------------------------------------------------------------- reading and decoding


def read_source(path: str | Path) -> Source:
    """Read `path` (or stdin for "-") and decode it; every problem is an IngestError naming the file."""
    name = str(path)
    if name == "-":
        return _decode_source(sys.stdin.buffer.read(), "<stdin>", "")
    file = Path(path)
    if not file.exists():
        raise IngestError(f"{name}: no such file")
    if file.is_dir():
        raise IngestError(f"{name}: is a directory, not an article file")
    suffix = file.suffix.lower()
    if suffix not in KNOWN_SUFFIXES:
        raise IngestError(
            f"{name}: unknown file type {suffix or '(no extension)'!r}",
            cause="use .txt, .md, .json or .html, - for stdin, or an http(s):// URL",
        )
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            raise IngestError(f"{name}: {size} bytes is larger than the {MAX_BYTES} byte limit")
        data = file.read_bytes()
    except OSError as e:
        raise IngestError(f"{name}: cannot read ({e.strerror})") from e
    return _decode_source(data, name, suffix)


def read_url(url: str) -> Source:
    """Download a page (HTML or plain text) and decode it with the charset the server declares."""
    from .fetch import fetch
    from .html import decode_html, looks_like_html

    page = fetch(url)
    if page.is_html or looks_like_html(page.data):  # some servers call any page text/plain
        return Source(decode_html(page.data, url, charset=page.charset), url, ".html", page.url)
    text = decode(page.data, url)
    if page.charset:
        try:
            text = unicodedata.normalize("NFC", page.data.decode(page.charset))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declared charset: keep the guess
    return Source(text, url, "", page.url)


def _decode_source(data: bytes, name: str, suffix: str) -> Source:
    """HTML (by suffix, or sniffed when there is none) is decoded by its declared charset."""
    from .html import decode_html, looks_like_html

    if suffix in HTML_SUFFIXES or not suffix and looks_like_html(data):
        return Source(decode_html(data, name), name, ".html")
    return Source(decode(data, name), name, suffix)


def decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, else Latin-1; reject binary and garbage."""
    if b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(f"{name}: binary file, not text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _try(data, "utf-16")
    elif data.startswith(b"\xef\xbb\xbf"):
        text = _try(data, "utf-8-sig")
    else:
        text = _try(data, "utf-8") or _try(data, "cp1252") or data.decode("latin-1")
    if text is None:
        raise IngestError(f"{name}: cannot decode the text", cause="not UTF-8 or Windows-1252 text")
    if not text.strip():
        raise IngestError(f"{name}: the article is empty")
    if _garbage_ratio(text) > 0.05:
        raise IngestError(
            f"{name}: text decodes to garbage", cause="a binary file or an unsupported encoding"
        )
    return unicodedata.normalize("NFC", text)


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _garbage_ratio(text: str) -> float:
    sample = text[:200_000]
    bad = 0
    for ch in sample:
        cat = unicodedata.category(ch)
        if ch in "\t\n\r":
            continue
        if cat in ("Cc", "Co", "Cs", "Cn") or ch == "\ufffd":
            bad += 1
    return bad / max(1, len(sample))


# ---------------------------------------------------------------- parsing


def read_article(path: str | Path, *, title: str | None = None) -> Article:
    """Read and parse an article file, stdin ("-") or http(s) URL; `title` overrides the article's own."""
    from .fetch import is_url

    source = read_url(path) if isinstance(path, str) and is_url(path) else read_source(path)
    return parse_article(source, title=title)


def parse_article(source: Source, *, title: str | None = None) -> Article:
    fmt = source.suffix or _sniff(source.text)
    if fmt in HTML_SUFFIXES:
        from .html import parse_html

        article = parse_html(source.text, origin=source.name, base_url=source.url)
    elif fmt in JSON_SUFFIXES:
        article = _parse_json(source)
    elif fmt in MARKDOWN_SUFFIXES:
        article = _parse_markdown(source)
    else:
        article = _parse_text(source)
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
        article = _replace(article, url=source.url)
    if title is not None:
        if not title.strip():
            raise IngestError("--title is empty")
        article = _replace(article, title=clean_paragraph(title))
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


def _replace(article: Article, **changes: object) -> Article:
    from dataclasses import replace

    return replace(article, **changes)  # type: ignore[arg-type]


def _date_from_name(name: str) -> dt.date | None:
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


def _paragraphs(text: str) -> list[str]:
    blocks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return [p for p in (clean_paragraph(b) for b in blocks) if p]


def is_heading_line(line: str) -> bool:
    """A short line with no sentence punctuation at its end reads as a heading."""
    words = line.split()
    if not words or len(words) > HEADING_MAX_WORDS or len(line) > HEADING_MAX_CHARS:
        return False
    if line.rstrip()[-1] in '.,;:…»"”' or not line[0].isupper() and not line[0].isdigit():
        return False
    return any(c.isalpha() for c in line)


def _parse_text(source: Source) -> Article:
    paragraphs = _paragraphs(source.text)
    date = _date_from_name(source.name)
    if not paragraphs:
        raise IngestError(f"{source.name}: the article is empty")
    if len(paragraphs) == 1:  # flattened: sections are found later
        body = drop_trailing_boilerplate(paragraphs[0])
        return Article(title="", lead=body, date=date, origin=source.name)
    blocks = _drop_boilerplate_blocks(paragraphs)
    title = ""
    if len(blocks) > 1 and is_heading_line(blocks[0]) and not is_heading_line(blocks[1]):
        title, blocks = blocks[0], blocks[1:]
    return _from_blocks(title, [(is_heading_line(b), b) for b in blocks], date, source.name)


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


def _from_blocks(
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


def _parse_markdown(source: Source) -> Article:
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
    date = parse_date(meta["date"], source.name) if "date" in meta else _date_from_name(source.name)
    article = _from_blocks(
        title,
        blocks,
        date,
        source.name,
        source=meta.get("source"),
        author=meta.get("author"),
        url=meta.get("url"),
    )
    if not article.sections and "\n\n" not in article.lead:
        return _replace(article, lead=drop_trailing_boilerplate(article.lead))
    return article


def _parse_json(source: Source) -> Article:
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
        return clean_paragraph(value) if key != "text" else "\n\n".join(_paragraphs(value))

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
        lead="\n\n".join(_paragraphs(text_field(data, "lead", ""))),
        sections=tuple(sections),
        date=parse_date(date_text, name) if date_text else _date_from_name(name),
        source=text_field(data, "source", "") or None,
        author=text_field(data, "author", "") or None,
        url=text_field(data, "url", "") or None,
        origin=name,
    )
