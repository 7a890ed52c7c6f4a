"""An HTML page becomes an `Article`: trafilatura finds the article, this module keeps it clean.

trafilatura (the reference extractor) returns the article body as XML, intertitles as `<head>`; the
XML is read with a real parser, intertitles become sections and the page furniture trafilatura lets
through ("Lire aussi : …", bylines, paywall notices, related links) is dropped with the tables of
`briefing.ingest.textclean`. Title, author, date, site name and canonical URL come from trafilatura, with
the page's own JSON-LD, `<meta>` and `<time>` as fallbacks (`briefing.ingest.metadata`).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from briefing.errors import IngestError
from briefing.ingest.metadata import PageMeta, find_chapo, page_meta, text_key, why_no_article
from briefing.ingest.textclean import (
    FURNITURE_MAX_WORDS,
    TEMPLATE_SYNTAX,
    clean_paragraph,
    drop_trailing_boilerplate,
    is_boilerplate,
    is_heading_line,
    is_page_furniture,
    marker_kind,
)
from briefing.models import Article, Section

# Fewer words than this after clean-up: the page holds no article.
MIN_ARTICLE_WORDS = 30
# Blocks before the title heading (kicker, breadcrumb) are dropped when this short.
KICKER_MAX_WORDS = 12
# A paragraph right after a lone "Lire aussi" is the linked title when this short.
LINK_TITLE_MAX_WORDS = 25
CHARSET_SCAN_BYTES = 8192
# WHATWG Encoding Standard: these labels all mean windows-1252.
WINDOWS_1252_LABELS = frozenset(
    ("ascii", "us-ascii", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819")
    + ("ibm819", "windows-1252", "cp1252", "x-cp1252", "iso-ir-100", "csisolatin1")
)
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head)\b", re.I | re.S
)
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.I)
_TEMPLATE = re.compile(TEMPLATE_SYNTAX, re.S)
_SENTENCE_MARK = re.compile(r"[.!?…»]")
_QUOTE_CHARS = "«»“”\"'‘’ \u00a0\u202f"


@dataclass(frozen=True, slots=True)
class Block:
    """One block of the extracted body: "head", "p", "quote" (its paragraphs; a tweet's signature, in
    the quote's tail text, is left out) or "list" (its items as one paragraph), and its clean text."""

    kind: str
    text: str
    level: str = ""  # "h1" … "h6" for a heading, when the page says
    linked: bool = False  # holds a link

    @property
    def words(self) -> int:
        return len(self.text.split())


# ---------------------------------------------------------------- bytes to text


def looks_like_html(data: bytes) -> bool:
    """True when `data` opens like an HTML document (doctype, <html> or <head>)."""
    return bool(_HTML_START.match(data.lstrip(b"\xef\xbb\xbf")[:4096]))


def decode_html(data: bytes, name: str, *, charset: str | None = None) -> str:
    """Decode a page: byte-order mark, else `charset` (HTTP header), else <meta charset>, else UTF-8/1252."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(f"{name}: binary file, not an HTML page")
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return _finish(data.decode(encoding, errors="replace"), name)
    declared = _codec(charset) or _codec(_declared_charset(data[:CHARSET_SCAN_BYTES]))
    if declared:
        try:
            return _finish(data.decode(declared), name)
        except UnicodeDecodeError:
            if declared != "utf-8":
                return _finish(data.decode(declared, errors="replace"), name)
            text = data.decode("utf-8", errors="replace")
            if text.count("\ufffd") <= max(3, len(text) // 10_000):  # a few stray bytes in a UTF-8 page
                return _finish(text, name)
    try:
        return _finish(data.decode("utf-8"), name)
    except UnicodeDecodeError:
        return _finish(data.decode("cp1252", errors="replace"), name)


def _declared_charset(head: bytes) -> str | None:
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return m[1].decode("ascii") if m else None


def _codec(label: str | None) -> str | None:
    """A Python codec for a declared charset label; None when the label is unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in WINDOWS_1252_LABELS:
        return "cp1252"
    if label.startswith("utf-16"):  # a page read as bytes cannot really be UTF-16 without a BOM
        return "utf-8"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _finish(text: str, name: str) -> str:
    if not text.strip():
        raise IngestError(f"{name}: the page is empty")
    return unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------- page to article


def parse_html(html: str, *, origin: str, base_url: str | None = None) -> Article:
    """Extract the article of an HTML page (already decoded); `base_url` is where it was fetched."""
    import trafilatura

    tree = trafilatura.load_html(html)
    if tree is None:
        raise IngestError(f"{origin}: not an HTML page", cause="the file is not HTML or is truncated")
    _drop_inert(tree)
    try:
        meta = page_meta(tree, base_url)
        xml = trafilatura.extract(
            tree,
            url=base_url,
            output_format="xml",
            include_formatting=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=True,
            with_metadata=True,
            deduplicate=False,
        )
    except Exception as e:  # a third-party parser failing on a malformed page
        raise IngestError(f"{origin}: the HTML extractor failed ({type(e).__name__}: {e})") from e
    attrs, blocks = _read_xml(xml, origin)
    title = meta.pick_title(attrs.get("title"), attrs.get("sitename"))
    blocks = clean_blocks(blocks, title)
    chapo = find_chapo(tree, meta.descriptions(attrs.get("description")))
    if chapo and not any(_same(chapo, b.text) or chapo in b.text for b in blocks[:3]):
        blocks.insert(0, Block("p", chapo))
    body = [Block("p", p) for p in _paragraphs(meta.body)]
    if _prose_words(blocks) < MIN_ARTICLE_WORDS or _is_flattened(blocks, body):
        blocks = body  # the JSON-LD articleBody, with its paragraphs
        if _prose_words(blocks) < MIN_ARTICLE_WORDS:
            raise IngestError(f"no article text found in {origin}", cause=why_no_article(tree, html))
    return _article(blocks, title, meta, attrs, origin, base_url)


#: Elements a browser never shows whose text trafilatura would keep (it strips their tags only).
INERT_TAGS = ("template",)


def _drop_inert(tree: Any) -> None:
    """Remove unrendered elements with their text (their tails are page text and stay)."""
    for element in list(tree.iter(*INERT_TAGS)):
        if element.getparent() is not None:
            element.drop_tree()


def _read_xml(xml: str | None, origin: str) -> tuple[dict[str, str], list[Block]]:
    """trafilatura's XML output: <doc title=… author=…><main><head>, <p>, <quote>, <list>…</main>."""
    if not xml:
        return {}, []
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as e:
        raise IngestError(f"{origin}: the extractor returned unreadable XML ({e})") from e
    main = root.find("main")
    blocks: list[Block] = []
    if main is not None:
        _collect(main, blocks)
    return dict(root.attrib), blocks


def _collect(parent: ET.Element, blocks: list[Block]) -> None:
    for el in parent:
        if el.tag == "head":
            blocks.append(Block("head", clean_paragraph(_text(el)), el.get("rend", "")))
        elif el.tag == "p":
            text = clean_paragraph(_text(el))
            heading = _is_bold_heading(el, text) and not marker_kind(text)
            blocks.append(Block("head" if heading else "p", text, linked=el.find(".//ref") is not None))
        elif el.tag == "quote":
            inner: list[Block] = []
            _collect(el, inner)
            own = clean_paragraph(el.text or "")
            blocks.extend(Block("quote", b.text) for b in inner if b.kind != "head")
            if own:
                blocks.append(Block("quote", own))
        elif el.tag == "list":
            items = [clean_paragraph(_text(item)) for item in el.findall("item")]
            linked = el.find(".//ref") is not None
            blocks.append(Block("list", _join_items([i for i in items if i]), linked=linked))
        elif el.tag in ("div", "section"):
            _collect(el, blocks)


def _text(el: ET.Element) -> str:
    """An element's text; line breaks and nested blocks become spaces, struck-out text is skipped."""
    parts = [el.text or ""]
    for child in el:
        if child.tag not in ("del", "graphic"):
            parts.append(" " if child.tag == "lb" else _text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _is_bold_heading(el: ET.Element, text: str) -> bool:
    """<p><hi rend="#b">Un intertitre</hi></p>: one short bold line (not a question: interviews)."""
    children = list(el)
    if len(children) != 1 or children[0].tag != "hi" or "#b" not in children[0].get("rend", ""):
        return False
    outside = (el.text or "") + (children[0].tail or "")
    short = len(text.split()) <= KICKER_MAX_WORDS
    return not outside.strip() and short and is_heading_line(text) and not text.endswith("?")


def _join_items(items: list[str]) -> str:
    """List items read as one paragraph; an item without closing punctuation gets ";" (last: ".")."""
    out = []
    for i, item in enumerate(items):
        if item[-1] not in ".;:!?…,»)":
            item += "." if i == len(items) - 1 else " ;"
        out.append(item)
    return " ".join(out)


def clean_blocks(blocks: list[Block], title: str) -> list[Block]:
    """Drop the title, kickers, page furniture and non-article blocks; keep the article in order.

    A link marker ("Lire aussi :", "À voir aussi") drops the links after it: link titles, paragraphs
    holding a link. Another marker ("Sur le même sujet", "Commentaires (3)") drops its block up to the
    next heading, and the rest of the page when less text follows it than precedes it.
    """
    blocks = [b for b in blocks if b.text and not _is_template(b.text)]
    blocks = _drop_title(blocks, title)
    kept: list[Block] = []
    skip = ""  # "links": links after "Lire aussi"; "block": up to the next heading
    for i, block in enumerate(blocks):
        if skip == "links" and block.kind != "head" and (block.linked or _is_link_title(block)):
            continue
        if skip == "block" and block.kind != "head":
            continue
        skip = marker_kind(block.text, heading=block.kind == "head")
        if skip == "block" and sum(b.words for b in blocks[i + 1 :]) < sum(b.words for b in kept):
            break  # the page's own furniture after the article
        if not skip and (block.kind == "head" or not is_page_furniture(block.text)):
            kept.append(block)
    kept = _dedupe(kept)
    kept = _drop_trailing(kept)
    return [b for i, b in enumerate(kept) if b.kind != "head" or _has_text_after(kept, i)]


def _is_link_title(block: Block) -> bool:
    """The title of a linked article: short, not closed like a sentence."""
    return block.words <= LINK_TITLE_MAX_WORDS and not block.text.endswith((".", "…", ":"))


def _is_template(text: str) -> bool:
    """A paragraph of unrendered template code ({{ content.title }}): the page is built by JavaScript."""
    spans = sum(len(m[0]) for m in _TEMPLATE.finditer(text))
    return spans > 0 and spans >= len(text) * 0.2


def _drop_title(blocks: list[Block], title: str) -> list[Block]:
    for i, block in enumerate(blocks[:6]):
        if _same(block.text, title) or block.level == "h1":
            before = blocks[:i]
            if all(b.words <= KICKER_MAX_WORDS for b in before):
                return blocks[i + 1 :]
            return before + blocks[i + 1 :]
    return blocks


def _dedupe(blocks: list[Block]) -> list[Block]:
    """Drop repeated paragraphs and pull quotes that repeat a sentence of the text."""
    seen: set[str] = set()
    bodies = [text_key(b.text) for b in blocks if b.kind != "quote"]
    out = []
    for block in blocks:
        key = text_key(block.text)
        if block.kind != "head" and key in seen:
            continue
        if block.kind == "quote" and any(key in body for body in bodies):
            continue
        seen.add(key)
        out.append(block)
    return out


def _drop_trailing(blocks: list[Block]) -> list[Block]:
    """End-of-page calls to action: whole short paragraphs, then the tail of the last one."""
    while blocks and blocks[-1].kind != "head":
        last = blocks[-1]
        if last.words <= FURNITURE_MAX_WORDS and is_boilerplate(last.text):
            blocks = blocks[:-1]
            continue
        text = drop_trailing_boilerplate(last.text)
        if text != last.text:
            blocks = blocks[:-1] + ([Block(last.kind, text)] if text else [])
        break
    return blocks


def _has_text_after(blocks: list[Block], i: int) -> bool:
    return i + 1 < len(blocks) and blocks[i + 1].kind != "head"


def _same(a: str, b: str) -> bool:
    return bool(a) and text_key(a.strip(_QUOTE_CHARS)) == text_key(b.strip(_QUOTE_CHARS))


def _prose_words(blocks: list[Block]) -> int:
    """Words in paragraphs made of sentences; a run of link titles has no sentence punctuation."""
    return sum(b.words for b in blocks if b.kind != "head" and _SENTENCE_MARK.search(b.text))


def _paragraphs(text: str) -> list[str]:
    """A JSON-LD articleBody's paragraphs: one per line (it carries no hard wrapping)."""
    return [p for p in (clean_paragraph(b) for b in text.splitlines()) if p]


def _is_flattened(blocks: list[Block], body: list[Block]) -> bool:
    """The extractor read the JSON-LD articleBody but lost its paragraph breaks."""
    return len(body) > len(blocks) and text_key(" ".join(b.text for b in blocks)) == text_key(
        " ".join(b.text for b in body)
    )


def _article(
    blocks: list[Block], title: str, meta: PageMeta, attrs: dict[str, Any], origin: str, base: str | None
) -> Article:
    lead: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    for block in blocks:
        if block.kind == "head":
            sections.append((block.text, []))
        elif sections:
            sections[-1][1].append(block.text)
        else:
            lead.append(block.text)
    return Article(
        title=title,
        lead="\n\n".join(lead),
        sections=tuple(Section(h, "\n\n".join(body)) for h, body in sections),
        date=meta.pick_date(attrs.get("date")),
        source=meta.pick_source(attrs.get("sitename")),
        author=meta.pick_author(attrs.get("author")),
        url=meta.pick_url(attrs.get("url"), base),
        origin=origin,
    )
