"""What a page says about itself: JSON-LD, <meta>, <link rel=canonical>, <time>, <h1>, <title>.

Fallbacks for what trafilatura misses, the chapô (standfirst) it sometimes leaves out, and the
diagnosis of a page without article text. `tree` is the lxml tree of `trafilatura.load_html`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from briefing.ingest.textclean import TEMPLATE_SYNTAX, clean_paragraph

# schema.org types that describe the article itself.
ARTICLE_TYPES = frozenset(
    ("Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle")
    + ("BackgroundNewsArticle", "ReviewNewsArticle", "LiveBlogPosting", "BlogPosting", "Report")
)
# <meta> names and properties carrying the publication date, best first.
DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "pubdate",
    "publish-date",
    "publication_date",
    "parsely-pub-date",
    "sailthru.date",
)
AUTHOR_META = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author")
SITE_META = ("og:site_name", "application-name", "apple-mobile-web-app-title")
DESCRIPTION_META = ("og:description", "description", "twitter:description")
TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " · ", " :: ")
_TLD = re.compile(r"\.(?:fr|com|net|org|info|eu|be|ch|ca|lu|re|io|tv|news)$", re.I)
_HOSTNAME = re.compile(r"(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,6}")
_JS_SHELL_XPATH = (
    "//*[@ng-app or @data-ng-app or @ng-controller or @v-app or @data-reactroot or @data-server-rendered]"
    " | //body//*[@id='root' or @id='app' or @id='__next' or @id='__nuxt'][not(normalize-space())]"
)
_VISIBLE_TEXT = (
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]"
)
_PAYWALL = re.compile(r"réservée? aux abonnés|pour lire la suite|abonnez-vous pour (?:lire|continuer)", re.I)
_CONSENT = re.compile(r"\bcookies?\b|\bconsentement\b|\bpartenaires\b", re.I)


@dataclass(frozen=True, slots=True)
class PageMeta:
    """Every candidate value a page declares; the `pick_*` methods choose and clean."""

    headline: str = ""
    titles: tuple[str, ...] = ()  # og:title, <h1>, <title>
    dates: tuple[str, ...] = ()  # JSON-LD datePublished, then <meta> dates
    time_dates: tuple[str, ...] = ()  # <time datetime>, the weakest hint
    authors: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()  # JSON-LD publisher, og:site_name, …
    urls: tuple[str, ...] = ()  # canonical, og:url, JSON-LD url
    descriptions_: tuple[str, ...] = ()
    body: str = ""  # JSON-LD articleBody

    def pick_title(self, extracted: str | None, sitename: str | None = None) -> str:
        for candidate in (extracted, self.headline, *self.titles):
            title = clean_paragraph(candidate or "")
            if title:
                return strip_site_suffix(title, self.site_names(sitename))
        return ""

    def pick_date(self, extracted: str | None) -> dt.date | None:
        for value in (*self.dates, extracted or "", *self.time_dates):
            date = parse_iso_date(value)
            if date is not None:
                return date
        return None

    def site_names(self, extracted: str | None) -> list[str]:
        names = [
            n for n in (clean_paragraph(s) for s in (*self.sites[:1], extracted or "", *self.sites[1:])) if n
        ]
        hosts = [urlsplit(u).hostname or "" for u in self.urls]
        return names + [h for h in hosts if h]

    def pick_source(self, extracted: str | None) -> str | None:
        names = self.site_names(extracted)
        for name in names:
            if not _HOSTNAME.fullmatch(name):
                return (
                    _TLD.sub("", name) if " " in name or not name.isascii() or name != name.lower() else name
                )
        return names[0].removeprefix("www.") if names else None

    def pick_author(self, extracted: str | None) -> str | None:
        for candidate in ((extracted or "").split(";"), self.authors):
            names = [_author(n) for n in candidate]
            names = [n for n in dict.fromkeys(names) if n]
            if names:
                return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]
        return None

    def pick_url(self, extracted: str | None, base: str | None) -> str | None:
        base_path = urlsplit(base).path if base else ""
        for candidate in (*self.urls, extracted or "", base or ""):
            url = urljoin(base, candidate.strip()) if base and candidate.strip() else candidate.strip()
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                continue
            if parts.path in ("", "/") and base_path not in ("", "/"):  # a canonical pointing home
                continue
            return url
        return None

    def descriptions(self, extracted: str | None) -> list[str]:
        return [
            d for d in dict.fromkeys(clean_paragraph(d) for d in (extracted or "", *self.descriptions_)) if d
        ]


def strip_site_suffix(title: str, names: list[str]) -> str:
    """`Prendre la parole | France Culture` -> `Prendre la parole` when the tail is the site's name."""
    keys = {_site_key(n) for n in names} - {""}
    for sep in TITLE_SEPARATORS:
        head, found, tail = title.rpartition(sep)
        if found and head.strip() and _site_key(tail) in keys:
            return head.strip()
    return title


def _site_key(name: str) -> str:
    return re.sub(r"\W+", "", _TLD.sub("", name.strip().removeprefix("www.")).casefold())


def _author(name: str) -> str:
    name = clean_paragraph(name)
    name = re.sub(r"^(?:par|by)\s+", "", name, flags=re.I)
    if not name or len(name) > 100 or "://" in name or "@" in name or name.startswith("/"):
        return ""
    return name


def parse_iso_date(value: str) -> dt.date | None:
    """The calendar date of an ISO 8601 date or timestamp, as written (no time zone shift)."""
    m = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value or "")
    if not m:
        return None
    try:
        date = dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
    return date if 1900 <= date.year <= dt.date.today().year + 1 else None


# ---------------------------------------------------------------- reading the tree


def page_meta(tree: Any, base_url: str | None = None) -> PageMeta:
    """Collect the page's declared metadata; nothing here decides, `PageMeta.pick_*` does."""
    metas: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = el.get("content")
        if key and content and content.strip():
            metas.setdefault(key, []).append(content.strip())
    for el in tree.xpath("//*[@itemprop='datePublished'][@datetime]"):
        metas.setdefault("datepublished", []).append(str(el.get("datetime")))
    article, sites = _jsonld(tree)

    def first(keys: tuple[str, ...]) -> list[str]:
        return [v for k in keys for v in metas.get(k, [])]

    canonical = [
        str(el.get("href")) for el in tree.xpath("//link[@href]") if "canonical" in (el.get("rel") or "")
    ]
    return PageMeta(
        headline=_str(article.get("headline")),
        titles=tuple(first(("og:title", "twitter:title")) + _texts(tree, "//h1") + _texts(tree, "//title")),
        dates=tuple(
            [_str(article.get("datePublished")), _str(article.get("dateCreated"))] + first(DATE_META)
        ),
        time_dates=tuple(str(el.get("datetime")) for el in tree.xpath("//body//time[@datetime]")),
        authors=tuple(_names(article.get("author")) + first(AUTHOR_META)),
        sites=tuple(_names(article.get("publisher")) + first(SITE_META) + sites),
        urls=tuple(canonical + first(("og:url",)) + _jsonld_urls(article)),
        descriptions_=tuple(first(DESCRIPTION_META) + [_str(article.get("description"))]),
        body=_str(article.get("articleBody")),
    )


def _jsonld(tree: Any) -> tuple[dict[str, Any], list[str]]:
    """The first schema.org article object of the page's JSON-LD, and the names of its WebSite objects."""
    article: dict[str, Any] = {}
    sites: list[str] = []
    for script in tree.xpath("//script[contains(@type, 'ld+json')]"):
        raw = (script.text or "").strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            continue
        for obj in _objects(data):
            declared = obj.get("@type")
            types = {
                t for t in (declared if isinstance(declared, list) else [declared]) if isinstance(t, str)
            }
            if not article and types & ARTICLE_TYPES:
                article = obj
            elif "WebSite" in types or "NewsMediaOrganization" in types:
                sites.extend(_names(obj))
    return article, sites


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if isinstance(data.get(key), (list, dict)):
                yield from _objects(data[key])


def _names(value: Any) -> list[str]:
    """Names from a JSON-LD person/organization, a list of them, or a plain string."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [n for item in value for n in _names(item)]
    if isinstance(value, dict):
        return _names(value.get("name"))
    return []


def _jsonld_urls(article: dict[str, Any]) -> list[str]:
    urls = [_str(article.get("url"))]
    page = article.get("mainEntityOfPage")
    urls.append(_str(page.get("@id") or page.get("url")) if isinstance(page, dict) else _str(page))
    return [u for u in urls if u]


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _texts(tree: Any, xpath: str) -> list[str]:
    return [str(el.text_content()) for el in tree.xpath(xpath)][:1]


def text_key(text: str) -> str:
    """Text reduced to its words, for comparing two renderings of the same sentence."""
    return " ".join(re.sub(r"\W+", " ", text.casefold()).split())


def find_chapo(tree: Any, descriptions: list[str]) -> str | None:
    """The standfirst shown on the page: a body element whose whole text is the page's description."""
    body = tree.find("body")
    if body is None:
        return None
    for description in descriptions:
        key = text_key(description)
        if len(key.split()) < 8:
            continue
        start = key[:12]
        for el in body.iter("p", "h2", "h3", "h4", "div", "span", "strong", "em", "section"):
            if text_key(el.text or "").startswith(start) and text_key(el.text_content()) == key:
                return clean_paragraph(str(el.text_content()))
    return None


def why_no_article(tree: Any, html: str) -> str:
    """The probable cause of a page without article text, for the error message."""
    texts = [str(t) for t in tree.xpath(_VISIBLE_TEXT)]
    visible = " ".join(" ".join(texts).split())
    scripts = sum(len(s.text or "") for s in tree.iter("script"))
    noscript = any("javascript" in str(n.text_content()).lower() for n in tree.iter("noscript"))
    templates = len(re.findall(TEMPLATE_SYNTAX, visible))
    if templates >= 2 or tree.xpath(_JS_SHELL_XPATH) or noscript or scripts > 5 * max(1, len(visible)):
        return (
            "the page builds its text with JavaScript, which briefing does not run; save the page from a "
            "browser once it has loaded, or copy the article text into a .txt file"
        )
    if _PAYWALL.search(visible):
        return "the article is behind a subscription wall; only its first lines are in the page"
    if _CONSENT.search(visible) and len(visible.split()) < 300:
        return "the page is a cookie consent wall; save the page from a browser after accepting it"
    return "the page holds no article (a home page, a list of links, a video or a photo gallery?)"
