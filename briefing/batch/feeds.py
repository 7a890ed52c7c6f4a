"""News feeds as sources: read an RSS 2.0 or Atom feed, keep the items a show wants.

The feed is downloaded by `briefing.ingest.fetch` (bounded in time, size and redirects) and read with
defusedxml: no entity expansion, no external entity or DTD fetched, so a hostile feed cannot blow up
memory or read local files. Each item's page is then read like any other URL by the episode's task.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from briefing.batch.plan import FeedSource
from briefing.errors import IngestError
from briefing.ingest.fetch import fetch, is_url

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
    "text/plain",  # some servers say it of any file
    "text/html",  # and a few of their feeds
)
ACCEPT = "application/rss+xml, application/atom+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8"
ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a feed: the article's page, its title, when it was published (aware, or None
    when the feed does not say) and what the feed says of it (plain text)."""

    link: str
    title: str = ""
    published: dt.datetime | None = None
    summary: str = ""
    categories: tuple[str, ...] = ()


def read_feed(source: str) -> tuple[FeedItem, ...]:
    """The items of the feed at `source` (an http(s) URL or a file), in the feed's order."""
    if is_url(source):
        page = fetch(source, media_types=FEED_TYPES, accept=ACCEPT)
        return parse_feed(page.data, page.url)
    try:
        data = Path(source).read_bytes()
    except OSError as e:
        raise IngestError(f"{source}: cannot read the feed ({e.strerror or e})") from e
    return parse_feed(data, source)


def parse_feed(data: bytes, where: str) -> tuple[FeedItem, ...]:
    """Items of an RSS 2.0 (`<rss><channel><item>`) or Atom (`<feed><entry>`) document; relative
    links are taken from `where`. Anything else is an IngestError."""
    import xml.etree.ElementTree as ET

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root: Any = fromstring(data, forbid_dtd=False)
    except DefusedXmlException as e:
        raise IngestError(
            f"{where}: the feed was refused ({type(e).__name__})",
            cause="it declares XML entities or fetches external ones, which a news feed never needs",
        ) from e
    except ET.ParseError as e:
        raise IngestError(f"{where}: not an RSS or Atom feed (broken XML: {e})") from e
    if root.tag == "rss":
        channel = root.find("channel")
        entries = channel.findall("item") if channel is not None else []
        items = (_rss_item(e, where) for e in entries)
    elif root.tag == f"{ATOM}feed":
        items = (_atom_entry(e, where) for e in root.findall(f"{ATOM}entry"))
    else:
        raise IngestError(
            f"{where}: not an RSS or Atom feed (its root is <{root.tag}>)",
            cause="give the URL of an RSS 2.0 or Atom feed",
        )
    return tuple(item for item in items if item is not None)


def _rss_item(item: Any, where: str) -> FeedItem | None:
    link = _text(item.find("link"))
    guid = item.find("guid")
    if not link and guid is not None and guid.get("isPermaLink", "true").lower() == "true":
        link = _text(guid)
    when = _rfc822(_text(item.find("pubDate"))) or _iso(_text(item.find(f"{DC}date")))
    summary = _text(item.find("description")) or _text(item.find(f"{CONTENT}encoded"))
    categories = tuple(c for c in (_text(e) for e in item.findall("category")) if c)
    return _item(link, where, _text(item.find("title")), when, summary, categories)


def _atom_entry(entry: Any, where: str) -> FeedItem | None:
    links = entry.findall(f"{ATOM}link")
    chosen = [x for x in links if x.get("rel", "alternate") == "alternate" and x.get("href")]
    link = chosen[0].get("href", "") if chosen else ""
    when = _iso(_text(entry.find(f"{ATOM}published"))) or _iso(_text(entry.find(f"{ATOM}updated")))
    summary = _text(entry.find(f"{ATOM}summary")) or _text(entry.find(f"{ATOM}content"))
    categories = tuple(c.get("term", "") for c in entry.findall(f"{ATOM}category") if c.get("term"))
    return _item(link, where, _text(entry.find(f"{ATOM}title")), when, summary, categories)


def _item(
    link: str, where: str, title: str, when: dt.datetime | None, summary: str, categories: tuple[str, ...]
) -> FeedItem | None:
    """An item with a web page to read, or None (an entry with no link, or a link to no web page)."""
    link = urljoin(where, link.strip()) if "://" in where else link.strip()
    if urlsplit(link).scheme.lower() not in ("http", "https"):
        return None
    return FeedItem(link, _plain(title), when, _plain(summary), categories)


def _text(element: Any) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def _plain(text: str) -> str:
    """Feed text (which may hold escaped HTML) as one line of plain text."""
    return " ".join(html.unescape(_TAG.sub(" ", text)).split())


def _rfc822(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _iso(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def fold(text: str) -> str:
    """Lower case without accents, for matching words as a reader means them ("Élysée" ~ "elysee")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def mentions(item: FeedItem, words: Iterable[str]) -> bool:
    """Whether the item's title, summary or categories hold one of `words` (whole words, any case,
    accents or not)."""
    text = fold(" ".join((item.title, item.summary, *item.categories)))
    return any(re.search(rf"(?<!\w){re.escape(fold(w))}(?!\w)", text) for w in words)


def select_items(
    items: Iterable[FeedItem], feed: FeedSource, now: dt.datetime | None = None
) -> tuple[FeedItem, ...]:
    """The newest `feed.items` items that pass `include`, `exclude` and `max_age_hours` (an item
    without a date passes the age test only when there is none), each page once."""
    now = now or dt.datetime.now(dt.UTC)
    kept: list[FeedItem] = []
    links: set[str] = set()
    for item in items:
        if item.link in links:
            continue
        if feed.include and not mentions(item, feed.include):
            continue
        if feed.exclude and mentions(item, feed.exclude):
            continue
        if feed.max_age_hours is not None and (
            item.published is None or now - item.published > dt.timedelta(hours=feed.max_age_hours)
        ):
            continue
        links.add(item.link)
        kept.append(item)
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    kept.sort(key=lambda i: i.published or oldest, reverse=True)  # stable: undated ones keep their order
    return tuple(kept[: feed.items])


def feed_sources(feed: FeedSource, now: dt.datetime | None = None) -> tuple[str, ...]:
    """The pages to read for `feed`: its chosen items' links. A feed that cannot be read is an
    IngestError (the show goes on with its other sources)."""
    return tuple(item.link for item in select_items(read_feed(feed.url), feed, now))
