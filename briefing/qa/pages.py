"""The checks `briefing validate` makes of the show's pages (`publish.pages`): each feed item's page
is in the folder, plays the item's enclosure, and every file a page links to is there; the folder's
index is there when the feed's link is the folder.

A listener who follows a feed item's link, or a chapter on its page, and finds nothing does not make
a directory reject the feed, so these are warnings (`validate --strict` fails on them). A page whose
links are broken usually means the folder was copied in part; `briefing feed` writes the pages again.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit
from xml.etree import ElementTree as ET

from briefing.errors import BriefingError, CheckError
from briefing.export.names import safe_join
from briefing.publish.pages import INDEX_NAME, generated_here
from briefing.qa.problems import Problem, text_of, unreadable

REWRITE_HINT = "`briefing feed` writes the pages again"


class _Page(HTMLParser):
    """What a page links to (tag, URL) from its href and src attributes, the ids it has, and the
    sources of its audio player."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.audio: list[str] = []
        self._in_audio = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        for name in ("href", "src"):
            if name in values:
                self.links.append((tag, values[name]))
        if tag == "audio":
            self._in_audio = True
            if "src" in values:
                self.audio.append(values["src"])
        elif tag == "source" and self._in_audio:
            self.audio.append(values.get("src", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "audio":
            self._in_audio = False


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _local(root: Path, base: str, url: str) -> Path | None:
    """The file of `root` that the absolute `url` names, or None when it is not under `base`."""
    if not url.startswith(base):
        return None
    rest = unquote(urlsplit(url).path)[len(unquote(urlsplit(base).path)) :]
    try:
        return safe_join(root, rest or INDEX_NAME)
    except BriefingError:
        return None


def _broken_links(root: Path, base: str, page_url: str, page: _Page) -> Iterator[str]:
    """The links of `page` (at `page_url`) into the folder that name no file, or no id of the page:
    each missing file once, with how many links name it (every sentence links to the MP3)."""
    missing: dict[Path, list[str]] = {}
    for tag, link in page.links:
        url, fragment = urldefrag(urljoin(page_url, link))
        if url == page_url and fragment:
            if fragment not in page.ids:
                yield f"<{tag}> {link} names no element of the page"
            continue
        path = _local(root, base, url)
        if path is not None and not path.is_file():
            missing.setdefault(path, []).append(f"<{tag}> {link}")
    for path, links in missing.items():
        more = f" (and {len(links) - 1} other links)" if len(links) > 1 else ""
        yield f"{links[0]}{more}: {path.relative_to(root)} is not in the folder"


def page_problems(root: Path, base: str, page_url: str, enclosure_url: str, where: str) -> list[Problem]:
    """The page of a feed item (`page_url`, under the folder URL `base`): it is there, it reads,
    its player plays `enclosure_url`, and its links name files of `root`."""
    path = _local(root, base, page_url)
    if path is None:
        return []  # the show's own page elsewhere: not ours to check
    name = path.relative_to(root)
    if not path.is_file():
        return [Problem(where, f"its page {name} is missing ({REWRITE_HINT})", "warning")]
    try:
        page = _parse(text_of(path))
    except CheckError as e:
        return [Problem(where, f"its page {name} {e.message}", "warning")]
    found = [
        Problem(where, f"page {name}: {broken}", "warning")
        for broken in _broken_links(root, base, page_url, page)
    ]
    playing = {urldefrag(urljoin(page_url, src))[0] for src in page.audio}
    if playing != {enclosure_url}:
        heard = ", ".join(sorted(playing)) or "nothing"
        found.append(
            Problem(where, f"page {name} plays {heard}, not the enclosure {enclosure_url}", "warning")
        )
    return found


def item_page_problems(root: Path, base: str, item: ET.Element, where: str) -> list[Problem]:
    """`page_problems` of a feed `<item>`: the page its `<link>` names, playing its `<enclosure>`
    (nothing to check without a link, an enclosure, or the folder URL `base`)."""
    link, enclosure = (item.findtext("link") or "").strip(), item.find("enclosure")
    if not base or not link or enclosure is None:
        return []
    return page_problems(root, base, link, enclosure.get("url", ""), where)


def index_problems(root: Path, base: str, link: str) -> list[Problem]:
    """The folder's index, when the feed's `<link>` is the folder (`base`, if known): it is there,
    and if it is the one `briefing` writes (not the producer's own), its links name files of `root`."""
    path = _local(root, base, link.strip()) if base else None
    if path is None or path.name != INDEX_NAME:
        return []
    if not path.is_file():
        return [Problem("channel", f"the show's page {INDEX_NAME} is missing ({REWRITE_HINT})", "warning")]
    try:
        data = path.read_bytes()
        if not generated_here(data):
            return []  # the producer's own index
        page = _parse(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        return [Problem("channel", f"the show's page {INDEX_NAME} {unreadable(e)}", "warning")]
    url = urljoin(base, INDEX_NAME)
    return [
        Problem("channel", f"{INDEX_NAME}: {broken}", "warning")
        for broken in _broken_links(root, base, url, page)
    ]
