"""Where an article's text comes from: a file, stdin or an http(s) URL, decoded to NFC text.

HTML (by suffix, or sniffed) is decoded by its declared charset (`briefing.ingest.html`); URLs are
downloaded by `briefing.ingest.fetch`.
"""

from __future__ import annotations

import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from briefing.errors import IngestError
from briefing.ingest.fetch import fetch
from briefing.ingest.html import decode_html, looks_like_html

TEXT_SUFFIXES = (".txt", ".text")
MARKDOWN_SUFFIXES = (".md", ".markdown")
JSON_SUFFIXES = (".json",)
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
KNOWN_SUFFIXES = TEXT_SUFFIXES + MARKDOWN_SUFFIXES + JSON_SUFFIXES + HTML_SUFFIXES
MAX_BYTES = 20 * 1024 * 1024


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
    if str(path) == "-":
        return _decode_source(sys.stdin.buffer.read(), "<stdin>", "")
    file = check_file(path)
    try:
        data = file.read_bytes()
    except OSError as e:
        raise IngestError(f"{path}: cannot read ({e.strerror})") from e
    return _decode_source(data, str(path), file.suffix.lower())


def check_file(path: str | Path) -> Path:
    """The article file at `path`, checked without reading it: there, a file, of a known type, not
    over the size limit. Every problem is an IngestError naming the file."""
    name, file = str(path), Path(path)
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
    except OSError as e:
        raise IngestError(f"{name}: cannot read ({e.strerror})") from e
    if size > MAX_BYTES:
        raise IngestError(f"{name}: {size} bytes is larger than the {MAX_BYTES} byte limit")
    return file


def read_url(url: str) -> Source:
    """Download a page (HTML or plain text) and decode it with the charset the server declares."""
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
